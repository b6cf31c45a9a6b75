#pragma once
/// Statistics over the measured window [warm-up, horizon]: flow counts (units, money, customers) and
/// time integrals of the state (stock, orders, cash, balances), from which the summary metrics are
/// computed. Flows are counted per item (the store's are their sums, in item order); the store's
/// integrals follow the store's totals, split wherever the store's state may change; an item's own
/// integrals are split only where that item's state changes (no work per event for the others).
/// Invariants: counts only grow, and only inside the window; integrals cover exactly the window so
/// far, with the same splits however the run is advanced, so results are bit for bit the same.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "model/ledger.hpp"

namespace stocklab {

/// What happened to one item in the window (units, money in cents, orders). `lost` counts the short
/// units the item did not sell, including those `passed_on` to an in-store substitute (the store's
/// own losses are the items' minus what was passed on).
struct ItemFlows {
    double substitute_demand = 0, substitute_sales = 0, backordered = 0, lost = 0, substituted = 0, delayed = 0,
           passed_on = 0, passed_on_revenue_cents = 0, cancelled = 0, fulfilled = 0, late = 0, offers = 0, accepted = 0,
           wait_units_days = 0, lost_revenue_cents = 0, orders = 0, ordered_units = 0, due_units = 0,
           received_units = 0;
    double price_variance_cents = 0;  // what vendors charged above the standard unit cost, on units received
    double notices = 0, cancelled_after_notice = 0, late_announced = 0;  // keeping waiting customers informed
    // What every sale adds to, last: next to the item's other hot fields (Simulation::ItemRun).
    double demand = 0, served = 0, revenue_cents = 0, cogs_cents = 0;

    /// Adds another item's flows (the store's totals are the items' sums).
    void add(const ItemFlows& o) {
        demand += o.demand, substitute_demand += o.substitute_demand, served += o.served;
        substitute_sales += o.substitute_sales, backordered += o.backordered, lost += o.lost;
        substituted += o.substituted, delayed += o.delayed, passed_on += o.passed_on;
        passed_on_revenue_cents += o.passed_on_revenue_cents;
        cancelled += o.cancelled, fulfilled += o.fulfilled, late += o.late, offers += o.offers;
        accepted += o.accepted, wait_units_days += o.wait_units_days, revenue_cents += o.revenue_cents;
        lost_revenue_cents += o.lost_revenue_cents, cogs_cents += o.cogs_cents, orders += o.orders;
        ordered_units += o.ordered_units, due_units += o.due_units, received_units += o.received_units;
        price_variance_cents += o.price_variance_cents, notices += o.notices;
        cancelled_after_notice += o.cancelled_after_notice, late_announced += o.late_announced;
    }
};

/// What one customer segment did in the window (units; money in cents).
struct SegmentFlows {
    double demand = 0, served = 0, substitute_sales = 0, backordered = 0, lost = 0, passed_on = 0, cancelled = 0,
           revenue_cents = 0;
    double joined = 0;  // new customers who joined (over the whole run)
};

/// A periodic-review item's state just before each review in the window (the textbooks' period end:
/// after everything before the review's instant, before anything at it, an arrival included).
struct PeriodEnds {
    std::uint64_t k = 1;  // the next period end is review k (review 0 starts the first period)
    double next = std::numeric_limits<double>::infinity();
    double samples = 0, on_hand = 0, backorders = 0;  // sums over the samples
};

/// One item's time integrals over the window, brought up to date only when the item changes.
struct ItemIntegrals {
    double last = 0.0;  // integrated up to this time
    double on_hand = 0, backorders = 0, on_order = 0, stockout = 0, holding_cost = 0;

    /// Integrates the item's state from `last` to `t` (the window part of it) and its holding cost.
    void advance(double t, double warmup, std::int64_t oh, std::int64_t bo, std::int64_t oo, double holding_per_day) {
        if (!(t > last)) return;
        const double from = std::max(last, warmup);
        if (t > from) {
            const double dt = t - from;
            on_hand += static_cast<double>(oh) * dt;
            backorders += static_cast<double>(bo) * dt;
            on_order += static_cast<double>(oo) * dt;
            if (oh == 0) stockout += dt;
            holding_cost += holding_per_day * dt;
        }
        last = t;
    }
};

/// The store's money over the measured window so far (the summary's definitions), the margin of the
/// units lost and cancelled (not part of profit) and the cash balance.
struct MoneyTally {
    double profit = 0, revenue = 0, cost_of_goods_sold = 0, holding_cost = 0, ordering_cost = 0, net_interest = 0,
           salvage_value = 0, lost_margin = 0, cash = 0, purchase_price_variance = 0;
};

/// The store's state whose time averages the summary reports.
struct IntegratedState {
    std::int64_t on_hand, backorders, on_order;
    std::int64_t items_out, items;  // items with nothing on hand, of all items
    Cents cash, customer_prepayments, net_payables;
    bool supplier_up;
};

/// The store's window statistics: integrals of its totals, its cash, its customers.
struct WindowStats {
    double disrupted_days = 0, churned = 0, reviews = 0, positive_reviews = 0, new_customers = 0;
    double loyalty_lost_announced = 0, loyalty_lost_surprise = 0;  // loyalty customers lost to delays
    double int_on_hand = 0, int_backorders = 0, int_on_order = 0, int_ip = 0, int_stockout = 0, int_cash_negative = 0,
           int_prepay = 0, int_payables = 0;
    double min_cash_cents = 0;
    bool min_cash_set = false;

    /// Adds `dt` days of `s` to the integrals. Time out of stock is averaged over the items (with one
    /// item: the time it had nothing on hand).
    void integrate(double dt, const IntegratedState& s) {
        const double bo = static_cast<double>(s.backorders);
        int_on_hand += static_cast<double>(s.on_hand) * dt;
        int_backorders += bo * dt;
        int_on_order += static_cast<double>(s.on_order) * dt;
        int_ip += static_cast<double>(s.on_hand + s.on_order - s.backorders) * dt;
        if (s.items_out > 0) int_stockout += dt * (static_cast<double>(s.items_out) / static_cast<double>(s.items));
        if (s.cash < 0) int_cash_negative += dt;
        int_prepay += static_cast<double>(s.customer_prepayments) * dt;
        int_payables += static_cast<double>(s.net_payables) * dt;
        if (!s.supplier_up) disrupted_days += dt;
    }
    /// The window opens at the warm-up: its minimum cash starts from the cash held then.
    void open_at(double t, double warmup, Cents cash) {
        if (!min_cash_set && t >= warmup) {
            min_cash_cents = static_cast<double>(cash);
            min_cash_set = true;
        }
    }
    void saw_cash(Cents cash) { min_cash_cents = std::min(min_cash_cents, static_cast<double>(cash)); }
};

}  // namespace stocklab
