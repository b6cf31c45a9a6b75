// Replications in parallel threads: bit-identical for any number of jobs, and replication r is
// exactly the standalone run of (seed, r).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "runner/replications.hpp"
#include "model/simulation.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

using test::BitwiseEqual;

const char* kScenario = R"({
  "schema_version": 1,
  "name": "experiment",
  "run": {"horizon_days": 150, "warmup_days": 20, "snapshot_interval_days": 1, "record_events": true},
  "sku": {"price": 249, "unit_cost": 150, "holding_cost_per_unit_day": 0.1},
  "initial": {"on_hand": 60, "cash": 20000},
  "demand": {"model": "customers", "rate_per_day": 6},
  "customers": {"population": 800, "behaviour": true, "patience": {"dist": "exponential", "mean": 10},
                "new_customers": {"rate_per_day": 0.5},
                "loyalty": {"churn_probability": 0.05}},
  "supplier": {"lead_time": {"dist": "gamma", "mean": 12, "cv": 0.3}, "order_cost": 40, "payment_terms_days": 30},
  "replenishment": {"policy": "s_S", "s": 50, "S": 140},
  "policies": {
    "out_of_stock": {"shortage": {"rule": "lost_sales"}},
    "backorder": {"shortage": {"rule": "backorder", "prepay": true}},
    "textbook": {"demand": {"model": "poisson"}, "customers": null, "shortage": {"rule": "backorder"},
                 "run": {"snapshot_interval_days": 0.7}}
  }
})";

std::vector<Scenario> variants() {
    const auto doc = test::doc_from(kScenario);
    std::vector<Scenario> out;
    for (const auto& name : policy_names(doc)) out.push_back(parse_scenario(doc, name));
    return out;
}

TEST(Experiment, JobsDoNotChangeResults) {
    for (const Scenario& sc : variants()) {
        SCOPED_TRACE(sc.policy_name);
        const auto one = run_replications(sc, 42, 0, 10, 1);
        const auto two = run_replications(sc, 42, 0, 10, 2);
        const auto four = run_replications(sc, 42, 0, 10, 4);
        ASSERT_EQ(one.size(), 10u);
        ASSERT_EQ(two.size(), 10u);
        for (std::size_t r = 0; r < one.size(); ++r) {
            EXPECT_TRUE(BitwiseEqual(one[r], two[r])) << "replication " << r;
            EXPECT_TRUE(BitwiseEqual(one[r], four[r])) << "replication " << r;
        }
        // Replications are different runs.
        EXPECT_FALSE(BitwiseEqual(one[0], one[1]));
    }
}

TEST(Experiment, ReplicationEqualsStandaloneRun) {
    for (const Scenario& sc : variants()) {
        SCOPED_TRACE(sc.policy_name);
        const auto rows = run_replications(sc, 42, 0, 4, 2);
        for (std::uint64_t r = 0; r < rows.size(); ++r) {
            Simulation sim(sc, 42, r);  // with the scenario's own time series and event log settings
            sim.run();
            EXPECT_TRUE(BitwiseEqual(rows[r], sim.summary())) << "replication " << r;
        }
    }
}

TEST(Experiment, FirstOffsetSelectsReplications) {
    const Scenario sc = variants()[1];
    const auto all = run_replications(sc, 5, 0, 6, 2);
    const auto tail = run_replications(sc, 5, 3, 3, 2);
    ASSERT_EQ(tail.size(), 3u);
    for (std::size_t i = 0; i < tail.size(); ++i) EXPECT_TRUE(BitwiseEqual(tail[i], all[3 + i]));
}

TEST(Experiment, InterruptionStopsTheRun) {
    const Scenario sc = variants()[0];
    // Far more work than the first 50 ms poll: the supervisor must stop it and throw Interrupted.
    int polls = 0;
    EXPECT_THROW((void)run_replications(sc, 5, 0, 20000, 2, [&] { return ++polls >= 1; }), Interrupted);
    EXPECT_GE(polls, 1);
    // A supervisor that never interrupts changes nothing.
    const auto plain = run_replications(sc, 5, 0, 3, 2);
    const auto supervised = run_replications(sc, 5, 0, 3, 2, [] { return false; });
    ASSERT_EQ(supervised.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(BitwiseEqual(plain[i], supervised[i]));
}

TEST(Experiment, HardwareJobsIsPositive) { EXPECT_GE(hardware_jobs(), 1); }

}  // namespace
}  // namespace stocklab
