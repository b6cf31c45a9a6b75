// Replications in parallel threads: bit-identical for any number of jobs, and replication r is
// exactly the standalone run of (seed, r).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include "model/simulation.hpp"
#include "runner/replications.hpp"
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

TEST(Experiment, JobsOutsideTheLimitsAreRefused) {
    const Scenario sc = variants()[0];
    EXPECT_GE(max_jobs(), 256);
    EXPECT_GE(max_jobs(), 4 * hardware_jobs());
    for (int jobs : {0, -1, max_jobs() + 1}) {
        SCOPED_TRACE(jobs);
        try {
            (void)run_replications(sc, 1, 0, 2, jobs);
            ADD_FAILURE() << "jobs accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("jobs must be between 1 and " + std::to_string(max_jobs())),
                      std::string::npos)
                << e.what();
        }
    }
}

TEST(Experiment, PolicyFactoryMakesOnePolicyPerReplication) {
    // A custom policy that repeats the scenario's (s, S) rule gives the built-in policy's results,
    // and each replication gets a fresh policy whatever thread runs it.
    struct SS : ReplenishmentPolicy {
        std::int64_t order(const InventoryView& v) override {
            ++calls;
            return v.inventory_position <= 50 ? 140 - v.inventory_position : 0;
        }
        int calls = 0;
    };
    const Scenario sc = variants()[1];
    std::atomic<int> made{0};
    std::vector<std::uint64_t> seen(8, 0);
    const PolicyFactory factory = [&](std::uint64_t r) {
        ++made;
        ++seen.at(r);
        return std::make_shared<SS>();
    };
    const auto custom = run_replications(sc, 7, 0, 8, 4, nullptr, factory);
    const auto builtin = run_replications(sc, 7, 0, 8, 1);
    EXPECT_EQ(made.load(), 8);
    for (std::size_t r = 0; r < 8; ++r) {
        EXPECT_EQ(seen[r], 1u) << "replication " << r;
        EXPECT_TRUE(BitwiseEqual(custom[r], builtin[r])) << "replication " << r;
    }
    // An exception from the factory reaches the caller.
    const PolicyFactory broken = [](std::uint64_t) -> std::shared_ptr<ReplenishmentPolicy> {
        throw std::runtime_error("no policy");
    };
    EXPECT_THROW((void)run_replications(sc, 7, 0, 8, 2, nullptr, broken), std::runtime_error);
}

// Sanitizers reserve terabytes of address space, so an address-space limit cannot work under them.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STOCKLAB_UNDER_SANITIZER 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && !defined(STOCKLAB_UNDER_SANITIZER)
std::size_t virtual_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

TEST(ExperimentDeathTest, ThreadStartFailureIsAnErrorNotAnAbort) {
    // Under an address-space limit with room for a few thread stacks only, starting max_jobs()
    // threads fails part-way: the started workers must be stopped and joined, and the caller get an
    // exception (before the fix: std::terminate, "terminate called without an active exception").
    const Scenario sc = variants()[0];
    EXPECT_EXIT(
        {
            rlimit limit{};
            getrlimit(RLIMIT_AS, &limit);
            limit.rlim_cur = virtual_memory_bytes() + (48u << 20);
            setrlimit(RLIMIT_AS, &limit);
            try {
                (void)run_replications(sc, 1, 0, 10000, max_jobs());
                std::fprintf(stderr, "no error\n");
                std::_Exit(1);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "%s\n", e.what());
                std::_Exit(0);
            }
        },
        ::testing::ExitedWithCode(0), "could not start thread");
}
#endif

}  // namespace
}  // namespace stocklab
