#pragma once
/// A vendor's record: what it was asked for and what it delivered, how late and at what cost. The
/// vendor keeps one over the whole run (what sourcing rules and custom policies read); the summary
/// keeps one over the measured window (the rows of `run.vendors`).
/// Invariants: counts only grow; over the whole run, units ordered = received + short + still due
/// (Vendor::due_units()); spend is what the ledger paid the vendor (supplier payments net of refunds).
#include <cstdint>
#include <limits>

namespace stocklab {

struct VendorRecord {
    double orders = 0, ordered_units = 0;          // purchase orders placed with the vendor
    double shipments = 0, late_shipments = 0;      // shipments that arrived; after their confirmed date
    double received_units = 0, short_units = 0;    // of the shipments that arrived: delivered, shorted
    double lead_time_days = 0;                     // sum over arrived shipments of (arrival - order)
    double spend_cents = 0, ordering_cost_cents = 0;

    double on_time_rate() const { return shipments > 0 ? 1.0 - late_shipments / shipments : nan(); }
    double fill_rate() const {
        const double due = received_units + short_units;
        return due > 0 ? received_units / due : nan();
    }
    double mean_lead_time_days() const { return shipments > 0 ? lead_time_days / shipments : nan(); }

    void ordered(std::int64_t units, double order_cost_cents) {
        orders += 1;
        ordered_units += static_cast<double>(units);
        ordering_cost_cents += order_cost_cents;
    }
    /// A shipment of `delivered` of `due` units, ordered at `ordered_at`, arrived at `now`.
    void arrived(std::int64_t delivered, std::int64_t due, double ordered_at, double now, bool late) {
        shipments += 1;
        late_shipments += late ? 1 : 0;
        received_units += static_cast<double>(delivered);
        short_units += static_cast<double>(due - delivered);
        lead_time_days += now - ordered_at;
    }

private:
    static double nan() { return std::numeric_limits<double>::quiet_NaN(); }
};

}  // namespace stocklab
