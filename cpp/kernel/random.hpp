#pragma once
/// Random streams: one independent Boost.Random stream per (purpose, key), seeded from (master seed,
/// replication, purpose, key) through Boost's seed_seq algorithm, never `seed + i`. The key is
/// hierarchical, like numpy's spawn_key: (location, item, id), each from the scenario (an item's
/// place in the catalogue, a vendor's or customer's id), never from creation order.
/// Invariants: a stream's draws depend only on those numbers, so adding an entity or a purpose
/// never changes another stream, and a run is identical on any thread; a key with location 0 and
/// item 0 seeds exactly as the version-1 key (purpose, id) did.
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

/// Every stream's engine: splitmix64 passes BigCrush, is seeded from one seed-sequence word and
/// keeps 8 bytes of state, so a million customer streams stay cheap (seeding Mersenne twisters cost
/// 13% of a one-year replication).
using Engine = boost::random::splitmix64;

/// Where a stream belongs below its purpose: (location, item, id). Location and item are 0 for the
/// store-wide streams of a one-item, one-store scenario, which keeps version-1 streams unchanged.
struct StreamKey {
    std::uint64_t id = 0;
    std::uint32_t item = 0;
    std::uint32_t location = 0;
};

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

    // Inlined: seeding a million customer streams is most of a short replication's set-up.
    template <class Iter>
    [[gnu::always_inline]] inline void generate(Iter first, Iter last) const {
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

/// The seed sequence of stream (master, replication, purpose, id) with location 0 and item 0: the
/// version-1 key, seven 32-bit words.
inline FixedSeedSeq<7> stream_seed_seq(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                       std::uint64_t id) {
    return FixedSeedSeq<7>({static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                            static_cast<std::uint32_t>(replication), static_cast<std::uint32_t>(replication >> 32),
                            static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(id),
                            static_cast<std::uint32_t>(id >> 32)});
}

/// The seed sequence of a deeper key: the seven version-1 words, then item and location.
inline FixedSeedSeq<9> stream_seed_seq(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                       const StreamKey& key) {
    return FixedSeedSeq<9>({static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                            static_cast<std::uint32_t>(replication), static_cast<std::uint32_t>(replication >> 32),
                            static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(key.id),
                            static_cast<std::uint32_t>(key.id >> 32), key.item, key.location});
}

/// One 64-bit seed from a sequence (the first two 32-bit words it generates).
template <class Seq>
[[gnu::always_inline]] inline std::uint64_t first_seed(const Seq& seq) {
    std::uint32_t out[2];
    seq.generate(out, out + 2);
    return (static_cast<std::uint64_t>(out[0]) << 32) | out[1];
}

[[gnu::always_inline]] inline std::uint64_t stream_seed(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                                 const StreamKey& key = {}) {
    if (key.item == 0 && key.location == 0) return first_seed(stream_seed_seq(master, replication, purpose, key.id));
    return first_seed(stream_seed_seq(master, replication, purpose, key));
}

/// A stream seeded from its whole seed sequence (the store-wide streams: arrivals, lead times, ...).
inline Engine make_engine(std::uint64_t master, std::uint64_t replication, Purpose purpose,
                          const StreamKey& key = {}) {
    if (key.item == 0 && key.location == 0) {
        FixedSeedSeq<7> seq = stream_seed_seq(master, replication, purpose, key.id);
        return Engine(seq);
    }
    FixedSeedSeq<9> seq = stream_seed_seq(master, replication, purpose, key);
    return Engine(seq);
}

/// Uniform in [0, 1) from any engine (Boost's portable conversion).
template <class Engine>
inline double uniform01(Engine& eng) {
    return boost::random::uniform_01<double>()(eng);
}

}  // namespace stocklab
