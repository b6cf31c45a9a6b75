// engine_run: runs a scenario file through the stocklab engine with no Python in the process, so a
// profiler (valgrind --tool=callgrind, perf) sees only the engine. Prints events/s and a digest of
// the summaries (bit patterns of every metric) and, with `keep`, of the time series, event log and
// ledger: digests that must not change under performance work.
//
// usage: engine_run SCENARIO.json [policy=NAME] [horizon=DAYS] [reps=N] [seed=S] [repeats=R] [keep] [dump]
//   snapshots, the ledger and the event log are switched off (as in experiments) unless `keep` is
//   given (then the file's run settings stay); `dump` prints every metric of every replication as
//   hexadecimal bit patterns.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "../bench_args.hpp"
#include "model/metrics.hpp"
#include "scenario/parser.hpp"
#include "model/simulation.hpp"

namespace {

std::uint64_t bits(double d) {
    std::uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
}

struct Digest {  // FNV-1a over 64-bit words
    std::uint64_t h = 1469598103934665603ULL;
    void add(std::uint64_t w) { h = (h ^ w) * 1099511628211ULL; }
    void add(double d) { add(bits(d)); }
    void add(std::int64_t i) { add(static_cast<std::uint64_t>(i)); }
};

/// Every recorded output of a run: time series, event log and ledger (when recorded).
void add_outputs(Digest& d, const stocklab::RunResult& r) {
    for (const auto& col : r.timeseries.columns)
        for (double v : col) d.add(v);
    for (const auto& e : r.events) {
        d.add(e.time);
        d.add(e.reference);
        d.add(e.quantity);
        d.add(e.on_hand);
        d.add(e.backorders);
        d.add(e.on_order);
        d.add(e.cash);
        d.add(e.value);
        d.add(static_cast<std::uint64_t>(e.kind));
    }
    for (const auto& l : r.ledger) {
        d.add(l.time);
        d.add(static_cast<std::int64_t>(l.amount));
        d.add(l.reference);
        d.add(static_cast<std::uint64_t>(l.category));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SCENARIO.json [policy=NAME] [horizon=DAYS] [reps=N] [seed=S] [repeats=R] [keep] [dump]\n",
                     argv[0]);
        return 2;
    }
    std::string policy, v;
    double horizon = -1.0;
    std::uint64_t reps = 1, seed = 1;
    int repeats = 1;
    bool dump = false;
    bool keep = false;
    for (int i = 2; i < argc; ++i) {
        if (bench::arg(argv[i], "policy", v)) policy = v;
        else if (bench::arg(argv[i], "horizon", v)) horizon = std::strtod(v.c_str(), nullptr);
        else if (bench::arg(argv[i], "reps", v)) reps = std::strtoull(v.c_str(), nullptr, 10);
        else if (bench::arg(argv[i], "seed", v)) seed = std::strtoull(v.c_str(), nullptr, 10);
        else if (bench::arg(argv[i], "repeats", v)) repeats = std::atoi(v.c_str());
        else if (std::strcmp(argv[i], "dump") == 0) dump = true;
        else if (std::strcmp(argv[i], "keep") == 0) keep = true;
        else {
            std::fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    try {
        std::ifstream in(argv[1], std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "cannot read %s\n", argv[1]);
            return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        nlohmann::ordered_json doc = stocklab::parse_json_text(ss.str());
        if (horizon > 0) doc["run"]["horizon_days"] = horizon;
        if (!keep) {
            doc["run"]["snapshot_interval_days"] = 0;
            doc["run"]["record_ledger"] = false;
            doc["run"]["record_events"] = false;
        }
        const stocklab::Scenario sc = stocklab::parse_scenario(doc, policy);

        double best = 0.0;
        double events = 0.0;
        Digest digest;          // the summaries' bit patterns
        Digest outputs_digest;  // time series, event log and ledger (with `keep`)
        for (int r = 0; r < repeats; ++r) {
            events = 0.0;
            digest = Digest{};
            outputs_digest = Digest{};
            const auto t0 = std::chrono::steady_clock::now();
            for (std::uint64_t rep = 0; rep < reps; ++rep) {
                stocklab::Simulation sim(sc, seed, rep);
                sim.run();
                const stocklab::Summary s = sim.summary();
                events += s[static_cast<std::size_t>(stocklab::Metric::events)];
                if (keep) add_outputs(outputs_digest, sim.take_result());
                for (std::size_t k = 0; k < s.size(); ++k) {
                    digest.add(s[k]);
                    if (dump && r == 0)
                        std::printf("rep %llu %s %016llx\n", static_cast<unsigned long long>(rep),
                                    std::string(stocklab::kMetricNames[k]).c_str(),
                                    static_cast<unsigned long long>(bits(s[k])));
                }
            }
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (r == 0 || secs < best) best = secs;
        }
        std::printf("{\"scenario\": \"%s\", \"policy\": \"%s\", \"horizon_days\": %.17g, \"reps\": %llu, "
                    "\"events\": %.0f, \"best_seconds\": %.6f, \"events_per_sec\": %.1f, \"digest\": \"%016llx\", "
                    "\"outputs_digest\": \"%016llx\"}\n",
                    sc.name.c_str(), policy.c_str(), sc.run.horizon_days, static_cast<unsigned long long>(reps), events,
                    best, events / best, static_cast<unsigned long long>(digest.h),
                    static_cast<unsigned long long>(outputs_digest.h));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
