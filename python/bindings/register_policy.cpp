// Custom replenishment policies from Python (pybind11 trampoline) and the InventoryView they see.
#include <cmath>
#include <string>

#include "common.hpp"

namespace stocklab::bindings {

std::int64_t PyReplenishmentPolicy::order(const InventoryView& view) {
    py::gil_scoped_acquire gil;
    py::function fn = py::get_override(static_cast<const ReplenishmentPolicy*>(this), "order");
    if (!fn) throw py::type_error("ReplenishmentPolicy subclasses must define order(self, view)");
    py::object out = fn(view);  // a Python exception propagates with its traceback
    auto bad = [&](const std::string& why) {
        return py::value_error("policy.order() returned " + py::repr(out).cast<std::string>() + ": " + why);
    };
    if (py::isinstance<py::bool_>(out) || out.is_none())
        throw bad("it must return a whole number of units >= 0");
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
        throw bad("it must return a whole number of units >= 0, not " +
                  py::str(py::type::handle_of(out).attr("__name__")).cast<std::string>());
    }
    if (v < 0) throw bad("it must return a whole number of units >= 0");
    if (v > 1e12) throw bad("more than 1e12 units");
    return static_cast<std::int64_t>(v);
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
    py::class_<InventoryView>(m, "InventoryView", "What a replenishment policy sees (read-only).")
        .def_readonly("now", &InventoryView::now, "current time (days)")
        .def_readonly("on_hand", &InventoryView::on_hand)
        .def_readonly("backorders", &InventoryView::backorders, "units owed to waiting customers")
        .def_readonly("on_order", &InventoryView::on_order, "units ordered, not yet received")
        .def_readonly("inventory_position", &InventoryView::inventory_position, "on_hand + on_order - backorders")
        .def_readonly("recorded_demand", &InventoryView::recorded_demand,
                      "cumulative units the store recorded as demanded (sales + backorders)")
        .def_readonly("sales", &InventoryView::sales, "cumulative units served from stock")
        .def_readonly("open_orders", &InventoryView::open_orders)
        .def_readonly("is_review", &InventoryView::is_review)
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
