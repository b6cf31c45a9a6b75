#pragma once
/// An indexed 4-ary min-heap of (key, id): each id at most once, its place remembered so its key can
/// change, or it can leave, in O(log n). Keys and ids live in separate arrays, so picking the least
/// of four children reads 32 contiguous bytes.
/// Invariants: every key is <= its children's; position_of(id) is the id's index or kAbsent; equal
/// keys are ordered by the sequence of operations, never by memory addresses (runs are deterministic).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace stocklab {

class IndexedHeap {
public:
    static constexpr std::uint32_t kAbsent = 0xFFFFFFFFu;
    static constexpr std::size_t kLarge = 8192;  // keys beyond a core's first-level cache (64 KiB)

    bool empty() const { return keys_.empty(); }
    std::size_t size() const { return keys_.size(); }
    /// Too large for the fast caches: worth fetching ahead what the next steps will read.
    bool large() const { return keys_.size() > kLarge; }
    double top_key() const { return keys_.front(); }
    std::uint32_t top_id() const { return ids_.front(); }
    /// The id on top once the top's key grows past every other (kAbsent when it is alone): the next
    /// id a caller will want, to fetch its data ahead.
    std::uint32_t next_top_id() const {
        return keys_.size() < 2 ? kAbsent : ids_[least_child(1, std::min<std::size_t>(5, keys_.size()))];
    }
    bool contains(std::uint32_t id) const { return id < pos_.size() && pos_[id] != kAbsent; }
    double key_of(std::uint32_t id) const { return keys_[pos_[id]]; }

    void reserve(std::size_t n) {
        keys_.reserve(n);
        ids_.reserve(n);
        pos_.reserve(n);
    }
    void push(std::uint32_t id, double key) {
        if (pos_.size() <= id) pos_.resize(std::max<std::size_t>(id + 1, 2 * pos_.size()), kAbsent);
        keys_.push_back(key);
        ids_.push_back(id);
        sift_up(keys_.size() - 1, key, id);
    }
    void update(std::uint32_t id, double key) {
        const std::size_t i = pos_[id];
        if (key < keys_[i]) sift_up(i, key, id);
        else sift_down(i, key, id);
    }
    void remove(std::uint32_t id) {
        const std::size_t i = pos_[id];
        pos_[id] = kAbsent;
        const double key = keys_.back();
        const std::uint32_t last = ids_.back();
        keys_.pop_back();
        ids_.pop_back();
        if (i == keys_.size()) return;
        if (key < keys_[i]) sift_up(i, key, last);
        else sift_down(i, key, last);
    }

private:
    void place(std::size_t i, double key, std::uint32_t id) {
        keys_[i] = key;
        ids_[i] = id;
        pos_[id] = static_cast<std::uint32_t>(i);
    }
    void sift_up(std::size_t i, double key, std::uint32_t id) {
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!(key < keys_[parent])) break;
            place(i, keys_[parent], ids_[parent]);
            i = parent;
        }
        place(i, key, id);
    }
    /// The least of the children first..end-1, without data-dependent branches for a full set.
    std::size_t least_child(std::size_t first, std::size_t end) const {
        const double* k = keys_.data();
        if (end - first == 4) {
            const std::size_t a = first + (k[first + 1] < k[first]);
            const std::size_t b = first + 2 + (k[first + 3] < k[first + 2]);
            return k[b] < k[a] ? b : a;
        }
        std::size_t best = first;
        for (std::size_t c = first + 1; c < end; ++c)
            if (k[c] < k[best]) best = c;
        return best;
    }
    /// Bottom-up: a key that grows usually sinks to the bottom (a customer's next occasion is far
    /// beyond most others'), so the least children move up to a leaf without comparing with the key,
    /// which then sifts up from there: fewer comparisons, predictable branches.
    void sift_down(std::size_t i, double key, std::uint32_t id) {
        if (large()) sift_down_as<true>(i, key, id);
        else sift_down_as<false>(i, key, id);
    }
    template <bool kFetchAhead>
    void sift_down_as(std::size_t i, double key, std::uint32_t id) {
        const std::size_t size = keys_.size();
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= size) break;
            // In a large heap, the grandchildren's keys are asked for now: whichever child wins, its
            // children's keys are on their way instead of a cache miss a level.
            if (const std::size_t grand = 4 * first + 1; kFetchAhead && grand + 16 <= size) {
                const double* k = keys_.data() + grand;
                __builtin_prefetch(k);
                __builtin_prefetch(k + 4);
                __builtin_prefetch(k + 8);
                __builtin_prefetch(k + 12);
            }
            const std::size_t best = least_child(first, std::min(first + 4, size));
            place(i, keys_[best], ids_[best]);
            i = best;
        }
        sift_up(i, key, id);
    }

    std::vector<double> keys_;
    std::vector<std::uint32_t> ids_;
    std::vector<std::uint32_t> pos_;
};

}  // namespace stocklab
