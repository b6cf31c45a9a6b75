#pragma once
/// Replenishment policies. Built-in ones are a closed set handled by the engine's `switch`
/// (Replenishment in scenario.hpp); this header is the open interface for custom policies (C++ or a
/// Python subclass). Invariant: a policy sees only what the store records (InventoryView), never the
/// true demand, and returns non-negative whole numbers of units to order, each from one of the
/// item's vendors or from the vendor the item's sourcing rule picks.
#include <cstdint>
#include <string>
#include <vector>

#include "model/vendor_record.hpp"

namespace stocklab {

/// One order a replenishment decision asks for.
struct OrderDecision {
    std::int64_t quantity = 0;
    std::int32_t vendor = -1;  // the vendor's place in the item's vendors; -1: the item's sourcing rule picks
};

/// One of the item's vendors as the store sees it at a decision: its terms and its record so far.
struct VendorStatus {
    std::string id;
    double unit_price = 0.0;          // what it charges a unit of this item
    double lead_time_days = 0.0;      // its mean lead time (the terms, not the record)
    bool up = true;                   // shipping (not in an outage)
    std::int64_t recent_late_deliveries = 0;  // late deliveries in the last sourcing.window_days of the item
    VendorRecord record;              // the whole run so far
};

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
    std::vector<VendorStatus> vendors;    // the item's vendors, in the scenario's order for it
};

class ReplenishmentPolicy {
public:
    virtual ~ReplenishmentPolicy() = default;
    /// Units to order now (0 for none). Called after every change of inventory position, or only
    /// at reviews when review_period_days() > 0.
    virtual std::int64_t order(const InventoryView& view) = 0;
    /// The orders to place now, appended to `out`. By default one order of order(view) units from
    /// the vendor the item's sourcing rule picks; override to choose vendors and split orders.
    virtual void orders(const InventoryView& view, std::vector<OrderDecision>& out) {
        out.push_back(OrderDecision{order(view), -1});
    }
    /// > 0: a periodic policy reviewed at k * period + offset; 0: continuous review.
    virtual double review_period_days() const { return 0.0; }
    virtual double review_offset_days() const { return 0.0; }
};

}  // namespace stocklab
