#include "model/simulation.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "model/estimates.hpp"

namespace stocklab {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Units of `item` a day at the start: its share of the visits' picks times the units a pick takes.
double item_demand_per_day(const Scenario& sc, const Item& item, double popularity_total) {
    return sc.demand.rate_per_day * sc.demand.basket.mean() * (item.popularity / popularity_total) *
           sc.demand.order_size.mean();
}
}  // namespace

Simulation::ItemRun::ItemRun(const Scenario& sc, const Item& item, double demand_per_day, bool ranked,
                             StoreStock* store, ReplenishmentPolicy* custom)
    : price(to_cents(item.price)),
      unit_cost(to_cents(item.unit_cost)),
      has_substitutes(!item.substitutes.empty()),
      dual_index(item.sourcing.rule == SourcingRule::DualIndex),
      stock(item.initial_on_hand, item.holding_cost_per_unit_day, ranked, store),
      policy(sc, item, demand_per_day, custom),
      spec(item),
      deposit(item.shortage.prepay ? round_cents(item.shortage.deposit_fraction * static_cast<double>(price)) : 0),
      split_credit(item.vendors.size(), 0.0),
      notices(item.shortage.updates.mode != UpdateMode::Silent) {
    for (std::size_t k = 0; k < item.vendors.size(); ++k) vendor_price.push_back(to_cents(item.unit_price(sc.vendors, k)));
}

Simulation::Simulation(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication,
                       ReplenishmentPolicy* custom)
    : sc_(scenario), seed_(seed), replication_(replication), customers_(sc_, seed, replication, cal_),
      accounts_(sc_, cal_) {
    check_recording_fits(sc_);
    log_.configure(sc_.run.record_events ? LogMode::All : LogMode::Off, 0);
    // A modest reserve (it grows when needed): a replication's allocations then stay under the C
    // library's trim threshold (1024 calendar slots cost a one-year camera-lens replication 13%).
    cal_.reserve(64);
    vendors_.reserve(sc_.vendors.size());
    for (std::uint32_t v = 0; v < sc_.vendors.size(); ++v)
        vendors_.emplace_back(sc_.vendors[v], v, sc_.run, seed, replication, cal_);
    vendor_flows_.resize(sc_.vendors.size());
    double popularity = 0.0;
    for (const Item& item : sc_.items) popularity += item.popularity;
    items_.reserve(sc_.items.size());
    const bool ranked = sc_.allocation != Allocation::FirstComeFirstServed;
    StoreStock* totals = sc_.items.size() > 1 ? &store_ : nullptr;  // one item: its stock point is the store
    for (const Item& item : sc_.items)
        items_.emplace_back(sc_, item, item_demand_per_day(sc_, item, popularity), ranked, totals, custom);
    if (sc_.items.size() > 1) popularity_ = PopularityScale(sc_.items);  // one item: a visit picks it, drawing nothing
    segment_flows_.resize(sc_.customers.segments.size());
    segmented_ = segment_flows_.size() > 1;
    one_item_ = items_.size() == 1;
    for (const Segment& g : sc_.customers.segments)
        baskets_draw_ = baskets_draw_ || g.basket.kind != Distribution::Kind::Constant;
    tried_.reserve(kMaxChain);
    st_.min_cash_cents = static_cast<double>(accounts_.cash());
    st_.min_cash_set = sc_.run.warmup_days <= 0.0;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        ItemRun& it = items_[i];
        if (!it.policy.periodic()) continue;
        cal_.schedule(it.policy.review_time(0), EventType::Review, i, 0, 0);
        const double end = it.policy.review_time(1);
        it.period_ends.next = end < sc_.run.horizon_days ? end : kInf;
        next_period_end_ = std::min(next_period_end_, it.period_ends.next);
    }
    if (sc_.run.snapshot_interval_days > 0) cal_.schedule(0.0, EventType::Snapshot, 0, 0, 0);
    cal_.schedule(sc_.finance.accrual_period_days, EventType::Accrual, 0, 0, 1);
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        const Updates& u = sc_.items[i].shortage.updates;
        if (u.mode == UpdateMode::NotifyPeriodically && u.period_days < sc_.run.horizon_days)
            cal_.schedule(u.period_days, EventType::NoticeRound, i, 0, 1);
    }
    for (std::uint32_t i = 0; i < items_.size(); ++i)
        if (!items_[i].policy.periodic()) decision_point(i, false);
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
    resolve_pending_decisions();
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
        case EventType::Cancellation:
        case EventType::ShipmentDelay:
        case EventType::NoticeRound: break;  // these call advance() themselves if they change state
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
        // Most events are purchase candidates: they take this short path.
        if (candidate_first()) {
            if (!(customers_.next_candidate() < stop)) break;
            handle_candidate();
        } else {
            if (cal_.empty() || !(cal_.top().time < stop)) break;
            handle_calendar_event();
        }
        if constexpr (kPauseAtDecisions) {
            if (!pending_.empty()) return true;
        }
        if (cancel_ && (++poll & 0xFFFu) == 0 && cancel_->load(std::memory_order_relaxed)) throw Interrupted();
    }
    return false;
}

void Simulation::run_until(double t) {
    if (finished_) return;
    resolve_pending_decisions();
    run_loop<false>(std::min(t, sc_.run.horizon_days));
    if (t >= sc_.run.horizon_days) {
        finish();
    } else if (t > now_) {
        now_ = t;  // integrals catch up at the next event (summary() adds the tail): no extra split
    }
}

void Simulation::run() { run_until(sc_.run.horizon_days); }

bool Simulation::run_until_decision(double t) {
    if (finished_ || !pending_.empty()) return !pending_.empty();
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

void Simulation::resolve_pending_decisions() {
    while (!pending_.empty()) {
        const std::uint32_t item = pending_.front();
        const bool at_review = items_[item].pending_review;
        items_[item].pending = false;
        pending_.erase(pending_.begin());
        make_decision(item, at_review);
    }
}

std::vector<std::uint32_t> Simulation::pending_items() const { return pending_; }

InventoryView Simulation::decision_view() const {
    if (pending_.empty()) throw std::logic_error("no decision is pending: call run_until_decision() first");
    return decision_view(pending_.front());
}

InventoryView Simulation::decision_view(std::uint32_t item) const {
    if (item >= items_.size() || !items_[item].pending)
        throw std::logic_error("no decision is pending for item " + std::to_string(item));
    return view(item, items_[item].pending_review);
}

void Simulation::decide() {
    if (pending_.empty()) throw std::logic_error("no decision is pending: call run_until_decision() first");
    resolve_pending_decisions();
}

void Simulation::decide(const OrderDecision& decision) {
    if (pending_.size() != 1)
        throw std::logic_error(pending_.empty() ? "no decision is pending: call run_until_decision() first"
                                                : "several items wait for a decision: decide(item, decision)");
    decide(pending_.front(), decision);
}

void Simulation::decide(std::uint32_t item, const OrderDecision& decision) {
    if (item >= items_.size() || !items_[item].pending)
        throw std::logic_error("no decision is pending for item " + std::to_string(item));
    if (decision.quantity < 0)
        throw std::invalid_argument("an order of " + std::to_string(decision.quantity) + " units; must be >= 0");
    const auto vendors = static_cast<std::int32_t>(items_[item].spec.vendors.size());
    if (decision.vendor < -1 || decision.vendor >= vendors)
        throw std::invalid_argument("vendor " + std::to_string(decision.vendor) + " of an item with " +
                                    std::to_string(vendors) + " vendors (0 to " + std::to_string(vendors - 1) +
                                    ", or -1 for its sourcing rule)");
    items_[item].pending = false;
    pending_.erase(std::find(pending_.begin(), pending_.end(), item));
    apply(item, decision);
}

void Simulation::dispatch(const Event& e) {
    switch (e.type()) {
        case EventType::SupplierState: on_supplier_state(e); break;
        case EventType::ShipmentDelay: on_shipment_delay(e); break;
        case EventType::ShipmentArrival: on_shipment(e); break;
        case EventType::Demand: break;  // never in the calendar (the candidate stream waits beside it)
        case EventType::DelayedReturn: on_delayed_return(e); break;
        case EventType::NewCustomer: on_new_customer(); break;
        case EventType::Cancellation: on_cancellation(e); break;
        case EventType::SupplierPayment: on_supplier_payment(e); break;
        case EventType::Accrual: on_accrual(e); break;
        case EventType::Review: on_review(e); break;
        case EventType::NoticeRound: on_notice_round(e); break;
        case EventType::Snapshot: on_snapshot(e); break;
    }
}

// ---------------------------------------------------------------------------------------------
// Time integrals and money

template <bool kOneItem>
IntegratedState Simulation::integrated_state_as() const {
    const StoreStock t = store_totals<kOneItem>();
    return IntegratedState{t.on_hand,   t.backorders, t.on_order,
                           t.items_out, t.items,      accounts_.cash(),
                           accounts_.customer_prepayments(), accounts_.net_payables(),
                           suppliers_up()};
}
template IntegratedState Simulation::integrated_state_as<true>() const;
template IntegratedState Simulation::integrated_state_as<false>() const;

template <bool kOneItem>
void Simulation::advance_as(double t) {
    if (t >= next_period_end_) sample_period_ends(t);
    const double from = std::max(last_integrated_, sc_.run.warmup_days);
    st_.open_at(t, sc_.run.warmup_days, accounts_.cash());
    if (t > from) st_.integrate(t - from, integrated_state_as<kOneItem>());
    if (t > last_integrated_) {
        // With one item h x on hand is exactly the total a store keeps by adding and removing terms.
        accounts_.accrue(t - last_integrated_, store_totals<kOneItem>().holding_per_day);
        last_integrated_ = t;
    }
}
template void Simulation::advance_as<true>(double);
template void Simulation::advance_as<false>(double);

/// Every period end up to `t` not sampled yet: the state now is the state just before it, since every
/// change of state is preceded by advance() (a period end at an event's instant is sampled before the
/// event changes anything).
void Simulation::sample_period_ends(double t) {
    next_period_end_ = kInf;
    for (ItemRun& it : items_) {
        PeriodEnds& p = it.period_ends;
        while (p.next <= t) {
            if (p.next >= sc_.run.warmup_days) {
                p.samples += 1;
                p.on_hand += static_cast<double>(it.stock.on_hand());
                p.backorders += static_cast<double>(it.stock.backorder_units());
            }
            const double next = it.policy.review_time(++p.k);
            p.next = next < sc_.run.horizon_days ? next : kInf;
        }
        next_period_end_ = std::min(next_period_end_, p.next);
    }
}

void Simulation::touch_item(std::uint32_t item) {
    ItemRun& it = items_[item];
    it.integrals.advance(now_, sc_.run.warmup_days, it.stock.on_hand(), it.stock.backorder_units(),
                         it.stock.on_order(), it.stock.holding_per_day());
}

void Simulation::finish() {
    if (finished_) return;
    advance(sc_.run.horizon_days);
    now_ = sc_.run.horizon_days;
    post_accruals();  // close the books: post what accrued since the last posting
    if (sc_.run.snapshot_interval_days > 0) snapshot_row(now_);
    finished_ = true;
}

void Simulation::post(LedgerCategory c, Cents amount, std::int64_t ref, std::int32_t item, std::int32_t vendor) {
    if (amount == 0) return;
    const bool win = in_window();
    accounts_.post(now_, c, amount, ref, item, win, static_cast<std::int16_t>(vendor));
    if (win) st_.saw_cash(accounts_.cash());
}

void Simulation::post_accruals() {
    post(LedgerCategory::HoldingCost, accounts_.take_holding(), -1);
    post(LedgerCategory::InterestPaid, accounts_.take_overdraft_interest(), -1);
    post(LedgerCategory::InterestEarned, accounts_.take_deposit_interest(), -1);
}

void Simulation::on_accrual(const Event& e) {
    post_accruals();
    // Recomputed from the items: the running total of holding per day drifts by rounding otherwise
    // (unused with one item, whose stock point is the store).
    double holding = 0.0;
    for (const ItemRun& it : items_) holding += it.stock.holding_per_day();
    store_.holding_per_day = holding;
    const double next = static_cast<double>(e.payload + 1) * sc_.finance.accrual_period_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Accrual, 0, 0, e.payload + 1);
}

/// A row shows the state of its item after the event (the store's totals for rows of no item).
void Simulation::log_row(EventKind k, std::int64_t who, std::int64_t qty, double value, std::int32_t item,
                         std::int32_t vendor, double previous) {
    const double cash = static_cast<double>(accounts_.cash()) / 100.0;
    const auto v = static_cast<std::int16_t>(vendor);
    if (item < 0) {
        const StoreStock store = store_stock();
        log_.push(EventRecord{now_, who, qty, store.on_hand, store.backorders, store.on_order, cash, value, previous,
                              k, item, v});
        return;
    }
    const StockPoint& s = items_[static_cast<std::size_t>(item)].stock;
    log_.push(EventRecord{now_, who, qty, s.on_hand(), s.backorder_units(), s.on_order(), cash, value, previous, k,
                          item, v});
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
    StockTallies n;  // the store's lifetime tallies: sums over the items
    for (const ItemRun& it : items_) {
        n.demand += it.stock.tallies().demand;
        n.recorded += it.stock.tallies().recorded;
        n.served += it.stock.tallies().served;
        n.lost += it.stock.tallies().lost;
    }
    const bool people = customers_.customers_mode();
    const StoreStock store = store_stock();
    put(Series::time, t);
    put(Series::on_hand, static_cast<double>(store.on_hand));
    put(Series::backorders, static_cast<double>(store.backorders));
    put(Series::on_order, static_cast<double>(store.on_order));
    put(Series::inventory_position, static_cast<double>(store.on_hand + store.on_order - store.backorders));
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
    const StoreStock store = store_stock();
    s.on_hand = store.on_hand;
    s.backorders = store.backorders;
    for (const ItemRun& it : items_) s.backorder_queue_length += it.stock.waiting_customers();
    s.on_order = store.on_order;
    for (const Vendor& v : vendors_) s.open_orders += v.open_shipments();
    s.inventory_position = store.on_hand + store.on_order - store.backorders;
    s.cash = static_cast<double>(accounts_.cash()) / 100.0;
    s.customers = customers_.joined();
    s.active_customers = customers_.active_count();
    s.mean_loyalty = customers_.mean_loyalty();
    s.supplier_up = suppliers_up();
    s.events = events_handled_;
    return s;
}

Invariants Simulation::invariants() const {
    Invariants v;
    v.min_on_hand = std::numeric_limits<std::int64_t>::max();
    for (const ItemRun& it : items_) {
        const StockTallies& n = it.stock.tallies();
        v.initial_on_hand += it.stock.initial_on_hand();
        v.received_units += n.received;
        v.shipped_units += n.shipped;
        v.on_hand += it.stock.on_hand();
        v.backordered_total += n.backordered;
        v.backorders_shipped_total += n.backorders_shipped;
        v.backorders_cancelled_total += n.backorders_cancelled;
        v.backorders_open += it.stock.backorder_units();
        v.min_on_hand = std::min(v.min_on_hand, n.min_on_hand);
    }
    v.cash = accounts_.cash();
    v.initial_cash = accounts_.ledger().initial_cash();
    Cents sum = 0;
    for (std::size_t c = 0; c < Ledger::kCategories; ++c) sum += accounts_.ledger().total(static_cast<LedgerCategory>(c));
    v.ledger_sum = sum;
    v.time_monotone = time_monotone_;
    for (const Vendor& vendor : vendors_) {
        const VendorRecord& r = vendor.record();
        v.vendor_ordered.push_back(static_cast<std::int64_t>(r.ordered_units));
        v.vendor_received.push_back(static_cast<std::int64_t>(r.received_units));
        v.vendor_short.push_back(static_cast<std::int64_t>(r.short_units));
        v.vendor_due.push_back(vendor.due_units());
        v.vendor_spend_cents.push_back(static_cast<std::int64_t>(r.spend_cents));
    }
    return v;
}

RunResult Simulation::take_result() {
    RunResult r;
    r.seed = seed_;
    r.replication = replication_;
    r.summary = summary();
    r.items = item_summaries();
    for (const Item& item : sc_.items) r.item_ids.push_back(item.id);
    r.segments = segment_summaries();
    for (const Segment& g : sc_.customers.segments) r.segment_ids.push_back(g.id);
    r.vendors = vendor_summaries();
    for (const Supplier& v : sc_.vendors) r.vendor_ids.push_back(v.id);
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
