// The Observer (model/observation.hpp): what an agent sees at a decision, read without changing a
// simulated number; the money tally equals the summary's.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "model/observation.hpp"
#include "model/simulation.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

using test::BitwiseEqual;
using test::metric;

/// Customers who respond to stock-outs, (s, S) = (12, 40) reviewed every 2 days, a lead time of 6
/// days with late and short shipments: the pipeline, recorded demand and loyalty all move.
const char* kStore = R"({
  "schema_version": 1,
  "name": "observe",
  "run": {"horizon_days": 200, "seed": 1, "snapshot_interval_days": 1},
  "sku": {"price": 20, "unit_cost": 12, "holding_cost_per_unit_day": 0.013},
  "initial": {"on_hand": 30, "cash": 1000},
  "demand": {"model": "customers", "rate_per_day": 4},
  "customers": {"population": 300, "behaviour": true},
  "supplier": {"lead_time": {"dist": "gamma", "mean": 6, "cv": 0.4}, "order_cost": 15,
               "reliability": {"partial_probability": 0.2, "late_probability": 0.2}},
  "replenishment": {"policy": "R_s_S", "s": 12, "S": 40, "review_period_days": 2},
  "shortage": {"rule": "backorder"}
})";

std::size_t offset_of(const Observer& o, const std::string& name) {
    std::size_t at = 0;
    for (const auto& [n, width] : o.fields()) {
        if (n == name) return at;
        at += width;
    }
    throw std::logic_error("no field " + name);
}

TEST(Observer, ObservingAtEveryDecisionChangesNothingAndTalliesProfitExactly) {
    const Scenario sc = test::scenario_from(kStore);
    Simulation plain(sc, 3);
    plain.run();

    Simulation sim(sc, 3);
    Observer observer(ObservationSpec{{2.0, 6.0}, {2.0, 10.0}});
    observer.start(sim);
    std::vector<float> row(observer.size());
    const std::size_t demand_at = offset_of(observer, "recorded_demand");
    const std::size_t pipeline_at = offset_of(observer, "pipeline");
    std::int64_t recorded_before = 0, decisions = 0, ordered = 0;
    while (sim.run_until_decision()) {
        observer.observe(sim, row.data());
        const StockPoint& stock = sim.stock();
        // The 2-day window is exactly the demand recorded since the last review.
        EXPECT_EQ(row[demand_at], static_cast<float>(stock.tallies().recorded - recorded_before));
        recorded_before = stock.tallies().recorded;
        const std::int64_t inbound = std::accumulate(stock.inbound().begin(), stock.inbound().end(), std::int64_t{0},
                                                     [](std::int64_t s, const auto& e) { return s + e.units; });
        EXPECT_EQ(row[pipeline_at] + row[pipeline_at + 1] + row[pipeline_at + 2], static_cast<float>(inbound));
        EXPECT_EQ(sim.money().profit, metric(sim.summary(), Metric::profit));
        ordered += stock.on_order() > 0;
        sim.decide();  // the scenario's own (R, s, S)
        ++decisions;
    }
    EXPECT_EQ(decisions, 100);
    EXPECT_GT(ordered, 10);
    EXPECT_TRUE(BitwiseEqual(sim.summary(), plain.summary()));
    EXPECT_EQ(sim.money().profit, metric(plain.summary(), Metric::profit));
}

TEST(Observer, BadSpecsNameTheFieldAndTheRule) {
    EXPECT_THROW(Observer(ObservationSpec{{7.0, 7.0}, {1.0}}), std::invalid_argument);
    EXPECT_THROW(Observer(ObservationSpec{{7.0}, {0.0}}), std::invalid_argument);
    try {
        Observer(ObservationSpec{{7.0}, {1.0, -2.0}});
        FAIL() << "a negative window was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "demand_windows_days[1]: must be a finite number of days > 0 (got -2.000000)");
    }
}

}  // namespace
}  // namespace stocklab
