// Engine results as Python objects: numpy columns of the event log, ledger and time series, the summary
// and the items' metrics. Shared by every binding that hands out results.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>

#include "common.hpp"

namespace stocklab::bindings {

namespace {
template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
    py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
    if (!v.empty()) std::copy(v.begin(), v.end(), out.mutable_data());
    return out;
}

}  // namespace

py::array_t<double> summary_array(const Summary& s) {
    py::array_t<double> out(static_cast<py::ssize_t>(s.size()));
    std::copy(s.begin(), s.end(), out.mutable_data());
    return out;
}

py::dict events_dict(const std::vector<EventRecord>& ev, std::size_t from) {
    const std::size_t n = ev.size() > from ? ev.size() - from : 0;
    std::vector<double> time(n), cash(n), value(n), previous(n);
    std::vector<std::int64_t> customer(n), qty(n), on_hand(n), bo(n), on_order(n);
    std::vector<std::int32_t> item(n), vendor(n);
    std::vector<std::uint8_t> kind(n);
    for (std::size_t i = 0; i < n; ++i) {
        const EventRecord& r = ev[from + i];
        time[i] = r.time;
        item[i] = r.item;
        customer[i] = r.reference;
        qty[i] = r.quantity;
        on_hand[i] = r.on_hand;
        bo[i] = r.backorders;
        on_order[i] = r.on_order;
        cash[i] = r.cash;
        value[i] = r.value;
        previous[i] = r.previous;
        vendor[i] = r.vendor;
        kind[i] = static_cast<std::uint8_t>(r.kind);
    }
    py::dict d;
    d["time"] = to_array(time);
    d["kind"] = to_array(kind);
    d["item"] = to_array(item);
    d["customer"] = to_array(customer);
    d["quantity"] = to_array(qty);
    d["value"] = to_array(value);
    d["previous"] = to_array(previous);
    d["vendor"] = to_array(vendor);
    d["on_hand"] = to_array(on_hand);
    d["backorders"] = to_array(bo);
    d["on_order"] = to_array(on_order);
    d["cash"] = to_array(cash);
    return d;
}

py::dict events_dict(const EventLog& log, std::size_t start) {
    // Row numbers count the rows a bounded log dropped.
    const std::vector<EventRecord>& ev = log.rows();
    const std::size_t from = std::min(ev.size(), start > log.first_row() ? start - log.first_row() : 0);
    return events_dict(ev, from);
}

py::dict ledger_dict(const std::vector<LedgerEntry>& entries) {
    const std::size_t n = entries.size();
    std::vector<double> time(n);
    std::vector<std::int64_t> cents(n), ref(n);
    std::vector<std::int32_t> item(n), vendor(n);
    std::vector<std::uint8_t> cat(n);
    for (std::size_t i = 0; i < n; ++i) {
        time[i] = entries[i].time;
        item[i] = entries[i].item;
        vendor[i] = entries[i].vendor;
        cents[i] = entries[i].amount;
        ref[i] = entries[i].reference;
        cat[i] = static_cast<std::uint8_t>(entries[i].category);
    }
    py::dict d;
    d["time"] = to_array(time);
    d["category"] = to_array(cat);
    d["amount_cents"] = to_array(cents);
    d["reference"] = to_array(ref);
    d["item"] = to_array(item);
    d["vendor"] = to_array(vendor);
    return d;
}

py::dict series_dict(const TimeSeries& series) {
    py::dict ts;
    for (std::size_t i = 0; i < kSeriesCount; ++i) ts[py::str(std::string(kSeriesNames[i]))] = to_array(series.columns[i]);
    return ts;
}

namespace {
/// One row per entry (item, segment), one column per metric.
template <class Row>
py::array_t<double> rows_array(const std::vector<Row>& rows) {
    constexpr std::size_t width = std::tuple_size_v<Row>;
    py::array_t<double> out({static_cast<py::ssize_t>(rows.size()), static_cast<py::ssize_t>(width)});
    double* p = out.mutable_data();
    for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), p + i * width);
    return out;
}
}  // namespace

py::array_t<double> items_array(const std::vector<ItemSummary>& rows) { return rows_array(rows); }
py::array_t<double> segments_array(const std::vector<SegmentSummary>& rows) { return rows_array(rows); }
py::array_t<double> vendors_array(const std::vector<VendorSummary>& rows) { return rows_array(rows); }

py::dict result_dict(RunResult& r) {
    py::dict d;
    d["seed"] = r.seed;
    d["replication"] = r.replication;
    d["summary"] = summary_array(r.summary);
    d["items"] = items_array(r.items);
    d["item_ids"] = py::cast(r.item_ids);
    d["segments"] = segments_array(r.segments);
    d["segment_ids"] = py::cast(r.segment_ids);
    d["vendors"] = vendors_array(r.vendors);
    d["vendor_ids"] = py::cast(r.vendor_ids);
    d["timeseries"] = series_dict(r.timeseries);
    d["events"] = events_dict(r.events, 0);
    d["ledger"] = ledger_dict(r.ledger);
    d["initial_cash"] = r.initial_cash;
    return d;
}


}  // namespace stocklab::bindings
