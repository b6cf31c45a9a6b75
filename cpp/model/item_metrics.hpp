#pragma once
/// The metrics of one item over the measured window: the rows of `run.items`. The same fields as the
/// store's metrics of the same name, for the item alone (the store's flows are the items' sums).
/// Invariant: the order of the table never changes within a release (results are arrays).
#include <array>

#include "model/metric_table.hpp"

namespace stocklab {

// X(name, unit, label, one-line description)
#define STOCKLAB_ITEM_METRICS(X)                                                                                   \
    X(demand_units, "units", "Demand", "Units customers wanted of the item, first choice or as a substitute.")    \
    X(substitute_demand_units, "units", "Wanted as a substitute",                                                \
      "Units wanted of the item by customers whose first choice was out of stock.")                               \
    X(served_from_stock_units, "units", "Served from stock", "Units handed over from the shelf at the occasion.") \
    X(substitute_sales_units, "units", "Sold as a substitute",                                                   \
      "Units sold to customers whose first choice was out of stock (included in served).")                        \
    X(backordered_units, "units", "Backordered", "Short units for which the customer accepted a backorder.")     \
    X(lost_units, "units", "Lost sales", "Short units of customers who bought elsewhere or not at all.")          \
    X(substituted_units, "units", "Substituted",                                                                  \
      "Short units the customer wanted to replace: in the store by a substitute item, or elsewhere.")            \
    X(delayed_units, "units", "Delayed", "Short units of customers who will come back later.")                    \
    X(cancelled_units, "units", "Cancelled backorders",                                                           \
      "Backordered units cancelled: patience ran out, or on a delay notice.")                                     \
    X(fulfilled_backorder_units, "units", "Backorders shipped", "Backordered units shipped to waiting customers.") \
    X(late_backorder_units, "units", "Late backorders", "Backordered units completed later than promised.")       \
    X(fill_rate, "fraction", "Fill rate", "Share of the units wanted that were served from the shelf.")           \
    X(backorder_acceptance_rate, "fraction", "Backorder acceptance", "Share of backorder offers accepted.")       \
    X(avg_on_hand, "units", "Average on hand", "Time average of the units on the shelf.")                         \
    X(avg_backorders, "units", "Average backorders", "Time average of the units owed to waiting customers.")      \
    X(period_end_on_hand, "units", "On hand at period end",                                                       \
      "Periodic review: mean units on the shelf just before each review.")                                       \
    X(period_end_backorders, "units", "Backorders at period end",                                                 \
      "Periodic review: mean units owed to waiting customers just before each review.")                           \
    X(stockout_time_fraction, "fraction", "Time out of stock", "Share of the window with none of it on hand.")     \
    X(ending_on_hand, "units", "Ending on hand", "Units on the shelf at the end of the window.")                   \
    X(revenue, "currency", "Revenue", "Sales of the item, net of apology discounts.")                             \
    X(cost_of_goods_sold, "currency", "Cost of goods sold", "What the units sold cost the store.")                \
    X(lost_revenue, "currency", "Lost revenue", "Price of the units lost and of the backorders cancelled.")       \
    X(holding_cost, "currency", "Holding cost", "Cost of keeping the item in stock (its share of the ledger's).")  \
    X(gross_margin, "currency", "Gross margin",                                                                   \
      "Revenue minus cost of goods sold, holding cost and purchase price variance.")                              \
    X(orders_placed, "orders", "Orders placed", "Purchase orders placed for the item.")                            \
    X(salvage_value, "currency", "Salvage value", "What the units left at the horizon are worth.")               \
    X(purchase_price_variance, "currency", "Purchase price variance",                                             \
      "What its vendors charged above its unit cost for the units received.")                                     \
    X(notices_sent, "notices", "Delay notices", "Notices telling its waiting customers their (new) date.")         \
    X(cancelled_after_notice_units, "units", "Cancelled after a notice",                                          \
      "Backordered units cancelled by customers on being told of a delay.")

STOCKLAB_METRIC_TABLE(ItemMetric, STOCKLAB_ITEM_METRICS, kItemMetricCount, kItemMetricInfo)

using ItemSummary = std::array<double, kItemMetricCount>;

}  // namespace stocklab
