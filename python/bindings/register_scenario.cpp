// Scenario parsing from Python: documents in, validated C++ scenarios out, errors as ScenarioError.
#include <pybind11/stl.h>

#include <cmath>

#include "common.hpp"
#include "model/estimates.hpp"
#include "model/item_metrics.hpp"
#include "model/metrics.hpp"
#include "model/results.hpp"
#include "scenario/parser.hpp"

namespace stocklab::bindings {

namespace {
// The Python exception type to raise (stocklab.errors.ScenarioError), installed at import.
py::object* scenario_error_type = nullptr;

std::string python_type_name(const py::handle& obj) {
    return py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
}
/// The name, unit, label and description of each metric of a per-item, per-segment or per-vendor table.
/// One string field of each element (ids or names of items, segments, vendors), in order.
template <class T>
std::vector<std::string> strings(const std::vector<T>& elements, std::string T::*field) {
    std::vector<std::string> out;
    out.reserve(elements.size());
    for (const T& e : elements) out.push_back(e.*field);
    return out;
}

template <class Table>
py::tuple info_rows(const Table& table) {
    py::list out;
    for (const auto& mi : table) {
        py::dict row;
        row["name"] = std::string(mi.name);
        row["unit"] = std::string(mi.unit);
        row["label"] = std::string(mi.label);
        row["description"] = std::string(mi.description);
        out.append(row);
    }
    return py::tuple(out);
}

}  // namespace

nlohmann::ordered_json to_json(const py::handle& obj, const std::string& pointer, int depth) {
    if (depth > kMaxJsonDepth)
        throw ScenarioError(pointer, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (obj.is_none()) return nullptr;
    if (py::isinstance<py::bool_>(obj)) return obj.cast<bool>();
    if (py::isinstance<py::int_>(obj)) {
        try {
            return obj.cast<std::int64_t>();
        } catch (const py::cast_error&) {
            throw ScenarioError(pointer, "integer too large");
        }
    }
    if (py::isinstance<py::float_>(obj)) return obj.cast<double>();
    if (py::isinstance<py::str>(obj)) return obj.cast<std::string>();
    if (py::isinstance<py::dict>(obj)) {
        nlohmann::ordered_json out = nlohmann::ordered_json::object();
        for (auto item : obj.cast<py::dict>()) {
            if (!py::isinstance<py::str>(item.first))
                throw ScenarioError(pointer, "keys must be strings, got " + python_type_name(item.first));
            std::string key = item.first.cast<std::string>();
            out[key] = to_json(item.second, pointer + "/" + escape_pointer_token(key), depth + 1);
        }
        return out;
    }
    if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        std::size_t i = 0;
        for (auto item : obj) out.push_back(to_json(item, pointer + "/" + std::to_string(i++), depth + 1));
        return out;
    }
    // numpy scalars and other number-likes
    if (py::hasattr(obj, "__index__")) return to_json(py::int_(py::reinterpret_borrow<py::object>(obj)), pointer, depth);
    if (py::hasattr(obj, "__float__") && !py::isinstance<py::str>(obj)) return to_json(py::float_(py::reinterpret_borrow<py::object>(obj)), pointer, depth);
    throw ScenarioError(pointer, "must be a JSON value (dict, list, str, number, bool or None), got " +
                                     python_type_name(obj));
}

py::object from_json(const nlohmann::ordered_json& j) {
    switch (j.type()) {
        case nlohmann::ordered_json::value_t::null: return py::none();
        case nlohmann::ordered_json::value_t::boolean: return py::bool_(j.get<bool>());
        case nlohmann::ordered_json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
        case nlohmann::ordered_json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
        case nlohmann::ordered_json::value_t::number_float: return py::float_(j.get<double>());
        case nlohmann::ordered_json::value_t::string: return py::str(j.get_ref<const std::string&>());
        case nlohmann::ordered_json::value_t::array: {
            py::list out;
            for (const auto& v : j) out.append(from_json(v));
            return std::move(out);
        }
        case nlohmann::ordered_json::value_t::object: {
            py::dict out;
            for (auto it = j.begin(); it != j.end(); ++it) out[py::str(it.key())] = from_json(it.value());
            return std::move(out);
        }
        default: return py::none();
    }
}

nlohmann::ordered_json document_from_python(const py::handle& obj) {
    if (py::isinstance<py::str>(obj)) return parse_json_text(obj.cast<std::string>());
    if (py::isinstance<py::bytes>(obj)) return parse_json_text(obj.cast<std::string>());
    if (!py::isinstance<py::dict>(obj))
        throw ScenarioError("/", "a scenario must be a dict or JSON text, got " + python_type_name(obj));
    return to_json(obj);
}

void register_scenario(py::module_& m) {
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const ScenarioError& e) {
            if (scenario_error_type) {
                py::list problems;
                for (const Problem& p : e.problems()) problems.append(py::make_tuple(p.pointer, p.rule));
                py::object err = (*scenario_error_type)(e.what(), e.pointer(), e.rule(), problems);
                PyErr_SetObject(scenario_error_type->ptr(), err.ptr());
            } else {
                PyErr_SetString(PyExc_ValueError, e.what());
            }
        }
    });
    m.def("_set_scenario_error_type", [](py::object type) {
        if (!scenario_error_type) scenario_error_type = new py::object();  // lives as long as the process
        *scenario_error_type = std::move(type);
    });

    py::class_<Scenario>(m, "ParsedScenario", "A validated scenario, ready to run (one policy variant).")
        .def_property_readonly("name", [](const Scenario& s) { return s.name; })
        .def_property_readonly("policy_name", [](const Scenario& s) { return s.policy_name; })
        .def_property_readonly("horizon_days", [](const Scenario& s) { return s.run.horizon_days; })
        .def_property_readonly("warmup_days", [](const Scenario& s) { return s.run.warmup_days; })
        .def_property_readonly("replications", [](const Scenario& s) { return s.run.replications; })
        .def_property_readonly("seed", [](const Scenario& s) { return s.run.seed; })
        .def_property_readonly("item_ids", [](const Scenario& s) { return strings(s.items, &Item::id); },
                               "The items' ids, in the scenario's order.")
        .def_property_readonly("segment_ids", [](const Scenario& s) { return strings(s.customers.segments, &Segment::id); },
                               "The customer segments' ids, in the scenario's order.")
        .def_property_readonly("vendor_ids", [](const Scenario& s) { return strings(s.vendors, &Supplier::id); },
                               "The vendors' ids, in the scenario's order (version 1: \"supplier\").")
        .def_property_readonly("item_names", [](const Scenario& s) { return strings(s.items, &Item::name); },
                               "The items' names (their ids where the file gives none), in order.")
        .def_property_readonly("vendor_names", [](const Scenario& s) { return strings(s.vendors, &Supplier::name); },
                               "The vendors' names (their ids where the file gives none), in order.")
        .def_property_readonly("expected_events", [](const Scenario& s) { return expected_events(s); },
                               "Events one replication handles (an estimate from the scenario alone).");

    m.def("parse_json_text", [](const std::string& text) { return from_json(parse_json_text(text)); },
          py::arg("text"), "Parse JSON text with the scenario parser's limits (size, depth).");
    m.def("parse_scenario",
          [](const py::object& doc, const std::string& policy) { return parse_scenario(document_from_python(doc), policy); },
          py::arg("doc"), py::arg("policy") = "", "Validate a scenario document and return the parsed variant.");
    m.def("validate", [](const py::object& doc) { validate_scenario(document_from_python(doc)); }, py::arg("doc"),
          "Validate the base scenario and every policy variant; raise ScenarioError on the first problem.");
    m.def("policy_names", [](const py::object& doc) { return policy_names(document_from_python(doc)); }, py::arg("doc"));
    m.def("resolve_policy",
          [](const py::object& doc, const std::string& policy) {
              return from_json(resolve_policy(document_from_python(doc), policy));
          },
          py::arg("doc"), py::arg("policy"));

    std::vector<std::string> metrics(kMetricNames.begin(), kMetricNames.end());
    std::vector<std::string> series(kSeriesNames.begin(), kSeriesNames.end());
    std::vector<std::string> kinds(kEventKindNames.begin(), kEventKindNames.end());
    std::vector<std::string> cats(kLedgerCategoryNames.begin(), kLedgerCategoryNames.end());
    m.attr("metric_names") = py::tuple(py::cast(metrics));
    py::list info;
    for (const MetricInfo& mi : kMetricInfo) {
        py::dict row;
        row["name"] = std::string(mi.name);
        row["unit"] = std::string(mi.unit);
        row["group"] = std::string(mi.group);
        row["label"] = std::string(mi.label);
        row["description"] = std::string(mi.description);
        info.append(row);
    }
    m.attr("metric_info") = py::tuple(info);
    m.attr("item_metric_info") = info_rows(kItemMetricInfo);
    m.attr("segment_metric_info") = info_rows(kSegmentMetricInfo);
    m.attr("vendor_metric_info") = info_rows(kVendorMetricInfo);
    m.attr("series_names") = py::tuple(py::cast(series));
    m.attr("event_kinds") = py::tuple(py::cast(kinds));
    m.attr("ledger_categories") = py::tuple(py::cast(cats));
    m.attr("max_scenario_bytes") = kMaxScenarioBytes;
}

}  // namespace stocklab::bindings
