#pragma once
/// The store's money: the ledger (every cash movement, dated, in integer cents), what accrues between
/// postings (holding cost, overdraft and deposit interest), supplier invoices on credit terms
/// (payables, each paid by a SupplierPayment event: a = payable slot), supplier advances (prepaid
/// orders) and customer prepayments held for backorders.
/// Invariants: cash == initial cash + sum of ledger entries, exactly; `payables_outstanding` is the
/// sum of unpaid invoices; accrued amounts are posted in whole cents with the remainder carried, so
/// no drift builds up over any horizon.
#include <cstdint>

#include "model/events.hpp"
#include "kernel/slot_pool.hpp"
#include "model/ledger.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

/// A supplier invoice on net terms, waiting for its due date.
struct Payable {
    Cents amount;
    std::int64_t order_id;
    std::int32_t item;
    std::int16_t vendor;
};

class Accounts {
public:
    Accounts(const Scenario& sc, Calendar& cal);

    const Ledger& ledger() const { return ledger_; }
    Cents cash() const { return ledger_.cash(); }
    void post(double now, LedgerCategory c, Cents amount, std::int64_t ref, std::int32_t item, bool in_window,
              std::int16_t vendor = -1) {
        ledger_.post(now, c, amount, ref, item, in_window, vendor);
    }

    /// `dt` days pass at the current stock and cash: holding cost (currency per day) and interest accrue.
    void accrue(double dt, double holding_per_day);
    /// What accrued, in whole cents to post now (signed as ledger amounts), remainders kept.
    Cents take_holding() { return -holding_.take(); }
    Cents take_overdraft_interest() { return overdraft_.take(); }
    Cents take_deposit_interest() { return deposit_.take(); }

    /// An invoice of `amount` from `vendor` for order `order_id`, to be paid at `due` (schedules the payment).
    void add_payable(Cents amount, std::int64_t order_id, std::int32_t item, std::int16_t vendor, double due);
    /// The invoice in `slot` falls due: returns it and frees the slot.
    Payable settle(std::uint32_t slot);

    Cents payables_outstanding() const { return payables_outstanding_; }
    Cents supplier_advances() const { return supplier_advances_; }
    Cents customer_prepayments() const { return customer_prepayments_; }
    /// What the store owes suppliers net of what it prepaid them.
    Cents net_payables() const { return payables_outstanding_ - supplier_advances_; }
    void change_supplier_advances(Cents delta) { supplier_advances_ = add_money(supplier_advances_, delta); }
    void change_customer_prepayments(Cents delta) { customer_prepayments_ = add_money(customer_prepayments_, delta); }

private:
    const Finance& spec_;
    Calendar& cal_;
    Ledger ledger_;
    Accrual holding_, overdraft_, deposit_;
    SlotPool<Payable> payables_;
    Cents payables_outstanding_ = 0;
    Cents supplier_advances_ = 0;
    Cents customer_prepayments_ = 0;
};

}  // namespace stocklab
