#pragma once
/// What a run of a scenario will cost before it runs: events to handle and rows it will record.
/// Estimates from the scenario alone (means, not bounds), used to warn before long experiments and to
/// refuse runs whose recorded outputs would not fit in memory.
#include <cstddef>

#include "scenario/scenario.hpp"

namespace stocklab {

/// Events one replication handles: purchase occasions (candidates: with customers who remember,
/// every candidate is an occasion, counted at the initial loyalty, so this is an upper estimate;
/// with new customers the count grows with the square of the horizon), new-customer arrivals,
/// postings, snapshots and reviews.
double expected_events(const Scenario& sc);

/// Rows one replication records, by output.
struct RecordEstimate {
    double event_rows = 0;    // when run.record_events is on
    double ledger_rows = 0;   // when run.record_ledger is on
    double series_bytes = 0;  // the time series, when snapshots are on
    double bytes() const;
};
RecordEstimate estimate_records(const Scenario& sc);

/// Recorded outputs of one run beyond this are refused (with the estimate and the field to change).
inline constexpr double kMaxRecordedBytes = 2e9;

/// Throws ScenarioError at the recording to switch off when what the run would record does not fit.
void check_recording_fits(const Scenario& sc);

}  // namespace stocklab
