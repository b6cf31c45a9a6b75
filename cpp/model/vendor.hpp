#pragma once
/// A vendor (the supplier of an item): its pipeline of shipments, capacity per period, reliability
/// (short and late shipments) and outages. Owns its random streams and its events
/// (ShipmentArrival: a = shipment slot; SupplierState: outage starts or ends).
/// Invariants: every unit ordered is in exactly one shipment; a shipment's confirmed date is set
/// when it leaves and only reliability failures break it; with orders that may not cross, arrivals
/// never overtake earlier ones; a shipment never leaves while the vendor is down.
#include <cstdint>

#include "model/events.hpp"
#include "kernel/random.hpp"
#include "kernel/slot_pool.hpp"
#include "model/ledger.hpp"
#include "model/stock_point.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// One shipment of a purchase order (an order splits into several when capacity binds).
struct Shipment {
    std::int64_t order_id;
    std::int64_t units;            // units that will arrive (fewer than ordered when short-shipped)
    std::int64_t ordered;
    double expected_arrival;       // the date the vendor confirmed
    Cents prepaid;                 // paid to the vendor at order
};

class Vendor {
public:
    Vendor(const Supplier& spec, double horizon, std::uint64_t seed, std::uint64_t replication, Calendar& cal);

    const Supplier& spec() const { return spec_; }
    Cents unit_price_cents() const { return unit_price_cents_; }
    bool up() const { return up_; }
    double up_at() const { return up_at_; }  // when a vendor that is down comes back
    std::int64_t open_shipments() const { return static_cast<std::int64_t>(shipments_.live()); }

    /// Units actually ordered for a request of `units`: the minimum order, rounded up to the multiple.
    std::int64_t order_size(std::int64_t units) const;
    /// Sends order `order_id` of `units` units toward `dest`, in shipments of at most one capacity
    /// period each; schedules their arrivals. Units whose capacity period starts at or after the
    /// horizon are booked but never shipped (they could not arrive in the run): memory and time stay
    /// bounded by the horizon, not by the size of an order.
    void ship(std::int64_t order_id, std::int64_t units, double now, StockPoint& dest);
    /// The shipment in `slot` arrived: returns it and frees the slot.
    Shipment arrive(std::uint32_t slot);
    /// The vendor goes down or comes back up; returns the length of the new period (days).
    double toggle(double now);

private:
    double leave_time(double depart, std::int64_t remaining, std::int64_t& chunk);
    /// Books `units` into the capacity periods from the current one on, without shipping them.
    void book_beyond_horizon(std::int64_t units);
    void schedule_shipment(std::int64_t order_id, std::int64_t chunk, double depart, StockPoint& dest);

    const Supplier& spec_;
    double horizon_;
    Calendar& cal_;
    Cents unit_price_cents_;
    Engine rng_lead_, rng_reliability_, rng_disruption_;
    SlotPool<Shipment> shipments_;
    double last_arrival_ = 0.0;
    bool up_ = true;
    double up_at_ = 0.0;
    std::int64_t capacity_period_ = -1;
    std::int64_t capacity_used_ = 0;
};

}  // namespace stocklab
