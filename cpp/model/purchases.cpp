// Purchases: a customer meets the stock point. A sale from stock, or a stock-out and the customer's
// response (wait for a backorder, buy elsewhere, substitute, come back later, not buy); backorders
// served as stock arrives, or cancelled when patience runs out; what each experience does to loyalty.
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void Simulation::handle_occasion(const Occasion& occ) {
    advance(now_);
    ++occasions_handled_;
    Engine draws(occ.seed);  // everything this customer does now, in a fixed order
    const std::int64_t q = static_cast<std::int64_t>(sc_.demand.order_size.sample(draws));
    const bool win = in_window();
    if (win) st_.demand += q;
    if (occ.customer >= 0 && win) customers_.count_occasion(occ.customer);

    const std::int64_t served = stock_.sell(q);
    if (served > 0) {
        post(LedgerCategory::Sale, amount(served, price_cents_), occ.customer);
        if (win) {
            st_.served += served;
            st_.revenue_cents += static_cast<double>(amount(served, price_cents_));
            st_.cogs_cents += static_cast<double>(amount(served, vendor_.unit_price_cents()));
        }
    }
    const std::int64_t short_units = q - served;
    if (short_units == 0) {
        if (occ.customer >= 0 && win) customers_.count_purchase(occ.customer);
        log(EventKind::Sale, occ.customer, served, kNaN);
        customers_.good_experience(occ.customer, sc_.customers.loyalty.served, now_);
        // Drawn last on this path, and only when enabled, so other draws keep their order.
        const double p_review = sc_.customers.word_of_mouth.positive_review_probability;
        if (sc_.customers.behaviour && customers_.customers_mode() && p_review > 0 && uniform01(draws) < p_review)
            positive_review(occ.customer);
    } else {
        if (served > 0) {
            if (occ.customer >= 0 && win) customers_.count_purchase(occ.customer);
            log(EventKind::PartialSale, occ.customer, served, kNaN);
        }
        stockout_response(occ, draws, short_units, served);
    }
    decision_point(false);
}

double Simulation::quoted_wait(std::int64_t units_needed) const {
    const Shortage& s = sc_.shortage;
    if (s.quote == QuoteMode::None) return kNaN;
    if (s.quote == QuoteMode::Fixed) return s.quote_days;
    // Honest estimate: the confirmed arrival of the shipment that covers this customer's place in
    // line; beyond the pipeline, a new order's mean lead time (plus any outage still to run).
    double eta = stock_.pipeline_wait(units_needed, now_);
    if (eta < 0) {  // a new order would leave now, or when an outage ends, or after the units booked
        const double leaves = std::max(stock_.booked_departure(), vendor_.up() ? now_ : vendor_.up_at());
        eta = sc_.supplier.lead_time.mean() + (std::isfinite(stock_.booked_departure()) ? leaves - now_
                                                                                          : (vendor_.up() ? 0.0 : vendor_.up_at() - now_));
    }
    if (s.quote == QuoteMode::Optimistic) eta *= s.quote_factor;
    return eta;
}

double Simulation::acceptance_probability(double wait) const {
    const BackorderAcceptance& a = sc_.customers.acceptance;
    switch (a.form) {
        case AcceptanceForm::Constant: return a.beta0;
        case AcceptanceForm::Exponential: return a.beta0 * std::exp(-a.rate_per_day * wait);
        case AcceptanceForm::Hyperbolic: return a.beta0 / (1.0 + a.rate_per_day * wait);
        case AcceptanceForm::Logistic: return a.beta0 / (1.0 + std::exp(a.rate_per_day * (wait - a.midpoint_days)));
    }
    return a.beta0;
}

void Simulation::stockout_response(const Occasion& occ, Engine& draws, std::int64_t short_units,
                                   std::int64_t served_units) {
    const Shortage& s = sc_.shortage;
    bool offered = s.rule != ShortageRule::LostSales;
    // Always quote when a backorder is offered: the quote sets the due date (lateness, apology
    // discounts), so it must not depend on whether events are recorded or narrated.
    const double quote = offered ? quoted_wait(stock_.backorder_units() + short_units) : kNaN;
    if (s.rule == ShortageRule::PartialBackorder) {
        if (s.max_open_backorders >= 0 && stock_.backorder_units() + short_units > s.max_open_backorders) offered = false;
        if (s.max_quoted_wait_days >= 0 && quote > s.max_quoted_wait_days) offered = false;
    }
    const double promised = std::isnan(quote) ? sc_.customers.expected_wait_days : quote;

    bool accept = offered;
    double u_choice = 0.0, patience = kInf, delay = 0.0;
    float u_review = 1.0f, u_churn = 1.0f;
    std::uint64_t return_seed = 0;
    if (customers_.customers_mode() && sc_.customers.behaviour) {
        // Fixed draw order from the occasion's own stream: the same numbers under every policy.
        const double u_accept = uniform01(draws);
        u_choice = uniform01(draws);
        patience = sc_.customers.patience.sample(draws);
        delay = sc_.customers.response.delay_days.sample(draws);
        u_review = static_cast<float>(uniform01(draws));
        u_churn = static_cast<float>(uniform01(draws));
        return_seed = draws();
        accept = offered && u_accept < acceptance_probability(promised);
    }
    if (offered && in_window()) {
        st_.offers += 1;
        if (accept) st_.accepted += 1;
    }
    if (accept) take_backorder(occ, short_units, served_units, quote, promised, patience, u_review, u_churn);
    else turn_away(occ, short_units, u_choice, delay, return_seed, u_review, u_churn);
}

void Simulation::take_backorder(const Occasion& occ, std::int64_t units, std::int64_t served_units, double quote,
                                double promised, double patience, float u_review, float u_churn) {
    const Shortage& s = sc_.shortage;
    const bool win = in_window();
    const Cents deposit = s.prepay ? round_cents(s.deposit_fraction * static_cast<double>(price_cents_)) : 0;
    const std::uint32_t slot = stock_.add_backorder(
        Backorder{now_, now_ + promised, occ.customer, units, units, deposit, true, u_review, u_churn});
    if (win) st_.backordered += units;
    if (deposit > 0) {
        post(LedgerCategory::Prepayment, amount(units, deposit), occ.customer);
        accounts_.change_customer_prepayments(amount(units, deposit));
    }
    if (occ.customer >= 0 && win && served_units == 0) customers_.count_purchase(occ.customer);
    if (std::isfinite(patience) && now_ + patience < sc_.run.horizon_days)
        cal_.schedule(now_ + patience, EventType::Cancellation, slot, stock_.generation(slot));
    log(EventKind::Backordered, occ.customer, units, quote);
}

void Simulation::turn_away(const Occasion& occ, std::int64_t units, double u_choice, double delay,
                           std::uint64_t return_seed, float u_review, float u_churn) {
    const bool win = in_window();
    EventKind kind = EventKind::BoughtElsewhere;
    if (customers_.customers_mode() && sc_.customers.behaviour) {
        const StockoutResponse& r = sc_.customers.response;
        if (u_choice < r.buy_elsewhere) kind = EventKind::BoughtElsewhere;
        else if (u_choice < r.buy_elsewhere + r.substitute) kind = EventKind::Substituted;
        else if (u_choice < r.buy_elsewhere + r.substitute + r.delay) kind = EventKind::Delayed;
        else kind = EventKind::NoPurchase;
    }
    if (kind == EventKind::Delayed) {
        if (win) st_.delayed += units;
        if (now_ + delay < sc_.run.horizon_days)
            cal_.schedule(now_ + delay, EventType::DelayedReturn, static_cast<std::uint32_t>(occ.customer), 0,
                          return_seed);
        log(kind, occ.customer, units, delay);
    } else {
        stock_.lose(units);
        if (win) {
            st_.lost += units;
            st_.lost_revenue_cents += static_cast<double>(amount(units, price_cents_));
            if (kind == EventKind::Substituted) st_.substituted += units;
        }
        log(kind, occ.customer, units, kNaN);
    }
    bad_experience(occ.customer, sc_.customers.loyalty.turned_away, u_review, u_churn);
}

void Simulation::on_delayed_return(const Event& e) {
    const auto id = static_cast<std::int64_t>(e.a);
    if (!customers_.active(id)) return;
    handle_occasion(Occasion{e.payload, id});
}

void Simulation::on_new_customer() {
    const std::int64_t id = customers_.on_new_customer(now_);
    if (id < 0) return;
    if (in_window()) st_.new_customers += 1;
    log(EventKind::NewCustomer, id, 0, kNaN);
}

// ---------------------------------------------------------------------------------------------
// Customers' memory

void Simulation::positive_review(std::int64_t customer) {
    if (in_window()) st_.positive_reviews += 1;
    const double reputation = customers_.positive_review(now_);
    log(EventKind::PositiveReview, customer, 0, reputation);
}

void Simulation::bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn) {
    const BadExperience b = customers_.bad_experience(customer, penalty, u_review, u_churn, now_);
    if (b.reviewed) {
        if (in_window()) st_.reviews += 1;
        log(EventKind::NegativeReview, customer, 0, customers_.reputation());
    }
    if (b.churned) {
        if (in_window()) st_.churned += 1;
        log(EventKind::Churned, customer, 0, customers_.loyalty(customer));
    }
}

// ---------------------------------------------------------------------------------------------
// Backorders

void Simulation::serve_backorders() {
    std::uint32_t slot = 0;
    while (stock_.on_hand() > 0 && stock_.first_waiting(slot)) {
        const std::int64_t ship = stock_.shippable(slot, sc_.shortage.partial_shipments);
        if (ship == 0) break;
        ship_backorder(slot, ship);
        if (stock_.backorder(slot).units == 0) {
            const Backorder done = stock_.backorder(slot);
            stock_.complete_first();
            backorder_completed(done);
        }
    }
}

void Simulation::ship_backorder(std::uint32_t slot, std::int64_t units) {
    stock_.ship(slot, units);
    const Backorder& b = stock_.backorder(slot);
    const double waited = now_ - b.order_time;
    post(LedgerCategory::Sale, amount(units, price_cents_ - b.prepaid_per_unit), b.customer);
    accounts_.change_customer_prepayments(-amount(units, b.prepaid_per_unit));
    if (in_window()) {
        st_.fulfilled += units;
        st_.wait_units_days += static_cast<double>(units) * waited;
        st_.revenue_cents += static_cast<double>(amount(units, price_cents_));
        st_.cogs_cents += static_cast<double>(amount(units, vendor_.unit_price_cents()));
    }
    log(EventKind::BackorderShipped, b.customer, units, waited);
}

void Simulation::backorder_completed(const Backorder& b) {
    const double late_by = now_ - b.due_time;
    if (late_by > sc_.customers.late_grace_days + 1e-9) {
        if (in_window()) st_.late += static_cast<double>(b.original);
        const Cents discount =
            amount(b.original, round_cents(sc_.shortage.apology_discount * static_cast<double>(price_cents_)));
        if (discount > 0) {
            post(LedgerCategory::ApologyDiscount, -discount, b.customer);
            if (in_window()) st_.revenue_cents -= static_cast<double>(discount);
        }
        log(EventKind::BackorderLate, b.customer, b.original, late_by);
        bad_experience(b.customer, sc_.customers.loyalty.backorder_late, b.u_review, b.u_churn);
    } else if (sc_.customers.behaviour && customers_.customers_mode() && b.customer >= 0) {
        customers_.scale_loyalty(b.customer, sc_.customers.loyalty.backorder_on_time, now_);
        if (b.u_review < sc_.customers.word_of_mouth.positive_review_probability) positive_review(b.customer);
    }
}

void Simulation::on_cancellation(const Event& e) {
    const Backorder& b = stock_.backorder(e.a);
    if (!b.open || !(stock_.generation(e.a) == e.b)) return;
    advance(now_);
    const std::int64_t units = stock_.cancel(e.a, e.b);
    if (in_window()) {
        st_.cancelled += units;
        st_.lost_revenue_cents += static_cast<double>(amount(units, price_cents_));
    }
    if (b.prepaid_per_unit > 0) {
        post(LedgerCategory::Refund, -amount(units, b.prepaid_per_unit), b.customer);
        accounts_.change_customer_prepayments(-amount(units, b.prepaid_per_unit));
    }
    log(EventKind::BackorderCancelled, b.customer, units, now_ - b.order_time);
    bad_experience(b.customer, sc_.customers.loyalty.cancelled, b.u_review, b.u_churn);
    decision_point(false);
}

}  // namespace stocklab
