#pragma once
/// Replications in parallel C++ threads. Invariant: replication r of a scenario always uses the
/// streams of (seed, r), whichever thread runs it, so results are bit-identical for any `jobs`.
#include <atomic>
#include <cstdint>
#include <vector>

#include "stocklab/metrics.hpp"
#include "stocklab/scenario.hpp"

namespace stocklab {

/// Summaries of replications first..first+count-1, in replication order. `cancel` (optional) stops
/// the remaining work early; unfinished rows are then left NaN and `completed` tells how many ran.
std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs, const std::atomic<bool>* cancel = nullptr,
                                      std::uint64_t* completed = nullptr);

/// Number of hardware threads (at least 1).
int hardware_jobs();

}  // namespace stocklab
