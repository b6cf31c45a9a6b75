#pragma once
/// The event log: what happened, one row per thing a customer, the store or a vendor did.
/// Modes: Off (experiments), Key (orders, shipments, stock-outs, backorders, cancellations, outages,
/// churn, reviews: the story, without the sales that make up most rows) or All (every row; scenario
/// `run.record_events`, and while narrating a step).
/// Invariants: rows are in the order the engine produced them (non-decreasing time); row numbers
/// count every row ever logged, so a reader can ask for "rows since n" even after the oldest rows of
/// a bounded log were dropped (`first_row()` is the oldest row still held).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/results.hpp"

namespace stocklab {

enum class LogMode : std::uint8_t { Off, Key, All };

class EventLog {
public:
    /// `cap`: rows to keep at least (0 = all); the oldest are dropped in blocks beyond twice that.
    void configure(LogMode mode, std::size_t cap) {
        mode_ = mode;
        cap_ = cap;
    }
    void set_narrate(bool on) { narrate_ = on; }
    LogMode mode() const { return mode_; }
    /// Whether a row of this kind is logged now (inline: asked at every purchase occasion).
    bool wants(EventKind k) const {
        if (narrate_ || mode_ == LogMode::All) return true;
        return mode_ == LogMode::Key && is_key(k);
    }
    void push(const EventRecord& r) {
        rows_.push_back(r);
        if (cap_ > 0 && rows_.size() >= 2 * cap_) drop_oldest();
    }

    std::size_t total() const { return dropped_ + rows_.size(); }
    std::size_t first_row() const { return dropped_; }
    const std::vector<EventRecord>& rows() const { return rows_; }
    std::vector<EventRecord> take() { return std::move(rows_); }

    /// Sales and partial sales are most rows and tell no story on their own.
    static bool is_key(EventKind k) { return k != EventKind::Sale && k != EventKind::PartialSale; }

private:
    void drop_oldest() {
        const std::size_t n = rows_.size() - cap_;
        rows_.erase(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(n));
        dropped_ += n;
    }
    std::vector<EventRecord> rows_;
    std::size_t dropped_ = 0;
    std::size_t cap_ = 0;
    LogMode mode_ = LogMode::Off;
    bool narrate_ = false;
};

}  // namespace stocklab
