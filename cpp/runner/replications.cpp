#include "runner/replications.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "model/simulation.hpp"

namespace stocklab {

int hardware_jobs() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int max_jobs() { return std::max(256, 4 * hardware_jobs()); }

void run_supervised(const std::function<void(std::atomic<bool>*)>& work,
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
    std::thread worker;
    try {
        worker = std::thread([&] {
            try {
                work(&cancel);
            } catch (...) {
                error = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(m);
            done = true;
            cv.notify_all();
        });
    } catch (const std::system_error& e) {
        throw std::runtime_error(std::string("could not start a worker thread (") + e.what() +
                                 "): the system is out of threads or memory");
    }
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

namespace {

/// Every worker's shared state: the next replication to run and the first error.
struct Pool {
    std::atomic<std::uint64_t> next{0};
    std::mutex error_mutex;
    std::exception_ptr error;

    /// Keeps the first error and raises `stop` so the other workers end promptly.
    void fail(std::exception_ptr e, std::atomic<bool>* stop) {
        {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::move(e);
        }
        stop->store(true);
    }
};

/// Starts `n` threads running `worker`; if the system refuses one, records why and raises `stop`.
/// Always joins every thread it started.
void run_threads(std::uint64_t n, const std::function<void()>& worker, Pool& pool, std::atomic<bool>* stop) {
    std::vector<std::thread> threads;
    threads.reserve(n);
    try {
        for (std::uint64_t t = 0; t < n; ++t) threads.emplace_back(worker);
    } catch (const std::system_error& e) {
        pool.fail(std::make_exception_ptr(std::runtime_error(
                      "could not start thread " + std::to_string(threads.size() + 1) + " of " + std::to_string(n) +
                      " (" + e.what() + "): the system is out of threads or memory; use fewer jobs")),
                  stop);
    }
    for (auto& t : threads) t.join();
}

}  // namespace

std::vector<Summary> run_replications(const Scenario& scenario, std::uint64_t seed, std::uint64_t first,
                                      std::uint64_t count, int jobs, const std::function<bool()>& interrupted,
                                      const PolicyFactory& policy, std::vector<ReplicationTables>* tables) {
    if (jobs < 1 || jobs > max_jobs())
        throw std::invalid_argument("jobs must be between 1 and " + std::to_string(max_jobs()) + " (4 x " +
                                    std::to_string(hardware_jobs()) + " hardware threads, at least 256), got " +
                                    std::to_string(jobs));
    Summary blank;
    blank.fill(std::numeric_limits<double>::quiet_NaN());
    std::vector<Summary> out(count, blank);
    if (tables) tables->assign(count, ReplicationTables{});

    Scenario quiet = scenario;  // experiments need summaries only: no time series, log or ledger rows
    quiet.run.snapshot_interval_days = 0.0;
    quiet.run.record_events = false;
    quiet.run.record_ledger = false;

    auto work = [&](std::atomic<bool>* stop) {
        Pool pool;
        auto worker = [&]() {
            for (;;) {
                if (stop->load()) return;
                const std::uint64_t i = pool.next.fetch_add(1);
                if (i >= count) return;
                try {
                    const std::shared_ptr<ReplenishmentPolicy> custom = policy ? policy(first + i) : nullptr;
                    Simulation sim(quiet, seed, first + i, custom.get());
                    sim.set_cancel_flag(stop);
                    sim.run();
                    out[i] = sim.summary();
                    if (tables) (*tables)[i] = ReplicationTables{sim.item_summaries(), sim.segment_summaries()};
                } catch (...) {
                    pool.fail(std::current_exception(), stop);
                    return;
                }
            }
        };
        const std::uint64_t n = std::max<std::uint64_t>(1, std::min(static_cast<std::uint64_t>(jobs), count));
        if (n == 1) {
            worker();
        } else {
            run_threads(n, worker, pool, stop);
        }
        if (pool.error) std::rethrow_exception(pool.error);
    };
    run_supervised(work, interrupted);
    return out;
}

}  // namespace stocklab
