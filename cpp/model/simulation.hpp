#pragma once
/// One replication of a scenario: the store's components (its customers, one stock point and one
/// replenishment policy per item, its vendors, its accounts) and the event loop that routes each
/// event to the component that owns it (one `switch` on the event type; events name their owner).
/// Invariants: time never goes backwards; events with time < horizon are handled, in calendar order;
/// units are conserved (initial + received == on hand + shipped to customers); on hand >= 0;
/// cash == initial cash + sum of ledger entries; every backorder ends shipped, cancelled or open.
/// Stepping event by event, running in pieces, pausing at decisions and running to the end give
/// identical results.
#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/events.hpp"
#include "model/item_metrics.hpp"
#include "model/segment_metrics.hpp"
#include "model/customers.hpp"
#include "model/event_log.hpp"
#include "model/finance.hpp"
#include "model/metrics.hpp"
#include "model/policy.hpp"
#include "model/popularity.hpp"
#include "model/replenishment.hpp"
#include "model/results.hpp"
#include "model/statistics.hpp"
#include "model/stock_point.hpp"
#include "model/vendor.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// Thrown by run_until() when its cancel flag is raised (Ctrl-C from Python).
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

/// The interactive state a notebook shows.
struct SimulationState {
    double time = 0.0;
    std::int64_t on_hand = 0;
    std::int64_t backorders = 0;
    std::int64_t backorder_queue_length = 0;  // open backorder records (customers waiting)
    std::int64_t on_order = 0;
    std::int64_t open_orders = 0;
    std::int64_t inventory_position = 0;
    double cash = 0.0;
    std::int64_t customers = 0;
    std::int64_t active_customers = 0;
    double mean_loyalty = 0.0;
    bool supplier_up = true;
    std::int64_t events = 0;
};

/// Units-and-money balances, checked by tests after any run (units summed over the items).
struct Invariants {
    std::int64_t initial_on_hand = 0;
    std::int64_t received_units = 0;
    std::int64_t shipped_units = 0;  // to customers, from stock and from backorders
    std::int64_t on_hand = 0;
    std::int64_t backordered_total = 0;
    std::int64_t backorders_shipped_total = 0;
    std::int64_t backorders_cancelled_total = 0;
    std::int64_t backorders_open = 0;
    Cents cash = 0;
    Cents initial_cash = 0;
    Cents ledger_sum = 0;
    std::int64_t min_on_hand = 0;
    bool time_monotone = true;
    /// Each vendor over the whole run: units ordered, received, short, still due; cents paid.
    std::vector<std::int64_t> vendor_ordered, vendor_received, vendor_short, vendor_due, vendor_spend_cents;
};

class Simulation {
public:
    /// `custom` (optional, not owned) replaces the scenario's replenishment policy.
    Simulation(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication = 0,
               ReplenishmentPolicy* custom = nullptr);
    // Components hold references to the calendar and the scenario: the simulation stays where it is.
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    /// Handles the next event if it falls before the horizon; returns false when the run is over.
    bool step();
    /// Handles every event with time < t (capped at the horizon) and moves the clock to t.
    void run_until(double t);
    /// Runs to the horizon and closes the books.
    void run();
    /// Like run_until(t), but stops where a replenishment decision is due (a review, or a change of
    /// the inventory position under continuous review), before the policy decides; returns true when
    /// it stopped there. Then decide() completes the decision. Deciding with the policy every time
    /// gives exactly the results of run().
    bool run_until_decision(double t = std::numeric_limits<double>::infinity());
    bool decision_pending() const { return !pending_.empty(); }
    /// The items whose decision waits, in the order they came due.
    std::vector<std::uint32_t> pending_items() const;
    /// What the policy would see at the pending decision of `item` (by default the first pending).
    InventoryView decision_view() const;
    InventoryView decision_view(std::uint32_t item) const;
    /// Completes every pending decision with the scenario's (or custom) policy's own choice.
    void decide();
    /// Completes the pending decision (there must be exactly one) with the caller's choice instead.
    void decide(const OrderDecision& decision);
    /// Completes the pending decision of `item` with the caller's choice.
    void decide(std::uint32_t item, const OrderDecision& decision);

    bool finished() const { return finished_; }
    double now() const { return now_; }
    double horizon() const { return sc_.run.horizon_days; }
    /// Time of the next pending event (inf when none before the horizon).
    double next_event_time() const;

    SimulationState state() const;
    Invariants invariants() const;
    /// Summary over the measured window so far (final once finished()).
    Summary summary() const;
    /// Moves the recorded outputs out; call once, after run().
    RunResult take_result();
    /// The time series recorded so far.
    const TimeSeries& timeseries() const { return series_; }

    /// The event log so far (rows first_row() .. first_row() + rows().size() - 1 of all logged).
    const EventLog& event_log() const { return log_; }
    /// Log the key events (orders, shipments, stock-outs, backorders, ...) however the run is
    /// advanced, keeping at least the last `cap` rows (interactive runs); a scenario that records
    /// every event keeps doing so.
    void log_key_events(std::size_t cap);
    void set_narrate(bool on) { log_.set_narrate(on); }
    /// run_until() polls this flag every few thousand events and throws Interrupted when it is set.
    void set_cancel_flag(const std::atomic<bool>* flag) { cancel_ = flag; }
    const Scenario& scenario() const { return sc_; }
    // Read-only views of the components (observations for agents, displays, tests).
    const CustomerBase& customers() const { return customers_; }
    std::size_t item_count() const { return items_.size(); }
    const StockPoint& stock(std::uint32_t item = 0) const { return items_[item].stock; }
    const ItemFlows& item_flows(std::uint32_t item) const { return items_[item].flows; }
    const Vendor& vendor(std::uint32_t index = 0) const { return vendors_[index]; }
    std::size_t vendor_count() const { return vendors_.size(); }
    const Accounts& accounts() const { return accounts_; }
    /// The store's totals: kept by the stock points of a store of several items; a store of one item
    /// is its stock point, whose figures are the totals exactly (h x on hand included).
    StoreStock store_stock() const { return one_item_ ? store_totals<true>() : store_totals<false>(); }
    /// The money so far: profit and its parts as the summary computes them (one source for both).
    MoneyTally money() const;
    /// One row per item: its metrics over the window so far (model/item_metrics.hpp).
    std::vector<ItemSummary> item_summaries() const;
    /// One row per customer segment (model/segment_metrics.hpp).
    std::vector<SegmentSummary> segment_summaries() const;
    /// One row per vendor (model/vendor_metrics.hpp).
    std::vector<VendorSummary> vendor_summaries() const;
    /// Type of the event the last step() handled (for narration).
    EventType last_event_type() const { return last_type_; }

private:
    /// One item of the assortment during the run.
    struct ItemRun {
        ItemRun(const Scenario& sc, const Item& spec, double demand_per_day, bool ranked, StoreStock* store,
                ReplenishmentPolicy* custom);
        /// Asks for the fields a purchase line touches: flows' sale fields to the stock's tallies, and
        /// the policy's first line (its decision point).
        void prefetch_for_sale() const {
            const char* from = reinterpret_cast<const char*>(&flows.demand);
            const char* to = reinterpret_cast<const char*>(&stock.tallies() + 1);
            for (const char* p = from; p < to; p += 64) __builtin_prefetch(p, 1);
            __builtin_prefetch(to - 1, 1);
            __builtin_prefetch(&policy);
        }
        // What every purchase line touches comes first and together: the flows' sale fields (their
        // last), prices, integrals, then the stock point's sale fields (its first). A line of a
        // 1,000-item store meets its item cold, and each further cache line costs a miss.
        ItemFlows flows;
        Cents price;      // cents a unit
        Cents unit_cost;  // the standard cost: cents a unit sold costs (vendors' prices may differ)
        bool has_substitutes;  // spec.substitutes is not empty (read without loading the spec)
        bool dual_index;       // the sourcing rule is DualIndex (asked at every decision point)
        ItemIntegrals integrals;
        StockPoint stock;
        Replenisher policy;
        const Item& spec;
        Cents deposit;    // cents a unit a customer prepays for a backorder (0 without prepayment)
        std::vector<Cents> vendor_price;  // cents a unit from each of the item's vendors
        std::vector<double> split_credit;  // split: units each vendor is owed of its share (carried)
        std::uint32_t last_vendor = 0;     // the vendor (place in spec.vendors) of the last order
        bool notices;                      // the item's update policy tells waiting customers something
        bool pending = false;  // a decision waits for the caller (run_until_decision)
        bool pending_review = false;
        PeriodEnds period_ends;  // periodic review: the state just before each review
    };

    // the loop (simulation.cpp)
    /// The next event is the pending purchase candidate: earlier than the calendar's first event,
    /// or at the same time and of an earlier type (EventType gives the same-time order).
    bool candidate_first() const {
        const double c = customers_.next_candidate();
        if (cal_.empty()) return c != CustomerBase::kNoCandidate;
        const Event& e = cal_.top();
        return c < e.time || (c == e.time && e.type() > EventType::Demand);
    }
    template <bool kPauseAtDecisions>
    bool run_loop(double stop);
    // The candidate path is most events: inlined into the loop (the calls cost ~5%).
    [[gnu::always_inline]] inline void handle_candidate();
    void handle_calendar_event();
    void dispatch(const Event& e);
    void resolve_pending_decisions();
    /// Integrals and accruals up to `t`. `kOneItem`: a store of one item reads its stock point, which
    /// keeps no store totals (the occasion path knows the shape; other callers use advance()).
    template <bool kOneItem>
    void advance_as(double t);
    void advance(double t) { one_item_ ? advance_as<true>(t) : advance_as<false>(t); }
    void sample_period_ends(double t);
    /// An item's own integrals catch up to now before its state changes (the store's are in advance()).
    /// A store of one item has none of its own: its item's are the store's.
    void touch(std::uint32_t item) {
        if (!one_item_) touch_item(item);
    }
    void touch_item(std::uint32_t item);
    void finish();
    void on_accrual(const Event& e);
    void post_accruals();
    void on_snapshot(const Event& e);
    void snapshot_row(double t);

    // purchases (purchases.cpp): customers meet the stock points
    void handle_occasion(const Occasion& occ);
    /// The occasion in a store of one item, compiled for that shape: no basket to pick, no
    /// substitutes, no per-item integrals, and the store's totals read from its stock point.
    void handle_one_item_occasion(const Occasion& occ);
    std::uint32_t pick_basket(const Distribution& sizes, Engine& draws, std::uint32_t* basket) const;
    template <bool kOneItem>
    [[gnu::always_inline]] inline bool handle_line(std::int64_t customer, std::uint32_t item, Engine& draws);
    [[gnu::always_inline]] inline void sell_from_stock(std::int64_t customer, std::uint32_t item, std::int64_t units);
    void stockout_response(std::int64_t customer, std::uint32_t item, Engine& draws, std::int64_t short_units,
                           std::int64_t served_units, bool& bought);
    double quoted_wait(std::uint32_t item, std::int64_t units_needed) const;
    /// Days until `units_needed` units (counted from the first unit owed) will be in: the shipment
    /// that covers them, or a new order from the vendor the item would order from now.
    double honest_wait(std::uint32_t item, std::int64_t units_needed) const {
        const double eta = items_[item].stock.pipeline_wait(units_needed, now_);
        return eta >= 0 ? eta : new_order_wait(item, units_needed);
    }
    double new_order_wait(std::uint32_t item, std::int64_t units_needed) const;
    double acceptance_probability(const BackorderAcceptance& a, double wait) const;
    void take_backorder(std::int64_t customer, std::uint32_t item, std::int64_t units, double quote, double promised,
                        double patience, float u_review, float u_churn, std::uint64_t notice_seed);
    /// A customer's loyalty (0 for an anonymous one, or without customers).
    double loyalty_of(std::int64_t customer) const;
    /// Returns true when the customer wants a substitute and the item has one not yet tried.
    bool turn_away(std::int64_t customer, std::uint32_t item, std::int64_t units, double u_choice, double delay,
                   std::uint64_t return_seed, float u_review, float u_churn);
    std::int64_t untried_substitute(std::uint32_t item) const;
    bool substitute_in_store(std::int64_t customer, std::uint32_t item, std::int64_t units, Engine& draws);
    /// The customer's segment (one lookup less when the store has one segment).
    std::uint32_t segment_index(std::int64_t customer) const {
        return segmented_ ? customers_.segment(customer) : 0u;
    }
    const Segment& segment_of(std::int64_t customer) const { return sc_.customers.segments[segment_index(customer)]; }
    SegmentFlows& segment_flows(std::int64_t customer) { return segment_flows_[segment_index(customer)]; }
    /// Updates the window flows of the customer's segment. A store of one segment keeps none during
    /// the run: its flows are the items' (segment_window_flows()).
    template <class F>
    void tally_segment(std::int64_t customer, F&& f) {
        if (segmented_) f(segment_flows_[customers_.segment(customer)]);
    }
    /// Where a new backorder waits in line (lower first; ties by time): the allocation rule.
    double allocation_rank(std::int64_t customer) const;
    void on_delayed_return(const Event& e);
    void on_new_customer();
    void on_cancellation(const Event& e);
    /// Cancels the backorder in `slot` (tenant `gen`) if still open: refund, loyalty, log. With
    /// `decide`, a continuous-review decision follows.
    void cancel_backorder(std::uint32_t item, std::uint32_t slot, std::uint32_t gen, bool after_notice, bool decide);
    void serve_backorders(std::uint32_t item);
    void ship_backorder(std::uint32_t item, std::uint32_t slot, std::int64_t units);
    void backorder_completed(std::uint32_t item, const Backorder& b);
    void bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn);
    void positive_review(std::int64_t customer);

    // supply (supply.cpp): a stock point meets its vendor and its policy
    /// A decision is due for `item`: at a review, or (continuous review) after its inventory position
    /// changed. Asked after every occasion, so the common answers stay inline: nothing between
    /// reviews, and nothing when a built-in policy would not order (unless dual sourcing checks its
    /// expedited position first, or the decision waits for the caller).
    [[gnu::always_inline]] void decision_point(std::uint32_t item, bool at_review) {
        const ItemRun& it = items_[item];
        if (!at_review && it.policy.periodic()) return;
        if (it.policy.idle_at(it.stock.inventory_position()) && !pausing_ &&
            !it.dual_index) [[likely]]
            return;
        decision_due(item, at_review);
    }
    /// The rest of decision_point(): expedite, then wait for the caller or decide now.
    [[gnu::noinline]] void decision_due(std::uint32_t item, bool at_review);  // kept out of the callers' hot code
    void make_decision(std::uint32_t item, bool at_review);
    /// Places one decided order: from vendor `d.vendor` of the item, or as its sourcing rule says.
    void apply(std::uint32_t item, const OrderDecision& d);
    void on_review(const Event& e);
    /// Orders `units` of `item` from its vendor `k` (the vendor's place in the item's vendors).
    void place_order(std::uint32_t item, std::uint32_t k, std::int64_t units);
    void on_shipment(const Event& e);
    void on_shipment_delay(const Event& e);
    void pay_for_shipment(const Vendor& vendor, const Shipment& s);
    void on_supplier_payment(const Event& e);
    void on_supplier_state(const Event& e);
    InventoryView view(std::uint32_t item, bool at_review) const;
    /// Updates the vendor's window record (the whole run's is the vendor's own).
    template <class F>
    void tally_vendor(std::uint32_t v, F&& f) {
        if (in_window()) f(vendor_flows_[v]);
    }

    // sourcing (sourcing.cpp): which vendor an order goes to
    /// Orders `units` of `item` from the vendor its sourcing rule picks (split: from several).
    void source_order(std::uint32_t item, std::int64_t units);
    /// The vendor (place in the item's vendors) the rule picks for an order of `units` now.
    std::uint32_t pick_vendor(std::uint32_t item, std::int64_t units) const;
    /// Dual sourcing: an order from the expedited vendor when the expedited position is too low.
    void expedite(std::uint32_t item);
    /// On hand - backorders + what the expedited vendor will bring + what arrives within its lead time.
    std::int64_t expedited_position(std::uint32_t item) const;
    void split_order(std::uint32_t item, std::int64_t units);
    std::vector<VendorStatus> vendor_statuses(std::uint32_t item) const;
    /// Days from now until a new order of `item` from its vendor `k` would arrive, on average.
    double expected_lead_time(std::uint32_t item, std::uint32_t k) const;

    // notices (notices.cpp): what waiting customers are told after the quote
    /// Re-estimates when each waiting customer of `item` will be served; under notify_on_slip tells
    /// those whose date moved later, at a periodic round (`round`) tells everyone.
    void review_promises(std::uint32_t item, bool round);
    /// Tells the waiting customer in `slot` their new date; returns true when they cancel.
    bool notify(std::uint32_t item, std::uint32_t slot, double date);
    void on_notice_round(const Event& e);
    /// review_promises() for every item that notifies on slips and buys from vendor `v`.
    void review_promises_of_vendor(std::uint32_t v);

    // bookkeeping
    bool in_window() const { return now_ >= sc_.run.warmup_days; }
    void post(LedgerCategory c, Cents amount, std::int64_t ref, std::int32_t item = -1, std::int32_t vendor = -1);
    template <bool kOneItem>
    IntegratedState integrated_state_as() const;
    IntegratedState integrated_state() const {
        return one_item_ ? integrated_state_as<true>() : integrated_state_as<false>();
    }
    /// The store's totals for the shape: a store of one item reads them from its stock point.
    template <bool kOneItem>
    StoreStock store_totals() const {
        if constexpr (!kOneItem) return store_;
        const StockPoint& s = items_[0].stock;
        return StoreStock{s.on_hand(), s.backorder_units(), s.on_order(), s.on_hand() == 0, s.holding_per_day(), 1};
    }
    bool suppliers_up() const { return vendors_down_ == 0; }
    // Called at every occasion; the check stays inline, so a run without a log pays no call.
    void log(EventKind k, std::int64_t who, std::int64_t qty, double value, std::int32_t item = -1,
             std::int32_t vendor = -1, double previous = std::numeric_limits<double>::quiet_NaN()) {
        if (log_.wants(k)) log_row(k, who, qty, value, item, vendor, previous);
    }
    void log_row(EventKind k, std::int64_t who, std::int64_t qty, double value, std::int32_t item, std::int32_t vendor,
                 double previous);

    // summary (summary.cpp)
    ItemFlows store_flows() const;
    void summarize_flows(Summary& m, const ItemFlows& f) const;
    void summarize_money(Summary& m, const ItemFlows& f, const WindowStats& st, double days) const;
    void summarize_customers(Summary& m, const ItemFlows& f, const WindowStats& st) const;
    double inventory_value_per_day(const WindowStats& st, double days) const;
    WindowStats window_stats() const;
    ItemIntegrals store_integrals() const;
    SegmentFlows segment_window_flows(std::size_t g) const;
    /// Mean on hand and backorders at the period ends of periodic-review items (summed over them).
    std::pair<double, double> period_end_means() const;

    Scenario sc_;
    std::uint64_t seed_;
    std::uint64_t replication_;

    Calendar cal_;
    double now_ = 0.0;
    double last_integrated_ = 0.0;
    bool finished_ = false;
    bool time_monotone_ = true;
    std::vector<std::uint32_t> pending_;  // items whose decision waits for the caller
    bool pausing_ = false;                // inside run_until_decision(): decisions wait for the caller
    const std::atomic<bool>* cancel_ = nullptr;
    EventType last_type_ = EventType::Snapshot;
    std::int64_t events_handled_ = 0;
    std::int64_t occasions_handled_ = 0;
    std::int64_t next_order_id_ = 0;

    // the components
    CustomerBase customers_;
    StoreStock store_;  // the totals of a store of several items (read them with store_stock())
    std::vector<ItemRun> items_;  // never resized after construction (stock points point at store_)
    std::vector<Vendor> vendors_;
    std::uint32_t vendors_down_ = 0;  // vendors in an outage (every vendor starts up)
    Accounts accounts_;
    WindowStats st_;
    PopularityScale popularity_;  // where a visit's uniform numbers fall among the items
    std::vector<SegmentFlows> segment_flows_;
    bool segmented_ = false;  // more than one customer segment (a flag: size() divides)
    bool baskets_draw_ = false;  // some segment's basket size is random (a constant size draws nothing)
    bool one_item_ = false;      // a store of one item (checked at every occasion: one load)
    std::vector<VendorRecord> vendor_flows_;       // each vendor's record over the window
    std::vector<OrderDecision> decisions_;         // a custom policy's orders (reused)
    std::vector<std::uint32_t> waiting_;           // the line being reviewed for notices (reused)
    std::vector<std::pair<std::uint32_t, double>> to_tell_;  // (backorder slot, date) to notify (reused)
    double next_period_end_ = std::numeric_limits<double>::infinity();  // the earliest over the items
    static constexpr std::size_t kMaxChain = 64;  // items one line may try (itself and substitutes)
    std::vector<std::uint32_t> tried_;             // the items the current line has tried, in order

    TimeSeries series_;
    EventLog log_;
};

inline void Simulation::handle_candidate() {
    const double t = customers_.next_candidate();
    if (t < now_) time_monotone_ = false;
    now_ = t;
    last_type_ = EventType::Demand;
    ++events_handled_;
    Occasion occ{0, -1, -1};
    // Changes integrated state only through handle_occasion(), which calls advance().
    if (customers_.candidate(now_, occ)) {
        if (one_item_) handle_one_item_occasion(occ);
        else handle_occasion(occ);
        customers_.occasion_done();
    }
}

/// Runs one replication to the horizon.
RunResult simulate(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication = 0,
                   ReplenishmentPolicy* custom = nullptr);

}  // namespace stocklab
