#pragma once
// Shared helpers of the binding files: Python <-> JSON conversion and the policy trampoline.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

#include "model/event_log.hpp"
#include "model/policy.hpp"
#include "model/results.hpp"

namespace stocklab::bindings {

namespace py = pybind11;

/// A Python object (dict/list/str/number/bool/None, nested) as JSON. Raises ScenarioError naming
/// the JSON pointer of anything JSON cannot hold; NaN and infinities pass through so the parser can
/// name the field they are in.
nlohmann::ordered_json to_json(const py::handle& obj, const std::string& pointer = "", int depth = 0);
py::object from_json(const nlohmann::ordered_json& j);

/// The scenario document from Python: a dict (converted) or JSON text (parsed by the C++ parser).
nlohmann::ordered_json document_from_python(const py::handle& obj);

/// Lets Python subclass ReplenishmentPolicy; validates what `order` returns.
class PyReplenishmentPolicy : public ReplenishmentPolicy {
public:
    std::int64_t order(const InventoryView& view) override;
    /// order() may return units, a stocklab.Order(units, vendor) or a list of them.
    void orders(const InventoryView& view, std::vector<OrderDecision>& out) override;
    double review_period_days() const override;
    double review_offset_days() const override;
};

/// The C++ policy inside a Python ReplenishmentPolicy; TypeError when its __init__ never ran (made
/// with __new__ alone), where pybind11 would hand out uninitialised memory.
ReplenishmentPolicy* constructed_policy(const py::handle& obj);

// Engine results as Python objects (convert.cpp).
py::array_t<double> summary_array(const Summary& s);
py::array_t<double> items_array(const std::vector<ItemSummary>& rows);
py::array_t<double> segments_array(const std::vector<SegmentSummary>& rows);
py::array_t<double> vendors_array(const std::vector<VendorSummary>& rows);
py::dict events_dict(const std::vector<EventRecord>& ev, std::size_t from);
/// The rows of a (possibly bounded) log from row number `start` on.
py::dict events_dict(const EventLog& log, std::size_t start);
py::dict ledger_dict(const std::vector<LedgerEntry>& entries);
py::dict series_dict(const TimeSeries& series);
py::dict result_dict(RunResult& r);

/// Called (GIL released) by supervised C++ work every 50 ms: true after Ctrl-C, with the Python
/// KeyboardInterrupt left set for error_already_set to raise.
bool python_interrupted();

void register_scenario(py::module_& m);
void register_simulation(py::module_& m);
void register_policy(py::module_& m);
void register_experiment(py::module_& m);
void register_gym(py::module_& m);

}  // namespace stocklab::bindings
