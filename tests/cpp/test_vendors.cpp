// Several vendors per item: sourcing rules, each vendor's books (units and money), custom policies
// choosing the vendor; and keeping waiting customers informed (notices on slips and periodic ones).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "model/policy.hpp"
#include "model/simulation.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

using test::metric;
using test::scenario_from;

/// One lens bought from a slow, unreliable maker or a fast express vendor that charges 20% more.
const char* kShop = R"({
  "schema_version": 2,
  "name": "vendors",
  "run": {"horizon_days": 365, "seed": 1, "record_events": true},
  "initial": {"cash": 10000},
  "demand": {"model": "customers", "visits_per_day": 6},
  "customers": {"population": 500},
  "vendors": {
    "maker": {"lead_time": {"dist": "gamma", "mean": 20, "cv": 0.3}, "order_cost": 30,
              "reliability": {"late_probability": 0.3, "late_days": {"dist": "uniform", "low": 5, "high": 15},
                              "partial_probability": 0.1, "late_notice_days": 6}},
    "express": {"lead_time": {"dist": "constant", "value": 3}, "order_cost": 10, "price_factor": 1.2}
  },
  "items": {
    "lens": {"price": 250, "unit_cost": 150, "initial_on_hand": 40,
             "replenishment": {"policy": "s_S", "s": 40, "S": 120}, "vendors": ["maker", "express"]}
  },
  "shortage": {"rule": "backorder"}
})";

RunResult run(const std::string& patch, std::uint64_t seed = 1, ReplenishmentPolicy* custom = nullptr) {
    return simulate(scenario_from(kShop, patch), seed, 0, custom);
}

double vendor_metric(const RunResult& r, std::size_t v, VendorMetric m) {
    return r.vendors[v][static_cast<std::size_t>(m)];
}

/// Units ordered from each vendor over the run (the log's order rows).
std::vector<std::int64_t> ordered_by_vendor(const RunResult& r) {
    std::vector<std::int64_t> out(r.vendor_ids.size(), 0);
    for (const EventRecord& e : r.events)
        if (e.kind == EventKind::OrderPlaced) out[static_cast<std::size_t>(e.vendor)] += e.quantity;
    return out;
}

std::int64_t count(const RunResult& r, EventKind k) {
    std::int64_t n = 0;
    for (const EventRecord& e : r.events) n += e.kind == k;
    return n;
}

// ---------------------------------------------------------------------------------------------
// Books per vendor

struct BooksCase {
    const char* label;
    const char* patch;
};

class VendorBooks : public ::testing::TestWithParam<BooksCase> {};

TEST_P(VendorBooks, UnitsAndMoneyBalancePerVendor) {
    const Scenario sc = scenario_from(kShop, GetParam().patch);
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        Simulation sim(sc, seed);
        sim.run();
        const Invariants inv = sim.invariants();
        EXPECT_EQ(inv.cash, inv.initial_cash + inv.ledger_sum);
        const RunResult r = sim.take_result();
        double orders = 0;
        for (std::size_t v = 0; v < r.vendor_ids.size(); ++v) {
            SCOPED_TRACE(r.vendor_ids[v]);
            // ordered = received + short + still due (the whole run: no warm-up here)
            EXPECT_EQ(inv.vendor_ordered[v], inv.vendor_received[v] + inv.vendor_short[v] + inv.vendor_due[v]);
            EXPECT_EQ(vendor_metric(r, v, VendorMetric::ordered_units),
                      vendor_metric(r, v, VendorMetric::received_units) + vendor_metric(r, v, VendorMetric::short_units) +
                          vendor_metric(r, v, VendorMetric::due_units_end));
            // spend = what the ledger paid the vendor, net of its refunds
            Cents paid = 0, ordering = 0;
            for (const LedgerEntry& e : r.ledger) {
                if (e.vendor != static_cast<std::int16_t>(v)) continue;
                if (e.category == LedgerCategory::SupplierPayment || e.category == LedgerCategory::SupplierRefund)
                    paid -= e.amount;
                if (e.category == LedgerCategory::OrderingCost) ordering -= e.amount;
            }
            EXPECT_EQ(inv.vendor_spend_cents[v], paid);
            EXPECT_DOUBLE_EQ(vendor_metric(r, v, VendorMetric::spend), static_cast<double>(paid) / 100.0);
            EXPECT_DOUBLE_EQ(vendor_metric(r, v, VendorMetric::ordering_cost), static_cast<double>(ordering) / 100.0);
            EXPECT_EQ(static_cast<double>(ordered_by_vendor(r)[v]), vendor_metric(r, v, VendorMetric::ordered_units));
            orders += vendor_metric(r, v, VendorMetric::orders_placed);
        }
        EXPECT_EQ(orders, metric(r.summary, Metric::orders_placed));
        // every supplier payment, refund and ordering cost names its vendor
        for (const LedgerEntry& e : r.ledger) {
            const bool supplier = e.category == LedgerCategory::SupplierPayment ||
                                  e.category == LedgerCategory::SupplierRefund || e.category == LedgerCategory::OrderingCost;
            EXPECT_EQ(supplier, e.vendor >= 0);
        }
        const Summary& s = r.summary;
        // profit: the price variance is a cost beside the cost of goods sold
        EXPECT_NEAR(metric(s, Metric::profit),
                    metric(s, Metric::revenue) - metric(s, Metric::cost_of_goods_sold) -
                        metric(s, Metric::purchase_price_variance) - metric(s, Metric::holding_cost) -
                        metric(s, Metric::ordering_cost) - metric(s, Metric::net_interest),
                    1e-6);
    }
}

const BooksCase kBooksCases[] = {
    {"single", R"({})"},
    {"cheapest", R"({"items": {"lens": {"sourcing": {"rule": "cheapest"}}}})"},
    {"fastest", R"({"items": {"lens": {"sourcing": {"rule": "fastest"}}}})"},
    {"split", R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.7, "express": 0.3}}}}})"},
    {"dual_index", R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": 10, "expedite_up_to": 20}}}})"},
    {"switch", R"({"items": {"lens": {"sourcing": {"rule": "switch_after_late", "late_deliveries": 2, "window_days": 60}}}})"},
    {"net_terms", R"({"vendors": {"maker": {"payment_terms_days": 30}, "express": {"payment_terms_days": 10}},
                      "items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.5, "express": 0.5}}}}})"},
    {"prepay", R"({"vendors": {"maker": {"prepay": true}, "express": {"prepay": true}},
                   "items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.5, "express": 0.5}}}}})"},
    {"capacity_and_outages", R"({"vendors": {"maker": {"capacity": {"units": 30, "period_days": 7},
                                  "disruptions": {"up_days": {"dist": "exponential", "mean": 60},
                                                  "down_days": {"dist": "constant", "value": 20}}}},
                                 "items": {"lens": {"sourcing": {"rule": "fastest"}}},
                                 "shortage": {"updates": {"mode": "notify_on_slip"}}})"},
    {"item_price", R"({"items": {"lens": {"vendor_prices": {"express": 130},
                                          "sourcing": {"rule": "split", "shares": {"maker": 0.5, "express": 0.5}}}}})"},
};

INSTANTIATE_TEST_SUITE_P(Rules, VendorBooks, ::testing::ValuesIn(kBooksCases),
                         [](const ::testing::TestParamInfo<BooksCase>& info) { return std::string(info.param.label); });

// ---------------------------------------------------------------------------------------------
// Sourcing rules

TEST(Sourcing, OneVendorOfSeveralListedBuysFromTheFirst) {
    const RunResult r = run("{}");
    const std::vector<std::int64_t> by = ordered_by_vendor(r);
    EXPECT_GT(by[0], 0);
    EXPECT_EQ(by[1], 0);
}

TEST(Sourcing, CheapestAndFastestPickTheirVendor) {
    // 150 a unit + 30 an order from the maker beats 180 + 10 from express for any order.
    EXPECT_EQ(ordered_by_vendor(run(R"({"items": {"lens": {"sourcing": {"rule": "cheapest"}}}})"))[1], 0);
    // At 0.9 of the unit cost express is the cheaper for every order.
    const RunResult cheap = run(R"({"vendors": {"express": {"price_factor": 0.9}},
                                    "items": {"lens": {"sourcing": {"rule": "cheapest"}}}})");
    EXPECT_EQ(ordered_by_vendor(cheap)[0], 0);
    EXPECT_LT(metric(cheap.summary, Metric::purchase_price_variance), 0.0);  // bought below the unit cost
    EXPECT_EQ(ordered_by_vendor(run(R"({"items": {"lens": {"sourcing": {"rule": "fastest"}}}})"))[0], 0);
}

TEST(Sourcing, SplitGivesEachVendorItsShareToWithinAUnit) {
    const RunResult r = run(R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.7, "express": 0.3}}}}})");
    const std::vector<std::int64_t> by = ordered_by_vendor(r);
    const double total = static_cast<double>(by[0] + by[1]);
    EXPECT_GT(total, 500);
    EXPECT_LT(std::fabs(static_cast<double>(by[0]) - 0.7 * total), 1.0);
    EXPECT_LT(std::fabs(static_cast<double>(by[1]) - 0.3 * total), 1.0);
    // single units still go 70/30 over the run (the fractions are carried, not dropped)
    const RunResult ones = run(R"({"items": {"lens": {"replenishment": {"policy": "base_stock", "s": null, "S": 60},
                                   "sourcing": {"rule": "split", "shares": {"maker": 0.7, "express": 0.3}}}}})");
    const std::vector<std::int64_t> one_by = ordered_by_vendor(ones);
    const double n = static_cast<double>(one_by[0] + one_by[1]);
    EXPECT_LT(std::fabs(static_cast<double>(one_by[1]) - 0.3 * n), 1.0);
}

TEST(Sourcing, SwitchAfterLateDeliveriesMovesToTheBackupAndBack) {
    // Notices on, so the log shows when each late maker shipment really arrives (shipment_delayed).
    const RunResult r = run(R"({"vendors": {"maker": {"reliability": {"late_probability": 0.6, "partial_probability": 0}}},
        "items": {"lens": {"sourcing": {"rule": "switch_after_late", "late_deliveries": 2, "window_days": 40}}},
        "shortage": {"updates": {"mode": "notify_on_slip"}}})");
    const std::vector<std::int64_t> by = ordered_by_vendor(r);
    EXPECT_GT(by[0], 0);
    EXPECT_GT(by[1], 0);
    EXPECT_GT(count(r, EventKind::VendorSwitched), 1);  // to the backup, and back once the window forgets
    std::vector<double> late_arrivals;  // of the maker's shipments
    for (const EventRecord& e : r.events)
        if (e.kind == EventKind::ShipmentDelayed && e.vendor == 0) late_arrivals.push_back(e.value);
    for (const EventRecord& e : r.events) {
        if (e.kind != EventKind::OrderPlaced) continue;
        std::int64_t recent = 0;  // late maker deliveries that arrived in the 40 days before the order
        for (const double t : late_arrivals) recent += t <= e.time && t >= e.time - 40.0;
        if (e.vendor == 1) {
            EXPECT_GE(recent, 2) << "day " << e.time;
        } else {
            EXPECT_LT(recent, 2) << "day " << e.time;
        }
    }
}

TEST(Sourcing, DualIndexExpeditesOnlyBelowItsThreshold) {
    const RunResult never = run(R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": -100000}}}})");
    EXPECT_EQ(ordered_by_vendor(never)[1], 0);
    const RunResult single = run("{}");
    const RunResult dual = run(R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": 20, "expedite_up_to": 30}}}})");
    EXPECT_GT(ordered_by_vendor(dual)[1], 0);
    // expediting keeps the shelf fuller: fewer backorders than with the slow maker alone
    EXPECT_LT(metric(dual.summary, Metric::backordered_units), metric(single.summary, Metric::backordered_units));
    EXPECT_GT(metric(dual.summary, Metric::purchase_price_variance), 0.0);  // express costs 20% more
}

/// Orders every unit from the item's second vendor, as a custom policy may.
class FromExpress : public ReplenishmentPolicy {
public:
    std::int64_t order(const InventoryView& v) override { return v.inventory_position <= 30 ? 60 - v.inventory_position : 0; }
    void orders(const InventoryView& v, std::vector<OrderDecision>& out) override {
        seen_vendors = v.vendors.size();
        out.push_back(OrderDecision{order(v), 1});
    }
    std::size_t seen_vendors = 0;
};

TEST(Sourcing, ACustomPolicyChoosesTheVendor) {
    FromExpress policy;
    const RunResult r = run("{}", 1, &policy);
    const std::vector<std::int64_t> by = ordered_by_vendor(r);
    EXPECT_EQ(by[0], 0);
    EXPECT_GT(by[1], 0);
    EXPECT_EQ(policy.seen_vendors, 2u);
}

TEST(Sourcing, TheCallerMayChooseTheVendorAtAPausedDecision) {
    Simulation sim(scenario_from(kShop), 1);
    ASSERT_TRUE(sim.run_until_decision());
    const InventoryView view = sim.decision_view();
    ASSERT_EQ(view.vendors.size(), 2u);
    EXPECT_EQ(view.vendors[1].id, "express");
    EXPECT_DOUBLE_EQ(view.vendors[1].unit_price, 180.0);
    EXPECT_THROW(sim.decide(OrderDecision{10, 2}), std::invalid_argument);
    sim.decide(OrderDecision{10, 1});
    EXPECT_EQ(sim.vendor(1).record().orders, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Notices

const char* kNotify = R"({"shortage": {"updates": {"mode": "notify_on_slip"}},
  "customers": {"patience": {"dist": "infinite"}}})";

TEST(Notices, SilentIsTheDefaultAndAnnouncesNothing) {
    const RunResult plain = run("{}");
    const RunResult silent = run(R"({"shortage": {"updates": {"mode": "silent"}}})");
    EXPECT_TRUE(test::BitwiseEqual(plain.summary, silent.summary));
    EXPECT_EQ(count(silent, EventKind::ShipmentDelayed), 0);
    EXPECT_EQ(metric(silent.summary, Metric::notices_sent), 0.0);
    EXPECT_EQ(metric(silent.summary, Metric::late_backorder_announced_units), 0.0);
    EXPECT_EQ(metric(silent.summary, Metric::late_backorder_surprise_units),
              metric(silent.summary, Metric::late_backorder_units));
}

TEST(Notices, OnSlipEveryNoticeMovesTheDateLater) {
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
        const RunResult r = run(kNotify, seed);
        std::int64_t notices = 0;
        for (const EventRecord& e : r.events) {
            if (e.kind != EventKind::NoticeKeptWaiting && e.kind != EventKind::NoticeCancelled) continue;
            ++notices;
            EXPECT_GT(e.value, e.previous + 1e-9) << "day " << e.time << ", customer " << e.reference;
            EXPECT_GE(e.value, e.time);
        }
        EXPECT_GT(notices, 0) << seed;
        EXPECT_EQ(static_cast<double>(notices), metric(r.summary, Metric::notices_sent));
        EXPECT_GT(count(r, EventKind::ShipmentDelayed), 0);
        EXPECT_EQ(metric(r.summary, Metric::late_backorder_units),
                  metric(r.summary, Metric::late_backorder_announced_units) +
                      metric(r.summary, Metric::late_backorder_surprise_units));
        EXPECT_GT(metric(r.summary, Metric::late_backorder_announced_units), 0.0);
    }
}

TEST(Notices, DelaysAreAnnouncedTheirNoticeDaysAhead) {
    const RunResult r = run(kNotify);
    for (const EventRecord& e : r.events) {
        if (e.kind != EventKind::ShipmentDelayed) continue;
        EXPECT_GT(e.value, e.previous);  // the new date after the confirmed one
        EXPECT_GE(e.time, e.previous - 6.0 - 1e-9);  // six days ahead, or at the order if it came later
        EXPECT_LT(e.time, e.previous);
    }
}

TEST(Notices, PeriodicRoundsTellEveryWaitingCustomer) {
    const RunResult r = run(R"({"shortage": {"updates": {"mode": "notify_periodically", "period_days": 7}}})");
    std::int64_t notices = 0;
    for (const EventRecord& e : r.events) {
        if (e.kind != EventKind::NoticeKeptWaiting && e.kind != EventKind::NoticeCancelled) continue;
        ++notices;
        EXPECT_NEAR(std::fmod(e.time, 7.0), 0.0, 1e-9);
    }
    EXPECT_GT(notices, 0);
}

TEST(Notices, ATextbookCustomerIsToldButKeepsWaiting) {
    const RunResult r = run(R"({"shortage": {"updates": {"mode": "notify_on_slip"}}, "customers": {"behaviour": false}})");
    EXPECT_GT(metric(r.summary, Metric::notices_sent), 0.0);
    EXPECT_EQ(metric(r.summary, Metric::cancelled_after_notice_units), 0.0);
}

TEST(Notices, NoticesDoNotShiftTheCustomersRandomNumbers) {
    // With customers who never cancel and no loyalty effects, telling them changes nothing they do:
    // the same demand, the same backorders, the same sales.
    const char* calm = R"({"customers": {"patience": {"dist": "infinite"},
        "backorder_acceptance": {"form": "constant", "beta0": 0.6},
        "loyalty": {"served": 0, "backorder_on_time": 0, "backorder_late": 0, "backorder_late_announced": 0,
                    "turned_away": 0, "cancelled": 0, "cancelled_after_notice": 0}}})";
    const RunResult silent = run(calm);
    const RunResult told = run(std::string(R"({"shortage": {"updates": {"mode": "notify_on_slip"}}, )") + (calm + 1));
    for (Metric m : {Metric::demand_units, Metric::backordered_units, Metric::served_from_stock_units,
                     Metric::fulfilled_backorder_units, Metric::revenue, Metric::profit})
        EXPECT_EQ(metric(silent.summary, m), metric(told.summary, m)) << kMetricNames[static_cast<std::size_t>(m)];
    EXPECT_GT(metric(told.summary, Metric::notices_sent), 0.0);
}

}  // namespace
}  // namespace stocklab
