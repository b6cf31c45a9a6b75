// Supply: the stock point meets its replenishment policy and its vendor. Decisions (continuous, or at
// periodic reviews), purchase orders, shipments arriving and paying for them, vendor outages.
#include <stdexcept>
#include <string>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMaxOrderUnits = 1000000000000LL;
}  // namespace

InventoryView Simulation::view(bool at_review) const {
    InventoryView v;
    v.now = now_;
    v.on_hand = stock_.on_hand();
    v.backorders = stock_.backorder_units();
    v.on_order = stock_.on_order();
    v.inventory_position = stock_.inventory_position();
    v.recorded_demand = stock_.tallies().recorded;
    v.sales = stock_.tallies().served;
    v.open_orders = vendor_.open_shipments();
    v.is_review = at_review;
    return v;
}

/// A decision is due: at a review, or (continuous review) after the inventory position changed.
/// Inside run_until_decision() it waits for the caller; otherwise the policy decides now.
void Simulation::decision_point(bool at_review) {
    if (!at_review && replenisher_.periodic()) return;
    if (pausing_) {
        pending_ = at_review ? Pending::Review : Pending::Continuous;
        return;
    }
    make_decision(at_review);
}

void Simulation::make_decision(bool at_review) {
    // Marked pending while a custom policy runs: if it is interrupted (Ctrl-C in Python), the next
    // step or run asks it again at the same point instead of silently skipping the decision.
    pending_ = at_review ? Pending::Review : Pending::Continuous;
    const OrderDecision d = replenisher_.custom() ? replenisher_.decide_custom(view(at_review))
                                                  : replenisher_.decide_builtin(stock_.inventory_position(), at_review);
    pending_ = Pending::None;
    if (d.quantity > 0) place_order(d.quantity);
}

void Simulation::on_review(const Event& e) {
    const std::uint64_t k = e.payload;
    // The next review is booked before the policy runs, so an interrupted policy loses no review.
    const double next = replenisher_.review_time(k + 1);
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::Review, 0, 0, k + 1);
    replenisher_.begin_review(k, stock_.tallies().recorded);
    decision_point(true);
}

void Simulation::place_order(std::int64_t units) {
    const std::int64_t q = vendor_.order_size(units);
    if (q <= 0) return;
    if (q > kMaxOrderUnits) throw std::invalid_argument("an order of " + std::to_string(q) + " units exceeds 1e12");
    const std::int64_t id = next_order_id_++;
    if (in_window()) {
        st_.orders += 1;
        st_.ordered_units += static_cast<double>(q);
    }
    post(LedgerCategory::OrderingCost, -to_cents(sc_.supplier.order_cost), id);
    if (sc_.supplier.payment == PaymentTerms::Prepay) {
        const Cents prepaid = amount(q, vendor_.unit_price_cents());
        post(LedgerCategory::SupplierPayment, -prepaid, id);
        accounts_.change_supplier_advances(prepaid);
    }
    vendor_.ship(id, q, now_, stock_);
    log(EventKind::OrderPlaced, id, q, kNaN);  // after shipping: the row shows the order on order
}

void Simulation::on_shipment(const Event& e) {
    const Shipment s = vendor_.arrive(e.a);
    stock_.receive(s.expected_arrival, s.units, s.ordered);
    if (in_window()) {
        st_.received_units += static_cast<double>(s.units);
        st_.due_units += static_cast<double>(s.ordered);
    }
    pay_for_shipment(s, s.units);
    log(EventKind::ShipmentReceived, s.order_id, s.units, kNaN);
    serve_backorders();
    decision_point(false);
}

void Simulation::pay_for_shipment(const Shipment& s, std::int64_t received) {
    const Cents invoice = amount(received, vendor_.unit_price_cents());
    switch (sc_.supplier.payment) {
        case PaymentTerms::OnDelivery: post(LedgerCategory::SupplierPayment, -invoice, s.order_id); break;
        case PaymentTerms::Net: accounts_.add_payable(invoice, s.order_id, now_ + sc_.supplier.payment_terms_days); break;
        case PaymentTerms::Prepay:
            accounts_.change_supplier_advances(-s.prepaid);
            post(LedgerCategory::SupplierRefund, s.prepaid - invoice, s.order_id);
            break;
    }
}

void Simulation::on_supplier_payment(const Event& e) {
    const Payable p = accounts_.settle(e.a);
    post(LedgerCategory::SupplierPayment, -p.amount, p.order_id);
    log(EventKind::SupplierPaid, p.order_id, 0, static_cast<double>(p.amount) / 100.0);
}

void Simulation::on_supplier_state() {
    const double period = vendor_.toggle(now_);
    log(vendor_.up() ? EventKind::SupplierUp : EventKind::SupplierDown, -1, 0, period);
}

}  // namespace stocklab
