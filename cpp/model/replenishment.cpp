#include "model/replenishment.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace stocklab {

namespace {

BuiltinPolicy builtin_policy(const Replenishment& r, double demand_per_day) {
    switch (r.kind) {
        case ReplenishmentKind::SS: return ReorderUpTo{r.s, r.S, false};
        case ReplenishmentKind::RsS: return ReorderUpTo{r.s, r.S, true};
        case ReplenishmentKind::SQ: return ReorderQuantity{r.s, r.Q};
        case ReplenishmentKind::BaseStock: return BaseStock{r.S, false};
        case ReplenishmentKind::RS: return BaseStock{r.S, true};
        case ReplenishmentKind::Forecast:
            return ForecastCover{r.alpha, r.cover_days, r.safety_stock, demand_per_day};
        case ReplenishmentKind::None: break;
    }
    return NoReplenishment{};
}

/// The inventory position above which `p` never orders (the largest value when it may order at any).
std::int64_t idle_above(const BuiltinPolicy& p) {
    constexpr std::int64_t kAlwaysAsk = std::numeric_limits<std::int64_t>::max();
    if (std::holds_alternative<NoReplenishment>(p)) return std::numeric_limits<std::int64_t>::min();
    if (const auto* r = std::get_if<ReorderUpTo>(&p)) return r->s;
    if (const auto* r = std::get_if<ReorderQuantity>(&p)) return r->s;
    if (const auto* r = std::get_if<BaseStock>(&p)) return r->S - 1;  // orders below S
    return kAlwaysAsk;  // the forecast's target moves at reviews
}

}  // namespace

std::int64_t ForecastCover::quantity(std::int64_t ip, bool at_review) const {
    if (!at_review) return 0;
    const auto target = static_cast<std::int64_t>(std::ceil(per_day * cover_days)) + safety_stock;
    return ip < target ? target - ip : 0;
}

Replenisher::Replenisher(const Scenario& sc, const Item& item, double demand_per_day, ReplenishmentPolicy* custom)
    : builtin_(builtin_policy(item.replenishment, demand_per_day)), custom_(custom) {
    idle_above_ = custom ? std::numeric_limits<std::int64_t>::max() : idle_above(builtin_);
    const Replenishment& r = item.replenishment;
    if (!custom_) {
        period_ = r.periodic() ? r.review_period_days : 0.0;
        offset_ = r.review_offset_days;
        return;
    }
    if (!sc.vendors[item.vendor()].present)
        throw std::invalid_argument("a custom replenishment policy needs a supplier: the scenario has none (its "
                                    "policy \"none\" let it leave /supplier out)");
    // Asked once: a policy whose hooks changed their answer later would move reviews backwards.
    period_ = custom_->review_period_days();
    offset_ = custom_->review_offset_days();
    if (!(period_ >= 0.0 && std::isfinite(period_)))
        throw std::invalid_argument("custom policy: review_period_days must be a finite number >= 0");
    if (period_ > 0) {
        if (!(offset_ >= 0.0 && offset_ < period_))
            throw std::invalid_argument("custom policy: review_offset_days must be in [0, review_period_days)");
        if (sc.run.horizon_days / period_ > 1e8)
            throw std::invalid_argument("custom policy: review period too short for the horizon (over 1e8 reviews)");
    }
}

void Replenisher::begin_review(std::uint64_t k, std::int64_t recorded_total) {
    auto* f = std::get_if<ForecastCover>(&builtin_);
    if (custom_ || !f) return;
    const double since = static_cast<double>(recorded_total - f->recorded_at_last_review);
    if (k > 0) f->per_day = f->alpha * since / period_ + (1 - f->alpha) * f->per_day;
    f->recorded_at_last_review = recorded_total;
}

void Replenisher::decide_custom(const InventoryView& view, std::vector<OrderDecision>& out) {
    out.clear();
    custom_->orders(view, out);
    for (const OrderDecision& d : out) {
        if (d.quantity < 0)
            throw std::invalid_argument("custom policy returned " + std::to_string(d.quantity) + " units; must be >= 0");
        if (d.vendor < -1 || d.vendor >= static_cast<std::int64_t>(view.vendors.size()))
            throw std::invalid_argument("custom policy chose vendor " + std::to_string(d.vendor) + "; the item has " +
                                        std::to_string(view.vendors.size()) + " (0 to " +
                                        std::to_string(view.vendors.size() - 1) + ", or -1 for its sourcing rule)");
    }
}

}  // namespace stocklab
