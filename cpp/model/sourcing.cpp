// Sourcing: which of an item's vendors an order goes to. Single (the first listed), cheapest (for
// this order), fastest (now), split by shares, switch to the next vendor after late deliveries, and
// dual sourcing: a regular vendor, plus an expedited one whenever the expedited position (what is
// on hand or arrives within the expedited lead time) falls below a second, lower threshold.
#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

double Simulation::expected_lead_time(std::uint32_t item, std::uint32_t k) const {
    const Vendor& v = vendors_[items_[item].spec.vendors[k]];
    return v.wait_to_ship(now_) + v.spec().lead_time.mean();
}

std::uint32_t Simulation::pick_vendor(std::uint32_t item, std::int64_t units) const {
    const ItemRun& it = items_[item];
    const Sourcing& s = it.spec.sourcing;
    const auto n = static_cast<std::uint32_t>(it.spec.vendors.size());
    std::uint32_t best = 0;
    switch (s.rule) {
        case SourcingRule::Cheapest: {
            // This order from each vendor: its units (after minimum and multiples) x its price + order cost.
            auto cost = [&](std::uint32_t k) {
                const Vendor& v = vendors_[it.spec.vendors[k]];
                return amount(v.order_size(units), it.vendor_price[k]) + to_cents(v.spec().order_cost);
            };
            for (std::uint32_t k = 1; k < n; ++k)
                if (cost(k) < cost(best)) best = k;
            break;
        }
        case SourcingRule::Fastest:
            for (std::uint32_t k = 1; k < n; ++k)
                if (expected_lead_time(item, k) < expected_lead_time(item, best)) best = k;
            break;
        case SourcingRule::SwitchAfterLate: {
            // The first vendor (in order of preference) with fewer late deliveries in the window than
            // the limit; when every one has reached it, the least late.
            auto late = [&](std::uint32_t k) { return vendors_[it.spec.vendors[k]].late_since(now_ - s.window_days); };
            for (std::uint32_t k = 0; k < n; ++k)
                if (late(k) < s.late_deliveries) return k;
            for (std::uint32_t k = 1; k < n; ++k)
                if (late(k) < late(best)) best = k;
            break;
        }
        case SourcingRule::Single:
        case SourcingRule::Split:      // split_order() divides each order
        case SourcingRule::DualIndex:  // regular orders go to the first; expedite() to the second
            break;
    }
    return best;
}

void Simulation::source_order(std::uint32_t item, std::int64_t units) {
    ItemRun& it = items_[item];
    if (it.spec.sourcing.rule == SourcingRule::Split) return split_order(item, units);
    const std::uint32_t k = pick_vendor(item, units);
    if (k != it.last_vendor && it.spec.sourcing.rule == SourcingRule::SwitchAfterLate) {
        const Vendor& before = vendors_[it.spec.vendors[it.last_vendor]];
        log(EventKind::VendorSwitched, -1, 0, static_cast<double>(before.late_since(now_ - it.spec.sourcing.window_days)),
            static_cast<std::int32_t>(item), static_cast<std::int32_t>(it.spec.vendors[k]));
    }
    place_order(item, k, units);
}

/// Each vendor is owed its share of every order; whole units go to the vendors owed the most, and
/// what is left over (a fraction of a unit each) is carried to the next order, so over the run each
/// vendor gets its share to within a unit, however small the orders.
void Simulation::split_order(std::uint32_t item, std::int64_t units) {
    ItemRun& it = items_[item];
    const std::vector<double>& share = it.spec.sourcing.shares;
    std::vector<double>& owed = it.split_credit;
    const std::size_t n = share.size();
    std::vector<std::int64_t> part(n, 0);
    std::int64_t total = 0;
    for (std::size_t k = 0; k < n; ++k) {
        owed[k] += share[k] * static_cast<double>(units);
        part[k] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(owed[k])));
        total += part[k];
    }
    auto left = [&](std::size_t k) { return owed[k] - static_cast<double>(part[k]); };
    while (total < units) {  // a unit more to the vendor owed the most
        std::size_t k = 0;
        for (std::size_t j = 1; j < n; ++j)
            if (left(j) > left(k)) k = j;
        ++part[k], ++total;
    }
    while (total > units) {  // a unit less from the vendor owed the least (vendors owed nothing are at 0)
        std::size_t k = n;
        for (std::size_t j = 0; j < n; ++j)
            if (part[j] > 0 && (k == n || left(j) < left(k))) k = j;
        --part[k], --total;
    }
    for (std::size_t k = 0; k < n; ++k) owed[k] -= static_cast<double>(part[k]);
    for (std::size_t k = 0; k < n; ++k)
        if (part[k] > 0) place_order(item, static_cast<std::uint32_t>(k), part[k]);
}

std::int64_t Simulation::expedited_position(std::uint32_t item) const {
    const ItemRun& it = items_[item];
    const std::uint32_t fast = it.spec.vendors[1];
    const double within = now_ + expected_lead_time(item, 1);
    std::int64_t position = it.stock.on_hand() - it.stock.backorder_units();
    for (const Inbound& s : it.stock.inbound())
        if (s.vendor == fast || s.arrival <= within) position += s.units;
    return position;
}

void Simulation::expedite(std::uint32_t item) {
    const Sourcing& s = items_[item].spec.sourcing;
    const std::int64_t position = expedited_position(item);
    if (position < s.expedite_below) place_order(item, 1, s.expedite_up_to - position);
}

std::vector<VendorStatus> Simulation::vendor_statuses(std::uint32_t item) const {
    const ItemRun& it = items_[item];
    std::vector<VendorStatus> out;
    out.reserve(it.spec.vendors.size());
    for (std::size_t k = 0; k < it.spec.vendors.size(); ++k) {
        const Vendor& v = vendors_[it.spec.vendors[k]];
        out.push_back(VendorStatus{v.spec().id, static_cast<double>(it.vendor_price[k]) / 100.0,
                                   v.spec().lead_time.mean(), v.up(), v.late_since(now_ - it.spec.sourcing.window_days),
                                   v.record()});
    }
    return out;
}

}  // namespace stocklab
