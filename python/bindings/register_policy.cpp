// Custom replenishment policies from Python (pybind11 trampoline) and the InventoryView they see.
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"

namespace stocklab::bindings {

namespace {
/// Units from what a policy returned: a whole number >= 0 (int, numpy integer or integral float).
std::int64_t units_of(const py::object& out, const py::object& returned) {
    auto bad = [&](const std::string& why) {
        return py::value_error("policy.order() returned " + py::repr(returned).cast<std::string>() + ": " + why);
    };
    if (py::isinstance<py::bool_>(out) || out.is_none()) throw bad("it must return a whole number of units >= 0");
    double v;
    if (py::isinstance<py::int_>(out) || py::hasattr(out, "__index__")) {
        try {
            v = static_cast<double>(py::int_(out).cast<std::int64_t>());
        } catch (const py::cast_error&) {
            throw bad("too large");
        }
    } else if (py::isinstance<py::float_>(out)) {
        v = out.cast<double>();
        if (!std::isfinite(v) || v != std::floor(v)) throw bad("it must return a whole number of units >= 0");
    } else {
        throw bad("it must return a whole number of units >= 0 (or stocklab.Order objects), not " +
                  py::str(py::type::handle_of(out).attr("__name__")).cast<std::string>());
    }
    if (v < 0) throw bad("it must return a whole number of units >= 0");
    if (v > 1e12) throw bad("more than 1e12 units");
    return static_cast<std::int64_t>(v);
}

/// The place in view.vendors of the vendor an Order names (None: the item's sourcing rule).
std::int32_t vendor_of(const py::object& vendor, const InventoryView& view) {
    if (vendor.is_none()) return -1;
    std::string ids;
    for (std::size_t k = 0; k < view.vendors.size(); ++k) {
        if (py::isinstance<py::str>(vendor) && vendor.cast<std::string>() == view.vendors[k].id)
            return static_cast<std::int32_t>(k);
        ids += (ids.empty() ? "\"" : ", \"") + view.vendors[k].id + "\"";
    }
    throw py::value_error("policy.order() chose vendor " + py::repr(vendor).cast<std::string>() +
                          ": the item is bought from " + ids);
}

/// One order: a number of units (the sourcing rule picks the vendor) or an Order(units, vendor).
OrderDecision decision_of(const py::object& out, const py::object& returned, const InventoryView& view) {
    if (py::hasattr(out, "units") && py::hasattr(out, "vendor"))
        return OrderDecision{units_of(out.attr("units"), returned), vendor_of(out.attr("vendor"), view)};
    return OrderDecision{units_of(out, returned), -1};
}
/// What the Python subclass's order(view) returned (call with the GIL held).
py::object call_order(const ReplenishmentPolicy* policy, const InventoryView& view) {
    py::function fn = py::get_override(policy, "order");
    if (!fn) throw py::type_error("ReplenishmentPolicy subclasses must define order(self, view)");
    return fn(view);  // a Python exception propagates with its traceback
}
}  // namespace

std::int64_t PyReplenishmentPolicy::order(const InventoryView& view) {
    py::gil_scoped_acquire gil;
    const py::object out = call_order(this, view);
    return units_of(out, out);
}

void PyReplenishmentPolicy::orders(const InventoryView& view, std::vector<OrderDecision>& out) {
    py::gil_scoped_acquire gil;
    const py::object got = call_order(this, view);
    if (py::isinstance<py::list>(got) || py::isinstance<py::tuple>(got)) {
        for (py::handle one : got) out.push_back(decision_of(py::reinterpret_borrow<py::object>(one), got, view));
        return;
    }
    out.push_back(decision_of(got, got, view));
}

namespace {
/// What a review hook (review_period_days / review_offset_days) returned, as days; a clear TypeError
/// for anything but a real number (None, a str, a bool...).
double policy_days(const ReplenishmentPolicy* self, const char* name) {
    py::gil_scoped_acquire gil;
    py::function fn = py::get_override(self, name);
    if (!fn) return 0.0;
    py::object out = fn();
    const bool number = !py::isinstance<py::bool_>(out) && !out.is_none() && !py::isinstance<py::str>(out) &&
                        (py::hasattr(out, "__float__") || py::hasattr(out, "__index__"));
    if (number) {
        try {
            return py::float_(out).cast<double>();
        } catch (const py::error_already_set&) {  // e.g. complex, or an int too large for a double
        }
    }
    throw py::type_error(std::string("policy.") + name + "() returned " + py::repr(out).cast<std::string>() +
                         ": it must return a number of days (an int or a float)");
}
}  // namespace

double PyReplenishmentPolicy::review_period_days() const { return policy_days(this, "review_period_days"); }

double PyReplenishmentPolicy::review_offset_days() const { return policy_days(this, "review_offset_days"); }

ReplenishmentPolicy* constructed_policy(const py::handle& obj) {
    // pybind11 detail: no public call says whether an instance's __init__ ran.
    auto* inst = reinterpret_cast<py::detail::instance*>(obj.ptr());
    if (!inst->get_value_and_holder().holder_constructed())
        throw py::type_error("the ReplenishmentPolicy's __init__ did not run (call super().__init__() in the "
                             "subclass's __init__)");
    return obj.cast<ReplenishmentPolicy*>();
}

void register_policy(py::module_& m) {
    py::class_<VendorRecord>(m, "VendorRecord", "A vendor's record over the run so far (read-only).")
        .def_readonly("orders", &VendorRecord::orders, "purchase orders placed with it")
        .def_readonly("ordered_units", &VendorRecord::ordered_units)
        .def_readonly("shipments", &VendorRecord::shipments, "shipments that arrived")
        .def_readonly("late_shipments", &VendorRecord::late_shipments, "shipments that arrived after the confirmed date")
        .def_readonly("received_units", &VendorRecord::received_units)
        .def_readonly("short_units", &VendorRecord::short_units, "units the arrived shipments lacked")
        .def_property_readonly("spend", [](const VendorRecord& r) { return r.spend_cents / 100.0; },
                               "cash paid to it (supplier payments net of refunds)")
        .def_property_readonly("on_time_rate", &VendorRecord::on_time_rate, "share of shipments on time (NaN: none yet)")
        .def_property_readonly("fill_rate", &VendorRecord::fill_rate, "units received per unit due (NaN: none yet)")
        .def_property_readonly("mean_lead_time_days", &VendorRecord::mean_lead_time_days,
                               "realised days from order to arrival (NaN: none yet)")
        .def("__repr__", [](const VendorRecord& r) {
            return "VendorRecord(shipments=" + std::to_string(static_cast<std::int64_t>(r.shipments)) +
                   ", late_shipments=" + std::to_string(static_cast<std::int64_t>(r.late_shipments)) +
                   ", received_units=" + std::to_string(static_cast<std::int64_t>(r.received_units)) + ")";
        });

    py::class_<VendorStatus>(m, "VendorStatus", "One of the item's vendors at a decision (read-only).")
        .def_readonly("id", &VendorStatus::id)
        .def_readonly("unit_price", &VendorStatus::unit_price, "what it charges a unit of this item")
        .def_readonly("lead_time_days", &VendorStatus::lead_time_days, "its mean lead time (the terms)")
        .def_readonly("up", &VendorStatus::up, "False during an outage")
        .def_readonly("recent_late_deliveries", &VendorStatus::recent_late_deliveries,
                      "late deliveries in the last sourcing.window_days of the item")
        .def_readonly("record", &VendorStatus::record, "its record over the run so far")
        .def("__repr__", [](const VendorStatus& v) {
            return "VendorStatus(id='" + v.id + "', unit_price=" + std::to_string(v.unit_price) +
                   ", lead_time_days=" + std::to_string(v.lead_time_days) + ", up=" + (v.up ? "True" : "False") + ")";
        });

    py::class_<InventoryView>(m, "InventoryView", "What a replenishment policy sees (read-only).")
        .def_readonly("now", &InventoryView::now, "current time (days)")
        .def_readonly("item", &InventoryView::item, "the item's place in the scenario's items")
        .def_readonly("on_hand", &InventoryView::on_hand)
        .def_readonly("backorders", &InventoryView::backorders, "units owed to waiting customers")
        .def_readonly("on_order", &InventoryView::on_order, "units ordered, not yet received")
        .def_readonly("inventory_position", &InventoryView::inventory_position, "on_hand + on_order - backorders")
        .def_readonly("recorded_demand", &InventoryView::recorded_demand,
                      "cumulative units the store recorded as demanded (sales + backorders)")
        .def_readonly("sales", &InventoryView::sales, "cumulative units served from stock")
        .def_readonly("open_orders", &InventoryView::open_orders)
        .def_readonly("is_review", &InventoryView::is_review)
        .def_readonly("vendors", &InventoryView::vendors,
                      "the item's vendors (VendorStatus: id, price, lead time, up, record), in the scenario's order")
        .def("__repr__", [](const InventoryView& v) {
            return "InventoryView(now=" + std::to_string(v.now) + ", on_hand=" + std::to_string(v.on_hand) +
                   ", backorders=" + std::to_string(v.backorders) + ", on_order=" + std::to_string(v.on_order) +
                   ", inventory_position=" + std::to_string(v.inventory_position) + ")";
        });

    py::class_<ReplenishmentPolicy, PyReplenishmentPolicy>(m, "ReplenishmentPolicy",
                                                           "Subclass and define order(self, view) -> units.")
        .def(py::init<>())
        .def("order", &ReplenishmentPolicy::order, py::arg("view"))
        .def("review_period_days", &ReplenishmentPolicy::review_period_days)
        .def("review_offset_days", &ReplenishmentPolicy::review_offset_days);
}

}  // namespace stocklab::bindings
