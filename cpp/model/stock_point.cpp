#include "model/stock_point.hpp"

#include <algorithm>
#include <cassert>

namespace stocklab {

StockPoint::StockPoint(std::int64_t initial_on_hand) : initial_on_hand_(initial_on_hand), on_hand_(initial_on_hand) {
    tallies_.min_on_hand = on_hand_;
    // Modest reserves (they grow when needed): a replication's allocations then stay under the C
    // library's trim threshold, so memory is not handed back to the kernel at every replication.
    book_.reserve(64);
    inbound_.reserve(64);
}

std::int64_t StockPoint::sell(std::int64_t q) {
    tallies_.demand += q;
    const std::int64_t served = std::min<std::int64_t>(q, line_.empty() ? on_hand_ : 0);
    if (served > 0) {
        on_hand_ -= served;
        tallies_.min_on_hand = std::min(tallies_.min_on_hand, on_hand_);
        tallies_.shipped += served;
        tallies_.served += served;
        tallies_.recorded += served;
    }
    return served;
}

std::uint32_t StockPoint::add_backorder(const Backorder& b) {
    const std::uint32_t slot = book_.acquire(b);
    line_.push_back(slot);
    ++open_records_;
    backorder_units_ += b.units;
    tallies_.backordered += b.units;
    tallies_.recorded += b.units;
    return slot;
}

bool StockPoint::first_waiting(std::uint32_t& slot) {
    while (!line_.empty()) {
        slot = line_.front();
        if (book_[slot].open) return true;
        line_.pop_front();  // cancelled earlier: its slot is free once it leaves the line
        book_.release(slot);
    }
    return false;
}

std::int64_t StockPoint::shippable(std::uint32_t slot, bool partial_shipments) const {
    const std::int64_t owed = book_[slot].units;
    return partial_shipments ? std::min(owed, on_hand_) : (on_hand_ >= owed ? owed : 0);
}

void StockPoint::ship(std::uint32_t slot, std::int64_t units) {
    on_hand_ -= units;
    tallies_.min_on_hand = std::min(tallies_.min_on_hand, on_hand_);
    book_[slot].units -= units;
    backorder_units_ -= units;
    tallies_.shipped += units;
    tallies_.backorders_shipped += units;
}

void StockPoint::complete_first() {
    const std::uint32_t slot = line_.front();
    line_.pop_front();
    book_[slot].open = false;
    --open_records_;
    book_.release(slot);  // a pending cancellation for this slot is now stale
}

std::int64_t StockPoint::cancel(std::uint32_t slot, std::uint32_t gen) {
    Backorder& b = book_[slot];
    if (!b.open || !book_.current(slot, gen)) return 0;
    b.open = false;
    --open_records_;
    backorder_units_ -= b.units;
    tallies_.backorders_cancelled += b.units;
    return b.units;
}

void StockPoint::expect(double promised, std::int64_t delivered, std::int64_t ordered) {
    const std::pair<double, std::int64_t> key{promised, delivered};
    inbound_.insert(std::upper_bound(inbound_.begin(), inbound_.end(), key), key);
    on_order_ += ordered;
}

void StockPoint::receive(double promised, std::int64_t delivered, std::int64_t ordered) {
    const std::pair<double, std::int64_t> key{promised, delivered};
    const auto it = std::lower_bound(inbound_.begin(), inbound_.end(), key);
    assert(it != inbound_.end() && *it == key);
    if (it != inbound_.end() && *it == key) inbound_.erase(it);
    on_hand_ += delivered;
    on_order_ -= ordered;
    tallies_.received += delivered;
}

void StockPoint::book_beyond_horizon(std::int64_t units, double departs) {
    beyond_units_ += units;
    on_order_ += units;
    beyond_departure_ = std::min(beyond_departure_, departs);
}

double StockPoint::pipeline_wait(std::int64_t units_needed, double now) const {
    std::int64_t cum = 0;
    for (const auto& [arrival, units] : inbound_) {
        cum += units;
        if (cum >= units_needed) return std::max(0.0, arrival - now);
    }
    return -1.0;
}

}  // namespace stocklab
