#include "runner/replications.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "model/simulation.hpp"

namespace stocklab {

int hardware_jobs() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void run_supervised(const std::function<void(const std::atomic<bool>*)>& work,
                    const std::function<bool()>& interrupted) {
    std::atomic<bool> cancel{false};
    if (!interrupted) {
        work(&cancel);
        return;
    }
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            work(&cancel);
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_all();
    });
    bool stopped = false;
    {
        std::unique_lock<std::mutex> lock(m);
        while (!done) {
            if (cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
            lock.unlock();
            const bool stop = !stopped && interrupted();
            lock.lock();
            if (stop) {
                stopped = true;
                cancel.store(true);
            }
        }
    }
    worker.join();
    if (stopped) throw Interrupted();
    if (error) std::rethrow_exception(error);
}

std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs, const std::function<bool()>& interrupted) {
    Summary blank;
    blank.fill(std::numeric_limits<double>::quiet_NaN());
    std::vector<Summary> out(count, blank);

    Scenario quiet = scenario;  // experiments need summaries only: no time series, log or ledger rows
    quiet.run.snapshot_interval_days = 0.0;
    quiet.run.record_events = false;
    quiet.run.record_ledger = false;

    auto work = [&](const std::atomic<bool>* cancel) {
        std::atomic<std::uint64_t> next{0};
        std::exception_ptr error;
        std::mutex error_mutex;
        std::atomic<bool> failed{false};
        auto worker = [&]() {
            for (;;) {
                if (failed.load() || cancel->load()) return;
                const std::uint64_t i = next.fetch_add(1);
                if (i >= count) return;
                try {
                    Simulation sim(quiet, seed, first + i);
                    sim.set_cancel_flag(cancel);
                    sim.run();
                    out[i] = sim.summary();
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                    failed.store(true);
                    return;
                }
            }
        };
        const std::uint64_t wanted = jobs < 1 ? 1 : static_cast<std::uint64_t>(jobs);
        const std::uint64_t n = std::max<std::uint64_t>(1, std::min(wanted, count));
        if (n == 1) {
            worker();
        } else {
            std::vector<std::thread> threads;
            threads.reserve(n);
            for (std::uint64_t t = 0; t < n; ++t) threads.emplace_back(worker);
            for (auto& t : threads) t.join();
        }
        if (error) std::rethrow_exception(error);
    };
    run_supervised(work, interrupted);
    return out;
}

}  // namespace stocklab
