#pragma once
/// Statistics over the measured window [warm-up, horizon]: flow counts (units, money, customers) and
/// time integrals of the state (stock, orders, cash, balances), from which the summary metrics are
/// computed. Invariants: counts only grow, and only inside the window; the integrals cover exactly
/// the window so far, split only where the state may have changed (the same splits however the
/// run is advanced, so results are bit for bit the same).
#include <algorithm>
#include <cstdint>

#include "model/ledger.hpp"

namespace stocklab {

/// The state whose time averages the summary reports.
struct IntegratedState {
    std::int64_t on_hand, backorders, on_order;
    Cents cash, customer_prepayments, net_payables;
    bool supplier_up;
};

struct WindowStats {
    double demand = 0, served = 0, backordered = 0, lost = 0, substituted = 0, delayed = 0, cancelled = 0,
           fulfilled = 0, late = 0, offers = 0, accepted = 0, wait_units_days = 0, revenue_cents = 0,
           lost_revenue_cents = 0, cogs_cents = 0, orders = 0, ordered_units = 0, due_units = 0, received_units = 0,
           disrupted_days = 0, churned = 0, reviews = 0, positive_reviews = 0, new_customers = 0;
    double int_on_hand = 0, int_backorders = 0, int_on_order = 0, int_ip = 0, int_stockout = 0, int_cash_negative = 0,
           int_prepay = 0, int_payables = 0;
    double min_cash_cents = 0;
    bool min_cash_set = false;

    /// Adds `dt` days of `s` to the integrals.
    void integrate(double dt, const IntegratedState& s) {
        const double bo = static_cast<double>(s.backorders);
        int_on_hand += static_cast<double>(s.on_hand) * dt;
        int_backorders += bo * dt;
        int_on_order += static_cast<double>(s.on_order) * dt;
        int_ip += static_cast<double>(s.on_hand + s.on_order - s.backorders) * dt;
        if (s.on_hand == 0) int_stockout += dt;
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
