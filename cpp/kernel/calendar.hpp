#pragma once
/// The event calendar: a 4-ary min-heap of small POD events keyed (time, type, seq). It knows
/// nothing of inventory: the model names its event types (an 8-bit enum whose order is the
/// same-time order) and what the fields a, b and payload mean for each (model/events.hpp).
/// Invariants: `seq` increases on every schedule, so equal (time, priority) pop in scheduling order
/// and never depend on memory; keys are unique, so the pop order depends only on the set of pending
/// events, never on where they are stored; popped times never decrease; the calendar holds only
/// pending things (never one event per customer). Cancellation is lazy: handlers check a generation.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace stocklab {

/// 32 bytes, two to a cache line. `key` packs the type (top 8 bits) above the schedule sequence
/// number, so one integer compare breaks ties by type, then by scheduling order (2^56 schedules
/// would wrap it: centuries of events at any realistic rate).
template <class Type>
struct BasicEvent {
    double time;
    std::uint64_t key;
    std::uint64_t payload;
    std::uint32_t a;
    std::uint32_t b;

    static constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << 56) - 1;
    Type type() const { return static_cast<Type>(key >> 56); }
    std::uint64_t seq() const { return key & kSeqMask; }
    bool before(const BasicEvent& o) const { return time < o.time || (time == o.time && key < o.key); }
};

template <class Type>
class BasicCalendar {
public:
    using Event = BasicEvent<Type>;
    static_assert(sizeof(Type) == 1, "the type takes the top 8 bits of the key");
    static_assert(sizeof(Event) == 32 && offsetof(Event, b) == offsetof(Event, a) + 4,
                  "store() writes an event as four 8-byte words");

    void reserve(std::size_t n) { heap_.reserve(n); }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    std::uint64_t scheduled() const { return next_seq_; }
    const Event& top() const { return heap_.front(); }

    void schedule(double time, Type type, std::uint32_t a = 0, std::uint32_t b = 0,
                  std::uint64_t payload = 0) {
        const Event e{time, (static_cast<std::uint64_t>(type) << 56) | (next_seq_++ & Event::kSeqMask), payload, a, b};
        heap_.emplace_back();
        sift_up(heap_.size() - 1, e);
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

    void sift_up(std::size_t i, const Event& e) {
        while (i > 0) {
            std::size_t parent = (i - 1) / kArity;
            if (!e.before(heap_[parent])) break;
            heap_[i] = heap_[parent];
            i = parent;
        }
        store(heap_[i], e);
    }

    // Writes an event as two 16-byte halves, the width at which pop() and the sifts copy events. An
    // event written field by field and read back at once (a one-event heap) defeats store-to-load
    // forwarding: that cost a bare event loop a quarter of its speed.
    static void store(Event& dst, const Event& e) {
#if defined(__GNUC__)
        if constexpr (std::endian::native == std::endian::little) {
            using Half = std::uint64_t __attribute__((vector_size(16)));
            std::uint64_t time_bits;
            std::memcpy(&time_bits, &e.time, 8);
            const Half lo{time_bits, e.key};
            const Half hi{e.payload, (static_cast<std::uint64_t>(e.b) << 32) | e.a};  // a, then b
            std::memcpy(reinterpret_cast<char*>(&dst), &lo, 16);
            std::memcpy(reinterpret_cast<char*>(&dst) + 16, &hi, 16);
            return;
        }
#endif
        dst = e;
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
        store(heap_[i], e);
    }

    std::vector<Event> heap_;
    std::uint64_t next_seq_ = 0;
};

}  // namespace stocklab
