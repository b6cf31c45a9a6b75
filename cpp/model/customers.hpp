#pragma once
/// The customer population, as a structure of arrays indexed by customer id.
/// Invariants: ids are 0..size-1 in the order the scenario defines them (the initial population,
/// then prospective new customers in arrival order, active only if word of mouth let them join);
/// loyalty stays in [0, 1]; a churned customer never buys again; `loyalty_sum_active` equals the
/// sum of loyalty over active customers; `hot[id].weight` follows loyalty and active.
#include <cstdint>
#include <vector>

#include "kernel/random.hpp"

namespace stocklab {

struct CustomerPopulation {
    /// What a purchase candidate reads, together in one 16-byte record (one cache line touched per
    /// candidate, not three): the customer's stream and its thinning weight, which is loyalty (or 1
    /// when loyalty does not scale the rate) while active and 0 once churned or never joined.
    struct Hot {
        SmallEngine stream;  // one seed per purchase occasion, keyed by customer id
        double weight;
    };
    std::vector<Hot> hot;
    std::vector<double> loyalty;
    std::vector<std::uint8_t> active;
    std::vector<std::uint32_t> occasions_in_window;
    std::vector<std::uint32_t> purchases_in_window;  // occasions with units served (stock or backorder)
    double loyalty_sum_active = 0.0;
    std::int64_t active_count = 0;
    bool loyalty_scales_rate = true;  // false with behaviour off: every active customer weighs 1

    std::size_t size() const { return loyalty.size(); }

    void reserve(std::size_t n) {
        hot.reserve(n);
        loyalty.reserve(n);
        active.reserve(n);
        occasions_in_window.reserve(n);
        purchases_in_window.reserve(n);
    }

    void add(double initial_loyalty, std::uint64_t seed, bool is_active) {
        hot.push_back(Hot{SmallEngine(seed), 0.0});
        loyalty.push_back(initial_loyalty);
        active.push_back(is_active ? 1 : 0);
        occasions_in_window.push_back(0);
        purchases_in_window.push_back(0);
        if (is_active) {
            loyalty_sum_active += initial_loyalty;
            ++active_count;
        }
        update_weight(loyalty.size() - 1);
    }

    /// The initial population, at once: n active customers, customer i's stream seeded by seed_of(i).
    /// The same state as n calls of add(), in a fraction of the time (it runs every replication).
    template <class SeedOf>
    void add_initial(std::size_t n, double initial_loyalty, SeedOf seed_of) {
        const double weight = weight_of(initial_loyalty, true);
        for (std::size_t i = 0; i < n; ++i) hot.push_back(Hot{SmallEngine(seed_of(i)), weight});
        loyalty.insert(loyalty.end(), n, initial_loyalty);
        active.insert(active.end(), n, std::uint8_t{1});
        occasions_in_window.insert(occasions_in_window.end(), n, 0u);
        purchases_in_window.insert(purchases_in_window.end(), n, 0u);
        for (std::size_t i = 0; i < n; ++i) loyalty_sum_active += initial_loyalty;  // as add() sums, bit for bit
        active_count += static_cast<std::int64_t>(n);
    }

    void set_loyalty(std::size_t id, double value) {
        if (value < 0.0) value = 0.0;  // model bounds, not input clamping: rules keep it in [0, 1]
        if (value > 1.0) value = 1.0;
        if (active[id]) loyalty_sum_active += value - loyalty[id];
        loyalty[id] = value;
        update_weight(id);
    }

    void churn(std::size_t id) {
        if (!active[id]) return;
        active[id] = 0;
        loyalty_sum_active -= loyalty[id];
        --active_count;
        update_weight(id);
    }

private:
    double weight_of(double l, bool is_active) const { return is_active ? (loyalty_scales_rate ? l : 1.0) : 0.0; }
    void update_weight(std::size_t id) { hot[id].weight = weight_of(loyalty[id], active[id] != 0); }
};

/// A growable FIFO ring of indices; no allocation once it has reached its working size.
class IndexRing {
public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::uint32_t front() const { return buf_[head_]; }
    void pop_front() {
        head_ = (head_ + 1) & (buf_.size() - 1);
        --size_;
    }
    void push_back(std::uint32_t v) {
        if (size_ == buf_.size()) grow();
        buf_[(head_ + size_) & (buf_.size() - 1)] = v;
        ++size_;
    }
    std::uint32_t at(std::size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
    void clear() {
        head_ = 0;
        size_ = 0;
    }

private:
    void grow() {
        std::vector<std::uint32_t> n(buf_.empty() ? 64 : buf_.size() * 2);
        for (std::size_t i = 0; i < size_; ++i) n[i] = at(i);
        buf_.swap(n);
        head_ = 0;
    }
    std::vector<std::uint32_t> buf_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace stocklab
