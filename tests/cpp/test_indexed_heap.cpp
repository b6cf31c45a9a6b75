// The customers' clock heap: after any mix of pushes, key changes and removals, the top is the least
// key and every id sits where the heap says, both below and above the size where it fetches ahead.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "kernel/indexed_heap.hpp"

namespace stocklab {
namespace {

/// Random operations checked against a sorted reference; returns the heap's final size.
std::size_t check_random_operations(std::uint32_t ids, int operations, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> key(0.0, 1e6);
    IndexedHeap heap;
    std::map<std::uint32_t, double> keys;         // the reference: each present id's key (distinct keys)
    std::set<std::pair<double, std::uint32_t>> order;  // and the same, least first
    auto set_key = [&](std::uint32_t id, double k) {
        if (keys.contains(id)) order.erase({keys[id], id});
        keys[id] = k;
        order.insert({k, id});
    };
    for (int op = 0; op < operations; ++op) {
        const auto id = static_cast<std::uint32_t>(rng() % ids);
        const double k = key(rng);
        if (!heap.contains(id)) {
            heap.push(id, k);
            set_key(id, k);
        } else if (rng() % 4 == 0) {
            heap.remove(id);
            order.erase({keys[id], id});
            keys.erase(id);
        } else {
            heap.update(id, k);
            set_key(id, k);
        }
        EXPECT_EQ(heap.size(), keys.size());
        if (keys.empty()) continue;
        EXPECT_EQ(heap.top_key(), order.begin()->first);
        EXPECT_EQ(heap.top_id(), order.begin()->second);
        if (heap.top_id() != order.begin()->second) return heap.size();  // one failure says enough
        if (op % 4999 != 0) continue;
        for (const auto& [i, v] : keys) {
            EXPECT_EQ(heap.key_of(i), v);
        }
    }
    return heap.size();
}

TEST(IndexedHeap, TopIsTheLeastKeyInASmallHeap) {
    EXPECT_LE(check_random_operations(500, 20000, 1), IndexedHeap::kLarge);
}

TEST(IndexedHeap, TopIsTheLeastKeyInALargeHeap) {
    // Fill beyond the size where sift-down fetches ahead, then mix operations there.
    IndexedHeap probe;
    const auto ids = static_cast<std::uint32_t>(4 * IndexedHeap::kLarge);
    for (std::uint32_t i = 0; i < ids; ++i) probe.push(i, static_cast<double>(ids - i));
    EXPECT_TRUE(probe.large());
    EXPECT_EQ(probe.top_id(), ids - 1);
    for (std::uint32_t i = ids - 1; i > ids / 2; --i) {
        EXPECT_EQ(probe.top_id(), i);
        probe.update(i, 1e9 + i);  // sinks to the bottom, as a customer's next occasion does
    }
    EXPECT_GT(check_random_operations(ids, 200000, 2), IndexedHeap::kLarge);  // mixed while large
}

}  // namespace
}  // namespace stocklab
