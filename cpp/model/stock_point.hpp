#pragma once
/// One item's stock: units on hand, units on order, the backorder book (customers waiting, served in
/// the store's allocation order) and what the store can honestly promise them (the inbound schedule).
/// Invariants: on hand >= 0; initial + received == on hand + shipped; backordered == shipped from
/// backorders + cancelled + still owed; `backorder_units` is the sum of what open backorders still
/// owe; the inbound schedule holds one entry (confirmed arrival, units, vendor) per shipment still
/// due, sorted, so a quote is a walk, not a sort; on order = inbound units ordered + units booked to
/// leave the vendor after the horizon; in a store of several items the store's totals (StoreStock)
/// move with every change (a store of one item is its stock point: it keeps no totals).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "kernel/index_ring.hpp"
#include "kernel/slot_pool.hpp"
#include "model/ledger.hpp"

namespace stocklab {

/// A customer waiting for units that were out of stock.
struct Backorder {
    double order_time;
    double due_time;          // the promised date (the quote when the backorder was taken)
    double told;              // the date the customer was last told (due_time until a notice)
    std::int64_t customer;
    std::int64_t units;       // still owed
    std::int64_t original;
    Cents prepaid_per_unit;   // deposit the customer paid per owed unit
    bool open;                // false once shipped in full or cancelled
    float u_review;           // the customer's uniforms for a later experience (drawn when ordering)
    float u_churn;
    double rank;              // allocation order: lower first (0 for first come, first served)
    std::uint64_t notice_seed;  // the customer's random numbers for deciding again at notices
};

/// A shipment on its way to the stock point, as the store knows it.
struct Inbound {
    double arrival;        // the date the vendor confirmed (or announced, once a delay is known)
    std::int64_t units;    // units it brings
    std::uint32_t vendor;  // the vendor's place in the scenario
    bool operator<(const Inbound& o) const {
        return arrival < o.arrival || (arrival == o.arrival && (units < o.units || (units == o.units && vendor < o.vendor)));
    }
    bool operator==(const Inbound& o) const = default;
};

/// Lifetime unit tallies of one stock point (for invariants and the time series).
struct StockTallies {
    std::int64_t demand = 0, served = 0, shipped = 0, recorded = 0, min_on_hand = 0;  // a sale's, first
    std::int64_t lost = 0, received = 0, backordered = 0, backorders_shipped = 0, backorders_cancelled = 0;
};

/// The store's totals over all its stock points, kept up to date by them.
struct StoreStock {
    std::int64_t on_hand = 0, backorders = 0, on_order = 0;
    std::int64_t items_out = 0;    // stock points with nothing on hand
    double holding_per_day = 0.0;  // sum of holding cost per unit-day x on hand
    std::int64_t items = 0;
};

class StockPoint {
public:
    /// `ranked`: serve the line by rank (then arrival) instead of first come, first served. `store`:
    /// the totals to keep, or null when this stock point is the whole store.
    StockPoint(std::int64_t initial_on_hand, double holding_per_unit_day, bool ranked, StoreStock* store);

    std::int64_t on_hand() const { return on_hand_; }
    std::int64_t on_order() const { return on_order_; }
    std::int64_t backorder_units() const { return backorder_units_; }
    std::int64_t waiting_customers() const { return open_records_; }
    std::int64_t inventory_position() const { return on_hand_ + on_order_ - backorder_units_; }
    const StockTallies& tallies() const { return tallies_; }
    std::int64_t initial_on_hand() const { return initial_on_hand_; }
    double holding_per_day() const { return holding_ * static_cast<double>(on_hand_); }

    /// A customer wants `q` units: serves what stock allows (nothing while others wait in line).
    /// `first_choice`: false when the customer came for another item (not counted as its demand).
    std::int64_t sell(std::int64_t q, bool first_choice = true);
    /// Units turned away (lost to this item).
    void lose(std::int64_t units) { tallies_.lost += units; }
    /// Lost units the customer then sought from a substitute in the store: the store's tallies count
    /// only what leaves the store.
    void pass_on(std::int64_t units) { tallies_.lost -= units; }

    /// Puts a customer in the backorder line; returns the slot (for their cancellation event).
    std::uint32_t add_backorder(const Backorder& b);
    Backorder& backorder(std::uint32_t slot) { return book_[slot]; }
    const Backorder& backorder(std::uint32_t slot) const { return book_[slot]; }
    std::uint32_t generation(std::uint32_t slot) const { return book_.generation(slot); }
    /// The first customer in line whose backorder is still open (closed records at the head are
    /// freed on the way); false when nobody waits.
    bool first_waiting(std::uint32_t& slot);
    /// Units to ship now to the backorder in `slot` (whole orders only without partial shipments).
    std::int64_t shippable(std::uint32_t slot, bool partial_shipments) const;
    /// Ships units from stock to the backorder in `slot`.
    void ship(std::uint32_t slot, std::int64_t units);
    /// The head of the line is served in full: it leaves the line and its slot is freed.
    void complete_first();
    /// Cancels the backorder in `slot` if it is the tenant `gen` and still open; returns the units
    /// it still owed (0: nothing to cancel). The record stays in line until it reaches the head.
    std::int64_t cancel(std::uint32_t slot, std::uint32_t gen);

    /// A shipment of `delivered` units (of `ordered` ordered) from `vendor`, confirmed for `promised`,
    /// is on its way.
    void expect(double promised, std::int64_t delivered, std::int64_t ordered, std::uint32_t vendor);
    /// That shipment (expected at `promised`) arrived.
    void receive(double promised, std::int64_t delivered, std::int64_t ordered, std::uint32_t vendor);
    /// The vendor announced that the shipment expected at `was` comes at `now_expected` instead.
    void reschedule(const Inbound& was, double now_expected);
    /// `units` ordered that leave the vendor at or after `departs`, beyond the horizon: on order, but
    /// never shipped in this run.
    void book_beyond_horizon(std::int64_t units, double departs);
    /// Shipments on their way, earliest first.
    const std::vector<Inbound>& inbound() const { return inbound_; }
    /// When the first unit booked beyond the horizon leaves (infinity when none is).
    double booked_departure() const { return beyond_departure_; }
    /// Days from `now` until the shipment that covers `units_needed` units (counted from the first
    /// unit owed) arrives; negative when the pipeline does not cover them.
    double pipeline_wait(std::int64_t units_needed, double now) const;
    /// The open backorders in the order the line will be served (their slots, into `out`).
    void waiting_in_order(std::vector<std::uint32_t>& out) const;

private:
    void change_on_hand(std::int64_t delta);
    void change_backorders(std::int64_t delta) {
        backorder_units_ += delta;
        if (store_) store_->backorders += delta;
    }
    void change_on_order(std::int64_t delta) {
        on_order_ += delta;
        if (store_) store_->on_order += delta;
    }
    bool line_empty() const { return in_line_ == 0; }
    std::uint32_t line_front() const { return ranked_ ? ranked_line_.front().slot : line_.front(); }
    void line_pop();

    struct Ranked {  // a place in a ranked line: by rank, then by arrival
        double rank;
        std::uint64_t seq;
        std::uint32_t slot;
        bool operator>(const Ranked& o) const { return rank > o.rank || (rank == o.rank && seq > o.seq); }
    };

    // What a sale reads and writes comes first, together: in a store of 1,000 items each purchase
    // line meets its stock point cold, and every further cache line it touches costs a miss.
    double holding_;
    StoreStock* store_;  // null: this stock point is the store
    std::int64_t on_hand_ = 0;
    std::int64_t on_order_ = 0;
    std::int64_t backorder_units_ = 0;
    std::uint32_t in_line_ = 0;  // records in whichever line (open or not yet popped): one check per sale
    bool ranked_;
    StockTallies tallies_;
    std::int64_t initial_on_hand_;
    std::int64_t open_records_ = 0;
    SlotPool<Backorder> book_;
    IndexRing line_;                    // first come, first served
    std::vector<Ranked> ranked_line_;   // a min-heap (std::push_heap with greater) otherwise
    std::uint64_t arrivals_ = 0;
    std::vector<Inbound> inbound_;  // sorted
    std::int64_t beyond_units_ = 0;  // on order, leaving the vendor after the horizon
    double beyond_departure_ = std::numeric_limits<double>::infinity();
};

// On every purchase: inline.
inline void StockPoint::change_on_hand(std::int64_t delta) {
    const std::int64_t before = on_hand_;
    on_hand_ += delta;
    if (!store_) return;
    // Remove this item's old term and add the new one.
    store_->holding_per_day -= holding_ * static_cast<double>(before);
    store_->holding_per_day += holding_ * static_cast<double>(on_hand_);
    store_->on_hand += delta;
    store_->items_out += (on_hand_ == 0) - (before == 0);
}

inline std::int64_t StockPoint::sell(std::int64_t q, bool first_choice) {
    if (first_choice) tallies_.demand += q;
    const std::int64_t served = std::min<std::int64_t>(q, line_empty() ? on_hand_ : 0);
    if (served > 0) {
        change_on_hand(-served);
        tallies_.min_on_hand = std::min(tallies_.min_on_hand, on_hand_);
        tallies_.shipped += served;
        tallies_.served += served;
        tallies_.recorded += served;
    }
    return served;
}

}  // namespace stocklab
