#pragma once
/// The model's event types: what the calendar's fields mean for each, and the same-time order.
/// Each event names its owner: the slot of the record it belongs to (a shipment, a backorder, a
/// payable, a customer), with a generation where the record can be cancelled lazily.
#include <cstdint>

#include "kernel/calendar.hpp"

namespace stocklab {

/// Same-time order is a modelling decision, named once here: supply changes, then shipments arrive,
/// then customers act, then cancellations, then money falls due, then reviews, then snapshots; the
/// types added later (a vendor announcing a delay, a round of notices to waiting customers) come
/// after them (the numbers are the reproducibility contract: never renumber).
enum class EventType : std::uint8_t {
    SupplierState = 0,     // a vendor's outage starts or ends
    ShipmentArrival = 1,   // a = shipment slot (Vendor), payload = vendor
    Demand = 2,            // a purchase candidate: a rank only (the stream waits beside the calendar)
    DelayedReturn = 3,     // a = customer id; payload = occasion seed
    NewCustomer = 4,       // a prospective customer arrives (thinned by reputation)
    Cancellation = 5,      // a = backorder slot, b = its generation (StockPoint)
    SupplierPayment = 6,   // a = payable slot (Accounts)
    Accrual = 7,           // holding cost and interest posted; payload = k, at k * accrual period
    Review = 8,            // periodic review; payload = k, at k * period + offset
    Snapshot = 9,          // time-series sample; payload = k, at k * interval
    ShipmentDelay = 10,    // a vendor announces a late shipment: a = shipment slot, payload = vendor
    NoticeRound = 11,      // notify_periodically: a = item; payload = k, at k * period
};

/// Names of the event types, for narration (same order as EventType).
inline constexpr const char* kEventTypeNames[] = {
    "supplier_state", "shipment_arrival", "demand",  "delayed_return", "new_customer",   "cancellation",
    "supplier_payment", "accrual",        "review",  "snapshot",       "shipment_delay", "notice_round"};

using Event = BasicEvent<EventType>;
using Calendar = BasicCalendar<EventType>;

}  // namespace stocklab
