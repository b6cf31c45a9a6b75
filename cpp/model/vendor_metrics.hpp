#pragma once
/// The metrics of one vendor over the measured window: the rows of `run.vendors`.
/// Invariant: the order of the table never changes within a release (results are arrays).
#include <array>

#include "model/metric_table.hpp"

namespace stocklab {

// X(name, unit, label, one-line description)
#define STOCKLAB_VENDOR_METRICS(X)                                                                                    \
    X(orders_placed, "orders", "Orders placed", "Purchase orders placed with the vendor.")                             \
    X(ordered_units, "units", "Units ordered", "Units ordered from the vendor (after its minimum and multiples).")     \
    X(shipments, "shipments", "Shipments", "Shipments from the vendor that arrived.")                                  \
    X(late_shipments, "shipments", "Late shipments", "Shipments that arrived after the date the vendor confirmed.")    \
    X(received_units, "units", "Units received", "Units delivered by the shipments that arrived.")                     \
    X(short_units, "units", "Units short", "Units the arrived shipments lacked (short shipments).")                    \
    X(due_units_end, "units", "Units still due", "Units ordered and not yet arrived, at the end of the window.")        \
    X(on_time_rate, "fraction", "On-time rate", "Share of the arrived shipments that came by their confirmed date.")   \
    X(fill_rate, "fraction", "Fill rate", "Units received per unit due on the shipments that arrived.")               \
    X(mean_lead_time_days, "days", "Mean lead time", "Realised days from order to arrival, per arrived shipment.")     \
    X(spend, "currency", "Spend", "Cash paid to the vendor: supplier payments net of its refunds (the ledger's).")    \
    X(ordering_cost, "currency", "Ordering cost", "Fixed cost of the purchase orders placed with the vendor.")         \
    X(disrupted_days, "days", "Days down", "Time in the window during which the vendor was down.")

STOCKLAB_METRIC_TABLE(VendorMetric, STOCKLAB_VENDOR_METRICS, kVendorMetricCount, kVendorMetricInfo)

using VendorSummary = std::array<double, kVendorMetricCount>;

}  // namespace stocklab
