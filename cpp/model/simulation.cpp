#include "model/simulation.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "model/estimates.hpp"

namespace stocklab {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication,
                       ReplenishmentPolicy* custom)
    : sc_(scenario),
      seed_(seed),
      replication_(replication),
      customers_(sc_, seed, replication, cal_),
      stock_(sc_.initial.on_hand),
      vendor_(sc_.supplier, sc_.run.horizon_days, seed, replication, cal_),
      accounts_(sc_, cal_),
      replenisher_(sc_, custom),
      price_cents_(to_cents(sc_.sku.price)) {
    check_recording_fits(sc_);
    log_.configure(sc_.run.record_events ? LogMode::All : LogMode::Off, 0);
    st_.min_cash_cents = static_cast<double>(accounts_.cash());
    st_.min_cash_set = sc_.run.warmup_days <= 0.0;
    // A modest reserve (it grows when needed): a replication's allocations then stay under the C
    // library's trim threshold (1024 calendar slots cost a one-year camera-lens replication 13%).
    cal_.reserve(64);
    if (replenisher_.periodic()) cal_.schedule(replenisher_.review_time(0), EventType::Review, 0, 0, 0);
    if (sc_.run.snapshot_interval_days > 0) cal_.schedule(0.0, EventType::Snapshot, 0, 0, 0);
    cal_.schedule(sc_.finance.accrual_period_days, EventType::Accrual, 0, 0, 1);
    if (!replenisher_.periodic()) make_decision(false);
}

void Simulation::log_key_events(std::size_t cap) {
    if (log_.mode() != LogMode::All) log_.configure(LogMode::Key, cap);
}

// ---------------------------------------------------------------------------------------------
// Driving the clock

double Simulation::next_event_time() const {
    if (finished_) return kInf;
    const double t = candidate_first() ? customers_.next_candidate() : (cal_.empty() ? kInf : cal_.top().time);
    return t < sc_.run.horizon_days ? t : kInf;
}

bool Simulation::step() {
    if (finished_) return false;
    resolve_pending_decision();
    if (candidate_first()) {  // the next candidate is before the horizon by construction
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

/// Handles events before `stop`; with kPauseAtDecisions, returns true as soon as a decision waits.
template <bool kPauseAtDecisions>
bool Simulation::run_loop(double stop) {
    std::uint32_t poll = 0;
    for (;;) {
        // Most events are purchase candidates, usually thinned: they take this short path.
        if (candidate_first()) {
            if (!(customers_.next_candidate() < stop)) break;
            handle_candidate();
        } else {
            if (cal_.empty() || !(cal_.top().time < stop)) break;
            handle_calendar_event();
        }
        if constexpr (kPauseAtDecisions) {
            if (pending_ != Pending::None) return true;
        }
        if (cancel_ && (++poll & 0xFFFu) == 0 && cancel_->load(std::memory_order_relaxed)) throw Interrupted();
    }
    return false;
}

void Simulation::run_until(double t) {
    if (finished_) return;
    resolve_pending_decision();
    run_loop<false>(std::min(t, sc_.run.horizon_days));
    if (t >= sc_.run.horizon_days) {
        finish();
    } else if (t > now_) {
        now_ = t;  // integrals catch up at the next event (summary() adds the tail): no extra split
    }
}

void Simulation::run() { run_until(sc_.run.horizon_days); }

bool Simulation::run_until_decision(double t) {
    if (finished_ || pending_ != Pending::None) return pending_ != Pending::None;
    pausing_ = true;
    bool paused = false;
    try {
        paused = run_loop<true>(std::min(t, sc_.run.horizon_days));
    } catch (...) {
        pausing_ = false;
        throw;
    }
    pausing_ = false;
    if (paused) return true;
    if (t >= sc_.run.horizon_days) finish();
    else if (t > now_) now_ = t;
    return false;
}

void Simulation::resolve_pending_decision() {
    if (pending_ == Pending::None) return;
    const bool at_review = pending_ == Pending::Review;
    pending_ = Pending::None;
    make_decision(at_review);
}

InventoryView Simulation::decision_view() const {
    if (pending_ == Pending::None) throw std::logic_error("no decision is pending: call run_until_decision() first");
    return view(pending_ == Pending::Review);
}

void Simulation::decide() {
    if (pending_ == Pending::None) throw std::logic_error("no decision is pending: call run_until_decision() first");
    resolve_pending_decision();
}

void Simulation::decide(const OrderDecision& decision) {
    if (pending_ == Pending::None) throw std::logic_error("no decision is pending: call run_until_decision() first");
    if (decision.quantity < 0)
        throw std::invalid_argument("an order of " + std::to_string(decision.quantity) + " units; must be >= 0");
    pending_ = Pending::None;
    if (decision.quantity > 0) place_order(decision.quantity);
}

void Simulation::dispatch(const Event& e) {
    switch (e.type()) {
        case EventType::SupplierState: on_supplier_state(); break;
        case EventType::ShipmentArrival: on_shipment(e); break;
        case EventType::Demand: break;  // never in the calendar (the candidate stream waits beside it)
        case EventType::DelayedReturn: on_delayed_return(e); break;
        case EventType::NewCustomer: on_new_customer(); break;
        case EventType::Cancellation: on_cancellation(e); break;
        case EventType::SupplierPayment: on_supplier_payment(e); break;
        case EventType::Accrual: on_accrual(e); break;
        case EventType::Review: on_review(e); break;
        case EventType::Snapshot: on_snapshot(e); break;
    }
}

// ---------------------------------------------------------------------------------------------
// Time integrals and money

IntegratedState Simulation::integrated_state() const {
    return IntegratedState{stock_.on_hand(),   stock_.backorder_units(),         stock_.on_order(),
                           accounts_.cash(),   accounts_.customer_prepayments(), accounts_.net_payables(),
                           vendor_.up()};
}

void Simulation::advance(double t) {
    const double from = std::max(last_integrated_, sc_.run.warmup_days);
    st_.open_at(t, sc_.run.warmup_days, accounts_.cash());
    if (t > from) st_.integrate(t - from, integrated_state());
    if (t > last_integrated_) {
        accounts_.accrue(t - last_integrated_, sc_.sku.holding_cost_per_unit_day * static_cast<double>(stock_.on_hand()));
        last_integrated_ = t;
    }
}

void Simulation::finish() {
    if (finished_) return;
    advance(sc_.run.horizon_days);
    now_ = sc_.run.horizon_days;
    post_accruals();  // close the books: post what accrued since the last posting
    if (sc_.run.snapshot_interval_days > 0) snapshot_row(now_);
    finished_ = true;
}

void Simulation::post(LedgerCategory c, Cents amount, std::int64_t ref) {
    if (amount == 0) return;
    const bool win = in_window();
    accounts_.post(now_, c, amount, ref, win);
    if (win) st_.saw_cash(accounts_.cash());
}

void Simulation::post_accruals() {
    post(LedgerCategory::HoldingCost, accounts_.take_holding(), -1);
    post(LedgerCategory::InterestPaid, accounts_.take_overdraft_interest(), -1);
    post(LedgerCategory::InterestEarned, accounts_.take_deposit_interest(), -1);
}

void Simulation::on_accrual(const Event& e) {
    post_accruals();
    const double next = static_cast<double>(e.payload + 1) * sc_.finance.accrual_period_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Accrual, 0, 0, e.payload + 1);
}

void Simulation::log_row(EventKind k, std::int64_t who, std::int64_t qty, double value) {
    log_.push(EventRecord{now_, who, qty, stock_.on_hand(), stock_.backorder_units(), stock_.on_order(),
                          static_cast<double>(accounts_.cash()) / 100.0, value, k});
}

// ---------------------------------------------------------------------------------------------
// Time series and state

void Simulation::on_snapshot(const Event& e) {
    snapshot_row(now_);
    const double next = static_cast<double>(e.payload + 1) * sc_.run.snapshot_interval_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Snapshot, 0, 0, e.payload + 1);
}

void Simulation::snapshot_row(double t) {
    auto& c = series_.columns;
    auto put = [&](Series s, double v) { c[static_cast<std::size_t>(s)].push_back(v); };
    const StockTallies& n = stock_.tallies();
    const bool people = customers_.customers_mode();
    put(Series::time, t);
    put(Series::on_hand, static_cast<double>(stock_.on_hand()));
    put(Series::backorders, static_cast<double>(stock_.backorder_units()));
    put(Series::on_order, static_cast<double>(stock_.on_order()));
    put(Series::inventory_position, static_cast<double>(stock_.inventory_position()));
    put(Series::cash, static_cast<double>(accounts_.cash()) / 100.0);
    put(Series::demand, static_cast<double>(n.demand));
    put(Series::recorded_demand, static_cast<double>(n.recorded));
    put(Series::served_from_stock, static_cast<double>(n.served));
    put(Series::lost, static_cast<double>(n.lost));
    put(Series::active_customers, people ? static_cast<double>(customers_.active_count()) : kNaN);
    put(Series::mean_loyalty, people ? customers_.mean_loyalty() : kNaN);
    put(Series::reputation, people ? customers_.reputation_at(t) : kNaN);
}

SimulationState Simulation::state() const {
    SimulationState s;
    s.time = now_;
    s.on_hand = stock_.on_hand();
    s.backorders = stock_.backorder_units();
    s.backorder_queue_length = stock_.waiting_customers();
    s.on_order = stock_.on_order();
    s.open_orders = vendor_.open_shipments();
    s.inventory_position = stock_.inventory_position();
    s.cash = static_cast<double>(accounts_.cash()) / 100.0;
    s.customers = customers_.joined();
    s.active_customers = customers_.active_count();
    s.mean_loyalty = customers_.mean_loyalty();
    s.supplier_up = vendor_.up();
    s.events = events_handled_;
    return s;
}

Invariants Simulation::invariants() const {
    const StockTallies& n = stock_.tallies();
    Invariants v;
    v.initial_on_hand = stock_.initial_on_hand();
    v.received_units = n.received;
    v.shipped_units = n.shipped;
    v.on_hand = stock_.on_hand();
    v.backordered_total = n.backordered;
    v.backorders_shipped_total = n.backorders_shipped;
    v.backorders_cancelled_total = n.backorders_cancelled;
    v.backorders_open = stock_.backorder_units();
    v.cash = accounts_.cash();
    v.initial_cash = accounts_.ledger().initial_cash();
    Cents sum = 0;
    for (std::size_t c = 0; c < Ledger::kCategories; ++c) sum += accounts_.ledger().total(static_cast<LedgerCategory>(c));
    v.ledger_sum = sum;
    v.min_on_hand = n.min_on_hand;
    v.time_monotone = time_monotone_;
    return v;
}

RunResult Simulation::take_result() {
    RunResult r;
    r.seed = seed_;
    r.replication = replication_;
    r.summary = summary();
    r.timeseries = std::move(series_);
    r.events = log_.take();
    r.ledger = accounts_.ledger().entries();
    r.initial_cash = static_cast<double>(accounts_.ledger().initial_cash()) / 100.0;
    return r;
}

RunResult simulate(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication, ReplenishmentPolicy* custom) {
    Simulation sim(scenario, seed, replication, custom);
    sim.run();
    return sim.take_result();
}

}  // namespace stocklab
