// The summary metrics (model/metrics.hpp, docs/glossary.md) from the window statistics and the
// components' state, for the store and for each item (model/item_metrics.hpp).
#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double ratio(double num, double den) { return den > 0 ? num / den : kNaN; }
void set(Summary& m, Metric k, double v) { m[static_cast<std::size_t>(k)] = v; }
void set(ItemSummary& m, ItemMetric k, double v) { m[static_cast<std::size_t>(k)] = v; }
void set(SegmentSummary& m, SegmentMetric k, double v) { m[static_cast<std::size_t>(k)] = v; }
void set(VendorSummary& m, VendorMetric k, double v) { m[static_cast<std::size_t>(k)] = v; }
}  // namespace

/// The store's flows: the items' sums, in item order. Units wanted as a substitute are counted at the
/// substitute item; the store counts each unit wanted once, at the customer's first choice, and a
/// unit lost only when it left the store (not when it was passed on to a substitute there).
ItemFlows Simulation::store_flows() const {
    ItemFlows f;
    for (const ItemRun& it : items_) f.add(it.flows);
    if (f.passed_on > 0) {
        f.lost -= f.passed_on;
        f.lost_revenue_cents -= f.passed_on_revenue_cents;
        f.substituted += f.substitute_sales - f.passed_on;  // a substitution counted once, where it ended
    }
    return f;
}

/// The window statistics up to now: the integrals run to the last event, and run_until() may have
/// moved the clock further (a copy gets the tail; the run's own splits stay as they are).
WindowStats Simulation::window_stats() const {
    WindowStats st = st_;
    st.open_at(now_, sc_.run.warmup_days, accounts_.cash());
    const double tail_from = std::max(last_integrated_, sc_.run.warmup_days);
    if (now_ > tail_from) st.integrate(now_ - tail_from, integrated_state());
    return st;
}

Summary Simulation::summary() const {
    const WindowStats st = window_stats();
    Summary m;
    m.fill(kNaN);
    const double window = std::max(now_ - sc_.run.warmup_days, 0.0);
    const double days = window > 0 ? window : kNaN;  // divisor of time averages
    const ItemFlows f = store_flows();
    summarize_flows(m, f);
    set(m, Metric::avg_on_hand, st.int_on_hand / days);
    set(m, Metric::avg_backorders, st.int_backorders / days);
    set(m, Metric::avg_on_order, st.int_on_order / days);
    const auto [end_on_hand, end_backorders] = period_end_means();
    set(m, Metric::period_end_on_hand, end_on_hand);
    set(m, Metric::period_end_backorders, end_backorders);
    set(m, Metric::avg_inventory_position, st.int_ip / days);
    set(m, Metric::stockout_time_fraction, st.int_stockout / days);
    set(m, Metric::ending_on_hand, static_cast<double>(store_stock().on_hand));
    summarize_money(m, f, st, days);
    set(m, Metric::orders_placed, f.orders);
    set(m, Metric::mean_order_size, ratio(f.ordered_units, f.orders));
    set(m, Metric::supplier_fill_rate, ratio(f.received_units, f.due_units));
    set(m, Metric::disrupted_days, st.disrupted_days);
    set(m, Metric::notices_sent, f.notices);
    if (customers_.customers_mode()) summarize_customers(m, f, st);
    set(m, Metric::events, static_cast<double>(events_handled_));
    set(m, Metric::purchase_candidates, static_cast<double>(customers_.candidates_drawn()));
    set(m, Metric::purchase_occasions, static_cast<double>(occasions_handled_));
    return m;
}

void Simulation::summarize_flows(Summary& m, const ItemFlows& f) const {
    const double demand = f.demand - f.substitute_demand;
    const double served = f.served - f.substitute_sales;
    set(m, Metric::demand_units, demand);
    set(m, Metric::served_from_stock_units, served);
    set(m, Metric::backordered_units, f.backordered);
    set(m, Metric::lost_units, f.lost);
    set(m, Metric::substituted_units, f.substituted);
    set(m, Metric::saved_by_substitute_units, f.substitute_sales);
    set(m, Metric::delayed_units, f.delayed);
    set(m, Metric::cancelled_units, f.cancelled);
    set(m, Metric::fulfilled_backorder_units, f.fulfilled);
    set(m, Metric::late_backorder_units, f.late);
    set(m, Metric::late_backorder_announced_units, f.late_announced);
    set(m, Metric::late_backorder_surprise_units, f.late - f.late_announced);
    set(m, Metric::cancelled_after_notice_units, f.cancelled_after_notice);
    set(m, Metric::fill_rate, ratio(served, demand));
    set(m, Metric::backorder_acceptance_rate, ratio(f.accepted, f.offers));
    set(m, Metric::mean_backorder_wait_days, ratio(f.wait_units_days, f.fulfilled));
    const double recorded = f.served + f.backordered;
    set(m, Metric::recorded_demand_units, recorded);
    set(m, Metric::demand_capture_ratio, ratio(recorded, demand));
}

/// Average inventory at cost over the window: with one item the store's average units times its
/// cost; with several, each item's own average times its cost.
double Simulation::inventory_value_per_day(const WindowStats& st, double days) const {
    if (one_item_) return st.int_on_hand / days * items_[0].spec.unit_cost;
    double value = 0.0;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        ItemIntegrals g = items_[i].integrals;
        const StockPoint& s = items_[i].stock;
        g.advance(now_, sc_.run.warmup_days, s.on_hand(), s.backorder_units(), s.on_order(), s.holding_per_day());
        value += g.on_hand / days * items_[i].spec.unit_cost;
    }
    return value;
}

MoneyTally Simulation::money() const {
    const ItemFlows f = store_flows();
    const Ledger& ledger = accounts_.ledger();
    // "+ 0.0" turns -0.0 into 0.0 for categories with no entries.
    auto cost = [&](LedgerCategory c) { return -static_cast<double>(ledger.window_total(c)) / 100.0 + 0.0; };
    MoneyTally m;
    m.revenue = f.revenue_cents / 100.0;
    m.cost_of_goods_sold = f.cogs_cents / 100.0;
    m.holding_cost = cost(LedgerCategory::HoldingCost);
    m.ordering_cost = cost(LedgerCategory::OrderingCost);
    m.net_interest = cost(LedgerCategory::InterestPaid) + cost(LedgerCategory::InterestEarned);
    m.purchase_price_variance = f.price_variance_cents / 100.0;
    for (const ItemRun& it : items_) {
        m.salvage_value += static_cast<double>(it.stock.on_hand()) * it.spec.salvage_value;
        const double lost = it.flows.lost - it.flows.passed_on + it.flows.cancelled;
        m.lost_margin += lost * (static_cast<double>(it.price - it.unit_cost) / 100.0);
    }
    // The variance is subtracted last: with every vendor at the unit cost it is 0 and profit is unchanged.
    const double operating =
        m.revenue - m.cost_of_goods_sold - m.holding_cost - m.ordering_cost - m.net_interest - m.purchase_price_variance;
    m.profit = sc_.finance.salvage_in_profit ? operating + m.salvage_value : operating;
    m.cash = static_cast<double>(accounts_.cash()) / 100.0;
    return m;
}

void Simulation::summarize_money(Summary& m, const ItemFlows& f, const WindowStats& st, double days) const {
    const Ledger& ledger = accounts_.ledger();
    auto cost = [&](LedgerCategory c) { return -static_cast<double>(ledger.window_total(c)) / 100.0 + 0.0; };
    const MoneyTally money = this->money();
    set(m, Metric::revenue, money.revenue);
    set(m, Metric::lost_revenue, f.lost_revenue_cents / 100.0);
    set(m, Metric::cost_of_goods_sold, money.cost_of_goods_sold);
    set(m, Metric::holding_cost, money.holding_cost);
    set(m, Metric::ordering_cost, money.ordering_cost);
    set(m, Metric::purchase_price_variance, money.purchase_price_variance);
    set(m, Metric::refunds, cost(LedgerCategory::Refund));
    set(m, Metric::apology_discounts, cost(LedgerCategory::ApologyDiscount));
    set(m, Metric::net_interest, money.net_interest);
    set(m, Metric::salvage_value, money.salvage_value);
    set(m, Metric::profit, money.profit);
    set(m, Metric::final_cash, money.cash);
    set(m, Metric::min_cash, st.min_cash_set ? st.min_cash_cents / 100.0 : kNaN);
    set(m, Metric::days_cash_negative, st.int_cash_negative);
    // Cash conversion cycle: DIO + DSO - DPO, each from time-averaged balances over the window.
    const double cogs_per_day = money.cost_of_goods_sold / days;
    const double revenue_per_day = money.revenue / days;
    const double dio = ratio(inventory_value_per_day(st, days), cogs_per_day);
    const double dso = ratio(-st.int_prepay / days / 100.0, revenue_per_day);
    const double dpo = ratio(st.int_payables / days / 100.0, cogs_per_day);
    set(m, Metric::cash_conversion_cycle_days, dio + dso - dpo);
    set(m, Metric::customer_prepayments_outstanding, static_cast<double>(accounts_.customer_prepayments()) / 100.0);
    set(m, Metric::supplier_payables_outstanding, static_cast<double>(accounts_.net_payables()) / 100.0);
}

void Simulation::summarize_customers(Summary& m, const ItemFlows& f, const WindowStats& st) const {
    set(m, Metric::churned_customers, st.churned);
    set(m, Metric::active_customers_end, static_cast<double>(customers_.active_count()));
    set(m, Metric::mean_loyalty, customers_.mean_loyalty());
    set(m, Metric::negative_reviews, st.reviews);
    set(m, Metric::positive_reviews, st.positive_reviews);
    set(m, Metric::new_customers, st.new_customers);
    const CustomerPopulation& pop = customers_.population();
    set(m, Metric::repeat_purchase_rate,
        ratio(static_cast<double>(pop.repeat_buyers), static_cast<double>(pop.buyers)));
    set(m, Metric::revenue_per_customer, ratio(f.revenue_cents / 100.0, static_cast<double>(customers_.joined())));
    set(m, Metric::loyalty_lost_to_announced_delays, st.loyalty_lost_announced);
    set(m, Metric::loyalty_lost_to_surprise_delays, st.loyalty_lost_surprise);
}

/// The store's period-end figures: each periodic item's mean over its period ends, summed over the
/// items (NaN when no item is reviewed periodically or no period ended in the window).
std::pair<double, double> Simulation::period_end_means() const {
    double on_hand = 0.0, backorders = 0.0;
    bool any = false;
    for (const ItemRun& it : items_) {
        const PeriodEnds& p = it.period_ends;
        if (p.samples == 0) continue;
        any = true;
        on_hand += p.on_hand / p.samples;
        backorders += p.backorders / p.samples;
    }
    return any ? std::pair{on_hand, backorders} : std::pair{kNaN, kNaN};
}

/// The store's window integrals up to now, as one item's (a store of one item keeps no others).
ItemIntegrals Simulation::store_integrals() const {
    const WindowStats st = window_stats();
    ItemIntegrals g;
    g.last = now_;
    g.on_hand = st.int_on_hand, g.backorders = st.int_backorders, g.on_order = st.int_on_order;
    g.stockout = st.int_stockout, g.holding_cost = money().holding_cost;
    return g;
}

std::vector<ItemSummary> Simulation::item_summaries() const {
    const double window = std::max(now_ - sc_.run.warmup_days, 0.0);
    const double days = window > 0 ? window : kNaN;
    std::vector<ItemSummary> out(items_.size());
    for (std::size_t i = 0; i < items_.size(); ++i) {
        const ItemRun& it = items_[i];
        const ItemFlows& f = it.flows;
        ItemIntegrals g = one_item_ ? store_integrals() : it.integrals;
        if (!one_item_)  // brought up to now on a copy (as summary() does)
            g.advance(now_, sc_.run.warmup_days, it.stock.on_hand(), it.stock.backorder_units(), it.stock.on_order(),
                      it.stock.holding_per_day());
        ItemSummary& m = out[i];
        m.fill(kNaN);
        set(m, ItemMetric::demand_units, f.demand);
        set(m, ItemMetric::substitute_demand_units, f.substitute_demand);
        set(m, ItemMetric::served_from_stock_units, f.served);
        set(m, ItemMetric::substitute_sales_units, f.substitute_sales);
        set(m, ItemMetric::backordered_units, f.backordered);
        set(m, ItemMetric::lost_units, f.lost);
        set(m, ItemMetric::substituted_units, f.substituted);
        set(m, ItemMetric::delayed_units, f.delayed);
        set(m, ItemMetric::cancelled_units, f.cancelled);
        set(m, ItemMetric::fulfilled_backorder_units, f.fulfilled);
        set(m, ItemMetric::late_backorder_units, f.late);
        set(m, ItemMetric::fill_rate, ratio(f.served, f.demand));
        set(m, ItemMetric::backorder_acceptance_rate, ratio(f.accepted, f.offers));
        set(m, ItemMetric::avg_on_hand, g.on_hand / days);
        set(m, ItemMetric::avg_backorders, g.backorders / days);
        const PeriodEnds& p = it.period_ends;
        set(m, ItemMetric::period_end_on_hand, ratio(p.on_hand, p.samples));
        set(m, ItemMetric::period_end_backorders, ratio(p.backorders, p.samples));
        set(m, ItemMetric::stockout_time_fraction, g.stockout / days);
        set(m, ItemMetric::ending_on_hand, static_cast<double>(it.stock.on_hand()));
        set(m, ItemMetric::revenue, f.revenue_cents / 100.0);
        set(m, ItemMetric::cost_of_goods_sold, f.cogs_cents / 100.0);
        set(m, ItemMetric::lost_revenue, f.lost_revenue_cents / 100.0);
        set(m, ItemMetric::holding_cost, g.holding_cost);
        set(m, ItemMetric::gross_margin,
            (f.revenue_cents - f.cogs_cents) / 100.0 - g.holding_cost - f.price_variance_cents / 100.0);
        set(m, ItemMetric::orders_placed, f.orders);
        set(m, ItemMetric::salvage_value, static_cast<double>(it.stock.on_hand()) * it.spec.salvage_value);
        set(m, ItemMetric::purchase_price_variance, f.price_variance_cents / 100.0);
        set(m, ItemMetric::notices_sent, f.notices);
        set(m, ItemMetric::cancelled_after_notice_units, f.cancelled_after_notice);
    }
    return out;
}

std::vector<VendorSummary> Simulation::vendor_summaries() const {
    std::vector<VendorSummary> out(vendors_.size());
    for (std::size_t v = 0; v < vendors_.size(); ++v) {
        const VendorRecord& r = vendor_flows_[v];
        VendorSummary& m = out[v];
        m.fill(kNaN);
        set(m, VendorMetric::orders_placed, r.orders);
        set(m, VendorMetric::ordered_units, r.ordered_units);
        set(m, VendorMetric::shipments, r.shipments);
        set(m, VendorMetric::late_shipments, r.late_shipments);
        set(m, VendorMetric::received_units, r.received_units);
        set(m, VendorMetric::short_units, r.short_units);
        set(m, VendorMetric::due_units_end, static_cast<double>(vendors_[v].due_units()));
        set(m, VendorMetric::on_time_rate, r.on_time_rate());
        set(m, VendorMetric::fill_rate, r.fill_rate());
        set(m, VendorMetric::mean_lead_time_days, r.mean_lead_time_days());
        set(m, VendorMetric::spend, r.spend_cents / 100.0);
        set(m, VendorMetric::ordering_cost, r.ordering_cost_cents / 100.0);
        set(m, VendorMetric::disrupted_days, vendors_[v].down_days(now_));
    }
    return out;
}

}  // namespace stocklab

namespace stocklab {

/// Segment g's window flows. A store of one segment kept none: the items' totals are its (units and
/// whole cents: the sums are exact in any order). Units wanted as a substitute count at the first choice.
SegmentFlows Simulation::segment_window_flows(std::size_t g) const {
    SegmentFlows s = segment_flows_[g];
    if (segmented_) return s;
    for (const ItemRun& it : items_) {
        const ItemFlows& f = it.flows;
        s.demand += f.demand - f.substitute_demand, s.served += f.served, s.substitute_sales += f.substitute_sales;
        s.backordered += f.backordered, s.lost += f.lost, s.passed_on += f.passed_on, s.cancelled += f.cancelled;
        s.revenue_cents += f.revenue_cents;
    }
    return s;
}

std::vector<SegmentSummary> Simulation::segment_summaries() const {
    const std::size_t n = segment_flows_.size();
    std::vector<SegmentSummary> out(n);
    std::vector<double> customers(n, 0.0), active(n, 0.0), loyalty(n, 0.0), visits(n, 0.0), buying(n, 0.0);
    const CustomerPopulation& pop = customers_.population();
    const auto initial = static_cast<std::size_t>(sc_.customers.population);
    for (std::size_t id = 0; id < pop.size(); ++id) {
        const CustomerPopulation::Person& c = pop.people[id];
        const std::size_t g = c.segment;
        customers[g] += id < initial;  // new customers who joined are counted as they join
        active[g] += c.active;
        loyalty[g] += c.active ? c.loyalty : 0.0;
        visits[g] += c.occasions;
        buying[g] += c.purchases;
    }
    for (std::size_t g = 0; g < n; ++g) {
        const SegmentFlows f = segment_window_flows(g);
        SegmentSummary& m = out[g];
        m.fill(kNaN);
        if (customers_.customers_mode()) {
            set(m, SegmentMetric::customers, customers[g] + f.joined);
            set(m, SegmentMetric::active_customers, active[g]);
            set(m, SegmentMetric::mean_loyalty, ratio(loyalty[g], active[g]));
            set(m, SegmentMetric::visits, visits[g]);
            set(m, SegmentMetric::buying_visits, buying[g]);
        }
        set(m, SegmentMetric::demand_units, f.demand);
        set(m, SegmentMetric::served_from_stock_units, f.served - f.substitute_sales);
        set(m, SegmentMetric::saved_by_substitute_units, f.substitute_sales);
        set(m, SegmentMetric::backordered_units, f.backordered);
        set(m, SegmentMetric::lost_units, f.lost - f.passed_on);
        set(m, SegmentMetric::cancelled_units, f.cancelled);
        set(m, SegmentMetric::fill_rate, ratio(f.served - f.substitute_sales, f.demand));
        set(m, SegmentMetric::revenue, f.revenue_cents / 100.0);
    }
    return out;
}

}  // namespace stocklab
