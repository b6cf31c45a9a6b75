#include "model/vendor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace stocklab {

namespace {
constexpr std::int64_t kMaxShipmentsPerOrder = 1000000;
}

Vendor::Vendor(const Supplier& spec, std::uint32_t index, const RunSettings& run, std::uint64_t seed,
               std::uint64_t replication, Calendar& cal)
    : spec_(spec),
      index_(index),
      horizon_(run.horizon_days),
      warmup_(run.warmup_days),
      cal_(cal),
      seed_(seed),
      replication_(replication),
      rng_disruption_(make_engine(seed, replication, Purpose::Disruption, {index})) {
    shipments_.reserve(64);
    if (spec_.disruptions.enabled) {
        const Disruptions& d = spec_.disruptions;
        const double first = d.first_down_days >= 0 ? d.first_down_days : d.up_days.sample(rng_disruption_);
        cal_.schedule(first, EventType::SupplierState, index_);
    }
}

std::int64_t Vendor::order_size(std::int64_t units) const {
    std::int64_t q = std::max(units, spec_.min_order);
    if (spec_.order_multiple > 1) q = ((q + spec_.order_multiple - 1) / spec_.order_multiple) * spec_.order_multiple;
    return q;
}

void Vendor::ship(std::int64_t order_id, std::uint32_t item, std::int64_t units, Cents unit_price, double now,
                  StockPoint& dest, bool announce_delays) {
    record_.ordered(units, static_cast<double>(to_cents(spec_.order_cost)));
    const Shipment order{order_id, item, 0, 0, 0.0, 0.0, 0.0, now, unit_price, 0};
    double depart = up_ ? now : up_at_;
    std::int64_t remaining = units;
    std::int64_t parts = 0;
    while (remaining > 0) {
        std::int64_t chunk = remaining;
        if (spec_.capacity.units > 0) {
            const double leaves = leave_time(depart, remaining, chunk);
            if (leaves >= horizon_) {  // this part and the rest leave after the run ends
                capacity_used_ -= chunk;
                book_beyond_horizon(remaining);
                beyond_units_ += remaining;
                dest.book_beyond_horizon(remaining, leaves);
                return;
            }
            depart = leaves;
            if (++parts > kMaxShipmentsPerOrder)
                throw std::invalid_argument("an order of " + std::to_string(units) +
                                            " units needs over 1e6 capacity periods; raise /supplier/capacity/units");
        }
        remaining -= chunk;
        schedule_shipment(order, chunk, depart, dest, announce_delays);
    }
}

void Vendor::book_beyond_horizon(std::int64_t units) {
    // Fill what is left of the current period, then whole periods: the state leave_time() would reach.
    const std::int64_t per = spec_.capacity.units;
    const std::int64_t room = per - capacity_used_;
    if (units <= room) {
        capacity_used_ += units;
        return;
    }
    const std::int64_t rest = units - room;
    capacity_period_ += (rest + per - 1) / per;
    capacity_used_ = rest - ((rest - 1) / per) * per;
}

Vendor::ItemStreams& Vendor::streams(std::uint32_t item) {
    if (item >= seeded_.size()) {
        item_streams_.resize(item + 1);
        seeded_.resize(item + 1, 0);
    }
    if (!seeded_[item]) {  // keyed (vendor, item): item 0 of vendor 0 is the version-1 stream
        item_streams_[item] = ItemStreams{make_engine(seed_, replication_, Purpose::LeadTime, {index_, item}),
                                          make_engine(seed_, replication_, Purpose::SupplierReliability, {index_, item})};
        seeded_[item] = 1;
    }
    return item_streams_[item];
}

// The first capacity period at or after `depart` with room left, and how much of `remaining` fits.
double Vendor::leave_time(double depart, std::int64_t remaining, std::int64_t& chunk) {
    const Capacity& cap = spec_.capacity;
    const auto period = static_cast<std::int64_t>(std::floor(depart / cap.period_days));
    if (period > capacity_period_) {
        capacity_period_ = period;
        capacity_used_ = 0;
    }
    if (capacity_used_ >= cap.units) {
        ++capacity_period_;
        capacity_used_ = 0;
    }
    chunk = std::min(remaining, cap.units - capacity_used_);
    capacity_used_ += chunk;
    return std::max(depart, static_cast<double>(capacity_period_) * cap.period_days);
}

void Vendor::schedule_shipment(const Shipment& order, std::int64_t chunk, double depart, StockPoint& dest,
                               bool announce_delays) {
    const Reliability& rel = spec_.reliability;
    ItemStreams& rng = streams(order.item);
    double arrival = depart + spec_.lead_time.sample(rng.lead);
    // The vendor confirms this date when it ships; reliability failures below break it.
    const double promised = spec_.orders_may_cross ? arrival : std::max(arrival, last_arrival_);
    std::int64_t delivered = chunk;
    if (rel.partial_probability > 0 || rel.late_probability > 0) {
        const double u = uniform01(rng.reliability);
        if (u < rel.partial_probability) {
            delivered = static_cast<std::int64_t>(
                std::floor(static_cast<double>(chunk) * rel.partial_fraction.sample(rng.reliability)));
        } else if (u < rel.partial_probability + rel.late_probability) {
            arrival += rel.late_days.sample(rng.reliability);
        }
    }
    if (!spec_.orders_may_cross) arrival = std::max(arrival, last_arrival_);
    last_arrival_ = std::max(last_arrival_, arrival);
    Shipment s = order;
    s.units = delivered, s.ordered = chunk, s.confirmed = promised, s.expected_arrival = promised, s.arrival = arrival;
    s.prepaid = spec_.payment == PaymentTerms::Prepay ? amount(chunk, order.unit_price) : 0;
    const std::uint32_t slot = shipments_.acquire(s);
    open_units_ += chunk;
    dest.expect(promised, delivered, chunk, index_);
    cal_.schedule(arrival, EventType::ShipmentArrival, slot, 0, index_);
    // The vendor tells the store of a delay ahead of the confirmed date (never before the order).
    if (announce_delays && s.late())
        cal_.schedule(std::max(order.ordered_at, promised - rel.late_notice_days), EventType::ShipmentDelay, slot, 0,
                      index_);
}

Shipment Vendor::arrive(std::uint32_t slot, double now) {
    const Shipment s = shipments_[slot];
    shipments_.release(slot);
    open_units_ -= s.ordered;
    record_.arrived(s.units, s.ordered, s.ordered_at, now, s.late());
    if (s.late()) late_arrivals_.push_back(now);
    return s;
}

Shipment Vendor::announce_delay(std::uint32_t slot) {
    Shipment& s = shipments_[slot];
    const Shipment before = s;
    s.expected_arrival = s.arrival;
    return before;
}

std::int64_t Vendor::late_since(double since) const {
    return static_cast<std::int64_t>(late_arrivals_.end() -
                                     std::lower_bound(late_arrivals_.begin(), late_arrivals_.end(), since));
}

double Vendor::down_days(double now) const {
    const double open = up_ ? 0.0 : std::max(0.0, now - std::max(down_since_, warmup_));
    return down_window_days_ + open;
}

double Vendor::toggle(double now) {
    const Disruptions& d = spec_.disruptions;
    if (up_) {
        up_ = false;
        down_since_ = now;
        up_at_ = now + d.down_days.sample(rng_disruption_);
        cal_.schedule(up_at_, EventType::SupplierState, index_);
        return up_at_ - now;
    }
    up_ = true;
    down_window_days_ += std::max(0.0, now - std::max(down_since_, warmup_));
    const double up_for = d.up_days.sample(rng_disruption_);
    cal_.schedule(now + up_for, EventType::SupplierState, index_);
    return up_for;
}

}  // namespace stocklab
