// The Gymnasium environment's engine side: N simulations stepped from one decision to the next in
// one call, with the GIL released, observations and rewards written into numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common.hpp"
#include "model/observation.hpp"
#include "model/simulation.hpp"

namespace stocklab::bindings {

namespace {

/// Hands every decision to the agent: the engine pauses at its reviews (period > 0) or after every
/// change of the inventory position (period 0). The engine asks the policy itself only for the
/// opening decision of a continuous-review run (at day 0, before any event can pause it).
class AgentPolicy final : public ReplenishmentPolicy {
public:
    AgentPolicy(double period, double offset, std::int64_t opening) : period_(period), offset_(offset), opening_(opening) {}
    std::int64_t order(const InventoryView&) override { return opening_; }
    double review_period_days() const override { return period_; }
    double review_offset_days() const override { return offset_; }

private:
    double period_, offset_;
    std::int64_t opening_;
};

/// The per-step money columns (changes over the step), in the order of `kParts`.
constexpr const char* kParts[] = {"profit", "revenue", "cost_of_goods_sold", "holding_cost",
                                  "ordering_cost", "net_interest", "lost_margin"};
constexpr std::size_t kPartCount = std::size(kParts);

void put_parts(double* out, const MoneyTally& now, const MoneyTally& before) {
    const double d[kPartCount] = {now.profit - before.profit,
                                  now.revenue - before.revenue,
                                  now.cost_of_goods_sold - before.cost_of_goods_sold,
                                  now.holding_cost - before.holding_cost,
                                  now.ordering_cost - before.ordering_cost,
                                  now.net_interest - before.net_interest,
                                  now.lost_margin - before.lost_margin};
    std::copy(d, d + kPartCount, out);
}

/// One sub-environment's episode.
struct Episode {
    explicit Episode(const Observer& o) : observer(o) {}
    std::unique_ptr<AgentPolicy> policy;  // outlives `sim`, which points to it
    std::unique_ptr<Simulation> sim;
    Observer observer;
    MoneyTally money;       // at the last decision
    double metric = 0.0;    // the reward metric at the last decision
    bool opening_due = false;
    bool done = true;       // finished (or never started): reset before stepping
    std::uint64_t seed = 0, replication = 0;
};

/// When the scenario's own policy decides: (review period, offset); period 0 = continuous review.
std::pair<double, double> own_reviews(const Scenario& sc) {
    const Replenishment& r = sc.items[0].replenishment;
    if (!r.periodic()) return {0.0, 0.0};
    return {r.review_period_days, r.review_offset_days};
}

/// Reward metric codes (>= 0: a summary metric's index).
constexpr int kProfit = -1;
constexpr int kCash = -2;

class GymStepper {
public:
    GymStepper(const Scenario& sc, std::size_t n, double review_period, const ObservationSpec& spec, int reward_metric,
               double reward_sign, int log_mode)
        : sc_(sc), reward_metric_(reward_metric), reward_sign_(reward_sign), log_mode_(log_mode) {
        if (n == 0) throw py::value_error("num_envs must be >= 1");
        if (sc_.items.size() != 1)
            throw py::value_error("the environment decides for one item; this scenario has " +
                                  std::to_string(sc_.items.size()) + " (one quantity per item is not built yet)");
        if (!sc_.vendors[sc_.items[0].vendor()].present)
            throw py::value_error("the scenario has no supplier: an agent has nothing to order from (add a supplier section)");
        if (reward_metric < kCash || reward_metric >= static_cast<int>(kMetricCount))
            throw py::value_error("reward_metric: unknown metric code " + std::to_string(reward_metric));
        if (review_period > 0) {
            period_ = review_period;
        } else {
            std::tie(period_, offset_) = own_reviews(sc_);
        }
        const Observer probe(spec);
        width_ = probe.size();
        fields_ = probe.fields();
        eps_.reserve(n);
        for (std::size_t i = 0; i < n; ++i) eps_.emplace_back(probe);
        obs_ = py::array_t<float>({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(width_)});
        reward_ = py::array_t<double>(static_cast<py::ssize_t>(n));
        terminated_ = py::array_t<bool>(static_cast<py::ssize_t>(n));
        parts_ = py::array_t<double>({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(kPartCount)});
        days_ = py::array_t<double>(static_cast<py::ssize_t>(n));
        std::fill_n(days_.mutable_data(), n, 0.0);
        std::fill_n(obs_.mutable_data(), n * width_, 0.0f);
        std::fill_n(reward_.mutable_data(), n, 0.0);
        std::fill_n(terminated_.mutable_data(), n, false);
        std::fill_n(parts_.mutable_data(), n * kPartCount, 0.0);
    }

    std::size_t size() const { return eps_.size(); }

    /// Starts sub-environment i's episode (seed, replication) and runs it to its first decision.
    void reset(std::size_t i, std::uint64_t seed, std::uint64_t replication) {
        Episode& e = at(i);
        e.seed = seed;
        e.replication = replication;
        {
            py::gil_scoped_release release;
            start(e, 0);
            e.opening_due = period_ <= 0;  // continuous review: the day-0 decision is the agent's first
            if (!e.opening_due && !e.sim->run_until_decision()) {
                e.done = true;
                throw std::invalid_argument("no decision falls before the horizon (day " + std::to_string(sc_.run.horizon_days) +
                                            "): the first review is at day " + std::to_string(offset_));
            }
            e.done = false;
            e.money = e.sim->money();
            e.metric = metric(*e.sim, e.money);
            e.observer.observe(*e.sim, row(i));
            days_.mutable_data()[i] = e.sim->now();
        }
        reward_.mutable_data()[i] = 0.0;
        terminated_.mutable_data()[i] = false;
        std::fill_n(parts_.mutable_data() + i * kPartCount, kPartCount, 0.0);
    }

    /// Applies quantities[i] (0 .. max_quantity units) to every sub-environment not in `skip` and runs
    /// each to its next decision; returns how many finished. Checks every quantity before stepping any.
    std::size_t step(const py::array_t<std::int64_t, py::array::c_style>& quantities, std::int64_t max_quantity,
                     const py::object& skip_obj) {
        const std::size_t n = eps_.size();
        if (quantities.ndim() != 1 || static_cast<std::size_t>(quantities.shape(0)) != n)
            throw py::value_error("actions must have shape (" + std::to_string(n) + ",) for " + std::to_string(n) +
                                  " environments");
        skip_.assign(n, 0);
        if (!skip_obj.is_none()) {
            const auto mask = skip_obj.cast<py::array_t<bool, py::array::c_style | py::array::forcecast>>();
            if (static_cast<std::size_t>(mask.size()) != n) throw py::value_error("skip: expected one flag per environment");
            std::copy_n(mask.data(), n, skip_.begin());
        }
        const std::int64_t* q = quantities.data();
        for (std::size_t i = 0; i < n; ++i) {
            if (skip_[i]) continue;
            if (eps_[i].done) throw std::logic_error("environment " + std::to_string(i) + " is not running: reset it first");
            if (q[i] < 0 || q[i] > max_quantity)
                throw py::value_error((n == 1 ? std::string("action") : "actions[" + std::to_string(i) + "]") +
                                      " must be an order of 0 to " + std::to_string(max_quantity) + " units (got " +
                                      std::to_string(q[i]) + ")");
        }
        std::size_t finished = 0;
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < n; ++i) {
            if (skip_[i]) continue;
            advance(i, q[i]);
            finished += eps_[i].done;
        }
        return finished;
    }

    py::array observations() const { return obs_; }
    py::array rewards() const { return reward_; }
    py::array terminated() const { return terminated_; }
    py::array parts() const { return parts_; }
    py::array days() const { return days_; }
    const std::vector<std::pair<std::string, std::size_t>>& fields() const { return fields_; }

    double review_period() const { return period_; }

    const Simulation& sim(std::size_t i) const {
        const Episode& e = at(i);
        if (!e.sim) throw std::logic_error("environment " + std::to_string(i) + " has not been reset");
        return *e.sim;
    }

private:
    Episode& at(std::size_t i) {
        if (i >= eps_.size()) throw py::index_error("environment " + std::to_string(i) + " of " + std::to_string(eps_.size()));
        return eps_[i];
    }
    const Episode& at(std::size_t i) const { return const_cast<GymStepper*>(this)->at(i); }
    float* row(std::size_t i) { return obs_.mutable_data() + i * width_; }

    /// A fresh simulation of the episode, its opening order `opening` (continuous review only).
    void start(Episode& e, std::int64_t opening) {
        e.sim.reset();  // before its policy
        e.policy = std::make_unique<AgentPolicy>(period_, offset_, opening);
        e.sim = std::make_unique<Simulation>(sc_, e.seed, e.replication, e.policy.get());
        if (log_mode_ > 0) e.sim->log_key_events(kLogRows);
        if (log_mode_ > 1) e.sim->set_narrate(true);
        e.observer.start(*e.sim);
        if (opening > 0) e.observer.ordered(e.sim->now());
    }

    double metric(const Simulation& sim, const MoneyTally& m) const {
        if (reward_metric_ == kProfit) return m.profit;
        if (reward_metric_ == kCash) return m.cash;
        return sim.summary()[static_cast<std::size_t>(reward_metric_)];
    }

    void advance(std::size_t i, std::int64_t q) {
        Episode& e = eps_[i];
        if (e.opening_due) {  // the engine made the day-0 decision (nothing); replay the run with the agent's
            e.opening_due = false;
            if (q > 0) start(e, q);
        } else {
            e.sim->decide(OrderDecision{q});
            if (q > 0) e.observer.ordered(e.sim->now());
        }
        e.done = !e.sim->run_until_decision();
        const MoneyTally money = e.sim->money();
        const double value = metric(*e.sim, money);
        put_parts(parts_.mutable_data() + i * kPartCount, money, e.money);
        reward_.mutable_data()[i] = reward_sign_ * (value - e.metric);
        terminated_.mutable_data()[i] = e.done;
        e.money = money;
        e.metric = value;
        e.observer.observe(*e.sim, row(i));
        days_.mutable_data()[i] = e.sim->now();
    }

    static constexpr std::size_t kLogRows = 100000;

    Scenario sc_;
    double period_ = 0.0;
    double offset_ = 0.0;
    int reward_metric_;
    double reward_sign_;
    int log_mode_;
    std::size_t width_ = 0;
    std::vector<std::pair<std::string, std::size_t>> fields_;
    std::vector<Episode> eps_;
    std::vector<std::uint8_t> skip_;  // scratch: which sub-environments a step leaves alone
    py::array_t<float> obs_;
    py::array_t<double> reward_;
    py::array_t<bool> terminated_;
    py::array_t<double> parts_;
    py::array_t<double> days_;
};

}  // namespace

void register_gym(py::module_& m) {
    m.attr("gym_reward_parts") = py::cast(std::vector<std::string>(std::begin(kParts), std::end(kParts)));
    m.def("gym_review_period", [](const Scenario& sc) { return own_reviews(sc).first; }, py::arg("scenario"),
          "The scenario's own review period in days (0: continuous review).");
    py::class_<GymStepper>(m, "GymStepper",
                           "N simulations stepped from one replenishment decision to the next (stocklab.gym's engine).")
        .def(py::init([](const Scenario& sc, std::size_t n, double review_period, std::vector<double> pipeline_days,
                         std::vector<double> demand_windows_days, int reward_metric, double reward_sign, int log_mode) {
                 ObservationSpec spec{std::move(pipeline_days), std::move(demand_windows_days)};
                 return std::make_unique<GymStepper>(sc, n, review_period, spec, reward_metric, reward_sign, log_mode);
             }),
             py::arg("scenario"), py::arg("num_envs"), py::arg("review_period_days"), py::arg("pipeline_days"),
             py::arg("demand_windows_days"), py::arg("reward_metric") = kProfit, py::arg("reward_sign") = 1.0,
             py::arg("log_mode") = 0,
             "review_period_days > 0: decide every this many days; 0: at the scenario's own decision points. "
             "reward_metric: -1 profit, -2 cash, else a summary metric's index. log_mode: 0 none, 1 key events, 2 all.")
        .def_property_readonly("num_envs", &GymStepper::size)
        .def_property_readonly("fields", &GymStepper::fields, "(name, number of floats) of each observation field, in order.")
        .def_property_readonly("review_period_days", &GymStepper::review_period, "0 under continuous review.")
        .def_property_readonly("observations", &GymStepper::observations, "(num_envs, width) float32, rewritten by every call.")
        .def_property_readonly("rewards", &GymStepper::rewards)
        .def_property_readonly("terminated", &GymStepper::terminated)
        .def_property_readonly("parts", &GymStepper::parts, "(num_envs, parts): money changes over the last step.")
        .def_property_readonly("days", &GymStepper::days, "(num_envs,): each simulation's clock.")
        .def("reset", &GymStepper::reset, py::arg("index"), py::arg("seed"), py::arg("replication"))
        .def("step", &GymStepper::step, py::arg("quantities"), py::arg("max_quantity"), py::arg("skip") = py::none(),
             "Returns how many sub-environments finished.")
        .def("now", [](const GymStepper& g, std::size_t i) { return g.sim(i).now(); }, py::arg("index"))
        .def("finished", [](const GymStepper& g, std::size_t i) { return g.sim(i).finished(); }, py::arg("index"))
        .def("summary", [](const GymStepper& g, std::size_t i) { return py::array_t<double>(py::cast(g.sim(i).summary())); },
             py::arg("index"))
        .def("log_size", [](const GymStepper& g, std::size_t i) { return g.sim(i).event_log().total(); }, py::arg("index"))
        .def("events_since", [](const GymStepper& g, std::size_t i, std::size_t start) { return events_dict(g.sim(i).event_log(), start); },
             py::arg("index"), py::arg("start"))
        .def("timeseries", [](const GymStepper& g, std::size_t i) { return series_dict(g.sim(i).timeseries()); },
             py::arg("index"));
}

}  // namespace stocklab::bindings
