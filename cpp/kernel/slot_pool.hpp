#pragma once
/// A pool of records addressed by slot number, so events can name the record they belong to.
/// Invariants: a slot is either live or free, never both; a released slot is reused before the pool
/// grows (last released, first reused), so steady state allocates nothing; every slot carries a
/// generation that release() advances, so an event scheduled for an earlier tenant of a slot can be
/// recognised as stale (lazy cancellation) without searching the calendar.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stocklab {

template <class T>
class SlotPool {
public:
    void reserve(std::size_t n) {
        records_.reserve(n);
        generations_.reserve(n);
    }

    /// A free slot holding `value`; its generation is the one an event for this tenant should carry.
    std::uint32_t acquire(const T& value) {
        std::uint32_t slot;
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
            records_[slot] = value;
        } else {
            slot = static_cast<std::uint32_t>(records_.size());
            records_.push_back(value);
            generations_.push_back(0);
        }
        ++live_;
        return slot;
    }

    /// Frees the slot and makes every event that carries its current generation stale.
    void release(std::uint32_t slot) {
        ++generations_[slot];
        free_.push_back(slot);
        --live_;
    }

    T& operator[](std::uint32_t slot) { return records_[slot]; }
    const T& operator[](std::uint32_t slot) const { return records_[slot]; }
    std::uint32_t generation(std::uint32_t slot) const { return generations_[slot]; }
    /// True while the slot's tenant is the one that had generation `gen`.
    bool current(std::uint32_t slot, std::uint32_t gen) const { return generations_[slot] == gen; }
    std::size_t live() const { return live_; }

private:
    std::vector<T> records_;
    std::vector<std::uint32_t> generations_;
    std::vector<std::uint32_t> free_;
    std::size_t live_ = 0;
};

}  // namespace stocklab
