// Random streams: one stream per (purpose, entity, replication, seed), independent of every other
// stream; distributions parsed from scenario JSON sample with the documented mean (and cv).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/random/seed_seq.hpp>

#include "kernel/distribution.hpp"
#include "kernel/random.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

const std::vector<Purpose> kPurposes{Purpose::DemandArrivals, Purpose::CustomerPick,        Purpose::RateThinning,
                                     Purpose::Customer,       Purpose::NewCustomers,        Purpose::LeadTime,
                                     Purpose::SupplierReliability, Purpose::Disruption, Purpose::AnonymousOccasion};

std::vector<std::uint64_t> draws(Engine eng, int n) {
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(eng());
    return out;
}

/// Boost's own seed_seq over the same seven words: the reference the engine's allocation-free
/// FixedSeedSeq must reproduce bit for bit (the reproducibility contract).
boost::random::seed_seq boost_seq(std::uint64_t master, std::uint64_t rep, Purpose p, std::uint64_t entity) {
    return boost::random::seed_seq{static_cast<std::uint32_t>(master),  static_cast<std::uint32_t>(master >> 32),
                                   static_cast<std::uint32_t>(rep),     static_cast<std::uint32_t>(rep >> 32),
                                   static_cast<std::uint32_t>(p),       static_cast<std::uint32_t>(entity),
                                   static_cast<std::uint32_t>(entity >> 32)};
}

TEST(RandomStreams, SeedSequenceIsBoostsAlgorithm) {
    const std::vector<std::uint64_t> values{0, 1, 2, 42, 0xffffffffull, 1ull << 32, 0x123456789abcdefull, ~0ull};
    std::size_t checked = 0;
    for (std::uint64_t m : values)
        for (std::uint64_t r : {0ull, 1ull, 7ull, 1ull << 33})
            for (Purpose p : {Purpose::DemandArrivals, Purpose::Customer, Purpose::AnonymousOccasion})
                for (std::uint64_t e : values) {
                    // stream_seed: two 32-bit words from the sequence.
                    std::uint32_t out[2];
                    boost_seq(m, r, p, e).generate(out, out + 2);
                    ASSERT_EQ(stream_seed(m, r, p, {e}), (static_cast<std::uint64_t>(out[0]) << 32) | out[1]);
                    // Every output length branch of the algorithm (n < 7, 7, 39, 68, 623 and beyond).
                    for (std::size_t n : {1u, 3u, 7u, 20u, 39u, 68u, 312u, 623u, 624u, 1000u}) {
                        std::vector<std::uint32_t> want(n), got(n);
                        boost_seq(m, r, p, e).generate(want.begin(), want.end());
                        stream_seed_seq(m, r, p, e).generate(got.begin(), got.end());
                        ASSERT_EQ(got, want) << "n = " << n;
                    }
                    ++checked;
                }
    EXPECT_EQ(checked, 8u * 4u * 3u * 8u);
    // The global engines are seeded exactly as by Boost's seed_seq.
    for (std::uint64_t m : values) {
        auto seq = boost_seq(m, 3, Purpose::LeadTime, 0);
        Engine reference(seq);
        Engine mine = make_engine(m, 3, Purpose::LeadTime, {0});
        for (int i = 0; i < 1000; ++i) ASSERT_EQ(mine(), reference());
    }
}

TEST(RandomStreams, SameInputsGiveIdenticalStreams) {
    for (Purpose p : kPurposes) {
        EXPECT_EQ(stream_seed(42, 3, p, {7}), stream_seed(42, 3, p, {7}));
        EXPECT_EQ(draws(make_engine(42, 3, p, {7}), 500), draws(make_engine(42, 3, p, {7}), 500));
        Engine a(stream_seed(42, 3, p, {7})), b(stream_seed(42, 3, p, {7}));
        for (int i = 0; i < 500; ++i) ASSERT_EQ(a(), b());
    }
}

TEST(RandomStreams, DifferentInputsGiveDifferentStreams) {
    // Every field, including the high 32 bits of seed, replication and entity, must reach the seed.
    const std::vector<std::uint64_t> masters{0, 1, 2, 3, 1ull << 32, (1ull << 32) + 1, ~0ull};
    const std::vector<std::uint64_t> reps{0, 1, 2, 1ull << 32};
    const std::vector<std::uint64_t> entities{0, 1, 2, 3, 4, 1ull << 32, (1ull << 32) + 3};
    std::set<std::uint64_t> seeds;
    std::set<std::uint64_t> first_draws;
    std::size_t combos = 0;
    for (std::uint64_t m : masters)
        for (std::uint64_t r : reps)
            for (Purpose p : kPurposes)
                for (std::uint64_t e : entities) {
                    ++combos;
                    seeds.insert(stream_seed(m, r, p, {e}));
                    first_draws.insert(make_engine(m, r, p, {e})());
                }
    EXPECT_EQ(seeds.size(), combos) << "two (seed, replication, purpose, entity) tuples share a stream seed";
    EXPECT_EQ(first_draws.size(), combos) << "two tuples share a global stream";
    // Fields are not interchangeable (a sum like seed + replication would collide here).
    EXPECT_NE(stream_seed(1, 2, Purpose::Customer, {0}), stream_seed(2, 1, Purpose::Customer, {0}));
    EXPECT_NE(stream_seed(0, 3, Purpose::Customer, {0}), stream_seed(0, 0, Purpose::Customer, {3}));
    EXPECT_NE(stream_seed(5, 0, Purpose::Customer, {1}), stream_seed(6, 0, Purpose::Customer, {0}));
}

/// Boost's seed_seq over the nine words of a deeper key (item, location below the id).
boost::random::seed_seq boost_seq(std::uint64_t master, std::uint64_t rep, Purpose p, const StreamKey& k) {
    return boost::random::seed_seq{static_cast<std::uint32_t>(master), static_cast<std::uint32_t>(master >> 32),
                                   static_cast<std::uint32_t>(rep),    static_cast<std::uint32_t>(rep >> 32),
                                   static_cast<std::uint32_t>(p),      static_cast<std::uint32_t>(k.id),
                                   static_cast<std::uint32_t>(k.id >> 32), k.item, k.location};
}

TEST(RandomStreams, DeeperKeysAreBoostsAlgorithmOverNineWords) {
    for (std::uint32_t item : {0u, 1u, 7u, 0xffffffffu})
        for (std::uint32_t location : {0u, 1u, 3u}) {
            if (item == 0 && location == 0) continue;  // the version-1 key: seven words (above)
            const StreamKey key{42, item, location};
            std::uint32_t out[2];
            boost_seq(5, 2, Purpose::LeadTime, key).generate(out, out + 2);
            ASSERT_EQ(stream_seed(5, 2, Purpose::LeadTime, key), (static_cast<std::uint64_t>(out[0]) << 32) | out[1]);
            auto seq = boost_seq(5, 2, Purpose::LeadTime, key);
            Engine reference(seq);
            Engine mine = make_engine(5, 2, Purpose::LeadTime, key);
            for (int i = 0; i < 100; ++i) ASSERT_EQ(mine(), reference());
        }
}

TEST(RandomStreams, ItemAndLocationSeparateStreams) {
    // The version-1 key (location 0, item 0) seeds from seven words; any deeper key from nine, so an
    // item's streams never coincide with the store-wide ones or another item's.
    std::set<std::uint64_t> seeds;
    std::size_t combos = 0;
    for (std::uint64_t id : {0ull, 1ull, 2ull})
        for (std::uint32_t item : {0u, 1u, 2u})
            for (std::uint32_t location : {0u, 1u}) {
                ++combos;
                seeds.insert(stream_seed(9, 1, Purpose::LeadTime, {id, item, location}));
            }
    EXPECT_EQ(seeds.size(), combos);
    EXPECT_NE(stream_seed(9, 1, Purpose::LeadTime, {1, 0, 0}), stream_seed(9, 1, Purpose::LeadTime, {0, 1, 0}));
    EXPECT_NE(stream_seed(9, 1, Purpose::LeadTime, {0, 1, 0}), stream_seed(9, 1, Purpose::LeadTime, {0, 0, 1}));
}

TEST(RandomStreams, VersionOneSeedsArePinned) {
    // Golden values: a change of the seeding (word order, algorithm, engine) moves every number of
    // every scenario; this names the cause directly instead of leaving it to the fingerprints.
    EXPECT_EQ(stream_seed(1, 0, Purpose::Customer, {0}), 0x8b18fca6c229e419ull);
    EXPECT_EQ(stream_seed(42, 3, Purpose::LeadTime, {0}), 0xc8cad1832e7d0bd9ull);
    EXPECT_EQ(make_engine(1, 0, Purpose::DemandArrivals)(), 0xddffa0a5c89355f3ull);
}

TEST(RandomStreams, NeighbouringEntityStreamsAreUncorrelated) {
    // Customer streams of ids 3 and 4 (the pattern `seed + i` seeding risks): correlation of their
    // uniforms must be within 4 standard errors (1/sqrt(n)) of zero, and so must each mean from 1/2.
    constexpr int n = 100000;
    Engine a(stream_seed(1, 0, Purpose::Customer, {3})), b(stream_seed(1, 0, Purpose::Customer, {4}));
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; ++i) {
        const double x = uniform01(a), y = uniform01(b);
        ASSERT_GE(x, 0.0);
        ASSERT_LT(x, 1.0);
        sa += x;
        sb += y;
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    const double ma = sa / n, mb = sb / n;
    const double cov = sab / n - ma * mb;
    const double corr = cov / std::sqrt((saa / n - ma * ma) * (sbb / n - mb * mb));
    EXPECT_LT(std::fabs(corr), 4.0 / std::sqrt(n));
    const double se_mean = std::sqrt(1.0 / 12.0 / n);
    EXPECT_NEAR(ma, 0.5, 4 * se_mean);
    EXPECT_NEAR(mb, 0.5, 4 * se_mean);
}

// ---------------------------------------------------------------------------------------------
// Distributions, parsed from the JSON a scenario would contain.

Distribution parse_dist(const std::string& dist_json) {
    const std::string text = R"({"schema_version": 1, "name": "d", "sku": {"price": 1, "unit_cost": 0},
        "demand": {"rate_per_day": 1}, "supplier": {"lead_time": )" +
                             dist_json + R"(}, "replenishment": {"policy": "none"}})";
    return test::scenario_from(text).vendors[0].lead_time;
}

Distribution parse_order_size(const std::string& dist_json) {
    const std::string text = R"({"schema_version": 1, "name": "d", "sku": {"price": 1, "unit_cost": 0},
        "demand": {"rate_per_day": 1, "order_size": )" +
                             dist_json + R"(}, "supplier": {"lead_time": {"dist": "constant", "value": 1}},
        "replenishment": {"policy": "none"}})";
    return test::scenario_from(text).demand.order_size;
}

struct Moments {
    double mean = 0, var = 0, min = 0, max = 0;
    bool all_integers = true;
    std::map<double, int> counts;
};

template <class Engine>
Moments sample_moments(const Distribution& d, Engine& eng, int n, bool count_values = false) {
    Moments m;
    double s = 0, ss = 0;
    m.min = INFINITY;
    m.max = -INFINITY;
    for (int i = 0; i < n; ++i) {
        const double x = d.sample(eng);
        s += x;
        ss += x * x;
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
        if (x != std::floor(x)) m.all_integers = false;
        if (count_values) m.counts[x] += 1;
    }
    m.mean = s / n;
    m.var = (ss - s * s / n) / (n - 1);
    return m;
}

constexpr int kN = 200000;
constexpr double kZ = 4.0;  // tolerance in standard errors

/// Checks the sample mean against `mean` within kZ standard errors of a sample of size kN.
void expect_mean(const Moments& m, double mean, double sd, const char* what) {
    const double se = sd / std::sqrt(static_cast<double>(kN));
    EXPECT_NEAR(m.mean, mean, kZ * se) << what << ": sample mean " << m.mean << ", se " << se;
}

/// Checks the sample variance: Var(s^2) ~ (mu4 - sigma^4) / n, with mu4 = kurtosis * sigma^4.
void expect_var(const Moments& m, double sd, double kurtosis, const char* what) {
    const double s4 = std::pow(sd, 4);
    const double se = std::sqrt((kurtosis * s4 - s4) / kN);
    EXPECT_NEAR(m.var, sd * sd, kZ * se) << what << ": sample variance " << m.var;
}

TEST(Distributions, Exponential) {
    const Distribution d = parse_dist(R"({"dist": "exponential", "mean": 3.5})");
    EXPECT_DOUBLE_EQ(d.mean(), 3.5);
    auto eng = make_engine(11, 0, Purpose::LeadTime);
    const Moments m = sample_moments(d, eng, kN);
    expect_mean(m, 3.5, 3.5, "exponential");
    expect_var(m, 3.5, 9.0, "exponential");
    EXPECT_GE(m.min, 0.0);
}

TEST(Distributions, GammaMeanAndCv) {
    const double mean = 21.0, cv = 0.3;
    const Distribution d = parse_dist(R"({"dist": "gamma", "mean": 21, "cv": 0.3})");
    EXPECT_DOUBLE_EQ(d.mean(), mean);
    auto eng = make_engine(12, 0, Purpose::LeadTime);
    const Moments m = sample_moments(d, eng, kN);
    const double sd = mean * cv, shape = 1 / (cv * cv);
    expect_mean(m, mean, sd, "gamma");
    expect_var(m, sd, 3.0 + 6.0 / shape, "gamma");
    EXPECT_GE(m.min, 0.0);
}

TEST(Distributions, GammaWithLargeCv) {
    // shape 1/cv^2 = 0.25 < 1 takes a different branch of the gamma sampler.
    const double mean = 2.0, cv = 2.0;
    const Distribution d = parse_dist(R"({"dist": "gamma", "mean": 2, "cv": 2})");
    auto eng = make_engine(13, 0, Purpose::LeadTime);
    const Moments m = sample_moments(d, eng, kN);
    expect_mean(m, mean, mean * cv, "gamma cv 2");
}

TEST(Distributions, LognormalMeanAndCv) {
    const double mean = 10.0, cv = 0.5;
    const Distribution d = parse_dist(R"({"dist": "lognormal", "mean": 10, "cv": 0.5})");
    EXPECT_DOUBLE_EQ(d.mean(), mean);
    auto eng = make_engine(14, 0, Purpose::LeadTime);
    const Moments m = sample_moments(d, eng, kN);
    const double sd = mean * cv;
    expect_mean(m, mean, sd, "lognormal");
    const double w = 1 + cv * cv;  // exp(sigma^2)
    const double kurtosis = std::pow(w, 4) + 2 * std::pow(w, 3) + 3 * w * w - 3;
    expect_var(m, sd, kurtosis, "lognormal");
    EXPECT_GT(m.min, 0.0);
}

TEST(Distributions, ZeroCvIsConstant) {
    auto eng = make_engine(15, 0, Purpose::LeadTime);
    for (const char* j : {R"({"dist": "gamma", "mean": 4, "cv": 0})", R"({"dist": "lognormal", "mean": 4, "cv": 0})"}) {
        const Distribution d = parse_dist(j);
        for (int i = 0; i < 10; ++i) EXPECT_EQ(d.sample(eng), 4.0) << j;
    }
}

TEST(Distributions, Uniform) {
    const Distribution d = parse_dist(R"({"dist": "uniform", "low": 2, "high": 8})");
    EXPECT_DOUBLE_EQ(d.mean(), 5.0);
    Engine eng(stream_seed(16, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, kN);
    expect_mean(m, 5.0, 6.0 / std::sqrt(12.0), "uniform");
    EXPECT_GE(m.min, 2.0);
    EXPECT_LT(m.max, 8.0);
    EXPECT_LT(m.min, 2.01);
    EXPECT_GT(m.max, 7.99);
}

TEST(Distributions, UniformInt) {
    const Distribution d = parse_order_size(R"({"dist": "uniform_int", "low": 1, "high": 6})");
    EXPECT_DOUBLE_EQ(d.mean(), 3.5);
    Engine eng(stream_seed(17, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, kN, true);
    expect_mean(m, 3.5, std::sqrt((36.0 - 1.0) / 12.0), "uniform_int");
    EXPECT_TRUE(m.all_integers);
    EXPECT_EQ(m.min, 1.0);
    EXPECT_EQ(m.max, 6.0);  // both ends are included
    ASSERT_EQ(m.counts.size(), 6u);
    const double p = 1.0 / 6.0, se = std::sqrt(p * (1 - p) / kN);
    for (const auto& [v, c] : m.counts) EXPECT_NEAR(c / static_cast<double>(kN), p, kZ * se) << "value " << v;
}

TEST(Distributions, EmpiricalWithWeights) {
    const Distribution d = parse_order_size(R"({"dist": "empirical", "values": [1, 2, 5], "weights": [1, 3, 6]})");
    const double mean = 0.1 * 1 + 0.3 * 2 + 0.6 * 5;
    EXPECT_DOUBLE_EQ(d.mean(), mean);
    Engine eng(stream_seed(18, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, kN, true);
    const double second = 0.1 * 1 + 0.3 * 4 + 0.6 * 25;
    expect_mean(m, mean, std::sqrt(second - mean * mean), "empirical");
    ASSERT_EQ(m.counts.size(), 3u);
    const std::map<double, double> probs{{1.0, 0.1}, {2.0, 0.3}, {5.0, 0.6}};
    for (const auto& [v, p] : probs) {
        const double se = std::sqrt(p * (1 - p) / kN);
        EXPECT_NEAR(m.counts.at(v) / static_cast<double>(kN), p, kZ * se) << "value " << v;
    }
}

TEST(Distributions, EmpiricalWithoutWeightsIsUniformOverValues) {
    const Distribution d = parse_dist(R"({"dist": "empirical", "values": [0, 10, 20, 30]})");
    EXPECT_DOUBLE_EQ(d.mean(), 15.0);
    Engine eng(stream_seed(19, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, kN, true);
    expect_mean(m, 15.0, std::sqrt(125.0), "empirical unweighted");
    EXPECT_EQ(m.counts.size(), 4u);
}

TEST(Distributions, EmpiricalZeroWeightValueNeverDrawn) {
    const Distribution d = parse_dist(R"({"dist": "empirical", "values": [1, 2, 3], "weights": [1, 0, 1]})");
    Engine eng(stream_seed(20, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, 20000, true);
    EXPECT_EQ(m.counts.count(2.0), 0u);
    EXPECT_EQ(m.counts.size(), 2u);
}

TEST(Distributions, GeometricSupportStartsAtOne) {
    const double mean = 2.5;
    const Distribution d = parse_order_size(R"({"dist": "geometric", "mean": 2.5})");
    EXPECT_DOUBLE_EQ(d.mean(), mean);
    Engine eng(stream_seed(21, 0, Purpose::Customer, {0}));
    const Moments m = sample_moments(d, eng, kN, true);
    const double p = 1 / mean;
    expect_mean(m, mean, std::sqrt(1 - p) / p, "geometric");
    EXPECT_TRUE(m.all_integers);
    EXPECT_EQ(m.min, 1.0);
    // P(X = 1) = p: the support starts at 1, not 0.
    const double se = std::sqrt(p * (1 - p) / kN);
    EXPECT_NEAR(m.counts.at(1.0) / static_cast<double>(kN), p, kZ * se);
}

TEST(Distributions, GeometricWithMeanOneIsAlwaysOne) {
    const Distribution d = parse_order_size(R"({"dist": "geometric", "mean": 1})");
    Engine eng(stream_seed(22, 0, Purpose::Customer, {0}));
    for (int i = 0; i < 100; ++i) EXPECT_EQ(d.sample(eng), 1.0);
}

TEST(Distributions, ConstantAndInfinite) {
    auto eng = make_engine(23, 0, Purpose::LeadTime);
    EXPECT_EQ(parse_dist(R"({"dist": "constant", "value": 7.25})").sample(eng), 7.25);
    EXPECT_TRUE(std::isinf(Distribution::infinite().sample(eng)));
    EXPECT_TRUE(std::isinf(Distribution::infinite().mean()));
}

TEST(Distributions, SameSeedSameSamples) {
    const Distribution d = parse_dist(R"({"dist": "gamma", "mean": 5, "cv": 0.7})");
    auto a = make_engine(24, 2, Purpose::LeadTime);
    auto b = make_engine(24, 2, Purpose::LeadTime);
    auto c = make_engine(24, 3, Purpose::LeadTime);
    bool any_diff = false;
    for (int i = 0; i < 1000; ++i) {
        const double x = d.sample(a);
        ASSERT_EQ(x, d.sample(b));
        any_diff = any_diff || x != d.sample(c);
    }
    EXPECT_TRUE(any_diff);
}

}  // namespace
}  // namespace stocklab
