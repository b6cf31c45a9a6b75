#include "model/finance.hpp"

namespace stocklab {

Accounts::Accounts(const Scenario& sc, Calendar& cal) : spec_(sc.finance), cal_(cal) {
    ledger_.reset(to_cents(sc.initial.cash), sc.run.record_ledger);
}

void Accounts::accrue(double dt, double holding_per_day) {
    holding_.add(holding_per_day * dt);
    const double cash = static_cast<double>(ledger_.cash()) / 100.0;
    if (cash < 0) overdraft_.add(cash * spec_.overdraft_rate_per_year / 365.0 * dt);
    else deposit_.add(cash * spec_.deposit_rate_per_year / 365.0 * dt);
}

void Accounts::add_payable(Cents amount, std::int64_t order_id, std::int32_t item, std::int16_t vendor, double due) {
    const std::uint32_t slot = payables_.acquire(Payable{amount, order_id, item, vendor});
    payables_outstanding_ = add_money(payables_outstanding_, amount);
    cal_.schedule(due, EventType::SupplierPayment, slot);
}

Payable Accounts::settle(std::uint32_t slot) {
    const Payable p = payables_[slot];
    payables_.release(slot);
    payables_outstanding_ -= p.amount;
    return p;
}

}  // namespace stocklab
