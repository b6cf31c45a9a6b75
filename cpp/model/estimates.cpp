#include "model/estimates.hpp"

#include "model/ledger.hpp"
#include "model/results.hpp"
#include "scenario/errors.hpp"

#include <sstream>
#include <string>

namespace stocklab {

namespace {

/// Purchase occasions (real ones, not thinned candidates) over the horizon, as if loyalty stayed put.
double expected_occasions(const Scenario& sc) {
    const double H = sc.run.horizon_days;
    double rate = sc.demand.rate_per_day;
    if (sc.demand.model == DemandModel::Customers)
        rate *= 1.0 + sc.customers.new_customer_rate_per_day * H / (2.0 * static_cast<double>(sc.customers.population));
    return rate * H;
}

double expected_candidates(const Scenario& sc) {
    const double H = sc.run.horizon_days;
    if (sc.demand.model != DemandModel::Customers) return sc.demand.rate_per_day * (1.0 + sc.demand.seasonality.amplitude) * H;
    const Customers& c = sc.customers;
    const double bound = c.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0;
    if (c.behaviour)  // each customer's own clock: every candidate is an occasion (at most the initial rate)
        return sc.demand.rate_per_day * (H + bound * c.new_customer_rate_per_day * H * H /
                                                 (2.0 * static_cast<double>(c.population)));
    // One superposed stream at the bound for every id ever seen: the initial population plus every
    // prospect (up to twice the base rate of them when reviews can be positive).
    const double rate = sc.demand.rate_per_day * (1.0 + sc.demand.seasonality.amplitude);
    return rate * (H + bound * c.new_customer_rate_per_day * H * H / (2.0 * static_cast<double>(c.population)));
}

}  // namespace

double expected_events(const Scenario& sc) {
    const double H = sc.run.horizon_days;
    double events = expected_candidates(sc) + H / sc.finance.accrual_period_days;
    if (sc.demand.model == DemandModel::Customers)
        events += (sc.customers.word_of_mouth.positive_review_probability > 0 ? 2.0 : 1.0) *
                  sc.customers.new_customer_rate_per_day * H;
    if (sc.run.snapshot_interval_days > 0) events += H / sc.run.snapshot_interval_days;
    for (const Item& item : sc.items)
        if (item.replenishment.periodic()) events += H / item.replenishment.review_period_days;
    return events;
}

RecordEstimate estimate_records(const Scenario& sc) {
    const double H = sc.run.horizon_days;
    const double occasions = expected_occasions(sc);
    RecordEstimate e;
    // About one row an occasion (a sale, a stock-out, a backorder), plus supply and customer rows.
    if (sc.run.record_events) e.event_rows = 1.5 * occasions;
    if (sc.run.record_ledger) {
        const double postings_per_accrual = 1.0 + (sc.finance.overdraft_rate_per_year > 0 ? 1.0 : 0.0) +
                                            (sc.finance.deposit_rate_per_year > 0 ? 1.0 : 0.0);
        e.ledger_rows = occasions + postings_per_accrual * H / sc.finance.accrual_period_days;
    }
    if (sc.run.snapshot_interval_days > 0)
        e.series_bytes = (H / sc.run.snapshot_interval_days + 1.0) * static_cast<double>(kSeriesCount * sizeof(double));
    return e;
}

namespace {
std::string gigabytes(double bytes) {
    std::ostringstream os;
    os.precision(bytes >= 1e10 ? 3 : 2);
    os << bytes / 1e9;
    return os.str();
}
}  // namespace

void check_recording_fits(const Scenario& sc) {
    const RecordEstimate e = estimate_records(sc);
    if (e.bytes() <= kMaxRecordedBytes) return;
    const double events = e.event_rows * static_cast<double>(sizeof(EventRecord));
    const double ledger = e.ledger_rows * static_cast<double>(sizeof(LedgerEntry));
    const char* field = events >= ledger && events >= e.series_bytes ? "record_events"
                        : ledger >= e.series_bytes                   ? "record_ledger"
                                                                     : "snapshot_interval_days";
    throw ScenarioError(std::string("/run/") + field,
                        "the run would record about " + gigabytes(e.bytes()) + " GB (event log " + gigabytes(events) +
                            " GB, ledger " + gigabytes(ledger) + " GB, time series " + gigabytes(e.series_bytes) +
                            " GB; at most " + gigabytes(kMaxRecordedBytes) +
                            " GB): switch that recording off, or shorten the horizon");
}

double RecordEstimate::bytes() const {
    return event_rows * static_cast<double>(sizeof(EventRecord)) + ledger_rows * static_cast<double>(sizeof(LedgerEntry)) +
           series_bytes;
}

}  // namespace stocklab
