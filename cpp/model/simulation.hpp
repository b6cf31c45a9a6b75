#pragma once
/// One replication of a scenario: the store's components and the event loop that routes each event
/// to the component that owns it (one `switch` on the event type; events name their owner slot).
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
#include "model/customers.hpp"
#include "model/event_log.hpp"
#include "model/finance.hpp"
#include "model/metrics.hpp"
#include "model/policy.hpp"
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
    bool decision_pending() const { return pending_ != Pending::None; }
    /// What the policy would see at the pending decision.
    InventoryView decision_view() const;
    /// Completes the pending decision with the scenario's (or custom) policy's own choice.
    void decide();
    /// Completes the pending decision with the caller's choice instead.
    void decide(const OrderDecision& decision);

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
    const StockPoint& stock() const { return stock_; }
    const Vendor& vendor() const { return vendor_; }
    const Accounts& accounts() const { return accounts_; }
    /// Flow counts and integrals over the measured window so far (the summary's inputs).
    const WindowStats& window_stats() const { return st_; }
    /// Type of the event the last step() handled (for narration).
    EventType last_event_type() const { return last_type_; }

private:
    enum class Pending : std::uint8_t { None, Continuous, Review };

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
    void resolve_pending_decision();
    void advance(double t);
    void finish();
    void on_accrual(const Event& e);
    void post_accruals();
    void on_snapshot(const Event& e);
    void snapshot_row(double t);

    // purchases (purchases.cpp): customers meet the stock point
    void handle_occasion(const Occasion& occ);
    void stockout_response(const Occasion& occ, Engine& draws, std::int64_t short_units, std::int64_t served_units);
    double quoted_wait(std::int64_t units_needed) const;
    double acceptance_probability(double wait) const;
    void take_backorder(const Occasion& occ, std::int64_t units, std::int64_t served_units, double quote,
                        double promised, double patience, float u_review, float u_churn);
    void turn_away(const Occasion& occ, std::int64_t units, double u_choice, double delay, std::uint64_t return_seed,
                   float u_review, float u_churn);
    void on_delayed_return(const Event& e);
    void on_new_customer();
    void on_cancellation(const Event& e);
    void serve_backorders();
    void ship_backorder(std::uint32_t slot, std::int64_t units);
    void backorder_completed(const Backorder& b);
    void bad_experience(std::int64_t customer, double penalty, float u_review, float u_churn);
    void positive_review(std::int64_t customer);

    // supply (supply.cpp): the stock point meets its vendor and the policy
    void decision_point(bool at_review);
    void make_decision(bool at_review);
    void on_review(const Event& e);
    void place_order(std::int64_t units);
    void on_shipment(const Event& e);
    void pay_for_shipment(const Shipment& s, std::int64_t received);
    void on_supplier_payment(const Event& e);
    void on_supplier_state();
    InventoryView view(bool at_review) const;

    // bookkeeping
    bool in_window() const { return now_ >= sc_.run.warmup_days; }
    void post(LedgerCategory c, Cents amount, std::int64_t ref);
    IntegratedState integrated_state() const;
    // Called at every occasion; the check stays inline, so a run without a log pays no call.
    void log(EventKind k, std::int64_t who, std::int64_t qty, double value) {
        if (log_.wants(k)) log_row(k, who, qty, value);
    }
    void log_row(EventKind k, std::int64_t who, std::int64_t qty, double value);

    // summary (summary.cpp)
    void summarize_flows(Summary& m, const WindowStats& st) const;
    void summarize_money(Summary& m, const WindowStats& st, double days) const;
    void summarize_customers(Summary& m, const WindowStats& st) const;

    Scenario sc_;
    std::uint64_t seed_;
    std::uint64_t replication_;

    Calendar cal_;
    double now_ = 0.0;
    double last_integrated_ = 0.0;
    bool finished_ = false;
    bool time_monotone_ = true;
    Pending pending_ = Pending::None;
    bool pausing_ = false;  // inside run_until_decision(): decisions wait for the caller
    const std::atomic<bool>* cancel_ = nullptr;
    EventType last_type_ = EventType::Snapshot;
    std::int64_t events_handled_ = 0;
    std::int64_t occasions_handled_ = 0;
    std::int64_t next_order_id_ = 0;

    // the components
    CustomerBase customers_;
    StockPoint stock_;
    Vendor vendor_;
    Accounts accounts_;
    Replenisher replenisher_;
    WindowStats st_;
    Cents price_cents_ = 0;

    TimeSeries series_;
    EventLog log_;
};

inline void Simulation::handle_candidate() {
    const double t = customers_.next_candidate();
    if (t < now_) time_monotone_ = false;
    now_ = t;
    last_type_ = EventType::Demand;
    ++events_handled_;
    Occasion occ;
    // Changes integrated state only through handle_occasion(), which calls advance().
    if (customers_.candidate(now_, occ)) {
        handle_occasion(occ);
        customers_.occasion_done();
    }
}

/// Runs one replication to the horizon.
RunResult simulate(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication = 0,
                   ReplenishmentPolicy* custom = nullptr);

}  // namespace stocklab
