#pragma once
/// The event calendar: a 4-ary min-heap of small POD events keyed (time, priority, seq).
/// Invariants: `seq` increases on every schedule, so equal (time, priority) pop in scheduling order
/// and never depend on memory; popped times never decrease; the heap holds only pending things
/// (never one event per customer). Cancellation is lazy: handlers check a generation on pop.
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
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    std::uint64_t scheduled() const { return next_seq_; }
    const Event& top() const { return heap_.front(); }

    void schedule(double time, EventType type, std::uint32_t a = 0, std::uint32_t b = 0,
                  std::uint64_t payload = 0) {
        heap_.push_back(Event{time, next_seq_++, payload, a, b, type});
        sift_up(heap_.size() - 1);
    }

    Event pop() {
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
        next_seq_ = 0;
    }

private:
    static constexpr std::size_t kArity = 4;

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
    std::uint64_t next_seq_ = 0;
};

}  // namespace stocklab
