#pragma once
/// Replenishment: when the store orders and how much. The built-in policies are small classes chosen
/// by the scenario (a std::variant: no virtual call on the hot path); a custom policy (C++ or Python,
/// model/policy.hpp) replaces them. The review period and offset are read once, at the start.
/// Invariants: a decision is a whole number of units >= 0; a periodic policy is asked only at
/// k * period + offset; a continuous one after every change of the inventory position; a policy
/// sees only what the store records (InventoryView), never the true demand.
#include <cstdint>
#include <variant>
#include <vector>

#include "model/policy.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// Order nothing (the newsvendor: one initial stock).
struct NoReplenishment {
    std::int64_t quantity(std::int64_t, bool) const { return 0; }
};
/// (s, S): when the inventory position is at or below s, order up to S.
struct ReorderUpTo {
    std::int64_t s, S;
    bool only_at_review;  // (R, s, S): the same rule, checked at reviews only
    std::int64_t quantity(std::int64_t ip, bool at_review) const {
        return (at_review || !only_at_review) && ip <= s ? S - ip : 0;
    }
};
/// (s, Q): when at or below s, order the smallest multiple of Q that lifts the position above s.
struct ReorderQuantity {
    std::int64_t s, Q;
    std::int64_t quantity(std::int64_t ip, bool) const { return ip > s ? 0 : ((s - ip) / Q + 1) * Q; }
};
/// Base stock S (continuous) or (R, S) (periodic): order up to S whenever below it.
struct BaseStock {
    std::int64_t S;
    bool only_at_review;
    std::int64_t quantity(std::int64_t ip, bool at_review) const {
        return (at_review || !only_at_review) && ip < S ? S - ip : 0;
    }
};
/// Order up to an exponentially smoothed forecast of recorded demand x cover days + safety stock.
struct ForecastCover {
    double alpha, cover_days;
    std::int64_t safety_stock;
    double per_day;                // the forecast (units a day)
    std::int64_t recorded_at_last_review = 0;
    std::int64_t quantity(std::int64_t ip, bool at_review) const;
};

using BuiltinPolicy = std::variant<NoReplenishment, ReorderUpTo, ReorderQuantity, BaseStock, ForecastCover>;

class Replenisher {
public:
    /// The policy of `item`, whose demand starts at `demand_per_day` units (the forecast's first
    /// value); `custom` (optional, not owned) replaces it. Throws std::invalid_argument on a custom
    /// policy's bad review period or offset.
    Replenisher(const Scenario& sc, const Item& item, double demand_per_day, ReplenishmentPolicy* custom);

    bool periodic() const { return period_ > 0; }
    double review_period() const { return period_; }
    double review_offset() const { return offset_; }
    /// Time of review k.
    double review_time(std::uint64_t k) const { return static_cast<double>(k) * period_ + offset_; }
    bool custom() const { return custom_ != nullptr; }
    /// True when the built-in policy orders nothing at inventory position `ip`, whatever the moment
    /// (never for a custom policy, which is always asked): a check without the variant's dispatch.
    bool idle_at(std::int64_t ip) const { return ip > idle_above_; }

    /// At review k the forecast policy learns from the demand recorded since the last review.
    void begin_review(std::uint64_t k, std::int64_t recorded_total);
    /// A custom policy's orders for what the store sees now (each checked: units >= 0, a vendor of
    /// the item or -1), in `out` (cleared first).
    void decide_custom(const InventoryView& view, std::vector<OrderDecision>& out);
    /// A built-in policy's order at inventory position `ip` (cheap: asked after every occasion).
    std::int64_t decide_builtin(std::int64_t ip, bool at_review) const {
        return std::visit([&](const auto& p) { return p.quantity(ip, at_review); }, builtin_);
    }

private:
    // What every purchase asks (periodic(), idle_at()) first: one cache line of a cold item.
    double period_ = 0.0;
    std::int64_t idle_above_ = 0;  // above this position the built-in policy never orders
    double offset_ = 0.0;
    BuiltinPolicy builtin_;
    ReplenishmentPolicy* custom_;
};

}  // namespace stocklab
