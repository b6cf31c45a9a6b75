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
    v.open_orders = vendors_[it.spec.vendor()].open_shipments();
    v.is_review = at_review;
    return v;
}

/// A decision is due for `item`: at a review, or (continuous review) after its inventory position
/// changed. Inside run_until_decision() it waits for the caller; otherwise the policy decides now.
void Simulation::decision_point(std::uint32_t item, bool at_review) {
    ItemRun& it = items_[item];
    if (!at_review && it.policy.periodic()) return;
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
    const OrderDecision d = custom ? it.policy.decide_custom(view(item, at_review))
                                   : it.policy.decide_builtin(it.stock.inventory_position(), at_review);
    if (custom) {
        it.pending = false;
        pending_.pop_back();
    }
    if (d.quantity > 0) place_order(item, d.quantity);
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

void Simulation::place_order(std::uint32_t item, std::int64_t units) {
    ItemRun& it = items_[item];
    Vendor& vendor = vendors_[it.spec.vendor()];
    const std::int64_t q = vendor.order_size(units);
    if (q <= 0) return;
    if (q > kMaxOrderUnits) throw std::invalid_argument("an order of " + std::to_string(q) + " units exceeds 1e12");
    touch(item);
    const std::int64_t id = next_order_id_++;
    const auto i = static_cast<std::int32_t>(item);
    if (in_window()) {
        it.flows.orders += 1;
        it.flows.ordered_units += static_cast<double>(q);
    }
    post(LedgerCategory::OrderingCost, -to_cents(vendor.spec().order_cost), id, i);
    if (vendor.spec().payment == PaymentTerms::Prepay) {
        const Cents prepaid = amount(q, it.unit_cost);
        post(LedgerCategory::SupplierPayment, -prepaid, id, i);
        accounts_.change_supplier_advances(prepaid);
    }
    vendor.ship(id, item, q, it.unit_cost, now_, it.stock);
    log(EventKind::OrderPlaced, id, q, kNaN, i);  // after shipping: the row shows the order on order
}

void Simulation::on_shipment(const Event& e) {
    Vendor& vendor = vendors_[e.payload];
    const Shipment s = vendor.arrive(e.a);
    ItemRun& it = items_[s.item];
    touch(s.item);
    it.stock.receive(s.expected_arrival, s.units, s.ordered);
    if (in_window()) {
        it.flows.received_units += static_cast<double>(s.units);
        it.flows.due_units += static_cast<double>(s.ordered);
    }
    pay_for_shipment(vendor.spec(), s, it.unit_cost);
    log(EventKind::ShipmentReceived, s.order_id, s.units, kNaN, static_cast<std::int32_t>(s.item));
    serve_backorders(s.item);
    decision_point(s.item, false);
}

void Simulation::pay_for_shipment(const Supplier& terms, const Shipment& s, Cents unit_cost) {
    const Cents invoice = amount(s.units, unit_cost);
    const auto i = static_cast<std::int32_t>(s.item);
    switch (terms.payment) {
        case PaymentTerms::OnDelivery: post(LedgerCategory::SupplierPayment, -invoice, s.order_id, i); break;
        case PaymentTerms::Net: accounts_.add_payable(invoice, s.order_id, i, now_ + terms.payment_terms_days); break;
        case PaymentTerms::Prepay:
            accounts_.change_supplier_advances(-s.prepaid);
            post(LedgerCategory::SupplierRefund, s.prepaid - invoice, s.order_id, i);
            break;
    }
}

void Simulation::on_supplier_payment(const Event& e) {
    const Payable p = accounts_.settle(e.a);
    post(LedgerCategory::SupplierPayment, -p.amount, p.order_id, p.item);
    log(EventKind::SupplierPaid, p.order_id, 0, static_cast<double>(p.amount) / 100.0, p.item);
}

void Simulation::on_supplier_state(const Event& e) {
    Vendor& vendor = vendors_[e.a];
    const double period = vendor.toggle(now_);
    log(vendor.up() ? EventKind::SupplierUp : EventKind::SupplierDown, -1, 0, period);
}

}  // namespace stocklab
