#pragma once
/// Replenishment policies. Built-in ones are a closed set handled by the engine's `switch`
/// (Replenishment in scenario.hpp); this header is the open interface for custom policies (C++ or a
/// Python subclass). Invariant: a policy sees only what the store records (InventoryView), never the
/// true demand, and returns a non-negative whole number of units to order.
#include <cstdint>

namespace stocklab {

/// Read-only picture of the store at the moment a policy is asked.
struct InventoryView {
    double now = 0.0;
    std::uint32_t item = 0;        // which item of the assortment (its place in the scenario)
    std::int64_t on_hand = 0;
    std::int64_t backorders = 0;   // units owed to waiting customers
    std::int64_t on_order = 0;     // units ordered from the supplier, not yet received
    std::int64_t inventory_position = 0;  // on_hand + on_order - backorders
    std::int64_t recorded_demand = 0;     // cumulative units the store saw demanded (sales + backorders)
    std::int64_t sales = 0;               // cumulative units served from stock
    std::int64_t open_orders = 0;         // purchase orders in the pipeline
    bool is_review = false;               // true when called at a periodic review
};

class ReplenishmentPolicy {
public:
    virtual ~ReplenishmentPolicy() = default;
    /// Units to order now (0 for none). Called after every change of inventory position, or only
    /// at reviews when review_period_days() > 0.
    virtual std::int64_t order(const InventoryView& view) = 0;
    /// > 0: a periodic policy reviewed at k * period + offset; 0: continuous review.
    virtual double review_period_days() const { return 0.0; }
    virtual double review_offset_days() const { return 0.0; }
};

}  // namespace stocklab
