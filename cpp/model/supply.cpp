// Supply: each stock point meets its replenishment policy and its vendor. Decisions (continuous, or
// at periodic reviews), purchase orders, shipments arriving and paying for them, vendor outages.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMaxOrderUnits = 1000000000000LL;
}  // namespace

InventoryView Simulation::view(std::uint32_t item, bool at_review) const {
    const ItemRun& it = items_[item];
    InventoryView v;
    v.now = now_;
    v.item = item;
    v.on_hand = it.stock.on_hand();
    v.backorders = it.stock.backorder_units();
    v.on_order = it.stock.on_order();
    v.inventory_position = it.stock.inventory_position();
    v.recorded_demand = it.stock.tallies().recorded;
    v.sales = it.stock.tallies().served;
    for (const std::uint32_t vendor : it.spec.vendors) v.open_orders += vendors_[vendor].open_shipments();
    v.is_review = at_review;
    v.vendors = vendor_statuses(item);
    return v;
}

/// Inside run_until_decision() the decision waits for the caller; otherwise the policy decides now.
void Simulation::decision_due(std::uint32_t item, bool at_review) {
    ItemRun& it = items_[item];
    // Dual sourcing expedites first; the regular decision then sees the expedited order on order.
    if (it.dual_index) expedite(item);
    if (pausing_) {
        if (!it.pending) pending_.push_back(item);
        it.pending = true;
        it.pending_review = at_review;
        return;
    }
    make_decision(item, at_review);
}

void Simulation::make_decision(std::uint32_t item, bool at_review) {
    ItemRun& it = items_[item];
    // Marked pending while a custom policy runs: if it is interrupted (Ctrl-C in Python), the next
    // step or run asks it again at the same point instead of silently skipping the decision.
    const bool custom = it.policy.custom();
    if (custom) {
        pending_.push_back(item);
        it.pending = true;
        it.pending_review = at_review;
    }
    if (!custom) {
        const std::int64_t q = it.policy.decide_builtin(it.stock.inventory_position(), at_review);
        if (q > 0) source_order(item, q);
        return;
    }
    it.policy.decide_custom(view(item, at_review), decisions_);
    it.pending = false;
    pending_.pop_back();
    // A copy: placing an order may ask another item's custom policy (which reuses decisions_).
    const std::vector<OrderDecision> orders = decisions_;
    for (const OrderDecision& d : orders) apply(item, d);
}

void Simulation::apply(std::uint32_t item, const OrderDecision& d) {
    if (d.quantity <= 0) return;
    if (d.vendor < 0) source_order(item, d.quantity);
    else place_order(item, static_cast<std::uint32_t>(d.vendor), d.quantity);
}

void Simulation::on_review(const Event& e) {
    const std::uint32_t item = e.a;
    const std::uint64_t k = e.payload;
    Replenisher& policy = items_[item].policy;
    // The next review is booked before the policy runs, so an interrupted policy loses no review.
    const double next = policy.review_time(k + 1);
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Review, item, 0, k + 1);
    policy.begin_review(k, items_[item].stock.tallies().recorded);
    decision_point(item, true);
}

void Simulation::place_order(std::uint32_t item, std::uint32_t k, std::int64_t units) {
    ItemRun& it = items_[item];
    const std::uint32_t v = it.spec.vendors[k];
    Vendor& vendor = vendors_[v];
    const std::int64_t q = vendor.order_size(units);
    if (q <= 0) return;
    if (q > kMaxOrderUnits) throw std::invalid_argument("an order of " + std::to_string(q) + " units exceeds 1e12");
    touch(item);
    const std::int64_t id = next_order_id_++;
    const auto i = static_cast<std::int32_t>(item);
    const auto vi = static_cast<std::int32_t>(v);
    const Cents price = it.vendor_price[k];
    const Cents order_cost = to_cents(vendor.spec().order_cost);
    if (in_window()) {
        it.flows.orders += 1;
        it.flows.ordered_units += static_cast<double>(q);
    }
    tally_vendor(v, [&](VendorRecord& r) { r.ordered(q, static_cast<double>(order_cost)); });
    post(LedgerCategory::OrderingCost, -order_cost, id, i, vi);
    if (vendor.spec().payment == PaymentTerms::Prepay) {
        const Cents prepaid = amount(q, price);
        post(LedgerCategory::SupplierPayment, -prepaid, id, i, vi);
        vendor.record_payment(prepaid);
        tally_vendor(v, [&](VendorRecord& r) { r.spend_cents += static_cast<double>(prepaid); });
        accounts_.change_supplier_advances(prepaid);
    }
    vendor.ship(id, item, q, price, now_, it.stock, it.notices);
    it.last_vendor = k;
    log(EventKind::OrderPlaced, id, q, kNaN, i, vi);  // after shipping: the row shows the order on order
    // The vendor's confirmed dates (short shipments, capacity splits) may move waiting customers.
    if (it.spec.shortage.updates.mode == UpdateMode::NotifyOnSlip) review_promises(item, false);
}

void Simulation::on_shipment(const Event& e) {
    Vendor& vendor = vendors_[e.payload];
    const Shipment s = vendor.arrive(e.a, now_);
    ItemRun& it = items_[s.item];
    touch(s.item);
    it.stock.receive(s.expected_arrival, s.units, s.ordered, vendor.index());
    if (in_window()) {
        it.flows.received_units += static_cast<double>(s.units);
        it.flows.due_units += static_cast<double>(s.ordered);
        // What the vendor charged above the standard cost is a cost of the period it arrives in.
        it.flows.price_variance_cents += static_cast<double>(amount(s.units, s.unit_price - it.unit_cost));
    }
    tally_vendor(vendor.index(), [&](VendorRecord& r) { r.arrived(s.units, s.ordered, s.ordered_at, now_, s.late()); });
    pay_for_shipment(vendor, s);
    log(EventKind::ShipmentReceived, s.order_id, s.units, kNaN, static_cast<std::int32_t>(s.item),
        static_cast<std::int32_t>(vendor.index()));
    serve_backorders(s.item);
    decision_point(s.item, false);
}

void Simulation::on_shipment_delay(const Event& e) {
    Vendor& vendor = vendors_[e.payload];
    const Shipment was = vendor.announce_delay(e.a);
    items_[was.item].stock.reschedule(Inbound{was.expected_arrival, was.units, vendor.index()}, was.arrival);
    log(EventKind::ShipmentDelayed, was.order_id, was.units, was.arrival, static_cast<std::int32_t>(was.item),
        static_cast<std::int32_t>(vendor.index()), was.expected_arrival);
    if (items_[was.item].spec.shortage.updates.mode == UpdateMode::NotifyOnSlip) review_promises(was.item, false);
}

void Simulation::pay_for_shipment(const Vendor& vendor, const Shipment& s) {
    const Cents invoice = amount(s.units, s.unit_price);
    const auto i = static_cast<std::int32_t>(s.item);
    const auto v = static_cast<std::int16_t>(vendor.index());
    Cents paid = 0;
    switch (vendor.spec().payment) {
        case PaymentTerms::OnDelivery:
            post(LedgerCategory::SupplierPayment, -invoice, s.order_id, i, v);
            paid = invoice;
            break;
        case PaymentTerms::Net:
            accounts_.add_payable(invoice, s.order_id, i, v, now_ + vendor.spec().payment_terms_days);
            break;
        case PaymentTerms::Prepay:
            accounts_.change_supplier_advances(-s.prepaid);
            post(LedgerCategory::SupplierRefund, s.prepaid - invoice, s.order_id, i, v);
            paid = invoice - s.prepaid;  // the refund of a short shipment lowers the spend
            break;
    }
    vendors_[vendor.index()].record_payment(paid);
    tally_vendor(vendor.index(), [&](VendorRecord& r) { r.spend_cents += static_cast<double>(paid); });
}

void Simulation::on_supplier_payment(const Event& e) {
    const Payable p = accounts_.settle(e.a);
    post(LedgerCategory::SupplierPayment, -p.amount, p.order_id, p.item, p.vendor);
    vendors_[static_cast<std::size_t>(p.vendor)].record_payment(p.amount);
    tally_vendor(static_cast<std::uint32_t>(p.vendor), [&](VendorRecord& r) { r.spend_cents += static_cast<double>(p.amount); });
    log(EventKind::SupplierPaid, p.order_id, 0, static_cast<double>(p.amount) / 100.0, p.item, p.vendor);
}

void Simulation::on_supplier_state(const Event& e) {
    Vendor& vendor = vendors_[e.a];
    const double period = vendor.toggle(now_);
    vendors_down_ = vendor.up() ? vendors_down_ - 1 : vendors_down_ + 1;
    log(vendor.up() ? EventKind::SupplierUp : EventKind::SupplierDown, -1, 0, period, -1,
        static_cast<std::int32_t>(e.a));
    // An outage delays every order not yet placed: customers beyond the pipeline wait longer.
    if (!vendor.up()) review_promises_of_vendor(e.a);
}

}  // namespace stocklab
