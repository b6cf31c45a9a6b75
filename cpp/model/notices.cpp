// Keeping waiting customers informed. Every backorder carries the date its customer was last told
// (the quote, at first). When the pipeline moves the date a waiting customer will be served later (a
// vendor announces a late shipment, an order is confirmed short or split by capacity, an outage
// starts, a customer of higher rank joins the line), notify_on_slip tells them the new date at once;
// notify_periodically tells every waiting customer their date every N days. A told customer decides
// again, from their own random numbers, whether to keep waiting.
#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"

namespace stocklab {

namespace {
constexpr double kSlack = 1e-9;  // dates closer than this have not moved
}

void Simulation::review_promises(std::uint32_t item, bool round) {
    const StockPoint& stock = items_[item].stock;
    stock.waiting_in_order(waiting_);
    if (waiting_.empty()) return;
    // Each customer is served by the shipment that brings their last unit (counting the units owed
    // ahead of them), or beyond the pipeline by a new order: the walk a quote makes, for everyone.
    const std::vector<Inbound>& inbound = stock.inbound();
    std::size_t next = 0;
    std::int64_t covered = 0, owed = 0;
    double beyond = -1.0;
    to_tell_.clear();
    for (const std::uint32_t slot : waiting_) {
        const Backorder& b = stock.backorder(slot);
        owed += b.units;
        while (covered < owed && next < inbound.size()) covered += inbound[next++].units;
        double date;
        if (covered >= owed) {
            date = std::max(now_, inbound[next - 1].arrival);
        } else {
            if (beyond < 0) beyond = honest_wait(item, owed);  // beyond the pipeline: the same for all
            date = now_ + beyond;
        }
        if (round || date > b.told + kSlack) to_tell_.emplace_back(slot, date);
    }
    bool cancelled = false;
    for (const auto& [slot, date] : to_tell_) cancelled = notify(item, slot, date) || cancelled;
    // Cancellations only raise the inventory position; the decision they call for comes once, after.
    if (cancelled) decision_point(item, false);
}

bool Simulation::notify(std::uint32_t item, std::uint32_t slot, double date) {
    ItemRun& it = items_[item];
    Backorder& b = it.stock.backorder(slot);
    const double was = b.told;
    b.told = date;
    bool stays = true;
    if (customers_.customers_mode() && sc_.customers.behaviour && b.customer >= 0) {
        // The customer accepted the wait they were told. Reading the acceptance curve as the chance
        // that their tolerance for waiting exceeds a wait, they keep waiting with the chance that it
        // exceeds the new remaining wait given that it exceeded the old one.
        const BackorderAcceptance& a = segment_of(b.customer).acceptance;
        const double before = acceptance_probability(a, std::max(0.0, was - now_));
        const double keep = before > 0 ? acceptance_probability(a, std::max(0.0, date - now_)) / before : 1.0;
        Engine draws(b.notice_seed);
        stays = uniform01(draws) < keep;
        b.notice_seed = draws();
    }
    if (in_window()) it.flows.notices += 1;
    log(stays ? EventKind::NoticeKeptWaiting : EventKind::NoticeCancelled, b.customer, b.units, date,
        static_cast<std::int32_t>(item), -1, was);
    if (!stays) cancel_backorder(item, slot, it.stock.generation(slot), true, false);
    return !stays;
}

void Simulation::on_notice_round(const Event& e) {
    const std::uint32_t item = e.a;
    const double next = static_cast<double>(e.payload + 1) * items_[item].spec.shortage.updates.period_days;
    if (next < sc_.run.horizon_days) cal_.schedule(next, EventType::NoticeRound, item, 0, e.payload + 1);
    review_promises(item, true);
}

void Simulation::review_promises_of_vendor(std::uint32_t v) {
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
        const Item& spec = items_[i].spec;
        if (spec.shortage.updates.mode == UpdateMode::NotifyOnSlip &&
            std::find(spec.vendors.begin(), spec.vendors.end(), v) != spec.vendors.end())
            review_promises(i, false);
    }
}

}  // namespace stocklab
