#pragma once
/// What a learning agent sees at a replenishment decision, and the money an agent is rewarded by.
/// Reads the simulation only through its public const views (stock, vendor, customers, accounts,
/// money): observing never changes a simulated number. The money an agent is rewarded by is
/// Simulation::money().
/// Invariants: the observation is a fixed-length row of floats in the order of `fields()`; it holds
/// only what the store records (recorded demand, never true demand; the inbound schedule as the
/// vendor confirmed it, never a shipment's true arrival); recorded demand over a window of w days is
/// exact when decisions fall at every change of recorded demand (continuous review) or w is a
/// multiple of the review period.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "model/simulation.hpp"

namespace stocklab {

/// The observation's parameters: pipeline buckets and recorded-demand windows, in days.
struct ObservationSpec {
    /// Upper edges of the pipeline buckets, increasing and > 0: bucket j holds the units confirmed to
    /// arrive in [edge_{j-1}, edge_j) days from now (edge_{-1} = -inf: overdue shipments count as due
    /// now); one more bucket holds what is due later.
    std::vector<double> pipeline_edges_days{7.0, 14.0, 21.0, 28.0};
    /// Lengths of the recorded-demand windows, increasing and > 0.
    std::vector<double> demand_windows_days{1.0, 7.0, 28.0};
};

class Observer {
public:
    /// Throws std::invalid_argument naming the field of `spec` and the rule it breaks.
    explicit Observer(ObservationSpec spec);

    /// The fields of an observation, in order: (name, number of floats).
    std::vector<std::pair<std::string, std::size_t>> fields() const;
    /// Floats in one observation.
    std::size_t size() const { return size_; }

    /// A new episode starts at `sim.now()`: forgets the last one's orders and demand.
    void start(const Simulation& sim);
    /// The agent placed an order at `now`.
    void ordered(double now) { last_order_ = now; }
    /// Writes what the store sees now into `out` (size() floats), and remembers the recorded demand
    /// so far for later windows. Call at every decision (and at the end of the episode).
    void observe(const Simulation& sim, float* out);

private:
    /// Recorded demand in the last `days` days, from the samples kept at earlier observations.
    std::int64_t recorded_since(double now, double days, std::int64_t recorded_now) const;

    ObservationSpec spec_;
    std::size_t size_;
    double last_order_ = 0.0;  // the start of the episode until the agent orders
    std::deque<std::pair<double, std::int64_t>> demand_;  // (time, cumulative recorded demand), oldest first
    std::vector<std::int64_t> buckets_;                    // scratch: pipeline units by bucket
};

}  // namespace stocklab
