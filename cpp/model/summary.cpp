// The summary metrics (model/metrics.hpp, docs/glossary.md) from the window statistics and the
// components' state.
#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(double num, double den) { return den > 0 ? num / den : kNaN; }
void set(Summary& m, Metric k, double v) { m[static_cast<std::size_t>(k)] = v; }
}  // namespace

Summary Simulation::summary() const {
    // The window integrals run to the last event; run_until() may have moved the clock further.
    WindowStats st = st_;
    st.open_at(now_, sc_.run.warmup_days, accounts_.cash());
    const double tail_from = std::max(last_integrated_, sc_.run.warmup_days);
    if (now_ > tail_from) st.integrate(now_ - tail_from, integrated_state());
    Summary m;
    m.fill(kNaN);
    const double window = std::max(now_ - sc_.run.warmup_days, 0.0);
    const double days = window > 0 ? window : kNaN;  // divisor of time averages
    summarize_flows(m, st);
    set(m, Metric::avg_on_hand, st.int_on_hand / days);
    set(m, Metric::avg_backorders, st.int_backorders / days);
    set(m, Metric::avg_on_order, st.int_on_order / days);
    set(m, Metric::avg_inventory_position, st.int_ip / days);
    set(m, Metric::stockout_time_fraction, st.int_stockout / days);
    set(m, Metric::ending_on_hand, static_cast<double>(stock_.on_hand()));
    summarize_money(m, st, days);
    set(m, Metric::orders_placed, st.orders);
    set(m, Metric::mean_order_size, ratio(st.ordered_units, st.orders));
    set(m, Metric::supplier_fill_rate, ratio(st.received_units, st.due_units));
    set(m, Metric::disrupted_days, st.disrupted_days);
    if (customers_.customers_mode()) summarize_customers(m, st);
    set(m, Metric::events, static_cast<double>(events_handled_));
    set(m, Metric::purchase_candidates, static_cast<double>(customers_.candidates_drawn()));
    set(m, Metric::purchase_occasions, static_cast<double>(occasions_handled_));
    return m;
}

void Simulation::summarize_flows(Summary& m, const WindowStats& st) const {
    set(m, Metric::demand_units, st.demand);
    set(m, Metric::served_from_stock_units, st.served);
    set(m, Metric::backordered_units, st.backordered);
    set(m, Metric::lost_units, st.lost);
    set(m, Metric::substituted_units, st.substituted);
    set(m, Metric::delayed_units, st.delayed);
    set(m, Metric::cancelled_units, st.cancelled);
    set(m, Metric::fulfilled_backorder_units, st.fulfilled);
    set(m, Metric::late_backorder_units, st.late);
    set(m, Metric::fill_rate, ratio(st.served, st.demand));
    set(m, Metric::backorder_acceptance_rate, ratio(st.accepted, st.offers));
    set(m, Metric::mean_backorder_wait_days, ratio(st.wait_units_days, st.fulfilled));
    const double recorded = st.served + st.backordered;
    set(m, Metric::recorded_demand_units, recorded);
    set(m, Metric::demand_capture_ratio, ratio(recorded, st.demand));
}

void Simulation::summarize_money(Summary& m, const WindowStats& st, double days) const {
    const Ledger& ledger = accounts_.ledger();
    const double revenue = st.revenue_cents / 100.0;
    const double cogs = st.cogs_cents / 100.0;
    // "+ 0.0" turns -0.0 into 0.0 for categories with no entries.
    auto cost = [&](LedgerCategory c) { return -static_cast<double>(ledger.window_total(c)) / 100.0 + 0.0; };
    set(m, Metric::revenue, revenue);
    set(m, Metric::lost_revenue, st.lost_revenue_cents / 100.0);
    set(m, Metric::cost_of_goods_sold, cogs);
    const double holding = cost(LedgerCategory::HoldingCost);
    const double ordering = cost(LedgerCategory::OrderingCost);
    const double interest = cost(LedgerCategory::InterestPaid) + cost(LedgerCategory::InterestEarned);
    set(m, Metric::holding_cost, holding);
    set(m, Metric::ordering_cost, ordering);
    set(m, Metric::refunds, cost(LedgerCategory::Refund));
    set(m, Metric::apology_discounts, cost(LedgerCategory::ApologyDiscount));
    set(m, Metric::net_interest, interest);
    const double salvage = static_cast<double>(stock_.on_hand()) * sc_.sku.salvage_value;
    set(m, Metric::salvage_value, salvage);
    const double operating = revenue - cogs - holding - ordering - interest;
    set(m, Metric::profit, sc_.finance.salvage_in_profit ? operating + salvage : operating);
    set(m, Metric::final_cash, static_cast<double>(accounts_.cash()) / 100.0);
    set(m, Metric::min_cash, st.min_cash_set ? st.min_cash_cents / 100.0 : kNaN);
    set(m, Metric::days_cash_negative, st.int_cash_negative);
    // Cash conversion cycle: DIO + DSO - DPO, each from time-averaged balances over the window.
    const double cogs_per_day = cogs / days;
    const double revenue_per_day = revenue / days;
    const double dio = ratio(st.int_on_hand / days * sc_.supplier.unit_price, cogs_per_day);
    const double dso = ratio(-st.int_prepay / days / 100.0, revenue_per_day);
    const double dpo = ratio(st.int_payables / days / 100.0, cogs_per_day);
    set(m, Metric::cash_conversion_cycle_days, dio + dso - dpo);
    set(m, Metric::customer_prepayments_outstanding, static_cast<double>(accounts_.customer_prepayments()) / 100.0);
    set(m, Metric::supplier_payables_outstanding, static_cast<double>(accounts_.net_payables()) / 100.0);
}

void Simulation::summarize_customers(Summary& m, const WindowStats& st) const {
    set(m, Metric::churned_customers, st.churned);
    set(m, Metric::active_customers_end, static_cast<double>(customers_.active_count()));
    set(m, Metric::mean_loyalty, customers_.mean_loyalty());
    set(m, Metric::negative_reviews, st.reviews);
    set(m, Metric::positive_reviews, st.positive_reviews);
    set(m, Metric::new_customers, st.new_customers);
    // Counted without branches: purchase counts are random, so branches here mispredict.
    std::int64_t buyers = 0, repeat = 0;
    for (const std::uint32_t p : customers_.purchases_in_window()) {
        buyers += p >= 1;
        repeat += p >= 2;
    }
    set(m, Metric::repeat_purchase_rate, ratio(static_cast<double>(repeat), static_cast<double>(buyers)));
    set(m, Metric::revenue_per_customer, ratio(st.revenue_cents / 100.0, static_cast<double>(customers_.joined())));
}

}  // namespace stocklab
