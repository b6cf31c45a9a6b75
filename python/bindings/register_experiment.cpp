// Replications in C++ threads with the GIL released.
#include <pybind11/numpy.h>

#include <memory>

#include "common.hpp"
#include "runner/replications.hpp"
#include "model/simulation.hpp"

namespace stocklab::bindings {

bool python_interrupted() {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
}

namespace {

/// A PolicyFactory calling a Python callable (under the GIL) for each replication. The policy keeps
/// its Python object alive, and drops it under the GIL, as long as the replication uses it.
PolicyFactory python_policy_factory(py::object make) {
    auto shared = std::make_shared<py::object>(std::move(make));
    return [shared](std::uint64_t replication) -> std::shared_ptr<ReplenishmentPolicy> {
        py::gil_scoped_acquire gil;
        py::object obj = (*shared)(replication);
        if (!py::isinstance<ReplenishmentPolicy>(obj))
            throw py::type_error("the policy factory must return a stocklab.ReplenishmentPolicy, got " +
                                 py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>());
        auto* policy = constructed_policy(obj);
        auto* keep = new py::object(std::move(obj));
        return std::shared_ptr<ReplenishmentPolicy>(policy, [keep](ReplenishmentPolicy*) {
            py::gil_scoped_acquire release_under_gil;
            delete keep;
        });
    };
}

/// The per-replication tables as one (replications x rows x metrics) array.
template <class Rows>
py::array stacked(const std::vector<ReplicationTables>& details, std::size_t rows, std::size_t width, Rows rows_of) {
    if (details.empty())
        return py::array_t<double>(std::vector<py::ssize_t>{0, static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(width)});
    py::list parts;
    for (const ReplicationTables& t : details) parts.append(rows_of(t));
    return py::module_::import("numpy").attr("stack")(parts).cast<py::array>();
}

}  // namespace

void register_experiment(py::module_& m) {
    m.def(
        "run_replications",
        [](const Scenario& sc, std::uint64_t seed, std::uint64_t first, std::uint64_t count, int jobs,
           const py::object& policy_factory, bool tables) -> py::object {
            const PolicyFactory factory = policy_factory.is_none() ? nullptr : python_policy_factory(policy_factory);
            std::vector<Summary> rows;
            std::vector<ReplicationTables> details;
            try {
                py::gil_scoped_release release;
                rows = run_replications(sc, seed, first, count, jobs, python_interrupted, factory,
                                        tables ? &details : nullptr);
            } catch (const Interrupted&) {
                throw py::error_already_set();
            }
            py::array_t<double> out({static_cast<py::ssize_t>(count), static_cast<py::ssize_t>(kMetricCount)});
            double* p = out.mutable_data();
            for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), p + i * kMetricCount);
            if (!tables) return std::move(out);
            py::dict d;
            d["summary"] = out;
            d["items"] = stacked(details, sc.items.size(), kItemMetricCount, [](const ReplicationTables& t) { return items_array(t.items); });
            d["segments"] = stacked(details, sc.customers.segments.size(), kSegmentMetricCount,
                                    [](const ReplicationTables& t) { return segments_array(t.segments); });
            return std::move(d);
        },
        py::arg("scenario"), py::arg("seed"), py::arg("first"), py::arg("count"), py::arg("jobs") = 1,
        py::arg("policy_factory") = py::none(), py::arg("tables") = false,
        "Summaries (count x metrics) of replications first..first+count-1 of one policy variant. "
        "policy_factory(replication) -> ReplenishmentPolicy, when given, makes each replication's custom policy. "
        "tables=True returns a dict: summary, items (count x items x item metrics) and segments "
        "(count x segments x segment metrics).");
    m.def("hardware_jobs", &hardware_jobs, "Number of hardware threads (at least 1).");
    m.def("max_jobs", &max_jobs, "The most threads run_replications accepts: 4 x hardware threads, at least 256.");
}

}  // namespace stocklab::bindings
