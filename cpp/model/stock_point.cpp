#include "model/stock_point.hpp"

#include <algorithm>
#include <cassert>
#include <functional>

namespace stocklab {

StockPoint::StockPoint(std::int64_t initial_on_hand, double holding_per_unit_day, bool ranked, StoreStock* store)
    : holding_(holding_per_unit_day), store_(store), ranked_(ranked), initial_on_hand_(initial_on_hand) {
    if (store_) {
        ++store_->items;
        ++store_->items_out;  // empty until the initial stock is counted in
    }
    change_on_hand(initial_on_hand);
    tallies_.min_on_hand = on_hand_;
    // Modest reserves (they grow when needed): a replication's allocations then stay under the C
    // library's trim threshold, so memory is not handed back to the kernel at every replication.
    book_.reserve(64);
    inbound_.reserve(64);
}

std::uint32_t StockPoint::add_backorder(const Backorder& b) {
    const std::uint32_t slot = book_.acquire(b);
    if (ranked_) {
        ranked_line_.push_back(Ranked{b.rank, arrivals_++, slot});
        std::push_heap(ranked_line_.begin(), ranked_line_.end(), std::greater<>{});
    } else {
        line_.push_back(slot);
    }
    ++in_line_;
    ++open_records_;
    change_backorders(b.units);
    tallies_.backordered += b.units;
    tallies_.recorded += b.units;
    return slot;
}

void StockPoint::line_pop() {
    --in_line_;
    if (ranked_) {
        std::pop_heap(ranked_line_.begin(), ranked_line_.end(), std::greater<>{});
        ranked_line_.pop_back();
    } else {
        line_.pop_front();
    }
}

bool StockPoint::first_waiting(std::uint32_t& slot) {
    while (!line_empty()) {
        slot = line_front();
        if (book_[slot].open) return true;
        line_pop();  // cancelled earlier: its slot is free once it leaves the line
        book_.release(slot);
    }
    return false;
}

std::int64_t StockPoint::shippable(std::uint32_t slot, bool partial_shipments) const {
    const std::int64_t owed = book_[slot].units;
    return partial_shipments ? std::min(owed, on_hand_) : (on_hand_ >= owed ? owed : 0);
}

void StockPoint::ship(std::uint32_t slot, std::int64_t units) {
    change_on_hand(-units);
    tallies_.min_on_hand = std::min(tallies_.min_on_hand, on_hand_);
    book_[slot].units -= units;
    change_backorders(-units);
    tallies_.shipped += units;
    tallies_.backorders_shipped += units;
}

void StockPoint::complete_first() {
    const std::uint32_t slot = line_front();
    line_pop();
    book_[slot].open = false;
    --open_records_;
    book_.release(slot);  // a pending cancellation for this slot is now stale
}

std::int64_t StockPoint::cancel(std::uint32_t slot, std::uint32_t gen) {
    Backorder& b = book_[slot];
    if (!b.open || !book_.current(slot, gen)) return 0;
    b.open = false;
    --open_records_;
    change_backorders(-b.units);
    tallies_.backorders_cancelled += b.units;
    return b.units;
}

void StockPoint::expect(double promised, std::int64_t delivered, std::int64_t ordered, std::uint32_t vendor) {
    const Inbound key{promised, delivered, vendor};
    inbound_.insert(std::upper_bound(inbound_.begin(), inbound_.end(), key), key);
    change_on_order(ordered);
}

void StockPoint::receive(double promised, std::int64_t delivered, std::int64_t ordered, std::uint32_t vendor) {
    const Inbound key{promised, delivered, vendor};
    const auto it = std::lower_bound(inbound_.begin(), inbound_.end(), key);
    assert(it != inbound_.end() && *it == key);
    if (it != inbound_.end() && *it == key) inbound_.erase(it);
    change_on_hand(delivered);
    change_on_order(-ordered);
    tallies_.received += delivered;
}

void StockPoint::reschedule(const Inbound& was, double now_expected) {
    const auto it = std::lower_bound(inbound_.begin(), inbound_.end(), was);
    assert(it != inbound_.end() && *it == was);
    if (it == inbound_.end() || !(*it == was)) return;
    inbound_.erase(it);
    const Inbound moved{now_expected, was.units, was.vendor};
    inbound_.insert(std::upper_bound(inbound_.begin(), inbound_.end(), moved), moved);
}

void StockPoint::book_beyond_horizon(std::int64_t units, double departs) {
    beyond_units_ += units;
    change_on_order(units);
    beyond_departure_ = std::min(beyond_departure_, departs);
}

double StockPoint::pipeline_wait(std::int64_t units_needed, double now) const {
    std::int64_t cum = 0;
    for (const Inbound& s : inbound_) {
        cum += s.units;
        if (cum >= units_needed) return std::max(0.0, s.arrival - now);
    }
    return -1.0;
}

void StockPoint::waiting_in_order(std::vector<std::uint32_t>& out) const {
    out.clear();
    if (!ranked_) {
        for (std::size_t k = 0; k < line_.size(); ++k)
            if (book_[line_.at(k)].open) out.push_back(line_.at(k));
        return;
    }
    std::vector<Ranked> line = ranked_line_;  // the heap, served in (rank, arrival) order: sort a copy
    std::sort(line.begin(), line.end(), [](const Ranked& a, const Ranked& b) { return b > a; });
    for (const Ranked& r : line)
        if (book_[r.slot].open) out.push_back(r.slot);
}

}  // namespace stocklab
