// One run: simulate() and the step-by-step Simulation, with results as numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "common.hpp"
#include "runner/replications.hpp"
#include "model/simulation.hpp"

namespace stocklab::bindings {

namespace {

py::dict invariants_dict(const Invariants& v) {
    py::dict d;
    d["initial_on_hand"] = v.initial_on_hand;
    d["received_units"] = v.received_units;
    d["shipped_units"] = v.shipped_units;
    d["on_hand"] = v.on_hand;
    d["backordered_total"] = v.backordered_total;
    d["backorders_shipped_total"] = v.backorders_shipped_total;
    d["backorders_cancelled_total"] = v.backorders_cancelled_total;
    d["backorders_open"] = v.backorders_open;
    d["cash_cents"] = v.cash;
    d["initial_cash_cents"] = v.initial_cash;
    d["ledger_sum_cents"] = v.ledger_sum;
    d["min_on_hand"] = v.min_on_hand;
    d["time_monotone"] = v.time_monotone;
    d["vendor_ordered_units"] = v.vendor_ordered;
    d["vendor_received_units"] = v.vendor_received;
    d["vendor_short_units"] = v.vendor_short;
    d["vendor_due_units"] = v.vendor_due;
    d["vendor_spend_cents"] = v.vendor_spend_cents;
    return d;
}

/// Owns the scenario copy and keeps the Python policy alive as long as the simulation.
struct PySimulation {
    PySimulation(const Scenario& sc, std::uint64_t seed, std::uint64_t rep, py::object policy)
        : policy_obj(std::move(policy)),
          policy(policy_obj.is_none() ? nullptr : constructed_policy(policy_obj)),
          sim(std::make_unique<Simulation>(sc, seed, rep, this->policy)) {
        // An interactive run tells its story however it is advanced, in bounded memory.
        sim->log_key_events(kInteractiveLogRows);
    }
    static constexpr std::size_t kInteractiveLogRows = 100000;
    py::object policy_obj;
    ReplenishmentPolicy* policy;
    std::unique_ptr<Simulation> sim;
    mutable std::atomic<bool> busy{false};  // set while a call uses the engine (see Exclusive)
};

/// Raised (as stocklab._core.SimulationBusyError, a RuntimeError) by a second caller: run_until()
/// releases the GIL and a Python policy runs Python code, so another thread, or the policy itself,
/// could otherwise enter the same engine mid-event.
class SimulationBusy : public std::runtime_error {
public:
    SimulationBusy()
        : std::runtime_error("this Simulation is already running in another thread or in its own policy; "
                             "wait for that call to return (one thread at a time, and not from inside its policy)") {}
};

/// Holds a PySimulation's busy flag for the duration of one call; a second caller gets SimulationBusy.
class Exclusive {
public:
    explicit Exclusive(const PySimulation& s) : s_(s) {
        if (s_.busy.exchange(true)) throw SimulationBusy();
    }
    ~Exclusive() { s_.busy.store(false); }
    Exclusive(const Exclusive&) = delete;
    Exclusive& operator=(const Exclusive&) = delete;

private:
    const PySimulation& s_;
};

template <class F, class R, class S, class... A>
auto exclusive_impl(F f, R (F::*)(S&, A...) const) {
    return [f](S& s, A... args) -> R {
        Exclusive hold(s);
        return f(s, args...);
    };
}

/// Wraps a lambda taking a PySimulation so that it runs only while no other call is in the engine.
template <class F>
auto exclusive(F f) {
    return exclusive_impl(f, &F::operator());
}

/// advance(sim) with the GIL released; Ctrl-C stops it between events and raises KeyboardInterrupt
/// (the simulation stays consistent and can go on).
template <class Advance>
void run_interruptibly_with(Simulation& sim, Advance&& advance) {
    try {
        py::gil_scoped_release release;
        run_supervised(
            [&](const std::atomic<bool>* cancel) {
                sim.set_cancel_flag(cancel);
                advance(sim);
            },
            python_interrupted);
    } catch (const Interrupted&) {
        sim.set_cancel_flag(nullptr);
        throw py::error_already_set();
    }
    sim.set_cancel_flag(nullptr);
}

void run_interruptibly(Simulation& sim, double t) {
    run_interruptibly_with(sim, [t](Simulation& s) { s.run_until(t); });
}

/// A vendor of `item` named by id (or by its place in the item's vendors; None: the sourcing rule).
std::int32_t vendor_position(const Scenario& sc, std::uint32_t item, const py::object& vendor) {
    if (vendor.is_none()) return -1;
    const std::vector<std::uint32_t>& listed = sc.items[item].vendors;
    std::string ids;
    for (std::size_t k = 0; k < listed.size(); ++k) {
        const std::string& id = sc.vendors[listed[k]].id;
        if (py::isinstance<py::str>(vendor) && vendor.cast<std::string>() == id) return static_cast<std::int32_t>(k);
        ids += (ids.empty() ? "\"" : ", \"") + id + "\"";
    }
    if (py::isinstance<py::int_>(vendor) && !py::isinstance<py::bool_>(vendor)) {
        const auto k = vendor.cast<std::int64_t>();
        if (k >= 0 && k < static_cast<std::int64_t>(listed.size())) return static_cast<std::int32_t>(k);
    }
    throw py::value_error("vendor " + py::repr(vendor).cast<std::string>() + ": item \"" + sc.items[item].id +
                          "\" is bought from " + ids + " (give one of these ids, or its place in that list)");
}

ReplenishmentPolicy* policy_ptr(const py::object& policy) {
    if (policy.is_none()) return nullptr;
    if (!py::isinstance<ReplenishmentPolicy>(policy))
        throw py::type_error("policy must be a stocklab.ReplenishmentPolicy subclass instance, got " +
                             py::str(py::type::handle_of(policy).attr("__name__")).cast<std::string>());
    return constructed_policy(policy);
}

}  // namespace

void register_simulation(py::module_& m) {
    m.def(
        "simulate",
        [](const Scenario& sc, std::uint64_t seed, std::uint64_t replication, const py::object& policy) {
            ReplenishmentPolicy* p = policy_ptr(policy);
            if (p) {
                RunResult r = simulate(sc, seed, replication, p);  // the policy needs the GIL: keep it
                return result_dict(r);
            }
            Simulation sim(sc, seed, replication);
            run_interruptibly(sim, sc.run.horizon_days);
            RunResult r = sim.take_result();
            return result_dict(r);
        },
        py::arg("scenario"), py::arg("seed"), py::arg("replication") = 0, py::arg("policy") = py::none());

    py::register_exception<SimulationBusy>(m, "SimulationBusyError", PyExc_RuntimeError);

    py::class_<PySimulation>(m, "Simulation")
        .def(py::init([](const Scenario& sc, std::uint64_t seed, std::uint64_t rep, const py::object& policy) {
                 policy_ptr(policy);
                 return std::make_unique<PySimulation>(sc, seed, rep, policy);
             }),
             py::arg("scenario"), py::arg("seed"), py::arg("replication") = 0, py::arg("policy") = py::none())
        // Narrate (log rows for step()'s description) only while stepping: a long run_until() keeps
        // memory flat unless the scenario asks for the event log (run.record_events).
        .def("step",
             exclusive([](PySimulation& s) {
                 s.sim->set_narrate(true);
                 struct Quiet {
                     Simulation* sim;
                     ~Quiet() { sim->set_narrate(false); }
                 } quiet{s.sim.get()};
                 return s.sim->step();
             }))
        .def("run_until",
             exclusive([](PySimulation& s, double t) {
                 if (s.policy) {
                     s.sim->run_until(t);
                 } else {
                     run_interruptibly(*s.sim, t);
                 }
             }),
             py::arg("t"))
        .def("run_until_decision",
             exclusive([](PySimulation& s, double t) {
                 if (s.policy) return s.sim->run_until_decision(t);
                 bool paused = false;
                 run_interruptibly_with(*s.sim, [&](Simulation& sim) { paused = sim.run_until_decision(t); });
                 return paused;
             }),
             py::arg("t"), "Runs until a replenishment decision is due (True) or to t (False).")
        .def_property_readonly("decision_pending", exclusive([](const PySimulation& s) { return s.sim->decision_pending(); }))
        .def("decision_view", exclusive([](const PySimulation& s) { return s.sim->decision_view(); }))
        .def(
            "decide",
            exclusive([](PySimulation& s, const py::object& quantity, const py::object& vendor) {
                if (quantity.is_none()) {
                    if (!vendor.is_none()) throw py::value_error("a vendor without a quantity: give both");
                    return s.sim->decide();
                }
                const std::vector<std::uint32_t> pending = s.sim->pending_items();
                const std::uint32_t item = pending.empty() ? 0 : pending.front();
                s.sim->decide(OrderDecision{quantity.cast<std::int64_t>(), vendor_position(s.sim->scenario(), item, vendor)});
            }),
            py::arg("quantity") = py::none(), py::arg("vendor") = py::none(),
            "Completes the pending decision: the policy's own, or `quantity` units (from `vendor`: an id of the "
            "item's vendors; None: the item's sourcing rule).")
        .def_property_readonly("last_event_type",
                               exclusive([](const PySimulation& s) {
                                   return std::string(kEventTypeNames[static_cast<int>(s.sim->last_event_type())]);
                               }))
        .def_property_readonly("now", exclusive([](const PySimulation& s) { return s.sim->now(); }))
        .def_property_readonly("finished", exclusive([](const PySimulation& s) { return s.sim->finished(); }))
        .def_property_readonly("horizon", [](const PySimulation& s) { return s.sim->horizon(); })
        .def_property_readonly("next_event_time", exclusive([](const PySimulation& s) { return s.sim->next_event_time(); }))
        .def_property_readonly("log_size", exclusive([](const PySimulation& s) { return s.sim->event_log().total(); }))
        .def("events_since",
             exclusive([](const PySimulation& s, std::size_t start) { return events_dict(s.sim->event_log(), start); }),
             py::arg("start"))
        .def("timeseries", exclusive([](const PySimulation& s) { return series_dict(s.sim->timeseries()); }),
             "The time series so far (the snapshots taken up to now), as numpy arrays by column.")
        .def("summary", exclusive([](const PySimulation& s) { return summary_array(s.sim->summary()); }))
        .def("items", exclusive([](const PySimulation& s) { return items_array(s.sim->item_summaries()); }),
             "The items' metrics so far (items x item metrics).")
        .def("vendors", exclusive([](const PySimulation& s) { return vendors_array(s.sim->vendor_summaries()); }),
             "The vendors' metrics so far (vendors x vendor metrics).")
        .def("invariants", exclusive([](const PySimulation& s) { return invariants_dict(s.sim->invariants()); }))
        .def("result",
             exclusive([](PySimulation& s) {
                 if (!s.sim->finished()) throw py::value_error("the run is not finished: call run_until(horizon) first");
                 RunResult r = s.sim->take_result();
                 return result_dict(r);
             }))
        .def_property_readonly("state", exclusive([](const PySimulation& s) {
            const SimulationState st = s.sim->state();
            py::dict d;
            d["time"] = st.time;
            d["on_hand"] = st.on_hand;
            d["backorders"] = st.backorders;
            d["waiting_customers"] = st.backorder_queue_length;
            d["on_order"] = st.on_order;
            d["open_orders"] = st.open_orders;
            d["inventory_position"] = st.inventory_position;
            d["cash"] = st.cash;
            d["customers"] = st.customers;
            d["active_customers"] = st.active_customers;
            d["mean_loyalty"] = st.mean_loyalty;
            d["supplier_up"] = st.supplier_up;
            d["events"] = st.events;
            return d;
        }));
}

}  // namespace stocklab::bindings
