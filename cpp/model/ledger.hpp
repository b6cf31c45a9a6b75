#pragma once
/// The cash ledger: every cash movement is a dated entry in integer cents with a category.
/// Invariants: cash == initial cash + sum of all entries, exactly (integer arithmetic, checked: a
/// run whose money would leave the range of 64-bit cents stops with MoneyOverflow instead of
/// wrapping, so the books never "reconcile" by both sides wrapping); amounts that accrue
/// continuously (holding cost, interest) are posted rounded to the cent and the rounding remainder
/// is carried to the next posting, so no drift builds up over any horizon.
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace stocklab {

using Cents = std::int64_t;

/// Money left the range of 64-bit cents (about +-9.2e16 in currency).
class MoneyOverflow : public std::overflow_error {
public:
    MoneyOverflow()
        : std::overflow_error(
              "money overflow: an amount or the cash balance left the range of 64-bit cents (+-9.2e16); the "
              "scenario's prices, quantities, interest rates and horizon are too large together") {}
};

/// units x price, checked.
[[gnu::always_inline]] inline Cents amount(std::int64_t units, Cents per_unit) {
    Cents out;
    if (__builtin_mul_overflow(units, per_unit, &out)) throw MoneyOverflow();
    return out;
}

/// a + b, checked.
[[gnu::always_inline]] inline Cents add_money(Cents a, Cents b) {
    Cents out;
    if (__builtin_add_overflow(a, b, &out)) throw MoneyOverflow();
    return out;
}

/// A number of cents rounded to a whole one, checked (an out-of-range conversion is undefined).
inline Cents round_cents(double cents) {
    if (!(std::fabs(cents) < 9.2e18)) throw MoneyOverflow();
    return static_cast<Cents>(std::llround(cents));
}

/// Whole cents of a currency amount.
inline Cents to_cents(double amount) { return round_cents(amount * 100.0); }

enum class LedgerCategory : std::uint8_t {
    Sale = 0,             // customer pays at sale or at shipment of a backorder (+)
    Prepayment,           // customer pays (a deposit) when a backorder is taken (+)
    Refund,               // prepayment returned when a backorder is cancelled (-)
    ApologyDiscount,      // refunded share of the price for a late backorder (-)
    SupplierPayment,      // supplier invoice paid (-)
    SupplierRefund,       // prepaid supplier order short-shipped: money back (+)
    OrderingCost,         // fixed cost per purchase order (-)
    HoldingCost,          // accrued holding cost (-)
    InterestPaid,         // overdraft interest (-)
    InterestEarned,       // interest on positive cash (+)
    Count
};

inline constexpr std::array<std::string_view, static_cast<std::size_t>(LedgerCategory::Count)> kLedgerCategoryNames{
    "sale",          "prepayment",    "refund",       "apology_discount", "supplier_payment",
    "supplier_refund", "ordering_cost", "holding_cost", "interest_paid",    "interest_earned"};

struct LedgerEntry {
    double time;
    Cents amount;
    std::int64_t reference;  // customer id or purchase-order id; -1 for none
    std::int32_t item;       // the item it concerns; -1 for the store as a whole (holding, interest)
    std::int16_t vendor;     // the vendor paid or refunding (its place in the scenario); -1 for none
    LedgerCategory category;
};

class Ledger {
public:
    static constexpr std::size_t kCategories = static_cast<std::size_t>(LedgerCategory::Count);

    void reset(Cents initial_cash, bool record) {
        initial_ = initial_cash;
        cash_ = initial_cash;
        record_ = record;
        entries_.clear();
        totals_.fill(0);
        window_totals_.fill(0);
    }

    void post(double time, LedgerCategory cat, Cents amount, std::int64_t reference, std::int32_t item, bool in_window,
              std::int16_t vendor = -1) {
        if (amount == 0) return;
        const auto c = static_cast<std::size_t>(cat);
        cash_ = add_money(cash_, amount);
        totals_[c] = add_money(totals_[c], amount);
        if (in_window) window_totals_[c] = add_money(window_totals_[c], amount);
        if (record_) entries_.push_back(LedgerEntry{time, amount, reference, item, vendor, cat});
    }

    Cents cash() const { return cash_; }
    Cents initial_cash() const { return initial_; }
    Cents total(LedgerCategory c) const { return totals_[static_cast<std::size_t>(c)]; }
    Cents window_total(LedgerCategory c) const { return window_totals_[static_cast<std::size_t>(c)]; }
    const std::vector<LedgerEntry>& entries() const { return entries_; }
    bool recording() const { return record_; }

private:
    Cents initial_ = 0;
    Cents cash_ = 0;
    bool record_ = true;
    std::array<Cents, kCategories> totals_{};
    std::array<Cents, kCategories> window_totals_{};
    std::vector<LedgerEntry> entries_;
};

/// Accrues a continuous amount and posts whole cents, carrying the remainder (no drift).
class Accrual {
public:
    void add(double amount) { pending_ += amount; }
    /// Cents to post now; keeps the sub-cent remainder.
    Cents take() {
        const double cents = pending_ * 100.0;
        if (!(std::fabs(cents) < 9.2e18)) throw MoneyOverflow();
        const double whole = std::floor(cents + 0.5);
        pending_ = (cents - whole) / 100.0;
        return static_cast<Cents>(whole);
    }

private:
    double pending_ = 0.0;
};

}  // namespace stocklab
