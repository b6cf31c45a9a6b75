// libFuzzer target: any bytes through the scenario parser; small valid scenarios also run, and the
// run's invariants are checked. A crash, sanitizer report or failed invariant is a finding.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenario/parser.hpp"
#include "model/simulation.hpp"

namespace {
void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant failed: %s\n", what);
        std::abort();
    }
}

void run_small(const stocklab::Scenario& sc) {
    const double per_day = sc.demand.rate_per_day * (1.0 + sc.demand.seasonality.amplitude) + 2.0;
    if (per_day * sc.run.horizon_days > 20000.0) return;  // keep each input fast
    if (sc.demand.model == stocklab::DemandModel::Customers && sc.customers.population > 20000) return;
    stocklab::Simulation sim(sc, 1, 0);
    try {
        sim.run();
    } catch (const std::invalid_argument&) {
        return;  // a documented runtime rejection (e.g. an order needing too many capacity periods)
    }
    const stocklab::Invariants v = sim.invariants();
    check(v.initial_on_hand + v.received_units == v.on_hand + v.shipped_units, "units conserved");
    check(v.backordered_total == v.backorders_shipped_total + v.backorders_cancelled_total + v.backorders_open,
          "backorders balance");
    check(v.cash == v.initial_cash + v.ledger_sum, "cash equals the ledger");
    check(v.min_on_hand >= 0, "on hand never negative");
    check(v.time_monotone, "time never goes backwards");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto doc = stocklab::parse_json_text(text);
        stocklab::validate_scenario(doc);
        run_small(stocklab::parse_scenario(doc, ""));
        for (const auto& name : stocklab::policy_names(doc)) run_small(stocklab::parse_scenario(doc, name));
    } catch (const stocklab::ScenarioError&) {
        // the expected outcome for bad input
    }
    return 0;
}
