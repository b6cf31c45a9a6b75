// Purchases: a customer meets the stock points. A visit picks a basket of items by popularity; for
// each item, a sale from stock, or a stock-out and the customer's response (wait for a backorder,
// buy elsewhere, take a substitute of the store, come back later, not buy); backorders served as
// stock arrives, or cancelled when patience runs out; what each experience does to loyalty.
#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint32_t kMaxBasket = 64;  // distinct items one visit can pick
}  // namespace

void Simulation::handle_occasion(const Occasion& occ) {
    if (one_item_) return handle_one_item_occasion(occ);
    Engine draws(occ.seed);  // everything this customer does now, in a fixed order
    std::uint32_t basket[kMaxBasket];
    std::uint64_t line_seeds[kMaxBasket];
    std::uint32_t n = 1;
    if (occ.item >= 0) basket[0] = static_cast<std::uint32_t>(occ.item);  // a return for one item
    else n = pick_basket(segment_of(occ.customer).basket, draws, basket);
    // The basket first (it reads no state that advance changes): its items' records, out of cache
    // in a large store, then arrive while the store's integrals catch up.
    for (std::uint32_t k = 0; k < n; ++k) items_[basket[k]].prefetch_for_sale();
    advance_as<false>(now_);
    ++occasions_handled_;
    if (occ.customer >= 0 && in_window()) customers_.count_occasion(occ.customer);
    // Each item after the first has its own stream, drawn before any item is handled: what the
    // customer does about one item never shifts the random numbers of another (common random
    // numbers across policies). The first item continues the visit's stream (version 1's draws).
    for (std::uint32_t k = 1; k < n; ++k) line_seeds[k] = draws();
    bool bought = handle_line<false>(occ.customer, basket[0], draws);
    for (std::uint32_t k = 1; k < n; ++k) {
        Engine line(line_seeds[k]);
        bought = handle_line<false>(occ.customer, basket[k], line) || bought;
    }
    if (bought && occ.customer >= 0 && in_window()) customers_.count_purchase(occ.customer);
    for (std::uint32_t k = 0; k < n; ++k) decision_point(basket[k], false);
}

/// The same steps with one item: the basket is that item (its size still drawn when the size is
/// random, as above), it has no substitutes, and its integrals are the store's.
void Simulation::handle_one_item_occasion(const Occasion& occ) {
    advance_as<true>(now_);
    ++occasions_handled_;
    Engine draws(occ.seed);
    if (occ.customer >= 0 && in_window()) customers_.count_occasion(occ.customer);
    if (baskets_draw_ && occ.item < 0) (void)segment_of(occ.customer).basket.sample(draws);
    const bool bought = handle_line<true>(occ.customer, 0, draws);
    if (bought && occ.customer >= 0 && in_window()) customers_.count_purchase(occ.customer);
    decision_point(0, false);
}

/// The items of a visit: a basket size, then that many distinct items by popularity, each drawn
/// among the items not yet picked (their weights renormalised: one draw per item, no rejection). With
/// one item, nothing but the size is drawn.
std::uint32_t Simulation::pick_basket(const Distribution& sizes, Engine& draws, std::uint32_t* basket) const {
    const auto items = static_cast<std::uint32_t>(items_.size());
    const double size = sizes.sample(draws);
    if (items == 1) {
        basket[0] = 0;
        return 1;
    }
    const std::uint32_t n = std::min({static_cast<std::uint32_t>(size), popularity_.pickable(), kMaxBasket});
    std::uint32_t taken[kMaxBasket];  // the picked items in item order
    double taken_weight = 0.0;
    for (std::uint32_t k = 0; k < n; ++k) {
        // A uniform over the weight left, mapped onto the full scale by skipping the taken intervals.
        double u = uniform01(draws) * (1.0 - taken_weight);
        for (std::uint32_t t = 0; t < k && u >= popularity_.start(taken[t]); ++t) u += popularity_.weight(taken[t]);
        std::uint32_t i = std::min(popularity_.find(u), popularity_.last());
        while (popularity_.weight(i) == 0.0 || std::find(taken, taken + k, i) != taken + k) i = (i + 1) % items;  // rounding
        basket[k] = i;
        taken_weight += popularity_.weight(i);
        std::uint32_t* at = std::upper_bound(taken, taken + k, i);
        std::copy_backward(at, taken + k, taken + k + 1);
        *at = i;
    }
    return n;
}

/// One item of a visit: returns true when the customer bought some of it (now or as a backorder).
template <bool kOneItem>
bool Simulation::handle_line(std::int64_t customer, std::uint32_t item, Engine& draws) {
    ItemRun& it = items_[item];
    if constexpr (!kOneItem) {  // one item: no substitutes, and its integrals are the store's
        touch_item(item);
        if (it.has_substitutes) tried_.assign(1, item);  // the chain of items this line tries
    }
    const std::int64_t q = static_cast<std::int64_t>(sc_.demand.order_size.sample(draws));
    const bool win = in_window();
    if (win) {
        it.flows.demand += q;
        tally_segment(customer, [&](SegmentFlows& g) { g.demand += static_cast<double>(q); });
    }
    const std::int64_t served = it.stock.sell(q);
    const auto i = static_cast<std::int32_t>(item);
    if (served > 0) sell_from_stock(customer, item, served);
    const std::int64_t short_units = q - served;
    if (short_units == 0) {
        log(EventKind::Sale, customer, served, kNaN, i);
        customers_.good_experience(customer, sc_.customers.loyalty.served, now_);
        // Drawn last on this path, and only when enabled, so other draws keep their order.
        const double p_review = sc_.customers.word_of_mouth.positive_review_probability;
        if (sc_.customers.behaviour && customers_.customers_mode() && p_review > 0 && uniform01(draws) < p_review)
            positive_review(customer);
        return true;
    }
    if (served > 0) log(EventKind::PartialSale, customer, served, kNaN, i);
    bool bought = served > 0;
    stockout_response(customer, item, draws, short_units, served, bought);
    return bought;
}

void Simulation::sell_from_stock(std::int64_t customer, std::uint32_t item, std::int64_t units) {
    ItemRun& it = items_[item];
    const Cents paid = amount(units, it.price);
    post(LedgerCategory::Sale, paid, customer, static_cast<std::int32_t>(item));
    if (!in_window()) return;
    it.flows.served += units;
    it.flows.revenue_cents += static_cast<double>(paid);
    it.flows.cogs_cents += static_cast<double>(amount(units, it.unit_cost));
    tally_segment(customer, [&](SegmentFlows& g) {
        g.served += static_cast<double>(units);
        g.revenue_cents += static_cast<double>(paid);
    });
}

double Simulation::quoted_wait(std::uint32_t item, std::int64_t units_needed) const {
    const Shortage& s = items_[item].spec.shortage;
    if (s.quote == QuoteMode::None) return kNaN;
    if (s.quote == QuoteMode::Fixed) return s.quote_days;
    const double eta = honest_wait(item, units_needed);
    return s.quote == QuoteMode::Optimistic ? eta * s.quote_factor : eta;
}

/// Beyond the pipeline (honest_wait()): a new order's mean lead time (plus any outage still to run,
/// or the wait for the units booked beyond the horizon) from the vendor the item orders from now.
double Simulation::new_order_wait(std::uint32_t item, std::int64_t units_needed) const {
    const ItemRun& it = items_[item];
    const Vendor& vendor = vendors_[it.spec.vendors[pick_vendor(item, units_needed)]];
    const double booked = it.stock.booked_departure();
    const double leaves = std::max(booked, vendor.up() ? now_ : vendor.up_at());
    return vendor.spec().lead_time.mean() +
           (std::isfinite(booked) ? leaves - now_ : (vendor.up() ? 0.0 : vendor.up_at() - now_));
}

double Simulation::acceptance_probability(const BackorderAcceptance& a, double wait) const {
    switch (a.form) {
        case AcceptanceForm::Constant: return a.beta0;
        case AcceptanceForm::Exponential: return a.beta0 * std::exp(-a.rate_per_day * wait);
        case AcceptanceForm::Hyperbolic: return a.beta0 / (1.0 + a.rate_per_day * wait);
        case AcceptanceForm::Logistic: return a.beta0 / (1.0 + std::exp(a.rate_per_day * (wait - a.midpoint_days)));
    }
    return a.beta0;
}

void Simulation::stockout_response(std::int64_t customer, std::uint32_t item, Engine& draws, std::int64_t short_units,
                                   std::int64_t served_units, bool& bought) {
    ItemRun& it = items_[item];
    const Shortage& s = it.spec.shortage;
    bool offered = s.rule != ShortageRule::LostSales;
    // Always quote when a backorder is offered: the quote sets the due date (lateness, apology
    // discounts), so it must not depend on whether events are recorded or narrated.
    const double quote = offered ? quoted_wait(item, it.stock.backorder_units() + short_units) : kNaN;
    if (s.rule == ShortageRule::PartialBackorder) {
        if (s.max_open_backorders >= 0 && it.stock.backorder_units() + short_units > s.max_open_backorders)
            offered = false;
        if (s.max_quoted_wait_days >= 0 && quote > s.max_quoted_wait_days) offered = false;
    }
    const double promised = std::isnan(quote) ? sc_.customers.expected_wait_days : quote;

    const Segment& segment = segment_of(customer);
    bool accept = offered;
    double u_choice = 0.0, patience = kInf, delay = 0.0;
    float u_review = 1.0f, u_churn = 1.0f;
    std::uint64_t return_seed = 0, notice_seed = 0;
    if (customers_.customers_mode() && sc_.customers.behaviour) {
        // Fixed draw order from the occasion's own stream: the same numbers under every policy.
        const double u_accept = uniform01(draws);
        u_choice = uniform01(draws);
        patience = segment.patience.sample(draws);
        delay = sc_.customers.response.delay_days.sample(draws);
        u_review = static_cast<float>(uniform01(draws));
        u_churn = static_cast<float>(uniform01(draws));
        return_seed = draws();
        accept = offered && u_accept < acceptance_probability(segment.acceptance, promised);
        // Drawn last, only when notices may ask the customer again: the other draws keep their order.
        if (accept && it.notices) notice_seed = draws();
    }
    if (offered && in_window()) {
        it.flows.offers += 1;
        if (accept) it.flows.accepted += 1;
    }
    (void)served_units;
    if (accept) {
        take_backorder(customer, item, short_units, quote, promised, patience, u_review, u_churn, notice_seed);
        bought = true;
    } else if (turn_away(customer, item, short_units, u_choice, delay, return_seed, u_review, u_churn)) {
        bought = substitute_in_store(customer, item, short_units, draws) || bought;
    }
}

/// The next of the item's substitutes this customer has not tried for this line, or -1.
std::int64_t Simulation::untried_substitute(std::uint32_t item) const {
    if (!items_[item].has_substitutes || tried_.size() >= kMaxChain) return -1;
    for (std::uint32_t j : items_[item].spec.substitutes)
        if (std::find(tried_.begin(), tried_.end(), j) == tried_.end()) return j;
    return -1;
}

/// A customer turned away from `item` takes its first untried substitute instead: a sale from its
/// stock saves the sale; what it lacks is a second stock-out there, with the same responses (the
/// chain never visits an item twice). Returns true when the customer bought some of it.
bool Simulation::substitute_in_store(std::int64_t customer, std::uint32_t item, std::int64_t units, Engine& draws) {
    const auto j = static_cast<std::uint32_t>(untried_substitute(item));
    tried_.push_back(j);
    items_[item].stock.pass_on(units);
    ItemRun& sub = items_[j];
    touch(j);
    if (in_window()) {
        items_[item].flows.passed_on += units;
        items_[item].flows.passed_on_revenue_cents += static_cast<double>(amount(units, items_[item].price));
        sub.flows.demand += units;
        sub.flows.substitute_demand += units;
        tally_segment(customer, [&](SegmentFlows& g) { g.passed_on += static_cast<double>(units); });
    }
    const std::int64_t served = sub.stock.sell(units, false);
    bool bought = false;
    if (served > 0) {
        sell_from_stock(customer, j, served);
        if (in_window()) {
            sub.flows.substitute_sales += served;
            tally_segment(customer, [&](SegmentFlows& g) { g.substitute_sales += static_cast<double>(served); });
        }
        log(EventKind::SubstituteSale, customer, served, static_cast<double>(item), static_cast<std::int32_t>(j));
        bought = true;
    }
    if (served < units) stockout_response(customer, j, draws, units - served, served, bought);
    decision_point(j, false);
    return bought;
}

double Simulation::allocation_rank(std::int64_t customer) const {
    if (customer < 0) return 0.0;
    switch (sc_.allocation) {
        case Allocation::Loyalty: return -customers_.loyalty(customer);
        case Allocation::Priority: return -static_cast<double>(segment_of(customer).priority);
        case Allocation::FirstComeFirstServed: break;
    }
    return 0.0;
}

void Simulation::take_backorder(std::int64_t customer, std::uint32_t item, std::int64_t units, double quote,
                                double promised, double patience, float u_review, float u_churn,
                                std::uint64_t notice_seed) {
    ItemRun& it = items_[item];
    const bool win = in_window();
    const auto i = static_cast<std::int32_t>(item);
    const Cents deposit = it.deposit;
    const double rank = allocation_rank(customer);
    const std::uint32_t slot = it.stock.add_backorder(Backorder{now_, now_ + promised, now_ + promised, customer, units,
                                                                units, deposit, true, u_review, u_churn, rank,
                                                                notice_seed});
    if (win) {
        it.flows.backordered += units;
        tally_segment(customer, [&](SegmentFlows& g) { g.backordered += static_cast<double>(units); });
    }
    if (deposit > 0) {
        post(LedgerCategory::Prepayment, amount(units, deposit), customer, i);
        accounts_.change_customer_prepayments(amount(units, deposit));
    }
    if (std::isfinite(patience) && now_ + patience < sc_.run.horizon_days)
        cal_.schedule(now_ + patience, EventType::Cancellation, slot, it.stock.generation(slot), item);
    log(EventKind::Backordered, customer, units, quote, i);
    // Served by rank, a new backorder may move those behind it later.
    if (sc_.allocation != Allocation::FirstComeFirstServed && it.spec.shortage.updates.mode == UpdateMode::NotifyOnSlip)
        review_promises(item, false);
}

bool Simulation::turn_away(std::int64_t customer, std::uint32_t item, std::int64_t units, double u_choice,
                           double delay, std::uint64_t return_seed, float u_review, float u_churn) {
    ItemRun& it = items_[item];
    const bool win = in_window();
    const auto i = static_cast<std::int32_t>(item);
    EventKind kind = EventKind::BoughtElsewhere;
    if (customers_.customers_mode() && sc_.customers.behaviour) {
        const StockoutResponse& r = sc_.customers.response;
        if (u_choice < r.buy_elsewhere) kind = EventKind::BoughtElsewhere;
        else if (u_choice < r.buy_elsewhere + r.substitute) kind = EventKind::Substituted;
        else if (u_choice < r.buy_elsewhere + r.substitute + r.delay) kind = EventKind::Delayed;
        else kind = EventKind::NoPurchase;
    }
    if (kind == EventKind::Delayed) {
        if (win) it.flows.delayed += units;
        if (now_ + delay < sc_.run.horizon_days)
            cal_.schedule(now_ + delay, EventType::DelayedReturn, static_cast<std::uint32_t>(customer), item,
                          return_seed);
        log(kind, customer, units, delay, i);
    } else {
        it.stock.lose(units);
        if (win) {
            it.flows.lost += units;
            it.flows.lost_revenue_cents += static_cast<double>(amount(units, it.price));
            tally_segment(customer, [&](SegmentFlows& g) { g.lost += static_cast<double>(units); });
            if (kind == EventKind::Substituted) it.flows.substituted += units;
        }
        log(kind, customer, units, kNaN, i);
    }
    bad_experience(customer, sc_.customers.loyalty.turned_away, u_review, u_churn);
    return kind == EventKind::Substituted && untried_substitute(item) >= 0;
}

void Simulation::on_delayed_return(const Event& e) {
    const auto id = static_cast<std::int64_t>(e.a);
    if (!customers_.active(id)) return;
    handle_occasion(Occasion{e.payload, id, static_cast<std::int64_t>(e.b)});
}

void Simulation::on_new_customer() {
    const std::int64_t id = customers_.on_new_customer(now_);
    if (id < 0) return;
    segment_flows(id).joined += 1;
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

void Simulation::serve_backorders(std::uint32_t item) {
    StockPoint& stock = items_[item].stock;
    std::uint32_t slot = 0;
    while (stock.on_hand() > 0 && stock.first_waiting(slot)) {
        const std::int64_t ship = stock.shippable(slot, items_[item].spec.shortage.partial_shipments);
        if (ship == 0) break;
        ship_backorder(item, slot, ship);
        if (stock.backorder(slot).units == 0) {
            const Backorder done = stock.backorder(slot);
            stock.complete_first();
            backorder_completed(item, done);
        }
    }
}

void Simulation::ship_backorder(std::uint32_t item, std::uint32_t slot, std::int64_t units) {
    ItemRun& it = items_[item];
    it.stock.ship(slot, units);
    const Backorder& b = it.stock.backorder(slot);
    const double waited = now_ - b.order_time;
    const auto i = static_cast<std::int32_t>(item);
    post(LedgerCategory::Sale, amount(units, it.price - b.prepaid_per_unit), b.customer, i);
    accounts_.change_customer_prepayments(-amount(units, b.prepaid_per_unit));
    if (in_window()) {
        tally_segment(b.customer,
                      [&](SegmentFlows& g) { g.revenue_cents += static_cast<double>(amount(units, it.price)); });
        it.flows.fulfilled += units;
        it.flows.wait_units_days += static_cast<double>(units) * waited;
        it.flows.revenue_cents += static_cast<double>(amount(units, it.price));
        it.flows.cogs_cents += static_cast<double>(amount(units, it.unit_cost));
    }
    log(EventKind::BackorderShipped, b.customer, units, waited, i);
}

double Simulation::loyalty_of(std::int64_t customer) const {
    return customer >= 0 && customers_.customers_mode() ? customers_.loyalty(customer) : 0.0;
}

void Simulation::backorder_completed(std::uint32_t item, const Backorder& b) {
    ItemRun& it = items_[item];
    const auto i = static_cast<std::int32_t>(item);
    const double late_by = now_ - b.due_time;
    const double grace = sc_.customers.late_grace_days;
    if (late_by > grace + 1e-9) {
        // Announced: the customer was told (by a notice) a date that this shipment kept.
        const bool announced = now_ <= b.told + grace + 1e-9;
        if (in_window()) {
            it.flows.late += static_cast<double>(b.original);
            if (announced) it.flows.late_announced += static_cast<double>(b.original);
        }
        const Cents discount =
            amount(b.original, round_cents(it.spec.shortage.apology_discount * static_cast<double>(it.price)));
        if (discount > 0) {
            post(LedgerCategory::ApologyDiscount, -discount, b.customer, i);
            if (in_window()) {
                it.flows.revenue_cents -= static_cast<double>(discount);
                tally_segment(b.customer, [&](SegmentFlows& g) { g.revenue_cents -= static_cast<double>(discount); });
            }
        }
        log(EventKind::BackorderLate, b.customer, b.original, late_by, i);
        const LoyaltyRules& L = sc_.customers.loyalty;
        const double before = loyalty_of(b.customer);
        bad_experience(b.customer, announced ? L.backorder_late_announced : L.backorder_late, b.u_review, b.u_churn);
        if (in_window()) (announced ? st_.loyalty_lost_announced : st_.loyalty_lost_surprise) += before - loyalty_of(b.customer);
    } else if (sc_.customers.behaviour && customers_.customers_mode() && b.customer >= 0) {
        customers_.scale_loyalty(b.customer, sc_.customers.loyalty.backorder_on_time, now_);
        if (b.u_review < sc_.customers.word_of_mouth.positive_review_probability) positive_review(b.customer);
    }
}

void Simulation::on_cancellation(const Event& e) {
    cancel_backorder(static_cast<std::uint32_t>(e.payload), e.a, e.b, false, true);
}

void Simulation::cancel_backorder(std::uint32_t item, std::uint32_t slot, std::uint32_t gen, bool after_notice,
                                  bool decide) {
    ItemRun& it = items_[item];
    const Backorder& b = it.stock.backorder(slot);
    if (!b.open || !(it.stock.generation(slot) == gen)) return;
    advance(now_);
    touch(item);
    const std::int64_t units = it.stock.cancel(slot, gen);
    const auto i = static_cast<std::int32_t>(item);
    if (in_window()) {
        tally_segment(b.customer, [&](SegmentFlows& g) { g.cancelled += static_cast<double>(units); });
        it.flows.cancelled += units;
        it.flows.lost_revenue_cents += static_cast<double>(amount(units, it.price));
        if (after_notice) it.flows.cancelled_after_notice += static_cast<double>(units);
    }
    if (b.prepaid_per_unit > 0) {
        post(LedgerCategory::Refund, -amount(units, b.prepaid_per_unit), b.customer, i);
        accounts_.change_customer_prepayments(-amount(units, b.prepaid_per_unit));
    }
    log(EventKind::BackorderCancelled, b.customer, units, now_ - b.order_time, i);
    const LoyaltyRules& L = sc_.customers.loyalty;
    const double before = loyalty_of(b.customer);
    bad_experience(b.customer, after_notice ? L.cancelled_after_notice : L.cancelled, b.u_review, b.u_churn);
    if (after_notice && in_window()) st_.loyalty_lost_announced += before - loyalty_of(b.customer);
    if (decide) decision_point(item, false);
}

}  // namespace stocklab
