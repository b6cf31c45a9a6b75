// bare_loop: the practical ceiling on events per second for stocklab's event loop on this machine.
//
// The same calendar as the engine (kernel/calendar.hpp with model/events.hpp: a 4-ary heap of POD events keyed
// (time, priority, seq)) and the same random numbers (the engine's splitmix64 seeded through its seed
// sequence, Boost exponential_distribution constructed per draw, as Simulation::schedule_next_demand),
// driving Poisson arrival streams that do no model work: pop, advance the clock, count, draw the next
// inter-arrival time, schedule. Anything the real engine does beyond this is model work.
//
// usage: bare_loop [events=N] [streams=K] [repeats=R] [path=heap|slot] [json]
//   events   events handled per repeat (default 3e7)
//   streams  independent Poisson streams superposed in the calendar, i.e. its size (default 1; the
//            camera-lens model keeps about 8 pending events under lost sales and 23 under
//            backorders: next demand, next new customer, daily accrual, open shipments, supplier
//            payments, cancellation timers, delayed returns)
//   path     heap (default): every stream goes through the 4-ary heap; slot: one stream waits in a
//            variable beside the heap and never touches it, as the engine's superposed
//            purchase-candidate stream does (the others go through the heap)
//   repeats  timed repeats; the best is reported (default 3)
//   json     print one JSON line (for benchmarks/hardware_limit.py) instead of the text table
//
// A benchmark, not a test: it prints figures and never fails on them.
#include <boost/random/exponential_distribution.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "../bench_args.hpp"
#include "model/events.hpp"
#include "kernel/random.hpp"

namespace {

struct Result {
    std::uint64_t events = 0;
    double seconds = 0.0;
    double checksum = 0.0;  // printed, so the optimiser cannot drop the work
    double end_time = 0.0;
};

Result run_once(std::uint64_t n_events, std::uint32_t streams, std::uint64_t seed, bool beside) {
    using stocklab::Calendar;
    using stocklab::EventType;
    constexpr double kRatePerStream = 6.0;  // per day; the rate does not change the cost per event
    constexpr double kNone = std::numeric_limits<double>::infinity();
    stocklab::Engine rng = stocklab::make_engine(seed, 0, stocklab::Purpose::DemandArrivals);
    auto draw = [&rng] { return boost::random::exponential_distribution<double>(kRatePerStream)(rng); };
    Calendar cal;
    cal.reserve(1024);
    // path=slot: stream 0 waits beside the heap in one variable, as the engine's candidate stream does
    double next = beside ? draw() : kNone;
    for (std::uint32_t s = beside ? 1 : 0; s < streams; ++s) cal.schedule(draw(), EventType::Review, s);

    const auto t0 = std::chrono::steady_clock::now();
    double now = 0.0;
    double checksum = 0.0;
    std::uint64_t handled = 0;
    auto handle_heap_event = [&] {
        const stocklab::Event e = cal.pop();
        now = e.time;
        switch (e.type()) {  // a dispatch switch like Simulation::dispatch, with one live case
            case EventType::Review:
                checksum += static_cast<double>(e.a);
                cal.schedule(now + draw(), e.type(), e.a);
                break;
            default: break;
        }
    };
    if (beside) {
        for (; handled < n_events; ++handled) {
            if (cal.empty() || next < cal.top().time) {  // Demand ranks before Review at equal times
                now = next;
                next = now + draw();
            } else {
                handle_heap_event();
            }
        }
    } else {
        for (; handled < n_events && !cal.empty(); ++handled) handle_heap_event();
    }
    const auto t1 = std::chrono::steady_clock::now();
    Result r;
    r.events = handled;
    r.seconds = std::chrono::duration<double>(t1 - t0).count();
    r.checksum = checksum;
    r.end_time = now;
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t n_events = 30000000;
    std::uint32_t streams = 1;
    std::string path = "heap";
    int repeats = 3;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        std::string v;
        if (bench::arg(argv[i], "events", v)) n_events = static_cast<std::uint64_t>(std::strtod(v.c_str(), nullptr));
        else if (bench::arg(argv[i], "streams", v)) streams = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
        else if (bench::arg(argv[i], "repeats", v)) repeats = std::atoi(v.c_str());
        else if (bench::arg(argv[i], "path", v)) path = v;
        else if (std::strcmp(argv[i], "json") == 0) json = true;
        else {
            std::fprintf(stderr, "usage: %s [events=N] [streams=K] [repeats=R] [path=heap|slot] [json]\n", argv[0]);
            return 2;
        }
    }
    if (streams < 1 || repeats < 1 || n_events < 1 || (path != "heap" && path != "slot")) {
        std::fprintf(stderr, "events, streams and repeats must be >= 1; path must be heap or slot\n");
        return 2;
    }
    const bool beside = path == "slot";
    Result best;
    double worst_seconds = 0.0;
    for (int r = 0; r < repeats; ++r) {
        const Result res = run_once(n_events, streams, 1, beside);
        if (!json)
            std::printf("repeat %d: %llu events in %.4f s = %.2f M events/s (checksum %.6g, sim time %.6g days)\n", r + 1,
                        static_cast<unsigned long long>(res.events), res.seconds, res.events / res.seconds / 1e6,
                        res.checksum, res.end_time);
        if (r == 0 || res.seconds < best.seconds) best = res;
        if (res.seconds > worst_seconds) worst_seconds = res.seconds;
    }
    if (json) {
        std::printf("{\"events\": %llu, \"streams\": %u, \"path\": \"%s\", \"repeats\": %d, \"best_seconds\": %.6f, "
                    "\"worst_seconds\": %.6f, \"events_per_sec\": %.1f, \"checksum\": %.17g}\n",
                    static_cast<unsigned long long>(best.events), streams, path.c_str(), repeats, best.seconds,
                    worst_seconds, best.events / best.seconds, best.checksum);
    } else {
        std::printf("best of %d: %.2f M events/s (%u Poisson streams through the %s, splitmix64 + Boost exponential)\n",
                    repeats, best.events / best.seconds / 1e6, streams, path.c_str());
    }
    return 0;
}
