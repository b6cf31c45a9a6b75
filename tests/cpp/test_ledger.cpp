// The cash ledger: whole cents, exact sums, window totals; Accrual carries sub-cent remainders.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "model/ledger.hpp"

namespace stocklab {
namespace {

TEST(Accrual, ThirdOfACentThreeMillionTimesIsExact) {
    // 3e6 x (1/3 cent) = 1e6 cents exactly. Rounding each posting on its own would post 0 every time.
    Accrual acc;
    Cents posted = 0;
    for (int i = 0; i < 3000000; ++i) {
        acc.add(0.01 / 3.0);
        const Cents c = acc.take();
        ASSERT_GE(c, 0);
        ASSERT_LE(c, 1);
        posted += c;
    }
    EXPECT_EQ(posted, 1000000);
    EXPECT_EQ(acc.take(), 0);  // nothing is left over
}

TEST(Accrual, ThirdOfACentPostsOneCentEveryThirdTime) {
    Accrual acc;
    Cents posted = 0;
    for (int i = 1; i <= 30; ++i) {
        acc.add(0.01 / 3.0);
        posted += acc.take();
        // After i postings the exact total is i/3 cents: the posted whole cents never drift from it
        // by more than half a cent.
        EXPECT_LE(std::fabs(static_cast<double>(posted) - i / 3.0), 0.5 + 1e-9) << "after " << i;
    }
    EXPECT_EQ(posted, 10);
}

TEST(Accrual, ManyUnevenAmountsPostTheRoundedTotal) {
    // Random daily holding costs of a few cents with sub-cent parts, including negative (interest
    // style) amounts: the sum of postings equals the rounded exact total, to the cent.
    std::mt19937_64 gen(3);
    std::uniform_int_distribution<std::int64_t> micro(-20000, 90000);  // in 1e-6 dollars
    Accrual acc;
    Cents posted = 0;
    std::int64_t exact_micro = 0;
    for (int i = 0; i < 1000000; ++i) {
        const std::int64_t m = micro(gen);
        exact_micro += m;
        acc.add(static_cast<double>(m) * 1e-6);
        if (i % 7 == 0) posted += acc.take();  // post at irregular times, like a period-end accrual
    }
    posted += acc.take();
    // exact total in cents = exact_micro / 1e4
    const double exact_cents = static_cast<double>(exact_micro) / 1e4;
    EXPECT_LE(std::fabs(static_cast<double>(posted) - exact_cents), 0.5 + 1e-6)
        << "posted " << posted << " cents, exact " << exact_cents;
}

TEST(Accrual, TakeWithNothingPendingIsZero) {
    Accrual acc;
    EXPECT_EQ(acc.take(), 0);
    acc.add(12.34);
    EXPECT_EQ(acc.take(), 1234);
    EXPECT_EQ(acc.take(), 0);
    acc.add(-0.004);  // under half a cent: carried, not posted
    EXPECT_EQ(acc.take(), 0);
    acc.add(-0.004);  // now -0.8 cents in total
    EXPECT_EQ(acc.take(), -1);
}

TEST(Ledger, CashIsInitialPlusSumOfEntries) {
    Ledger ledger;
    ledger.reset(to_cents(500.0), true);
    EXPECT_EQ(ledger.cash(), 50000);
    EXPECT_EQ(ledger.initial_cash(), 50000);
    std::mt19937_64 gen(8);
    std::uniform_int_distribution<Cents> amount(-30000, 30000);
    std::uniform_int_distribution<int> cat(0, static_cast<int>(Ledger::kCategories) - 1);
    Cents expected = 50000;
    std::size_t nonzero = 0;
    for (int i = 0; i < 20000; ++i) {
        const Cents a = amount(gen);
        ledger.post(0.01 * i, static_cast<LedgerCategory>(cat(gen)), a, i, -1, true);
        expected += a;
        nonzero += a != 0;
    }
    EXPECT_EQ(ledger.cash(), expected);
    Cents sum_entries = 0;
    for (const LedgerEntry& e : ledger.entries()) sum_entries += e.amount;
    EXPECT_EQ(ledger.cash(), ledger.initial_cash() + sum_entries);
    Cents sum_totals = 0;
    for (std::size_t c = 0; c < Ledger::kCategories; ++c) sum_totals += ledger.total(static_cast<LedgerCategory>(c));
    EXPECT_EQ(ledger.cash(), ledger.initial_cash() + sum_totals);
    EXPECT_EQ(ledger.entries().size(), nonzero);  // zero amounts are not entries
}

TEST(Ledger, CategoryAndWindowTotals) {
    Ledger ledger;
    ledger.reset(0, true);
    ledger.post(1.0, LedgerCategory::Sale, 24900, 1, -1, false);          // before the window
    ledger.post(2.0, LedgerCategory::Sale, 24900, 2, -1, true);
    ledger.post(3.0, LedgerCategory::HoldingCost, -37, -1, -1, true);
    ledger.post(4.0, LedgerCategory::SupplierPayment, -150000, 0, -1, false);
    ledger.post(5.0, LedgerCategory::Refund, -24900, 2, -1, true);
    EXPECT_EQ(ledger.total(LedgerCategory::Sale), 49800);
    EXPECT_EQ(ledger.window_total(LedgerCategory::Sale), 24900);
    EXPECT_EQ(ledger.total(LedgerCategory::HoldingCost), -37);
    EXPECT_EQ(ledger.window_total(LedgerCategory::HoldingCost), -37);
    EXPECT_EQ(ledger.total(LedgerCategory::SupplierPayment), -150000);
    EXPECT_EQ(ledger.window_total(LedgerCategory::SupplierPayment), 0);
    EXPECT_EQ(ledger.window_total(LedgerCategory::Refund), -24900);
    EXPECT_EQ(ledger.total(LedgerCategory::InterestEarned), 0);
    EXPECT_EQ(ledger.cash(), 49800 - 37 - 150000 - 24900);
    ASSERT_EQ(ledger.entries().size(), 5u);
    EXPECT_EQ(ledger.entries()[3].category, LedgerCategory::SupplierPayment);
    EXPECT_EQ(ledger.entries()[3].time, 4.0);
    EXPECT_EQ(ledger.entries()[3].reference, 0);
}

TEST(Ledger, NotRecordingKeepsBalancesButNoRows) {
    Ledger ledger;
    ledger.reset(100, false);
    ledger.post(1.0, LedgerCategory::Sale, 250, 1, -1, true);
    ledger.post(1.0, LedgerCategory::OrderingCost, -4000, 1, -1, true);
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_FALSE(ledger.recording());
    EXPECT_EQ(ledger.cash(), 100 + 250 - 4000);
    EXPECT_EQ(ledger.total(LedgerCategory::OrderingCost), -4000);
}

TEST(Ledger, ResetClearsEverything) {
    Ledger ledger;
    ledger.reset(0, true);
    ledger.post(1.0, LedgerCategory::Sale, 100, 1, -1, true);
    ledger.reset(7, true);
    EXPECT_EQ(ledger.cash(), 7);
    EXPECT_TRUE(ledger.entries().empty());
    EXPECT_EQ(ledger.total(LedgerCategory::Sale), 0);
    EXPECT_EQ(ledger.window_total(LedgerCategory::Sale), 0);
}

TEST(Ledger, ToCentsRoundsToNearest) {
    EXPECT_EQ(to_cents(249.0), 24900);
    EXPECT_EQ(to_cents(0.1 + 0.2), 30);
    EXPECT_EQ(to_cents(-0.125), -13);  // exact half: llround rounds away from zero
    EXPECT_EQ(to_cents(19.99), 1999);
    EXPECT_EQ(to_cents(1e9), 100000000000);
}

}  // namespace
}  // namespace stocklab

// Money that would leave the range of 64-bit cents stops the run with MoneyOverflow (the ledger
// used to wrap on both sides and still "reconcile"). These reproducers run under UBSan in CI.
#include "model/simulation.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

const char* kMoneyBase = R"({"schema_version": 1, "name": "money", "sku": {"price": 10, "unit_cost": 4},
  "demand": {"rate_per_day": 1}, "supplier": {"lead_time": {"dist": "constant", "value": 3}},
  "replenishment": {"policy": "s_S", "s": 5, "S": 20}, "run": {"snapshot_interval_days": 0, "record_ledger": false}})";

void expect_overflow_stops_the_run(const std::string& patch) {
    const Scenario sc = test::scenario_from(kMoneyBase, patch);
    Simulation sim(sc, 1);
    EXPECT_THROW(sim.run(), MoneyOverflow) << patch;
}

TEST(MoneyOverflow, HugePricesTimesHugeOrders) {
    // A price of 1e9 and orders of 1e6 units: 1e17 cents a sale; cash passes 9.2e18 within ~100 sales.
    expect_overflow_stops_the_run(R"({"sku": {"price": 1e9, "unit_cost": 1e9}, "initial": {"on_hand": 1000000000},
                                      "demand": {"order_size": {"dist": "constant", "value": 1000000}},
                                      "replenishment": {"policy": "none", "s": null, "S": null}})");
}

TEST(MoneyOverflow, DepositInterestCompoundingOverAThousandYears) {
    expect_overflow_stops_the_run(R"({"run": {"horizon_days": 365000}, "initial": {"cash": 1e6},
                                      "finance": {"deposit_rate_per_year": 0.05}})");
}

TEST(MoneyOverflow, OverdraftInterestOnAHugeDebt) {
    // Interest on -1e13 at 1000% a year once *raised* cash (the accrual wrapped).
    expect_overflow_stops_the_run(R"({"run": {"horizon_days": 3650}, "initial": {"cash": -1e13},
                                      "finance": {"overdraft_rate_per_year": 10}})");
}

TEST(MoneyOverflow, CheckedArithmetic) {
    EXPECT_EQ(amount(1000000, 100000000000), 100000000000000000);
    EXPECT_THROW(amount(1000000000000, 100000000000), MoneyOverflow);
    EXPECT_THROW(add_money(9000000000000000000, 300000000000000000), MoneyOverflow);
    EXPECT_THROW(to_cents(1e17), MoneyOverflow);
    EXPECT_EQ(to_cents(-12.345), -1235);  // as llround: half away from zero
}

}  // namespace
}  // namespace stocklab
