#pragma once
/// One replication of a scenario: the discrete-event engine.
/// Invariants: time never goes backwards; events with time < horizon are handled, in calendar order;
/// units are conserved (initial + received == on hand + shipped to customers); on hand >= 0;
/// cash == initial cash + sum of ledger entries; every backorder ends shipped, cancelled or open.
/// Stepping event by event and running to the end give identical results.
#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernel/calendar.hpp"
#include "model/customers.hpp"
#include "model/ledger.hpp"
#include "model/metrics.hpp"
#include "model/policy.hpp"
#include "kernel/random.hpp"
#include "model/results.hpp"
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

/// Units-and-money balances, checked by tests after any run.
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
};

class Simulation {
public:
    /// `custom` (optional, not owned) replaces the scenario's replenishment policy.
    Simulation(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication = 0,
               ReplenishmentPolicy* custom = nullptr);

    /// Handles the next event if it falls before the horizon; returns false when the run is over.
    bool step();
    /// Handles every event with time < t (capped at the horizon) and moves the clock to t.
    void run_until(double t);
    /// Runs to the horizon and closes the books.
    void run();
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

    /// Event-log rows produced since the last call (only when events are recorded or narrating).
    const std::vector<EventRecord>& event_log() const { return events_; }
    void set_narrate(bool on) { narrate_ = on; }
    /// run_until() polls this flag every few thousand events and throws Interrupted when it is set.
    void set_cancel_flag(const std::atomic<bool>* flag) { cancel_ = flag; }
    std::size_t log_size() const { return events_.size(); }
    const Scenario& scenario() const { return sc_; }
    /// Type of the event the last step() handled (for narration).
    EventType last_event_type() const { return last_type_; }

private:
    struct Backorder {
        double order_time;
        double due_time;
        std::int64_t customer;
        std::int64_t units;       // still owed
        std::int64_t original;
        Cents prepaid_per_unit;   // deposit the customer paid per owed unit
        std::uint32_t generation;
        bool open;
        float u_review;
        float u_churn;
    };
    struct PurchaseOrder {
        std::int64_t id;
        std::int64_t units;        // units that will arrive
        std::int64_t ordered;
        double expected_arrival;  // the date the supplier confirmed
        Cents prepaid;             // paid to the supplier at order
    };
    struct Payable {
        Cents amount;
        std::int64_t order_id;
    };
    struct Occasion {
        SmallEngine engine;
        std::int64_t customer;  // -1 anonymous
    };

    // event handlers
    /// The next event is the pending purchase candidate: earlier than the calendar's first event,
    /// or at the same time and of an earlier type (EventType gives the same-time order).
    bool candidate_first() const {
        if (cal_.empty()) return next_candidate_ != kNoCandidate;
        const Event& e = cal_.top();
        return next_candidate_ < e.time || (next_candidate_ == e.time && e.type() > EventType::Demand);
    }
    // The candidate path is most events: inlined into run_until()'s loop (the calls cost ~5%).
    [[gnu::always_inline]] inline void handle_candidate();
    void handle_calendar_event();
    void dispatch(const Event& e);
    [[gnu::always_inline]] inline void on_demand();
    void on_delayed_return(const Event& e);
    void on_new_customer();
    void on_shipment(const Event& e);
    void on_cancellation(const Event& e);
    void on_supplier_payment(const Event& e);
    void on_supplier_state();
    void on_accrual(const Event& e);
    void on_review(const Event& e);
    void on_snapshot(const Event& e);

    // model pieces
    void handle_occasion(Occasion occ);
    void stockout_response(Occasion& occ, std::int64_t short_units, std::int64_t served_units);
    double quoted_wait(std::int64_t units_needed) const;
    double acceptance_probability(double wait) const;
    void serve_backorders();
    void complete_backorder(std::uint32_t slot);
    void bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn);
    void good_experience(std::int64_t customer, double gain);
    void positive_review(std::int64_t customer);
    void continuous_review();
    void place_order(std::int64_t units);
    std::int64_t builtin_order_quantity(bool at_review);
    InventoryView view(bool at_review) const;
    double season_factor(double t) const;
    double reputation_at(double t) const;
    void update_candidate_rate();
    [[gnu::always_inline]] inline void schedule_next_demand();
    void schedule_next_new_customer();

    // bookkeeping
    void advance(double t);
    bool in_window() const { return now_ >= sc_.run.warmup_days; }
    void post(LedgerCategory c, Cents amount, std::int64_t ref);
    // Called at every occasion; the check stays inline, so a run without a log pays no call.
    void log(EventKind k, std::int64_t customer, std::int64_t qty, double value) {
        if (record_events_ || narrate_) log_row(k, customer, qty, value);
    }
    void log_row(EventKind k, std::int64_t customer, std::int64_t qty, double value);
    void snapshot_row(double t);
    void finish();

    Scenario sc_;
    std::uint64_t seed_;
    std::uint64_t replication_;
    ReplenishmentPolicy* custom_;
    bool customers_mode_;
    bool behaviour_;

    Calendar cal_;
    double now_ = 0.0;
    double last_integrated_ = 0.0;
    bool finished_ = false;
    bool narrate_ = false;
    const std::atomic<bool>* cancel_ = nullptr;
    EventType last_type_ = EventType::Snapshot;
    std::int64_t events_handled_ = 0;

    // random streams
    GlobalEngine rng_arrivals_, rng_pick_, rng_thin_, rng_new_, rng_lead_, rng_reliability_, rng_disruption_;
    SmallEngine rng_anonymous_;
    double max_rate_ = 0.0;          // thinning bound on the total rate of the initial population
    double candidate_rate_ = 0.0;    // candidates per day: the bound over every customer id so far
    // The superposed candidate stream is most events and is always exactly one pending event, so it
    // waits here beside the calendar, not in it (a calendar round trip per candidate cost ~25%).
    static constexpr double kNoCandidate = std::numeric_limits<double>::infinity();
    double next_candidate_ = kNoCandidate;  // time of the next purchase candidate (< horizon)

    // stock
    std::int64_t on_hand_ = 0;
    std::int64_t backorder_units_ = 0;
    std::int64_t on_order_ = 0;
    std::vector<Backorder> backorders_;
    std::vector<std::uint32_t> free_backorders_;
    IndexRing queue_;
    std::int64_t open_backorder_records_ = 0;
    std::vector<PurchaseOrder> orders_;
    std::vector<std::uint32_t> free_orders_;
    std::int64_t open_orders_ = 0;
    std::int64_t next_order_id_ = 0;
    std::vector<Payable> payables_;
    std::vector<std::uint32_t> free_payables_;
    Cents payables_outstanding_ = 0;
    Cents supplier_advances_ = 0;
    Cents prepayments_outstanding_ = 0;
    double last_arrival_ = 0.0;
    bool supplier_up_ = true;
    double supplier_up_at_ = 0.0;    // when a down supplier comes back
    std::int64_t capacity_period_ = -1;
    std::int64_t capacity_used_ = 0;
    double forecast_per_day_ = 0.0;
    std::int64_t recorded_at_last_review_ = 0;

    // customers
    CustomerPopulation customers_;
    std::int64_t joined_customers_ = 0;  // initial population + prospects who joined (ids of the
                                         // prospects who stayed away exist but are never active)
    double reputation_ = 0.0;
    double reputation_time_ = 0.0;

    // money
    Ledger ledger_;
    Accrual holding_accrual_, overdraft_accrual_, deposit_accrual_;
    Cents price_cents_ = 0;
    Cents unit_price_cents_ = 0;
    std::vector<std::pair<double, std::int64_t>> eta_buffer_;  // reused by quoted_wait

    // measured-window statistics
    struct Stats {
        double demand = 0, served = 0, backordered = 0, lost = 0, substituted = 0, delayed = 0, cancelled = 0,
               fulfilled = 0, late = 0, offers = 0, accepted = 0, wait_units_days = 0, revenue_cents = 0,
               lost_revenue_cents = 0, cogs_cents = 0, orders = 0, ordered_units = 0, due_units = 0,
               received_units = 0, disrupted_days = 0, churned = 0, reviews = 0, positive_reviews = 0,
               new_customers = 0;
        double int_on_hand = 0, int_backorders = 0, int_on_order = 0, int_ip = 0, int_stockout = 0,
               int_cash_negative = 0, int_prepay = 0, int_payables = 0;
        double min_cash_cents = 0;
        bool min_cash_set = false;
    } st_;

    // lifetime tallies for invariants and time series
    std::int64_t received_total_ = 0, shipped_total_ = 0, demand_total_ = 0, recorded_total_ = 0,
                 served_total_ = 0, lost_total_ = 0, backordered_total_ = 0, bo_shipped_total_ = 0,
                 bo_cancelled_total_ = 0, min_on_hand_ = 0;
    bool time_monotone_ = true;

    TimeSeries series_;
    std::vector<EventRecord> events_;
    bool record_events_;
};

/// Runs one replication to the horizon.
RunResult simulate(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication = 0,
                   ReplenishmentPolicy* custom = nullptr);

}  // namespace stocklab
