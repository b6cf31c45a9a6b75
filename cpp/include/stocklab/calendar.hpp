#pragma once
/// The event calendar: a 4-ary min-heap of small POD events keyed (time, priority, seq), plus a
/// one-event slot for the superposed demand stream (see kHotType).
/// Invariants: `seq` increases on every schedule, so equal (time, priority) pop in scheduling order
/// and never depend on memory; keys are unique, so the pop order depends only on the set of pending
/// events, never on where they are stored; popped times never decrease; the calendar holds only
/// pending things (never one event per customer). Cancellation is lazy: handlers check a generation.
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace stocklab {

/// Same-time order is a modelling decision, named once here: supply changes, then shipments arrive,
/// then customers act, then cancellations, then money falls due, then reviews, then snapshots.
enum class EventType : std::uint8_t {
    SupplierState = 0,     // disruption starts or ends
    ShipmentArrival = 1,   // a = shipment slot
    Demand = 2,            // superposed purchase occasion (or anonymous arrival)
    DelayedReturn = 3,     // a = customer; payload = occasion seed
    NewCustomer = 4,       // new-customer arrival (thinned)
    Cancellation = 5,      // a = backorder slot, b = generation
    SupplierPayment = 6,   // a = payable slot
    DailyAccrual = 7,      // holding cost and interest posted at k * 1 day
    Review = 8,            // periodic review k * period + offset
    Snapshot = 9,          // time-series sample k * interval
};

/// Names of the event types, for narration (same order as EventType).
inline constexpr const char* kEventTypeNames[] = {
    "supplier_state", "shipment_arrival", "demand",  "delayed_return", "new_customer",
    "cancellation",   "supplier_payment", "accrual", "review",         "snapshot"};

struct Event {
    double time;
    std::uint64_t seq;
    std::uint64_t payload;
    std::uint32_t a;
    std::uint32_t b;
    EventType type;

    bool before(const Event& o) const {
        if (time != o.time) return time < o.time;
        if (type != o.type) return static_cast<int>(type) < static_cast<int>(o.type);
        return seq < o.seq;
    }
};

class Calendar {
public:
    void reserve(std::size_t n) { heap_.reserve(n); }
    bool empty() const { return heap_.empty() && !has_hot_; }
    std::size_t size() const { return heap_.size() + (has_hot_ ? 1 : 0); }
    std::uint64_t scheduled() const { return next_seq_; }
    const Event& top() const { return hot_first() ? hot_ : heap_.front(); }

    void schedule(double time, EventType type, std::uint32_t a = 0, std::uint32_t b = 0,
                  std::uint64_t payload = 0) {
        const Event e{time, next_seq_++, payload, a, b, type};
        if (type == kHotType && !has_hot_) {
            hot_ = e;
            has_hot_ = true;
            return;
        }
        heap_.push_back(e);
        sift_up(heap_.size() - 1);
    }

    Event pop() {
        if (hot_first()) {
            has_hot_ = false;
            return hot_;
        }
        Event out = heap_.front();
        Event last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) {
            heap_.front() = last;
            sift_down(0);
        }
        return out;
    }

    void clear() {
        heap_.clear();
        has_hot_ = false;
        next_seq_ = 0;
    }

private:
    static constexpr std::size_t kArity = 4;
    // The superposed demand stream is most of a run's events and reschedules itself on every pop:
    // one pending Demand event waits in this slot instead of the heap (O(1) in and out). Keys are a
    // strict total order (seq is unique), so the pop order is exactly the heap-only order.
    static constexpr EventType kHotType = EventType::Demand;

    bool hot_first() const { return has_hot_ && (heap_.empty() || hot_.before(heap_.front())); }

    void sift_up(std::size_t i) {
        Event e = heap_[i];
        while (i > 0) {
            std::size_t parent = (i - 1) / kArity;
            if (!e.before(heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        heap_[i] = e;
    }

    void sift_down(std::size_t i) {
        const std::size_t n = heap_.size();
        Event e = heap_[i];
        for (;;) {
            std::size_t first = i * kArity + 1;
            if (first >= n) break;
            std::size_t best = first;
            std::size_t end = first + kArity < n ? first + kArity : n;
            for (std::size_t c = first + 1; c < end; ++c)
                if (heap_[c].before(heap_[best])) best = c;
            if (!heap_[best].before(e)) break;
            heap_[i] = heap_[best];
            i = best;
        }
        heap_[i] = e;
    }

    std::vector<Event> heap_;
    Event hot_{};
    bool has_hot_ = false;
    std::uint64_t next_seq_ = 0;
};

}  // namespace stocklab
