#include "model/observation.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace stocklab {

namespace {

/// Throws unless `v` is increasing, finite and > 0; `name` is the field the error names.
void check_increasing(const std::vector<double>& v, const char* name, bool allow_empty) {
    if (v.empty() && !allow_empty) throw std::invalid_argument(std::string(name) + ": needs at least one value");
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!(std::isfinite(v[i]) && v[i] > 0))
            throw std::invalid_argument(std::string(name) + "[" + std::to_string(i) + "]: must be a finite number of days > 0 (got " +
                                        std::to_string(v[i]) + ")");
        if (i > 0 && !(v[i] > v[i - 1]))
            throw std::invalid_argument(std::string(name) + ": must be increasing (item " + std::to_string(i) + " is " +
                                        std::to_string(v[i]) + ", after " + std::to_string(v[i - 1]) + ")");
    }
}

/// Slack for comparing decision times that are sums of the same period (k * P - m * P vs (k - m) * P).
double slack(double t) { return 1e-9 * std::max(1.0, std::fabs(t)); }

}  // namespace

Observer::Observer(ObservationSpec spec) : spec_(std::move(spec)) {
    check_increasing(spec_.pipeline_edges_days, "pipeline_days", true);
    check_increasing(spec_.demand_windows_days, "demand_windows_days", true);
    size_ = 0;
    for (const auto& f : fields()) size_ += f.second;
}

std::vector<std::pair<std::string, std::size_t>> Observer::fields() const {
    return {{"on_hand", 1},
            {"backorders", 1},
            {"inventory_position", 1},
            {"pipeline", spec_.pipeline_edges_days.size() + 1},
            {"days_since_order", 1},
            {"recorded_demand", spec_.demand_windows_days.size()},
            {"cash", 1},
            {"mean_loyalty", 1},
            {"active_customers", 1},
            {"supplier_up", 1},
            {"day", 1}};
}

void Observer::start(const Simulation& sim) {
    last_order_ = sim.now();
    demand_.clear();
}

std::int64_t Observer::recorded_since(double now, double days, std::int64_t recorded_now) const {
    // The latest sample at or before now - days; before the first sample, the run's start (0 recorded).
    const double from = now - days + slack(now);
    const auto after = std::upper_bound(demand_.begin(), demand_.end(), from,
                                        [](double t, const std::pair<double, std::int64_t>& s) { return t < s.first; });
    return recorded_now - (after == demand_.begin() ? 0 : std::prev(after)->second);
}

void Observer::observe(const Simulation& sim, float* out) {
    const double now = sim.now();
    const StockPoint& stock = sim.stock();
    const std::int64_t recorded = stock.tallies().recorded;
    // Keep one sample at or before the longest window's start, and every later one.
    demand_.emplace_back(now, recorded);
    if (!spec_.demand_windows_days.empty()) {
        const double oldest = now - spec_.demand_windows_days.back() + slack(now);
        while (demand_.size() >= 2 && demand_[1].first <= oldest) demand_.pop_front();
    }

    float* p = out;
    *p++ = static_cast<float>(stock.on_hand());
    *p++ = static_cast<float>(stock.backorder_units());
    *p++ = static_cast<float>(stock.inventory_position());
    // Pipeline: units by the date the vendor confirmed, in buckets of days from now.
    const std::vector<double>& edges = spec_.pipeline_edges_days;
    buckets_.assign(edges.size() + 1, 0);
    for (const Inbound& s : stock.inbound())
        buckets_[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), s.arrival - now) - edges.begin())] += s.units;
    for (const std::int64_t units : buckets_) *p++ = static_cast<float>(units);
    *p++ = static_cast<float>(now - last_order_);
    for (const double w : spec_.demand_windows_days) *p++ = static_cast<float>(recorded_since(now, w, recorded));
    const CustomerBase& customers = sim.customers();
    const double loyalty = customers.mean_loyalty();
    *p++ = static_cast<float>(static_cast<double>(sim.accounts().cash()) / 100.0);
    *p++ = static_cast<float>(std::isnan(loyalty) ? 0.0 : loyalty);  // no active customers (or none modelled)
    *p++ = static_cast<float>(customers.active_count());
    *p++ = sim.vendor().up() ? 1.0f : 0.0f;
    *p++ = static_cast<float>(now);
}

}  // namespace stocklab
