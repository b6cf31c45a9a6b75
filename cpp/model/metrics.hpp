#pragma once
/// The summary metrics of one run, over the measured window [warmup, horizon]. Names are the
/// contract shared by summaries, CLI JSON and DataFrames; docs/glossary.md defines each one.
/// Invariant: the order of kMetricNames never changes within a release (results are arrays).
#include <array>
#include <string_view>

namespace stocklab {

#define STOCKLAB_METRICS(X)                \
    X(demand_units)                        \
    X(served_from_stock_units)             \
    X(backordered_units)                   \
    X(lost_units)                          \
    X(substituted_units)                   \
    X(delayed_units)                       \
    X(cancelled_units)                     \
    X(fulfilled_backorder_units)           \
    X(late_backorder_units)                \
    X(fill_rate)                           \
    X(backorder_acceptance_rate)           \
    X(mean_backorder_wait_days)            \
    X(avg_on_hand)                         \
    X(avg_backorders)                      \
    X(avg_on_order)                        \
    X(avg_inventory_position)              \
    X(stockout_time_fraction)              \
    X(recorded_demand_units)               \
    X(demand_capture_ratio)                \
    X(revenue)                             \
    X(lost_revenue)                        \
    X(cost_of_goods_sold)                  \
    X(holding_cost)                        \
    X(ordering_cost)                       \
    X(refunds)                             \
    X(apology_discounts)                   \
    X(net_interest)                        \
    X(profit)                              \
    X(final_cash)                          \
    X(min_cash)                            \
    X(days_cash_negative)                  \
    X(cash_conversion_cycle_days)          \
    X(customer_prepayments_outstanding)    \
    X(supplier_payables_outstanding)       \
    X(orders_placed)                       \
    X(mean_order_size)                     \
    X(supplier_fill_rate)                  \
    X(disrupted_days)                      \
    X(churned_customers)                   \
    X(active_customers_end)                \
    X(mean_loyalty)                        \
    X(negative_reviews)                    \
    X(positive_reviews)                    \
    X(new_customers)                       \
    X(repeat_purchase_rate)                \
    X(revenue_per_customer)                \
    X(events)

enum class Metric : int {
#define STOCKLAB_ENUM(name) name,
    STOCKLAB_METRICS(STOCKLAB_ENUM)
#undef STOCKLAB_ENUM
        Count
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::Count);

inline constexpr std::array<std::string_view, kMetricCount> kMetricNames{
#define STOCKLAB_NAME(name) #name,
    STOCKLAB_METRICS(STOCKLAB_NAME)
#undef STOCKLAB_NAME
};

using Summary = std::array<double, kMetricCount>;

}  // namespace stocklab
