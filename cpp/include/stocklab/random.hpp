#pragma once
/// Random streams: one independent Boost.Random stream per (purpose, entity id), seeded from
/// (master seed, replication, purpose, entity) through boost::random::seed_seq, never `seed + i`.
/// Invariant: a stream's draws depend only on those four numbers, so adding an entity or a purpose
/// never changes another stream, and a run is identical on any thread.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/seed_seq.hpp>
#include <boost/random/splitmix64.hpp>
#include <boost/random/uniform_01.hpp>

#include <cstdint>

namespace stocklab {

/// What a stream is for. Values are part of the reproducibility contract: never renumber.
enum class Purpose : std::uint32_t {
    DemandArrivals = 1,   // superposed purchase-occasion times
    CustomerPick = 2,     // which customer a superposed occasion belongs to
    RateThinning = 3,     // accept/reject of thinned occasions (loyalty, seasonality)
    Customer = 4,         // per-customer stream: one seed per purchase occasion
    NewCustomers = 5,     // arrival times of new customers
    LeadTime = 6,         // per-supplier lead times
    SupplierReliability = 7,
    Disruption = 8,
    AnonymousOccasion = 9,  // anonymous Poisson mode: one seed per occasion
};

/// Global streams (few per run): Mersenne twister, best statistical quality.
using GlobalEngine = boost::random::mt19937_64;
/// Per-customer and per-occasion streams: 8 bytes of state, so a million customers stay cheap.
using SmallEngine = boost::random::splitmix64;

inline std::uint64_t stream_seed(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                 std::uint64_t entity) {
    boost::random::seed_seq seq{static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                                static_cast<std::uint32_t>(replication),
                                static_cast<std::uint32_t>(replication >> 32),
                                static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(entity),
                                static_cast<std::uint32_t>(entity >> 32)};
    std::uint32_t out[2];
    seq.generate(out, out + 2);
    return (static_cast<std::uint64_t>(out[0]) << 32) | out[1];
}

inline GlobalEngine make_global_engine(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                       std::uint64_t entity = 0) {
    boost::random::seed_seq seq{static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                                static_cast<std::uint32_t>(replication),
                                static_cast<std::uint32_t>(replication >> 32),
                                static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(entity),
                                static_cast<std::uint32_t>(entity >> 32)};
    return GlobalEngine(seq);
}

/// Uniform in [0, 1) from any engine (Boost's portable conversion).
template <class Engine>
inline double uniform01(Engine& eng) {
    return boost::random::uniform_01<double>()(eng);
}

}  // namespace stocklab
