#pragma once
/// The metrics of one customer segment over the measured window: the rows of `run.segments`.
/// Invariant: the order of the table never changes within a release (results are arrays).
#include <array>

#include "model/metric_table.hpp"

namespace stocklab {

// X(name, unit, label, one-line description)
#define STOCKLAB_SEGMENT_METRICS(X)                                                                                  \
    X(customers, "customers", "Customers", "Customers of the segment who joined (initial and new).")                  \
    X(active_customers, "customers", "Active customers", "Customers of the segment still buying at the end.")         \
    X(mean_loyalty, "fraction", "Mean loyalty", "Mean loyalty of the segment's active customers at the end.")        \
    X(visits, "visits", "Visits", "Purchase occasions of the segment's customers in the window.")                      \
    X(buying_visits, "visits", "Buying visits", "Visits at which the customer bought something (now or backordered).") \
    X(demand_units, "units", "Demand", "Units the segment's customers wanted (first choices).")                        \
    X(served_from_stock_units, "units", "Served from stock", "Units of their first choice handed over from the shelf.") \
    X(saved_by_substitute_units, "units", "Saved by a substitute", "Units sold as substitutes for items that were out.") \
    X(backordered_units, "units", "Backordered", "Short units for which the customer accepted a backorder.")          \
    X(lost_units, "units", "Lost sales", "Short units that left the store (after any in-store substitute).")          \
    X(cancelled_units, "units", "Cancelled backorders",                                                               \
      "Backordered units cancelled: patience ran out, or on a delay notice.")                                         \
    X(fill_rate, "fraction", "Fill rate", "Share of the units wanted served from the shelf (first choices).")         \
    X(revenue, "currency", "Revenue", "What the segment paid: sales from stock and backorders shipped.")

STOCKLAB_METRIC_TABLE(SegmentMetric, STOCKLAB_SEGMENT_METRICS, kSegmentMetricCount, kSegmentMetricInfo)

using SegmentSummary = std::array<double, kSegmentMetricCount>;

}  // namespace stocklab
