#pragma once
/// The summary metrics of one run, over the measured window [warmup, horizon], and their metadata:
/// the one table that summaries, CLI JSON, DataFrames, plots, HTML displays and docs/glossary.md read.
/// Invariant: the order of the table never changes within a release (results are arrays); every
/// metric has a unit, a group, a display label and a one-line description.
#include <array>
#include <string_view>

namespace stocklab {

// X(name, unit, group, display label, one-line description). Units: units, fraction (a number in
// [0, 1]), days, currency, orders, customers, reviews, notices, loyalty (a sum of changes of
// customers' loyalty, each in [0, 1]), events. Groups: sales, stock, money, supply, customers,
// engine (the sections of docs/glossary.md).
#define STOCKLAB_METRICS(X)                                                                                        \
    X(demand_units, "units", "sales", "Demand",                                                                    \
      "Units wanted at purchase occasions in the window.")                                                         \
    X(served_from_stock_units, "units", "sales", "Served from stock",                                              \
      "Units handed over from the shelf at the moment of the purchase occasion.")                                  \
    X(backordered_units, "units", "sales", "Backordered",                                                          \
      "Short units for which the customer accepted a backorder.")                                                  \
    X(lost_units, "units", "sales", "Lost sales",                                                                  \
      "Short units of customers who were turned away and did not come back.")                                      \
    X(substituted_units, "units", "sales", "Substituted",                                                          \
      "Short units the customer wanted to replace: by another item of the store, or elsewhere.")                   \
    X(saved_by_substitute_units, "units", "sales", "Saved by a substitute",                                        \
      "Units sold as substitutes for items that were out of stock: sales the store kept.")                         \
    X(delayed_units, "units", "sales", "Delayed",                                                                  \
      "Short units of customers who were turned away and will come back later.")                                   \
    X(cancelled_units, "units", "sales", "Cancelled backorders",                                                   \
      "Backordered units still owed when the customer cancelled: patience ran out, or on a delay notice.")                                        \
    X(fulfilled_backorder_units, "units", "sales", "Backorders shipped",                                           \
      "Backordered units shipped to waiting customers.")                                                           \
    X(late_backorder_units, "units", "sales", "Late backorders",                                                   \
      "Backordered units completed later than promised.")                                                          \
    X(late_backorder_announced_units, "units", "sales", "Late backorders announced",                               \
      "Late backordered units whose customer had been told, by a notice, the date they came.")                     \
    X(late_backorder_surprise_units, "units", "sales", "Late backorders unannounced",                              \
      "Late backordered units whose customer learned of the delay only when the date passed.")                     \
    X(cancelled_after_notice_units, "units", "sales", "Cancelled after a notice",                                  \
      "Backordered units cancelled by customers on being told of a delay (part of cancelled units).")              \
    X(notices_sent, "notices", "sales", "Delay notices",                                                       \
      "Notices telling waiting customers the date their backorder will now ship.")                                 \
    X(fill_rate, "fraction", "sales", "Fill rate",                                                                 \
      "Share of demanded units served from the shelf on arrival.")                                                 \
    X(backorder_acceptance_rate, "fraction", "sales", "Backorder acceptance",                                      \
      "Share of backorder offers that customers accepted.")                                                        \
    X(mean_backorder_wait_days, "days", "sales", "Mean backorder wait",                                            \
      "Average time from taking a backorder to shipping it, per unit shipped.")                                    \
    X(avg_on_hand, "units", "stock", "Average on hand",                                                            \
      "Time average of the units on the shelf.")                                                                   \
    X(avg_backorders, "units", "stock", "Average backorders",                                                      \
      "Time average of the units owed to waiting customers.")                                                      \
    X(avg_on_order, "units", "stock", "Average on order",                                                          \
      "Time average of the units ordered from the supplier and not yet received.")                                 \
    X(period_end_on_hand, "units", "stock", "On hand at period end",                                               \
      "Periodic review: mean units on the shelf just before each review (the textbooks' end-of-period stock).")   \
    X(period_end_backorders, "units", "stock", "Backorders at period end",                                         \
      "Periodic review: mean units owed to waiting customers just before each review.")                           \
    X(avg_inventory_position, "units", "stock", "Average inventory position",                                      \
      "Time average of on hand + on order - backorders.")                                                          \
    X(stockout_time_fraction, "fraction", "stock", "Time out of stock",                                            \
      "Share of the window with nothing on the shelf.")                                                            \
    X(ending_on_hand, "units", "stock", "Ending on hand",                                                          \
      "Units on the shelf at the end of the window (the horizon).")                                                \
    X(recorded_demand_units, "units", "sales", "Recorded demand",                                                  \
      "Demand the store's own records show: served from stock plus backordered.")                                  \
    X(demand_capture_ratio, "fraction", "sales", "Demand captured",                                                \
      "Share of true demand that the store's records show.")                                                       \
    X(revenue, "currency", "money", "Revenue",                                                                     \
      "Sales of every unit shipped to a customer, minus apology discounts.")                                       \
    X(lost_revenue, "currency", "money", "Lost revenue",                                                           \
      "Sales value of lost and cancelled units.")                                                                  \
    X(cost_of_goods_sold, "currency", "money", "Cost of goods sold",                                               \
      "What the units sold cost the store.")                                                                       \
    X(holding_cost, "currency", "money", "Holding cost",                                                           \
      "Cost of keeping stock on the shelf.")                                                                       \
    X(ordering_cost, "currency", "money", "Ordering cost",                                                         \
      "Fixed cost of the purchase orders placed.")                                                                 \
    X(purchase_price_variance, "currency", "money", "Purchase price variance",                                     \
      "What vendors charged above the items' unit cost for the units received (negative: below it).")              \
    X(refunds, "currency", "money", "Refunds",                                                                     \
      "Prepaid deposits returned to customers who cancelled a backorder.")                                         \
    X(apology_discounts, "currency", "money", "Apology discounts",                                                 \
      "Discounts paid back on late backorders.")                                                                   \
    X(net_interest, "currency", "money", "Net interest",                                                           \
      "Overdraft interest paid minus interest earned on cash.")                                                    \
    X(salvage_value, "currency", "money", "Salvage value",                                                         \
      "What the units left at the horizon are worth at the item's salvage value.")                                 \
    X(profit, "currency", "money", "Profit",                                                                       \
      "Revenue minus cost of goods sold, price variance, holding, ordering, net interest (plus salvage, if asked).")             \
    X(final_cash, "currency", "money", "Final cash",                                                               \
      "Cash at the horizon.")                                                                                      \
    X(min_cash, "currency", "money", "Minimum cash",                                                               \
      "Lowest cash balance in the window.")                                                                        \
    X(days_cash_negative, "days", "money", "Days overdrawn",                                                       \
      "Time in the window during which cash was below zero.")                                                      \
    X(cash_conversion_cycle_days, "days", "money", "Cash conversion cycle",                                        \
      "Days inventory outstanding + days sales outstanding - days payables outstanding.")                          \
    X(customer_prepayments_outstanding, "currency", "money", "Customer prepayments held",                          \
      "Deposits paid by customers for backorders not yet shipped, at the horizon.")                                \
    X(supplier_payables_outstanding, "currency", "money", "Supplier payables",                                     \
      "Supplier invoices not yet paid minus advances on orders not yet arrived, at the horizon.")                  \
    X(orders_placed, "orders", "supply", "Orders placed",                                                          \
      "Purchase orders placed in the window.")                                                                     \
    X(mean_order_size, "units", "supply", "Mean order size",                                                       \
      "Units per purchase order placed.")                                                                          \
    X(supplier_fill_rate, "fraction", "supply", "Supplier fill rate",                                              \
      "Units received per unit ordered, over the shipments that arrived.")                                         \
    X(disrupted_days, "days", "supply", "Supplier down",                                                           \
      "Time in the window during which the supplier was down.")                                                    \
    X(churned_customers, "customers", "customers", "Customers lost",                                               \
      "Customers who stopped buying here for good.")                                                               \
    X(active_customers_end, "customers", "customers", "Active customers",                                          \
      "Customers who have not churned, at the horizon.")                                                           \
    X(mean_loyalty, "fraction", "customers", "Mean loyalty",                                                       \
      "Average loyalty of the active customers at the horizon.")                                                   \
    X(negative_reviews, "reviews", "customers", "Negative reviews",                                                \
      "Negative reviews posted after bad experiences.")                                                            \
    X(positive_reviews, "reviews", "customers", "Positive reviews",                                                \
      "Positive reviews posted after good experiences.")                                                           \
    X(new_customers, "customers", "customers", "New customers",                                                    \
      "New customers who arrived, after word of mouth thinned the arrivals.")                                      \
    X(repeat_purchase_rate, "fraction", "customers", "Repeat purchase rate",                                       \
      "Among the customers who bought, the share who bought at least twice.")                                              \
    X(revenue_per_customer, "currency", "customers", "Revenue per customer",                                       \
      "Revenue divided by every customer who ever belonged to the population.")                                    \
    X(loyalty_lost_to_announced_delays, "loyalty", "customers", "Loyalty lost to announced delays",                \
      "Loyalty customers lost to late backorders they were told of and to cancellations after a notice.")          \
    X(loyalty_lost_to_surprise_delays, "loyalty", "customers", "Loyalty lost to surprise delays",                  \
      "Loyalty customers lost to late backorders they learned of only when the date passed.")                      \
    X(events, "events", "engine", "Events",                                                                        \
      "Events the engine handled over the whole run (a measure of work).")                                         \
    X(purchase_candidates, "events", "engine", "Purchase candidates",                                              \
      "Purchase-occasion candidates drawn over the whole run, thinned ones included.")                             \
    X(purchase_occasions, "events", "engine", "Purchase occasions",                                                \
      "Purchase occasions over the whole run: candidates that were real, and returns of delayed customers.")

enum class Metric : int {
#define STOCKLAB_ENUM(name, ...) name,
    STOCKLAB_METRICS(STOCKLAB_ENUM)
#undef STOCKLAB_ENUM
        Count
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::Count);

/// One row of the metric table.
struct MetricInfo {
    std::string_view name;
    std::string_view unit;
    std::string_view group;
    std::string_view label;
    std::string_view description;
};

inline constexpr std::array<MetricInfo, kMetricCount> kMetricInfo{{
#define STOCKLAB_INFO(name, unit, group, label, description) {#name, unit, group, label, description},
    STOCKLAB_METRICS(STOCKLAB_INFO)
#undef STOCKLAB_INFO
}};

inline constexpr std::array<std::string_view, kMetricCount> kMetricNames{
#define STOCKLAB_NAME(name, ...) #name,
    STOCKLAB_METRICS(STOCKLAB_NAME)
#undef STOCKLAB_NAME
};

using Summary = std::array<double, kMetricCount>;

}  // namespace stocklab
