#pragma once
/// Random streams: one independent Boost.Random stream per (purpose, entity id), seeded from
/// (master seed, replication, purpose, entity) through Boost's seed_seq algorithm, never `seed + i`.
/// Invariant: a stream's draws depend only on those four numbers, so adding an entity or a purpose
/// never changes another stream, and a run is identical on any thread.
#include <boost/random/seed_seq.hpp>
#include <boost/random/splitmix64.hpp>
#include <boost/random/uniform_01.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>

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

/// Global streams (a few per run). splitmix64 rather than mt19937_64: seeding seven Mersenne
/// twisters (312 words each) cost 13% of a one-year replication and their refills another 4%, while
/// splitmix64 passes BigCrush, is seeded from one seed-sequence word and keeps 8 bytes of state.
using GlobalEngine = boost::random::splitmix64;
/// Per-customer and per-occasion streams: 8 bytes of state, so a million customers stay cheap.
using SmallEngine = boost::random::splitmix64;

/// boost::random::seed_seq::generate() for a fixed number of 32-bit inputs, without the std::vector
/// Boost's seed_seq allocates: a line-by-line transcription of Boost's algorithm, so the output is
/// bit-identical to it (this is the reproducibility contract: compare the two in tests whenever
/// either changes). Seeding a million customer streams then allocates nothing.
template <std::size_t S>
class FixedSeedSeq {
public:
    using result_type = std::uint32_t;
    explicit FixedSeedSeq(const std::array<std::uint32_t, S>& v) : v_(v) {}
    std::size_t size() const { return S; }

    template <class Iter>
    void generate(Iter first, Iter last) const {
        using value_type = typename std::iterator_traits<Iter>::value_type;
        std::fill(first, last, static_cast<value_type>(0x8b8b8b8bu));
        const std::size_t s = S;
        const std::size_t n = static_cast<std::size_t>(last - first);
        if (n == 0) return;
        const std::size_t t = (n >= 623) ? 11 : (n >= 68) ? 7 : (n >= 39) ? 5 : (n >= 7) ? 3 : (n - 1) / 2;
        const std::size_t p = (n - t) / 2;
        const std::size_t q = p + t;
        const std::size_t m = (std::max)(s + 1, n);
        const value_type mask = 0xffffffffu;
        for (std::size_t k = 0; k < m; ++k) {
            value_type r1 = static_cast<value_type>(*(first + k % n) ^ *(first + (k + p) % n) ^ *(first + (k + n - 1) % n));
            r1 = r1 ^ (r1 >> 27);
            r1 = (r1 * 1664525u) & mask;
            const value_type r2 = static_cast<value_type>(r1 + ((k == 0) ? s : (k <= s) ? k % n + v_[k - 1] : (k % n)));
            *(first + (k + p) % n) = (*(first + (k + p) % n) + r1) & mask;
            *(first + (k + q) % n) = (*(first + (k + q) % n) + r2) & mask;
            *(first + k % n) = r2;
        }
        for (std::size_t k = m; k < m + n; ++k) {
            value_type r3 =
                static_cast<value_type>((*(first + k % n) + *(first + (k + p) % n) + *(first + (k + n - 1) % n)) & mask);
            r3 = r3 ^ (r3 >> 27);
            r3 = (r3 * 1566083941u) & mask;
            const value_type r4 = static_cast<value_type>(r3 - k % n);
            *(first + (k + p) % n) ^= r3;
            *(first + (k + q) % n) ^= r4;
            *(first + k % n) = r4;
        }
    }

private:
    std::array<std::uint32_t, S> v_;
};

/// The seed sequence of stream (master, replication, purpose, entity): seven 32-bit words.
inline FixedSeedSeq<7> stream_seed_seq(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                       std::uint64_t entity) {
    return FixedSeedSeq<7>({static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                            static_cast<std::uint32_t>(replication), static_cast<std::uint32_t>(replication >> 32),
                            static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(entity),
                            static_cast<std::uint32_t>(entity >> 32)});
}

inline std::uint64_t stream_seed(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                 std::uint64_t entity) {
    const FixedSeedSeq<7> seq = stream_seed_seq(master, replication, purpose, entity);
    std::uint32_t out[2];
    seq.generate(out, out + 2);
    return (static_cast<std::uint64_t>(out[0]) << 32) | out[1];
}

inline GlobalEngine make_global_engine(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                       std::uint64_t entity = 0) {
    FixedSeedSeq<7> seq = stream_seed_seq(master, replication, purpose, entity);
    return GlobalEngine(seq);
}

/// Uniform in [0, 1) from any engine (Boost's portable conversion).
template <class Engine>
inline double uniform01(Engine& eng) {
    return boost::random::uniform_01<double>()(eng);
}

}  // namespace stocklab
