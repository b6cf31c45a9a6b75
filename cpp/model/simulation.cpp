#include "model/simulation.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace stocklab {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMaxShipmentsPerOrder = 1000000;

double ratio(double num, double den) { return den > 0 ? num / den : kNaN; }

/// Adds `dt` days of the current state to the measured-window integrals. Shared by advance() and by
/// summary(), which integrates the time since the last event on a copy (run_until() stops between
/// events without splitting the integrals, so pieces and one run give the same bits).
template <class Stats>
void integrate_window(Stats& st, double dt, std::int64_t on_hand, std::int64_t backorders, std::int64_t on_order,
                      Cents cash, Cents prepayments, Cents payables_net, bool supplier_up) {
    const double bo = static_cast<double>(backorders);
    st.int_on_hand += static_cast<double>(on_hand) * dt;
    st.int_backorders += bo * dt;
    st.int_on_order += static_cast<double>(on_order) * dt;
    st.int_ip += static_cast<double>(on_hand + on_order - backorders) * dt;
    if (on_hand == 0) st.int_stockout += dt;
    if (cash < 0) st.int_cash_negative += dt;
    st.int_prepay += static_cast<double>(prepayments) * dt;
    st.int_payables += static_cast<double>(payables_net) * dt;
    if (!supplier_up) st.disrupted_days += dt;
}
/// The measured window opens at the warm-up: its minimum cash starts from the cash held then.
template <class Stats>
void open_window_at(Stats& st, double t, double warmup, Cents cash) {
    if (!st.min_cash_set && t >= warmup) {
        st.min_cash_cents = static_cast<double>(cash);
        st.min_cash_set = true;
    }
}
}  // namespace

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication,
                       ReplenishmentPolicy* custom)
    : sc_(scenario),
      seed_(seed),
      replication_(replication),
      custom_(custom),
      customers_mode_(scenario.demand.model == DemandModel::Customers),
      behaviour_(customers_mode_ && scenario.customers.behaviour),
      rng_arrivals_(make_global_engine(seed, replication, Purpose::DemandArrivals)),
      rng_pick_(make_global_engine(seed, replication, Purpose::CustomerPick)),
      rng_thin_(make_global_engine(seed, replication, Purpose::RateThinning)),
      rng_new_(make_global_engine(seed, replication, Purpose::NewCustomers)),
      rng_lead_(make_global_engine(seed, replication, Purpose::LeadTime, 0)),
      rng_reliability_(make_global_engine(seed, replication, Purpose::SupplierReliability, 0)),
      rng_disruption_(make_global_engine(seed, replication, Purpose::Disruption, 0)),
      rng_anonymous_(stream_seed(seed, replication, Purpose::AnonymousOccasion, 0)),
      record_events_(scenario.run.record_events) {
    on_hand_ = sc_.initial.on_hand;
    min_on_hand_ = on_hand_;
    price_cents_ = to_cents(sc_.sku.price);
    unit_price_cents_ = to_cents(sc_.supplier.unit_price);
    ledger_.reset(to_cents(sc_.initial.cash), sc_.run.record_ledger);
    st_.min_cash_cents = static_cast<double>(ledger_.cash());
    st_.min_cash_set = sc_.run.warmup_days <= 0.0;
    // Modest reserves (they grow when needed): a replication's allocations then stay under the C
    // library's trim threshold, so memory is not handed back to the kernel and faulted in again at
    // every replication (1024 calendar slots cost a one-year camera-lens replication 13%).
    cal_.reserve(64);
    backorders_.reserve(64);
    orders_.reserve(64);
    eta_buffer_.reserve(64);

    const double season_max = 1.0 + sc_.demand.seasonality.amplitude;
    if (customers_mode_) {
        const auto n = static_cast<std::size_t>(sc_.customers.population);
        const double bound = sc_.customers.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0;
        const double expected_new = bound * sc_.customers.new_customer_rate_per_day * sc_.run.horizon_days;
        customers_.loyalty_scales_rate = behaviour_;
        customers_.reserve(n + static_cast<std::size_t>(std::min(expected_new * 1.2 + 16.0, 2e7)));
        customers_.add_initial(n, sc_.customers.initial_loyalty, [&](std::size_t id) {
            return stream_seed(seed, replication, Purpose::Customer, id);
        });
        joined_customers_ = static_cast<std::int64_t>(n);
        // Bound on the total occasion rate of the initial population, not (rate / n) * n: with
        // behaviour off it then equals the anonymous stream's rate bit for bit (same seed, same run).
        max_rate_ = sc_.demand.rate_per_day * season_max / (behaviour_ ? sc_.customers.initial_loyalty : 1.0);
        if (sc_.customers.new_customer_rate_per_day > 0) schedule_next_new_customer();
    } else {
        max_rate_ = sc_.demand.rate_per_day * season_max;
    }
    update_candidate_rate();
    schedule_next_demand();

    const Replenishment& r = sc_.replenishment;
    double review_period = custom_ ? custom_->review_period_days() : (r.periodic() ? r.review_period_days : 0.0);
    double review_offset = custom_ ? custom_->review_offset_days() : r.review_offset_days;
    if (custom_ && !(review_period >= 0.0 && std::isfinite(review_period)))
        throw std::invalid_argument("custom policy: review_period_days must be a finite number >= 0");
    if (review_period > 0) {
        if (!(review_offset >= 0.0 && review_offset < review_period))
            throw std::invalid_argument("custom policy: review_offset_days must be in [0, review_period_days)");
        if (sc_.run.horizon_days / review_period > 1e8)
            throw std::invalid_argument("custom policy: review period too short for the horizon (over 1e8 reviews)");
        cal_.schedule(review_offset, EventType::Review, 0, 0, 0);
    }
    if (sc_.run.snapshot_interval_days > 0) cal_.schedule(0.0, EventType::Snapshot, 0, 0, 0);
    cal_.schedule(sc_.finance.accrual_period_days, EventType::DailyAccrual, 0, 0, 1);
    if (sc_.supplier.disruptions.enabled) {
        const Disruptions& d = sc_.supplier.disruptions;
        double first = d.first_down_days >= 0 ? d.first_down_days : d.up_days.sample(rng_disruption_);
        cal_.schedule(first, EventType::SupplierState);
    }
    forecast_per_day_ = sc_.demand.rate_per_day * sc_.demand.order_size.mean();
    if (review_period <= 0) continuous_review();
}

// ---------------------------------------------------------------------------------------------
// Driving the clock

double Simulation::next_event_time() const {
    if (finished_) return kInf;
    const double t = candidate_first() ? next_candidate_ : (cal_.empty() ? kInf : cal_.top().time);
    return t < sc_.run.horizon_days ? t : kInf;
}

bool Simulation::step() {
    if (finished_) return false;
    if (candidate_first()) {  // next_candidate_ < horizon by construction
        handle_candidate();
        return true;
    }
    if (cal_.empty() || cal_.top().time >= sc_.run.horizon_days) {
        finish();
        return false;
    }
    handle_calendar_event();
    return true;
}

void Simulation::handle_candidate() {
    if (next_candidate_ < now_) time_monotone_ = false;
    assert(next_candidate_ >= now_ && "time went backwards");
    now_ = next_candidate_;
    last_type_ = EventType::Demand;
    ++events_handled_;
    on_demand();  // changes integrated state only through handle_occasion(), which calls advance()
}

void Simulation::handle_calendar_event() {
    const Event e = cal_.pop();
    if (e.time < now_) time_monotone_ = false;
    assert(e.time >= now_ && "time went backwards");
    // Time integrals are brought up to date only where an event may change the integrated state
    // (stock, orders, cash, supplier status): arriving prospects and stale cancellations change
    // nothing. Snapshots only sample: they must not split the integrals either (a split changes the
    // last bits of the sums).
    switch (e.type()) {
        case EventType::Snapshot:
        case EventType::DelayedReturn:
        case EventType::NewCustomer:
        case EventType::Cancellation: break;  // these call advance() themselves if they change state
        default: advance(e.time);
    }
    now_ = e.time;
    last_type_ = e.type();
    if (e.type() != EventType::Snapshot) ++events_handled_;  // output sampling is not model work
    dispatch(e);
}

void Simulation::run_until(double t) {
    if (finished_) return;
    const double stop = std::min(t, sc_.run.horizon_days);
    std::uint32_t poll = 0;
    for (;;) {
        // Most events are purchase candidates, usually thinned: they take this short path.
        if (candidate_first()) {
            if (!(next_candidate_ < stop)) break;
            handle_candidate();
        } else {
            if (cal_.empty() || !(cal_.top().time < stop)) break;
            handle_calendar_event();
        }
        if (cancel_ && (++poll & 0xFFFu) == 0 && cancel_->load(std::memory_order_relaxed)) throw Interrupted();
    }
    if (t >= sc_.run.horizon_days) {
        finish();
    } else if (t > now_) {
        now_ = t;  // integrals catch up at the next event (summary() adds the tail): no extra split
    }
}

void Simulation::run() { run_until(sc_.run.horizon_days); }

void Simulation::dispatch(const Event& e) {
    switch (e.type()) {
        case EventType::SupplierState: on_supplier_state(); break;
        case EventType::ShipmentArrival: on_shipment(e); break;
        case EventType::Demand: break;  // never in the calendar (see next_candidate_)
        case EventType::DelayedReturn: on_delayed_return(e); break;
        case EventType::NewCustomer: on_new_customer(); break;
        case EventType::Cancellation: on_cancellation(e); break;
        case EventType::SupplierPayment: on_supplier_payment(e); break;
        case EventType::DailyAccrual: on_accrual(e); break;
        case EventType::Review: on_review(e); break;
        case EventType::Snapshot: on_snapshot(e); break;
    }
}

void Simulation::advance(double t) {
    const double from = std::max(last_integrated_, sc_.run.warmup_days);
    open_window_at(st_, t, sc_.run.warmup_days, ledger_.cash());
    if (t > from)
        integrate_window(st_, t - from, on_hand_, backorder_units_, on_order_, ledger_.cash(), prepayments_outstanding_,
                         payables_outstanding_ - supplier_advances_, supplier_up_);
    if (t > last_integrated_) {
        const double dt = t - last_integrated_;
        holding_accrual_.add(sc_.sku.holding_cost_per_unit_day * static_cast<double>(on_hand_) * dt);
        const double cash = static_cast<double>(ledger_.cash()) / 100.0;
        if (cash < 0) overdraft_accrual_.add(cash * sc_.finance.overdraft_rate_per_year / 365.0 * dt);
        else deposit_accrual_.add(cash * sc_.finance.deposit_rate_per_year / 365.0 * dt);
        last_integrated_ = t;
    }
}

void Simulation::finish() {
    if (finished_) return;
    advance(sc_.run.horizon_days);
    now_ = sc_.run.horizon_days;
    // Close the books: post what accrued since the last posting.
    post(LedgerCategory::HoldingCost, -holding_accrual_.take(), -1);
    post(LedgerCategory::InterestPaid, overdraft_accrual_.take(), -1);
    post(LedgerCategory::InterestEarned, deposit_accrual_.take(), -1);
    if (sc_.run.snapshot_interval_days > 0) snapshot_row(now_);
    finished_ = true;
}

void Simulation::post(LedgerCategory c, Cents amount, std::int64_t ref) {
    if (amount == 0) return;
    const bool win = in_window();
    ledger_.post(now_, c, amount, ref, win);
    if (win) st_.min_cash_cents = std::min(st_.min_cash_cents, static_cast<double>(ledger_.cash()));
}

void Simulation::log_row(EventKind k, std::int64_t customer, std::int64_t qty, double value) {
    events_.push_back(EventRecord{now_, customer, qty, on_hand_, backorder_units_, on_order_,
                                  static_cast<double>(ledger_.cash()) / 100.0, value, k});
}

// ---------------------------------------------------------------------------------------------
// Demand

double Simulation::season_factor(double t) const {
    const Seasonality& s = sc_.demand.seasonality;
    if (s.amplitude == 0.0) return 1.0;
    return 1.0 + s.amplitude * std::sin(2.0 * std::numbers::pi * (t - s.phase_days) / s.period_days);
}

void Simulation::update_candidate_rate() {
    candidate_rate_ =
        customers_mode_
            ? max_rate_ * (static_cast<double>(customers_.size()) / static_cast<double>(sc_.customers.population))
            : max_rate_;
}

void Simulation::schedule_next_demand() {
    const double dt = boost::random::exponential_distribution<double>(candidate_rate_)(rng_arrivals_);
    const double t = now_ + dt;
    next_candidate_ = t < sc_.run.horizon_days ? t : kNoCandidate;
}

void Simulation::on_demand() {
    schedule_next_demand();
    const double amp = sc_.demand.seasonality.amplitude;
    const double season = amp > 0 ? season_factor(now_) / (1.0 + amp) : 1.0;
    if (!customers_mode_) {
        if (amp > 0 && uniform01(rng_thin_) >= season) return;
        handle_occasion(Occasion{SmallEngine(rng_anonymous_()), -1});
        return;
    }
    const std::size_t n = customers_.size();
    std::size_t id = static_cast<std::size_t>(uniform01(rng_pick_) * static_cast<double>(n));
    if (id >= n) id = n - 1;
    CustomerPopulation::Hot& c = customers_.hot[id];
    // Every potential occasion of a customer consumes one seed from that customer's stream, so the
    // k-th potential occasion carries the same random numbers under every store policy.
    const std::uint64_t occasion_seed = c.stream();
    // Thinning draws only when loyalty or the season can scale the rate (with neither, the run equals
    // the anonymous Poisson stream bit for bit); a weight of 0 (churned, or a prospect who stayed
    // away) always rejects.
    if ((behaviour_ || amp > 0) ? uniform01(rng_thin_) >= season * c.weight : c.weight == 0.0) return;
    handle_occasion(Occasion{SmallEngine(occasion_seed), static_cast<std::int64_t>(id)});
}

void Simulation::on_delayed_return(const Event& e) {
    const std::size_t id = e.a;
    if (!customers_.active[id]) return;
    handle_occasion(Occasion{SmallEngine(e.payload), static_cast<std::int64_t>(id)});
}

double Simulation::reputation_at(double t) const {
    if (reputation_ == 0.0) return 0.0;
    return reputation_ * std::exp(-(t - reputation_time_) / sc_.customers.word_of_mouth.memory_days);
}

void Simulation::schedule_next_new_customer() {
    // Candidates arrive at twice the base rate when reputation can rise above neutral (positive
    // reviews), so thinning by factor / 2 can reach up to twice the base rate.
    const double bound = sc_.customers.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0;
    const double dt =
        boost::random::exponential_distribution<double>(bound * sc_.customers.new_customer_rate_per_day)(rng_new_);
    if (now_ + dt < sc_.run.horizon_days) cal_.schedule(now_ + dt, EventType::NewCustomer);
}

void Simulation::on_new_customer() {
    schedule_next_new_customer();
    // Reputation R scales arrivals by 2 / (1 + e^-R): 1 at R = 0, toward 0 with bad reviews and
    // toward 2 with good ones.
    const double bound = sc_.customers.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0;
    const double factor = 2.0 / (1.0 + std::exp(-reputation_at(now_)));
    const bool joins = uniform01(rng_new_) < factor / bound;
    const std::size_t id = customers_.size();
    if (id >= std::numeric_limits<std::uint32_t>::max()) return;
    // Every prospect gets the next id, whether or not reputation lets them join (those who stay away
    // are inactive from the start). So ids, the population size and with them the whole stream of
    // purchase candidates are the same under every store policy: common random numbers hold for
    // the whole run, not only until the policies' reputations first differ.
    customers_.add(sc_.customers.initial_loyalty, stream_seed(seed_, replication_, Purpose::Customer, id), joins);
    if (joins) {
        ++joined_customers_;
        if (in_window()) st_.new_customers += 1;
        log(EventKind::NewCustomer, static_cast<std::int64_t>(id), 0, kNaN);
    }
    update_candidate_rate();
    schedule_next_demand();  // the candidate rate changed: redraw the next candidate (memoryless)
}

void Simulation::handle_occasion(Occasion occ) {
    advance(now_);
    const std::int64_t q = static_cast<std::int64_t>(sc_.demand.order_size.sample(occ.engine));
    const bool win = in_window();
    demand_total_ += q;
    if (win) st_.demand += q;
    if (occ.customer >= 0 && win) customers_.occasions_in_window[occ.customer] += 1;

    const std::int64_t served = std::min<std::int64_t>(q, queue_.empty() ? on_hand_ : 0);
    if (served > 0) {
        on_hand_ -= served;
        min_on_hand_ = std::min(min_on_hand_, on_hand_);
        shipped_total_ += served;
        served_total_ += served;
        recorded_total_ += served;
        post(LedgerCategory::Sale, served * price_cents_, occ.customer);
        if (win) {
            st_.served += served;
            st_.revenue_cents += static_cast<double>(served * price_cents_);
            st_.cogs_cents += static_cast<double>(served * unit_price_cents_);
        }
    }
    const std::int64_t short_units = q - served;
    if (short_units == 0) {
        if (occ.customer >= 0 && win) customers_.purchases_in_window[occ.customer] += 1;
        log(EventKind::Sale, occ.customer, served, kNaN);
        good_experience(occ.customer, sc_.customers.loyalty.served);
        // Drawn last on this path, and only when enabled, so other draws keep their order.
        if (behaviour_ && sc_.customers.word_of_mouth.positive_review_probability > 0 &&
            uniform01(occ.engine) < sc_.customers.word_of_mouth.positive_review_probability)
            positive_review(occ.customer);
    } else {
        if (served > 0) {
            if (occ.customer >= 0 && win) customers_.purchases_in_window[occ.customer] += 1;
            log(EventKind::PartialSale, occ.customer, served, kNaN);
        }
        stockout_response(occ, short_units, served);
    }
    continuous_review();
}

double Simulation::quoted_wait(std::int64_t units_needed) const {
    const Shortage& s = sc_.shortage;
    if (s.quote == QuoteMode::None) return kNaN;
    if (s.quote == QuoteMode::Fixed) return s.quote_days;
    // Honest estimate: the confirmed arrival of the shipment that covers this customer's place in
    // line; beyond the pipeline, a new order's mean lead time (plus any outage still to run).
    // eta_buffer_ holds (confirmed arrival, units) of every open shipment, kept sorted by
    // place_order() and on_shipment(), so a quote is a walk, not a sort (quotes are made at every
    // backorder offer, and the pipeline can hold hundreds of shipments).
    double eta = -1.0;
    std::int64_t cum = 0;
    for (const auto& [arrival, units] : eta_buffer_) {
        cum += units;
        if (cum >= units_needed) {
            eta = std::max(0.0, arrival - now_);
            break;
        }
    }
    if (eta < 0) {  // not covered by the pipeline: the next order, placed now
        eta = sc_.supplier.lead_time.mean() + (supplier_up_ ? 0.0 : supplier_up_at_ - now_);
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

void Simulation::stockout_response(Occasion& occ, std::int64_t short_units, std::int64_t served_units) {
    const Shortage& s = sc_.shortage;
    const bool win = in_window();
    bool offered = s.rule != ShortageRule::LostSales;
    // Always quote when a backorder is offered: the quote sets the due date (lateness, apology
    // discounts), so it must not depend on whether events are recorded or narrated.
    const double quote = offered ? quoted_wait(backorder_units_ + short_units) : kNaN;
    if (s.rule == ShortageRule::PartialBackorder) {
        if (s.max_open_backorders >= 0 && backorder_units_ + short_units > s.max_open_backorders) offered = false;
        if (s.max_quoted_wait_days >= 0 && quote > s.max_quoted_wait_days) offered = false;
    }
    const double promised = std::isnan(quote) ? sc_.customers.expected_wait_days : quote;

    bool accept = offered;
    double u_choice = 0.0, patience = kInf, delay = 0.0;
    float u_review = 1.0f, u_churn = 1.0f;
    std::uint64_t return_seed = 0;
    if (behaviour_) {
        // Fixed draw order from the occasion's own stream: the same numbers under every policy.
        const double u_accept = uniform01(occ.engine);
        u_choice = uniform01(occ.engine);
        patience = sc_.customers.patience.sample(occ.engine);
        delay = sc_.customers.response.delay_days.sample(occ.engine);
        u_review = static_cast<float>(uniform01(occ.engine));
        u_churn = static_cast<float>(uniform01(occ.engine));
        return_seed = occ.engine();
        accept = offered && u_accept < acceptance_probability(promised);
    }
    if (offered && win) {
        st_.offers += 1;
        if (accept) st_.accepted += 1;
    }

    if (accept) {
        std::uint32_t slot;
        if (!free_backorders_.empty()) {
            slot = free_backorders_.back();
            free_backorders_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(backorders_.size());
            backorders_.push_back(Backorder{});
        }
        Backorder& b = backorders_[slot];
        const std::uint32_t gen = b.generation + 1;
        const Cents deposit = s.prepay ? static_cast<Cents>(std::llround(s.deposit_fraction * static_cast<double>(price_cents_))) : 0;
        b = Backorder{now_, now_ + promised, occ.customer, short_units, short_units, deposit, gen, true, u_review, u_churn};
        queue_.push_back(slot);
        ++open_backorder_records_;
        backorder_units_ += short_units;
        backordered_total_ += short_units;
        recorded_total_ += short_units;
        if (win) st_.backordered += short_units;
        if (deposit > 0) {
            post(LedgerCategory::Prepayment, deposit * short_units, occ.customer);
            prepayments_outstanding_ += deposit * short_units;
        }
        if (occ.customer >= 0 && win && served_units == 0) customers_.purchases_in_window[occ.customer] += 1;
        if (std::isfinite(patience) && now_ + patience < sc_.run.horizon_days)
            cal_.schedule(now_ + patience, EventType::Cancellation, slot, gen);
        log(EventKind::Backordered, occ.customer, short_units, quote);
        return;
    }

    // Turned away.
    EventKind kind = EventKind::BoughtElsewhere;
    if (behaviour_) {
        const StockoutResponse& r = sc_.customers.response;
        if (u_choice < r.buy_elsewhere) kind = EventKind::BoughtElsewhere;
        else if (u_choice < r.buy_elsewhere + r.substitute) kind = EventKind::Substituted;
        else if (u_choice < r.buy_elsewhere + r.substitute + r.delay) kind = EventKind::Delayed;
        else kind = EventKind::NoPurchase;
    }
    if (kind == EventKind::Delayed) {
        if (win) st_.delayed += short_units;
        if (now_ + delay < sc_.run.horizon_days)
            cal_.schedule(now_ + delay, EventType::DelayedReturn, static_cast<std::uint32_t>(occ.customer), 0,
                          return_seed);
        log(kind, occ.customer, short_units, delay);
    } else {
        lost_total_ += short_units;
        if (win) {
            st_.lost += short_units;
            st_.lost_revenue_cents += static_cast<double>(short_units * price_cents_);
            if (kind == EventKind::Substituted) st_.substituted += short_units;
        }
        log(kind, occ.customer, short_units, kNaN);
    }
    bad_experience(occ.customer, sc_.customers.loyalty.turned_away, u_review, u_churn);
}

// ---------------------------------------------------------------------------------------------
// Customers' memory

void Simulation::good_experience(std::int64_t customer, double gain) {
    if (!behaviour_ || customer < 0 || gain == 0.0) return;
    const double l = customers_.loyalty[customer];
    customers_.set_loyalty(customer, l + gain * (1.0 - l));
}

void Simulation::positive_review(std::int64_t customer) {
    if (in_window()) st_.positive_reviews += 1;
    reputation_ = reputation_at(now_) + sc_.customers.word_of_mouth.review_weight;
    reputation_time_ = now_;
    log(EventKind::PositiveReview, customer, 0, reputation_);
}

void Simulation::bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn) {
    if (!behaviour_ || customer < 0) return;
    const std::size_t id = static_cast<std::size_t>(customer);
    customers_.set_loyalty(id, customers_.loyalty[id] * (1.0 - penalty));
    const WordOfMouth& w = sc_.customers.word_of_mouth;
    if (u_review < w.review_probability) {
        if (in_window()) st_.reviews += 1;
        reputation_ = reputation_at(now_) - w.review_weight;
        reputation_time_ = now_;
        log(EventKind::NegativeReview, customer, 0, reputation_);
    }
    const LoyaltyRules& L = sc_.customers.loyalty;
    if (customers_.active[id] &&
        ((L.churn_below > 0 && customers_.loyalty[id] < L.churn_below) || u_churn < L.churn_probability)) {
        customers_.churn(id);
        if (in_window()) st_.churned += 1;
        log(EventKind::Churned, customer, 0, customers_.loyalty[id]);
    }
}

// ---------------------------------------------------------------------------------------------
// Backorders

void Simulation::serve_backorders() {
    const bool win = in_window();
    while (!queue_.empty() && on_hand_ > 0) {
        const std::uint32_t slot = queue_.front();
        Backorder& b = backorders_[slot];
        if (!b.open) {
            queue_.pop_front();
            free_backorders_.push_back(slot);
            continue;
        }
        const std::int64_t ship =
            sc_.shortage.partial_shipments ? std::min(b.units, on_hand_) : (on_hand_ >= b.units ? b.units : 0);
        if (ship == 0) break;
        on_hand_ -= ship;
        min_on_hand_ = std::min(min_on_hand_, on_hand_);
        b.units -= ship;
        backorder_units_ -= ship;
        shipped_total_ += ship;
        bo_shipped_total_ += ship;
        const double waited = now_ - b.order_time;
        post(LedgerCategory::Sale, ship * (price_cents_ - b.prepaid_per_unit), b.customer);
        prepayments_outstanding_ -= ship * b.prepaid_per_unit;
        if (win) {
            st_.fulfilled += ship;
            st_.wait_units_days += static_cast<double>(ship) * waited;
            st_.revenue_cents += static_cast<double>(ship * price_cents_);
            st_.cogs_cents += static_cast<double>(ship * unit_price_cents_);
        }
        log(EventKind::BackorderShipped, b.customer, ship, waited);
        if (b.units == 0) {
            queue_.pop_front();
            complete_backorder(slot);
        }
    }
}

void Simulation::complete_backorder(std::uint32_t slot) {
    Backorder& b = backorders_[slot];
    b.open = false;
    b.generation += 1;  // a pending cancellation for this slot is now stale
    --open_backorder_records_;
    free_backorders_.push_back(slot);
    const double late_by = now_ - b.due_time;
    if (late_by > sc_.customers.late_grace_days + 1e-9) {
        if (in_window()) st_.late += static_cast<double>(b.original);
        const Cents discount =
            static_cast<Cents>(std::llround(sc_.shortage.apology_discount * static_cast<double>(price_cents_))) * b.original;
        if (discount > 0) {
            post(LedgerCategory::ApologyDiscount, -discount, b.customer);
            if (in_window()) st_.revenue_cents -= static_cast<double>(discount);
        }
        log(EventKind::BackorderLate, b.customer, b.original, late_by);
        bad_experience(b.customer, sc_.customers.loyalty.backorder_late, b.u_review, b.u_churn);
    } else if (behaviour_ && b.customer >= 0) {
        const double l = customers_.loyalty[b.customer];
        customers_.set_loyalty(b.customer, l * (1.0 - sc_.customers.loyalty.backorder_on_time));
        if (b.u_review < sc_.customers.word_of_mouth.positive_review_probability) positive_review(b.customer);
    }
}

void Simulation::on_cancellation(const Event& e) {
    Backorder& b = backorders_[e.a];
    if (!b.open || b.generation != e.b) return;
    advance(now_);
    const std::int64_t units = b.units;
    b.open = false;  // freed when it reaches the head of the queue
    b.generation += 1;
    --open_backorder_records_;
    backorder_units_ -= units;
    bo_cancelled_total_ += units;
    if (in_window()) {
        st_.cancelled += units;
        st_.lost_revenue_cents += static_cast<double>(units * price_cents_);
    }
    if (b.prepaid_per_unit > 0) {
        post(LedgerCategory::Refund, -units * b.prepaid_per_unit, b.customer);
        prepayments_outstanding_ -= units * b.prepaid_per_unit;
    }
    log(EventKind::BackorderCancelled, b.customer, units, now_ - b.order_time);
    bad_experience(b.customer, sc_.customers.loyalty.cancelled, b.u_review, b.u_churn);
    continuous_review();
}

// ---------------------------------------------------------------------------------------------
// Supply

InventoryView Simulation::view(bool at_review) const {
    InventoryView v;
    v.now = now_;
    v.on_hand = on_hand_;
    v.backorders = backorder_units_;
    v.on_order = on_order_;
    v.inventory_position = on_hand_ + on_order_ - backorder_units_;
    v.recorded_demand = recorded_total_;
    v.sales = served_total_;
    v.open_orders = open_orders_;
    v.is_review = at_review;
    return v;
}

std::int64_t Simulation::builtin_order_quantity(bool at_review) {
    const Replenishment& r = sc_.replenishment;
    const std::int64_t ip = on_hand_ + on_order_ - backorder_units_;
    switch (r.kind) {
        case ReplenishmentKind::SS: return ip <= r.s ? r.S - ip : 0;
        case ReplenishmentKind::SQ:
            if (ip > r.s) return 0;
            return ((r.s - ip) / r.Q + 1) * r.Q;  // smallest multiple of Q that lifts ip above s
        case ReplenishmentKind::BaseStock: return ip < r.S ? r.S - ip : 0;
        case ReplenishmentKind::RS: return at_review && ip < r.S ? r.S - ip : 0;
        case ReplenishmentKind::RsS: return at_review && ip <= r.s ? r.S - ip : 0;
        case ReplenishmentKind::Forecast: {
            if (!at_review) return 0;
            const auto target = static_cast<std::int64_t>(std::ceil(forecast_per_day_ * r.cover_days)) + r.safety_stock;
            return ip < target ? target - ip : 0;
        }
        case ReplenishmentKind::None:
        case ReplenishmentKind::Custom: return 0;
    }
    return 0;
}

void Simulation::continuous_review() {
    if (custom_) {
        if (custom_->review_period_days() > 0) return;
        const std::int64_t q = custom_->order(view(false));
        if (q < 0) throw std::invalid_argument("custom policy returned " + std::to_string(q) + " units; must be >= 0");
        if (q > 0) place_order(q);
        return;
    }
    if (sc_.replenishment.periodic()) return;
    const std::int64_t q = builtin_order_quantity(false);
    if (q > 0) place_order(q);
}

void Simulation::on_review(const Event& e) {
    const std::uint64_t k = e.payload;
    const double period = custom_ ? custom_->review_period_days() : sc_.replenishment.review_period_days;
    const double offset = custom_ ? custom_->review_offset_days() : sc_.replenishment.review_offset_days;
    if (sc_.replenishment.kind == ReplenishmentKind::Forecast && !custom_) {
        const double since = static_cast<double>(recorded_total_ - recorded_at_last_review_);
        if (k > 0) forecast_per_day_ = sc_.replenishment.alpha * since / period + (1 - sc_.replenishment.alpha) * forecast_per_day_;
        recorded_at_last_review_ = recorded_total_;
    }
    std::int64_t q = 0;
    if (custom_) {
        q = custom_->order(view(true));
        if (q < 0) throw std::invalid_argument("custom policy returned " + std::to_string(q) + " units; must be >= 0");
    } else {
        q = builtin_order_quantity(true);
    }
    if (q > 0) place_order(q);
    const double next = static_cast<double>(k + 1) * period + offset;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Review, 0, 0, k + 1);
}

void Simulation::place_order(std::int64_t units) {
    const Supplier& sup = sc_.supplier;
    std::int64_t q = std::max(units, sup.min_order);
    if (sup.order_multiple > 1) q = ((q + sup.order_multiple - 1) / sup.order_multiple) * sup.order_multiple;
    if (q <= 0) return;
    if (q > 1000000000000LL) throw std::invalid_argument("an order of " + std::to_string(q) + " units exceeds 1e12");
    const std::int64_t id = next_order_id_++;
    const bool win = in_window();
    if (win) {
        st_.orders += 1;
        st_.ordered_units += static_cast<double>(q);
    }
    post(LedgerCategory::OrderingCost, -to_cents(sup.order_cost), id);
    Cents prepaid_total = 0;
    if (sup.payment == PaymentTerms::Prepay) {
        prepaid_total = q * unit_price_cents_;
        post(LedgerCategory::SupplierPayment, -prepaid_total, id);
        supplier_advances_ += prepaid_total;
    }

    double depart = supplier_up_ ? now_ : supplier_up_at_;
    std::int64_t remaining = q;
    std::int64_t chunks = 0;
    const Reliability& rel = sup.reliability;
    const bool unreliable = rel.partial_probability > 0 || rel.late_probability > 0;
    while (remaining > 0) {
        std::int64_t chunk = remaining;
        if (sup.capacity.units > 0) {
            const auto period = static_cast<std::int64_t>(std::floor(depart / sup.capacity.period_days));
            if (period > capacity_period_) {
                capacity_period_ = period;
                capacity_used_ = 0;
            }
            if (capacity_used_ >= sup.capacity.units) {
                ++capacity_period_;
                capacity_used_ = 0;
            }
            depart = std::max(depart, static_cast<double>(capacity_period_) * sup.capacity.period_days);
            chunk = std::min(remaining, sup.capacity.units - capacity_used_);
            capacity_used_ += chunk;
            if (++chunks > kMaxShipmentsPerOrder)
                throw std::invalid_argument("an order of " + std::to_string(q) +
                                            " units needs over 1e6 capacity periods; raise /supplier/capacity/units");
        }
        remaining -= chunk;
        double arrival = depart + sup.lead_time.sample(rng_lead_);
        // The supplier confirms this date when it ships; reliability failures below break it.
        double promised = sup.orders_may_cross ? arrival : std::max(arrival, last_arrival_);
        std::int64_t delivered = chunk;
        if (unreliable) {
            const double u = uniform01(rng_reliability_);
            if (u < rel.partial_probability) {
                delivered = static_cast<std::int64_t>(std::floor(static_cast<double>(chunk) *
                                                                 rel.partial_fraction.sample(rng_reliability_)));
            } else if (u < rel.partial_probability + rel.late_probability) {
                arrival += rel.late_days.sample(rng_reliability_);
            }
        }
        if (!sup.orders_may_cross) arrival = std::max(arrival, last_arrival_);
        last_arrival_ = std::max(last_arrival_, arrival);
        std::uint32_t slot;
        if (!free_orders_.empty()) {
            slot = free_orders_.back();
            free_orders_.pop_back();
        } else {
            slot = static_cast<std::uint32_t>(orders_.size());
            orders_.push_back(PurchaseOrder{});
        }
        const Cents chunk_prepaid = sup.payment == PaymentTerms::Prepay ? chunk * unit_price_cents_ : 0;
        orders_[slot] = PurchaseOrder{id, delivered, chunk, promised, chunk_prepaid};
        const std::pair<double, std::int64_t> eta_key{promised, delivered};
        eta_buffer_.insert(std::upper_bound(eta_buffer_.begin(), eta_buffer_.end(), eta_key), eta_key);
        on_order_ += chunk;
        ++open_orders_;
        cal_.schedule(arrival, EventType::ShipmentArrival, slot);
    }
    log(EventKind::OrderPlaced, id, q, kNaN);  // after the loop: the row shows the order on order
}

void Simulation::on_shipment(const Event& e) {
    PurchaseOrder& po = orders_[e.a];
    const std::int64_t received = po.units;
    {
        const std::pair<double, std::int64_t> eta_key{po.expected_arrival, po.units};
        const auto it = std::lower_bound(eta_buffer_.begin(), eta_buffer_.end(), eta_key);
        assert(it != eta_buffer_.end() && *it == eta_key);
        if (it != eta_buffer_.end() && *it == eta_key) eta_buffer_.erase(it);
    }
    on_hand_ += received;
    on_order_ -= po.ordered;
    received_total_ += received;
    --open_orders_;
    free_orders_.push_back(e.a);
    if (in_window()) {
        st_.received_units += static_cast<double>(received);
        st_.due_units += static_cast<double>(po.ordered);
    }
    const Cents invoice = received * unit_price_cents_;
    const Supplier& sup = sc_.supplier;
    switch (sup.payment) {
        case PaymentTerms::OnDelivery: post(LedgerCategory::SupplierPayment, -invoice, po.id); break;
        case PaymentTerms::Net: {
            std::uint32_t slot;
            if (!free_payables_.empty()) {
                slot = free_payables_.back();
                free_payables_.pop_back();
            } else {
                slot = static_cast<std::uint32_t>(payables_.size());
                payables_.push_back(Payable{});
            }
            payables_[slot] = Payable{invoice, po.id};
            payables_outstanding_ += invoice;
            cal_.schedule(now_ + sup.payment_terms_days, EventType::SupplierPayment, slot);
            break;
        }
        case PaymentTerms::Prepay: {
            supplier_advances_ -= po.prepaid;
            post(LedgerCategory::SupplierRefund, po.prepaid - invoice, po.id);
            break;
        }
    }
    log(EventKind::ShipmentReceived, po.id, received, kNaN);
    serve_backorders();
    continuous_review();
}

void Simulation::on_supplier_payment(const Event& e) {
    Payable& p = payables_[e.a];
    post(LedgerCategory::SupplierPayment, -p.amount, p.order_id);
    payables_outstanding_ -= p.amount;
    log(EventKind::SupplierPaid, p.order_id, 0, static_cast<double>(p.amount) / 100.0);
    free_payables_.push_back(e.a);
}

void Simulation::on_supplier_state() {
    const Disruptions& d = sc_.supplier.disruptions;
    if (supplier_up_) {
        supplier_up_ = false;
        supplier_up_at_ = now_ + d.down_days.sample(rng_disruption_);
        cal_.schedule(supplier_up_at_, EventType::SupplierState);
        log(EventKind::SupplierDown, -1, 0, supplier_up_at_ - now_);
    } else {
        supplier_up_ = true;
        const double up = d.up_days.sample(rng_disruption_);
        cal_.schedule(now_ + up, EventType::SupplierState);
        log(EventKind::SupplierUp, -1, 0, up);
    }
}

// ---------------------------------------------------------------------------------------------
// Money and snapshots

void Simulation::on_accrual(const Event& e) {
    post(LedgerCategory::HoldingCost, -holding_accrual_.take(), -1);
    post(LedgerCategory::InterestPaid, overdraft_accrual_.take(), -1);
    post(LedgerCategory::InterestEarned, deposit_accrual_.take(), -1);
    const double next = static_cast<double>(e.payload + 1) * sc_.finance.accrual_period_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::DailyAccrual, 0, 0, e.payload + 1);
}

void Simulation::on_snapshot(const Event& e) {
    snapshot_row(now_);
    const double next = static_cast<double>(e.payload + 1) * sc_.run.snapshot_interval_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Snapshot, 0, 0, e.payload + 1);
}

void Simulation::snapshot_row(double t) {
    auto& c = series_.columns;
    auto put = [&](Series s, double v) { c[static_cast<std::size_t>(s)].push_back(v); };
    put(Series::time, t);
    put(Series::on_hand, static_cast<double>(on_hand_));
    put(Series::backorders, static_cast<double>(backorder_units_));
    put(Series::on_order, static_cast<double>(on_order_));
    put(Series::inventory_position, static_cast<double>(on_hand_ + on_order_ - backorder_units_));
    put(Series::cash, static_cast<double>(ledger_.cash()) / 100.0);
    put(Series::demand, static_cast<double>(demand_total_));
    put(Series::recorded_demand, static_cast<double>(recorded_total_));
    put(Series::served_from_stock, static_cast<double>(served_total_));
    put(Series::lost, static_cast<double>(lost_total_));
    put(Series::active_customers, customers_mode_ ? static_cast<double>(customers_.active_count) : kNaN);
    put(Series::mean_loyalty, customers_mode_ && customers_.active_count > 0
                                  ? customers_.loyalty_sum_active / static_cast<double>(customers_.active_count)
                                  : kNaN);
    put(Series::reputation, customers_mode_ ? reputation_at(t) : kNaN);
}

// ---------------------------------------------------------------------------------------------
// Results

SimulationState Simulation::state() const {
    SimulationState s;
    s.time = now_;
    s.on_hand = on_hand_;
    s.backorders = backorder_units_;
    s.backorder_queue_length = open_backorder_records_;
    s.on_order = on_order_;
    s.open_orders = open_orders_;
    s.inventory_position = on_hand_ + on_order_ - backorder_units_;
    s.cash = static_cast<double>(ledger_.cash()) / 100.0;
    s.customers = joined_customers_;
    s.active_customers = customers_.active_count;
    s.mean_loyalty = customers_.active_count > 0 ? customers_.loyalty_sum_active / static_cast<double>(customers_.active_count) : kNaN;
    s.supplier_up = supplier_up_;
    s.events = events_handled_;
    return s;
}

Invariants Simulation::invariants() const {
    Invariants v;
    v.initial_on_hand = sc_.initial.on_hand;
    v.received_units = received_total_;
    v.shipped_units = shipped_total_;
    v.on_hand = on_hand_;
    v.backordered_total = backordered_total_;
    v.backorders_shipped_total = bo_shipped_total_;
    v.backorders_cancelled_total = bo_cancelled_total_;
    v.backorders_open = backorder_units_;
    v.cash = ledger_.cash();
    v.initial_cash = ledger_.initial_cash();
    Cents sum = 0;
    for (std::size_t c = 0; c < Ledger::kCategories; ++c) sum += ledger_.total(static_cast<LedgerCategory>(c));
    v.ledger_sum = sum;
    v.min_on_hand = min_on_hand_;
    v.time_monotone = time_monotone_;
    return v;
}

Summary Simulation::summary() const {
    // The window integrals run to the last event; run_until() may have moved the clock further.
    Stats st = st_;
    open_window_at(st, now_, sc_.run.warmup_days, ledger_.cash());
    const double tail_from = std::max(last_integrated_, sc_.run.warmup_days);
    if (now_ > tail_from)
        integrate_window(st, now_ - tail_from, on_hand_, backorder_units_, on_order_, ledger_.cash(),
                         prepayments_outstanding_, payables_outstanding_ - supplier_advances_, supplier_up_);
    Summary m;
    m.fill(kNaN);
    auto set = [&](Metric k, double v) { m[static_cast<std::size_t>(k)] = v; };
    const double window = std::max(now_ - sc_.run.warmup_days, 0.0);
    const double avg_div = window > 0 ? window : kNaN;
    const double revenue = st.revenue_cents / 100.0;
    const double cogs = st.cogs_cents / 100.0;
    // "+ 0.0" turns -0.0 into 0.0 for categories with no entries.
    auto cost = [&](LedgerCategory c) { return -static_cast<double>(ledger_.window_total(c)) / 100.0 + 0.0; };

    set(Metric::demand_units, st.demand);
    set(Metric::served_from_stock_units, st.served);
    set(Metric::backordered_units, st.backordered);
    set(Metric::lost_units, st.lost);
    set(Metric::substituted_units, st.substituted);
    set(Metric::delayed_units, st.delayed);
    set(Metric::cancelled_units, st.cancelled);
    set(Metric::fulfilled_backorder_units, st.fulfilled);
    set(Metric::late_backorder_units, st.late);
    set(Metric::fill_rate, ratio(st.served, st.demand));
    set(Metric::backorder_acceptance_rate, ratio(st.accepted, st.offers));
    set(Metric::mean_backorder_wait_days, ratio(st.wait_units_days, st.fulfilled));
    set(Metric::avg_on_hand, st.int_on_hand / avg_div);
    set(Metric::avg_backorders, st.int_backorders / avg_div);
    set(Metric::avg_on_order, st.int_on_order / avg_div);
    set(Metric::avg_inventory_position, st.int_ip / avg_div);
    set(Metric::stockout_time_fraction, st.int_stockout / avg_div);
    const double recorded = st.served + st.backordered;
    set(Metric::recorded_demand_units, recorded);
    set(Metric::demand_capture_ratio, ratio(recorded, st.demand));
    set(Metric::revenue, revenue);
    set(Metric::lost_revenue, st.lost_revenue_cents / 100.0);
    set(Metric::cost_of_goods_sold, cogs);
    const double holding = cost(LedgerCategory::HoldingCost);
    const double ordering = cost(LedgerCategory::OrderingCost);
    const double interest = cost(LedgerCategory::InterestPaid) + cost(LedgerCategory::InterestEarned);
    set(Metric::holding_cost, holding);
    set(Metric::ordering_cost, ordering);
    set(Metric::refunds, cost(LedgerCategory::Refund));
    set(Metric::apology_discounts, cost(LedgerCategory::ApologyDiscount));
    set(Metric::net_interest, interest);
    set(Metric::profit, revenue - cogs - holding - ordering - interest);
    set(Metric::final_cash, static_cast<double>(ledger_.cash()) / 100.0);
    set(Metric::min_cash, st.min_cash_set ? st.min_cash_cents / 100.0 : kNaN);
    set(Metric::days_cash_negative, st.int_cash_negative);
    // Cash conversion cycle: DIO + DSO - DPO, each from time-averaged balances over the window.
    const double cogs_per_day = cogs / avg_div;
    const double revenue_per_day = revenue / avg_div;
    const double dio = ratio(st.int_on_hand / avg_div * sc_.supplier.unit_price, cogs_per_day);
    const double dso = ratio(-st.int_prepay / avg_div / 100.0, revenue_per_day);
    const double dpo = ratio(st.int_payables / avg_div / 100.0, cogs_per_day);
    set(Metric::cash_conversion_cycle_days, dio + dso - dpo);
    set(Metric::customer_prepayments_outstanding, static_cast<double>(prepayments_outstanding_) / 100.0);
    set(Metric::supplier_payables_outstanding, static_cast<double>(payables_outstanding_ - supplier_advances_) / 100.0);
    set(Metric::orders_placed, st.orders);
    set(Metric::mean_order_size, ratio(st.ordered_units, st.orders));
    set(Metric::supplier_fill_rate, ratio(st.received_units, st.due_units));
    set(Metric::disrupted_days, st.disrupted_days);
    if (customers_mode_) {
        set(Metric::churned_customers, st.churned);
        set(Metric::active_customers_end, static_cast<double>(customers_.active_count));
        set(Metric::mean_loyalty, customers_.active_count > 0 ? customers_.loyalty_sum_active / static_cast<double>(customers_.active_count) : kNaN);
        set(Metric::negative_reviews, st.reviews);
        set(Metric::positive_reviews, st.positive_reviews);
        set(Metric::new_customers, st.new_customers);
        // Counted without branches: purchase counts are random, so branches here mispredict.
        std::int64_t buyers = 0, repeat = 0;
        for (const std::uint32_t p : customers_.purchases_in_window) {
            buyers += p >= 1;
            repeat += p >= 2;
        }
        set(Metric::repeat_purchase_rate, ratio(static_cast<double>(repeat), static_cast<double>(buyers)));
        set(Metric::revenue_per_customer, ratio(revenue, static_cast<double>(joined_customers_)));
    }
    set(Metric::events, static_cast<double>(events_handled_));
    return m;
}

RunResult Simulation::take_result() {
    RunResult r;
    r.seed = seed_;
    r.replication = replication_;
    r.summary = summary();
    r.timeseries = std::move(series_);
    r.events = std::move(events_);
    r.ledger = ledger_.entries();
    r.initial_cash = static_cast<double>(ledger_.initial_cash()) / 100.0;
    return r;
}

RunResult simulate(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication, ReplenishmentPolicy* custom) {
    Simulation sim(scenario, seed, replication, custom);
    sim.run();
    return sim.take_result();
}

}  // namespace stocklab
