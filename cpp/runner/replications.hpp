#pragma once
/// Replications in parallel C++ threads. Invariant: replication r of a scenario always uses the
/// streams of (seed, r), and a custom policy made for r alone, whichever thread runs it, so results
/// are bit-identical for any `jobs`.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "model/item_metrics.hpp"
#include "model/metrics.hpp"
#include "model/segment_metrics.hpp"
#include "model/policy.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// Makes the custom replenishment policy of one replication. Called once per replication from the
/// worker threads (so it must be thread-safe), so no policy state passes between replications.
using PolicyFactory = std::function<std::shared_ptr<ReplenishmentPolicy>(std::uint64_t replication)>;

/// A replication's tables beside its summary: one row per item and one per customer segment.
struct ReplicationTables {
    std::vector<ItemSummary> items;
    std::vector<SegmentSummary> segments;
};

/// Summaries of replications first..first+count-1, in replication order. `jobs` must be in
/// [1, max_jobs()] (std::invalid_argument otherwise). When `interrupted` is given, the calling thread
/// only supervises: it calls interrupted() every 50 ms and, when it returns true, stops the workers
/// (even mid-replication) and throws Interrupted. With `policy`, each replication runs the policy it
/// makes instead of the scenario's. If a thread cannot be started, the started ones are stopped and
/// joined and std::runtime_error says so. With `tables`, it is resized to `count` and gets each
/// replication's per-item and per-segment rows.
std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs,
                                      const std::function<bool()>& interrupted = nullptr,
                                      const PolicyFactory& policy = nullptr,
                                      std::vector<ReplicationTables>* tables = nullptr);

/// Runs `work` on a worker thread while the calling thread polls interrupted() every 50 ms; on
/// interruption raises the flag `work` receives, waits for it and throws Interrupted. `work` may
/// raise the flag itself to stop its own workers early.
void run_supervised(const std::function<void(std::atomic<bool>*)>& work,
                    const std::function<bool()>& interrupted);

/// Number of hardware threads (at least 1).
int hardware_jobs();

/// The most threads run_replications() starts: 4 x hardware_jobs(), at least 256. More gain no
/// speed and only risk running out of memory for their stacks.
int max_jobs();

}  // namespace stocklab
