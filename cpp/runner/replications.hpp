#pragma once
/// Replications in parallel C++ threads. Invariant: replication r of a scenario always uses the
/// streams of (seed, r), whichever thread runs it, so results are bit-identical for any `jobs`.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "model/metrics.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// Summaries of replications first..first+count-1, in replication order. When `interrupted` is
/// given, the calling thread only supervises: it calls interrupted() every 50 ms and, when it returns
/// true, stops the workers (even mid-replication) and throws Interrupted.
std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs,
                                      const std::function<bool()>& interrupted = nullptr);

/// Runs `work` on a worker thread while the calling thread polls interrupted() every 50 ms; on
/// interruption raises the flag `work` receives, waits for it and throws Interrupted.
void run_supervised(const std::function<void(const std::atomic<bool>*)>& work,
                    const std::function<bool()>& interrupted);

/// Number of hardware threads (at least 1).
int hardware_jobs();

}  // namespace stocklab
