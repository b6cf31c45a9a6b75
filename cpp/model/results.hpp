#pragma once
/// What a run produces besides its summary: the time series, the event log and the ledger.
/// Invariant: every array of a TimeSeries has one value per snapshot; event-log rows are in the
/// order the engine handled them (non-decreasing time).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/ledger.hpp"
#include "model/item_metrics.hpp"
#include "model/segment_metrics.hpp"
#include "model/vendor_metrics.hpp"
#include "model/metrics.hpp"

namespace stocklab {

#define STOCKLAB_SERIES(X)  \
    X(time)                 \
    X(on_hand)              \
    X(backorders)           \
    X(on_order)             \
    X(inventory_position)   \
    X(cash)                 \
    X(demand)               \
    X(recorded_demand)      \
    X(served_from_stock)    \
    X(lost)                 \
    X(active_customers)     \
    X(mean_loyalty)         \
    X(reputation)

enum class Series : int {
#define STOCKLAB_ENUM(name) name,
    STOCKLAB_SERIES(STOCKLAB_ENUM)
#undef STOCKLAB_ENUM
        Count
};
inline constexpr std::size_t kSeriesCount = static_cast<std::size_t>(Series::Count);
inline constexpr std::array<std::string_view, kSeriesCount> kSeriesNames{
#define STOCKLAB_NAME(name) #name,
    STOCKLAB_SERIES(STOCKLAB_NAME)
#undef STOCKLAB_NAME
};

struct TimeSeries {
    std::array<std::vector<double>, kSeriesCount> columns;
    std::size_t size() const { return columns[0].size(); }
};

/// What happened, for the event log and for step-by-step narration.
enum class EventKind : std::uint8_t {
    Sale = 0,            // served from stock in full
    PartialSale,         // part served from stock, the rest short (see the next row)
    Backordered,         // accepted a backorder; value = quoted wait (days, NaN if none quoted)
    BoughtElsewhere,     // turned away: bought at another store (lost)
    Substituted,         // turned away: bought a substitute (lost to this SKU)
    Delayed,             // turned away: will come back; value = days until the return
    NoPurchase,          // turned away: did not buy
    BackorderShipped,    // backordered units shipped; value = days waited
    BackorderLate,       // a backorder completed after its quoted date; value = days late
    BackorderCancelled,  // customer cancelled after waiting; value = days waited
    OrderPlaced,         // purchase order; quantity = units; reference = order id
    ShipmentReceived,    // quantity = units received; reference = order id
    SupplierDown,
    SupplierUp,
    SupplierPaid,        // value = amount paid
    NewCustomer,
    Churned,
    NegativeReview,
    PositiveReview,
    SubstituteSale,      // sold in place of an item that was out; value = the item it replaced
    ShipmentDelayed,     // a vendor announced a late shipment; value = its new date, previous = the confirmed one
    NoticeKeptWaiting,   // a waiting customer was told their date (value; previous = the date told before) and waits
    NoticeCancelled,     // ... and cancelled (a backorder_cancelled row follows)
    VendorSwitched,      // an item's sourcing rule moved it to another vendor (the row's vendor)
    Count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(EventKind::Count)> kEventKindNames{
    "sale",         "partial_sale",      "backordered",        "bought_elsewhere", "substituted",
    "delayed",      "no_purchase",       "backorder_shipped",  "backorder_late",   "backorder_cancelled",
    "order_placed", "shipment_received", "supplier_down",      "supplier_up",      "supplier_paid",
    "new_customer", "churned",           "negative_review",    "positive_review",  "substitute_sale",
    "shipment_delayed", "notice_kept_waiting", "notice_cancelled", "vendor_switched"};

struct EventRecord {
    double time;
    std::int64_t reference;  // the customer's id, or the purchase order's for supply rows; -1 for none
    std::int64_t quantity;
    std::int64_t on_hand;   // state after the event
    std::int64_t backorders;
    std::int64_t on_order;
    double cash;
    double value;
    double previous;  // what `value` was before the change the row reports (delays, notices); NaN otherwise
    EventKind kind;
    std::int32_t item;    // the item the row concerns (its state above); -1 for none (the store's totals)
    std::int16_t vendor;  // the vendor the row concerns (its place in the scenario); -1 for none
};

struct RunResult {
    std::uint64_t seed = 0;
    std::uint64_t replication = 0;
    Summary summary{};
    std::vector<ItemSummary> items;  // one row per item, in the scenario's order
    std::vector<std::string> item_ids;
    std::vector<SegmentSummary> segments;  // one row per customer segment
    std::vector<std::string> segment_ids;
    std::vector<VendorSummary> vendors;    // one row per vendor of the scenario
    std::vector<std::string> vendor_ids;
    TimeSeries timeseries;
    std::vector<EventRecord> events;
    std::vector<LedgerEntry> ledger;
    double initial_cash = 0.0;
};

}  // namespace stocklab
