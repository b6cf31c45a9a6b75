#include "stocklab/experiment.hpp"

#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "stocklab/simulation.hpp"

namespace stocklab {

int hardware_jobs() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs, const std::atomic<bool>* cancel,
                                      std::uint64_t* completed) {
    Summary blank;
    blank.fill(std::numeric_limits<double>::quiet_NaN());
    std::vector<Summary> out(count, blank);
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> done{0};
    std::exception_ptr error;
    std::mutex error_mutex;

    Scenario quiet = scenario;  // experiments need summaries only: no time series, log or ledger rows
    quiet.run.snapshot_interval_days = 0.0;
    quiet.run.record_events = false;
    quiet.run.record_ledger = false;

    auto worker = [&]() {
        for (;;) {
            if (cancel && cancel->load(std::memory_order_relaxed)) return;
            {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (error) return;
            }
            const std::uint64_t i = next.fetch_add(1);
            if (i >= count) return;
            try {
                Simulation sim(quiet, seed, first + i);
                sim.run();
                out[i] = sim.summary();
                done.fetch_add(1);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
                return;
            }
        }
    };
    const int n = jobs < 1 ? 1 : static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(jobs), count));
    if (n <= 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(n));
        for (int t = 0; t < n; ++t) threads.emplace_back(worker);
        for (auto& t : threads) t.join();
    }
    if (error) std::rethrow_exception(error);
    if (completed) *completed = done.load();
    return out;
}

}  // namespace stocklab
