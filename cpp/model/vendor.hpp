#pragma once
/// A vendor (a supplier of items): its pipeline of shipments, capacity per period (shared by the items
/// it supplies), reliability (short and late shipments) and outages, and its record (what it was
/// asked for and what it delivered). Owns its random streams and its events (ShipmentArrival and
/// ShipmentDelay: a = shipment slot, payload = the vendor's index; SupplierState: a = the vendor's
/// index, an outage starts or ends).
/// Invariants: every unit ordered is in exactly one shipment or booked beyond the horizon; a
/// shipment's confirmed date is set when it leaves and only reliability failures break it; with
/// orders that may not cross, arrivals never overtake earlier ones; a shipment never leaves while
/// the vendor is down; over the run, units ordered = received + short + due_units().
#include <cstdint>
#include <vector>

#include "model/events.hpp"
#include "kernel/random.hpp"
#include "kernel/slot_pool.hpp"
#include "model/ledger.hpp"
#include "model/stock_point.hpp"
#include "model/vendor_record.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// One shipment of a purchase order (an order splits into several when capacity binds).
struct Shipment {
    std::int64_t order_id;
    std::uint32_t item;
    std::int64_t units;            // units that will arrive (fewer than ordered when short-shipped)
    std::int64_t ordered;
    double confirmed;              // the date the vendor confirmed when it shipped
    double expected_arrival;       // the date the store expects (the confirmed one until a delay is announced)
    double arrival;                // when it really arrives
    double ordered_at;
    Cents unit_price;              // what the vendor charges a unit
    Cents prepaid;                 // paid to the vendor at order
    bool late() const { return arrival > confirmed; }
};

class Vendor {
public:
    /// `index`: the vendor's place in the scenario (its events carry it, its streams are keyed by it).
    Vendor(const Supplier& spec, std::uint32_t index, const RunSettings& run, std::uint64_t seed,
           std::uint64_t replication, Calendar& cal);

    const Supplier& spec() const { return spec_; }
    bool up() const { return up_; }
    double up_at() const { return up_at_; }  // when a vendor that is down comes back
    std::int64_t open_shipments() const { return static_cast<std::int64_t>(shipments_.live()); }
    std::uint32_t index() const { return index_; }
    /// The whole run's record so far (arrivals and orders are counted by the vendor, payments by
    /// the store through record_payment()).
    const VendorRecord& record() const { return record_; }
    void record_payment(Cents paid) { record_.spend_cents += static_cast<double>(paid); }
    /// Units ordered that have not arrived: on their way, or booked to leave after the horizon.
    std::int64_t due_units() const { return open_units_ + beyond_units_; }
    /// Late deliveries that arrived at or after `since`.
    std::int64_t late_since(double since) const;
    /// Days the vendor was down within the measured window, up to `now`.
    double down_days(double now) const;
    /// Days a new order waits before it can leave (an outage still to run), from `now`.
    double wait_to_ship(double now) const { return up_ ? 0.0 : up_at_ - now; }

    /// Units actually ordered for a request of `units`: the minimum order, rounded up to the multiple.
    std::int64_t order_size(std::int64_t units) const;
    /// Sends order `order_id` of `units` units toward `dest`, in shipments of at most one capacity
    /// period each; schedules their arrivals (and, with `announce_delays`, the day each late one is
    /// announced: late_notice_days before its confirmed date). Units whose capacity period starts at
    /// or after the horizon are booked but never shipped (they could not arrive in the run): memory
    /// and time stay bounded by the horizon, not by the size of an order.
    void ship(std::int64_t order_id, std::uint32_t item, std::int64_t units, Cents unit_price, double now,
              StockPoint& dest, bool announce_delays);
    /// The shipment in `slot` arrived at `now`: returns it, records it and frees the slot.
    Shipment arrive(std::uint32_t slot, double now);
    /// The late shipment in `slot` is announced: the store now expects it at its real arrival.
    /// Returns it as it was before.
    Shipment announce_delay(std::uint32_t slot);
    /// The vendor goes down or comes back up; returns the length of the new period (days).
    double toggle(double now);

private:
    double leave_time(double depart, std::int64_t remaining, std::int64_t& chunk);
    /// Books `units` into the capacity periods from the current one on, without shipping them.
    void book_beyond_horizon(std::int64_t units);
    void schedule_shipment(const Shipment& order, std::int64_t chunk, double depart, StockPoint& dest,
                           bool announce_delays);

    const Supplier& spec_;
    std::uint32_t index_;
    double horizon_;
    double warmup_;
    Calendar& cal_;
    /// Lead times and reliability per item (seeded when the item first orders): one item's orders
    /// never shift another's draws, so items keep common random numbers across policies.
    struct ItemStreams {
        Engine lead, reliability;
    };
    ItemStreams& streams(std::uint32_t item);

    std::uint64_t seed_, replication_;
    std::vector<ItemStreams> item_streams_;
    std::vector<std::uint8_t> seeded_;
    Engine rng_disruption_;
    SlotPool<Shipment> shipments_;
    double last_arrival_ = 0.0;
    bool up_ = true;
    double up_at_ = 0.0;
    std::int64_t capacity_period_ = -1;
    std::int64_t capacity_used_ = 0;
    VendorRecord record_;
    std::int64_t open_units_ = 0;    // ordered units of the shipments on their way
    std::int64_t beyond_units_ = 0;  // booked to leave after the horizon
    std::vector<double> late_arrivals_;  // when late shipments arrived, in time order
    double down_window_days_ = 0.0;  // closed outages, within the window
    double down_since_ = 0.0;
};

}  // namespace stocklab
