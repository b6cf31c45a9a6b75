// A visit's pick among the items: the popularity scale's guided search gives std::upper_bound's
// answer for every uniform number, on long tails, zero-popularity items and the scale's own ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "model/popularity.hpp"

namespace stocklab {
namespace {

std::vector<Item> catalogue(const std::vector<double>& popularity) {
    std::vector<Item> items(popularity.size());
    for (std::size_t i = 0; i < items.size(); ++i) items[i].popularity = popularity[i];
    return items;
}

std::vector<double> ends_of(const PopularityScale& scale) {
    std::vector<double> ends;
    for (std::uint32_t i = 0; i < scale.items(); ++i) ends.push_back(scale.end(i));
    return ends;
}

/// Uniform numbers, every interval's end and its neighbours, 0, 1 and just past 1.
std::vector<double> probes(const PopularityScale& scale, std::mt19937_64& rng) {
    std::vector<double> u{0.0, 1.0, std::nextafter(1.0, 0.0), std::nextafter(1.0, 2.0)};
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    for (int k = 0; k < 2000; ++k) u.push_back(uniform(rng));
    for (std::uint32_t i = 0; i < scale.items(); ++i) {
        const double e = scale.end(i);
        u.insert(u.end(), {e, std::nextafter(e, 0.0), std::nextafter(e, 2.0)});
    }
    return u;
}

TEST(PopularityScale, FindIsUpperBoundOnRandomCatalogues) {
    std::mt19937_64 rng(20261130);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t n = 2 + rng() % (trial < 100 ? 20 : 1500);
        std::vector<double> popularity(n);
        for (std::size_t i = 0; i < n; ++i) {
            const auto kind = rng() % 4;  // Zipf tail, uniform, zero, or a tiny weight
            popularity[i] = kind == 0   ? 1.0 / static_cast<double>(i + 1)
                            : kind == 1 ? std::uniform_real_distribution<double>(0.0, 100.0)(rng)
                            : kind == 2 ? 0.0
                                        : 1e-12;
        }
        popularity[rng() % n] = 1.0;  // at least one positive
        const PopularityScale scale(catalogue(popularity));
        const std::vector<double> ends = ends_of(scale);
        ASSERT_TRUE(std::is_sorted(ends.begin(), ends.end()));
        for (double u : probes(scale, rng)) {
            const auto expected = static_cast<std::uint32_t>(std::upper_bound(ends.begin(), ends.end(), u) - ends.begin());
            ASSERT_EQ(scale.find(u), expected) << "u " << u << ", " << n << " items";
        }
    }
}

TEST(PopularityScale, EndsRiseToExactlyOneAtTheLastPickableItem) {
    const PopularityScale scale(catalogue({0.0, 3.0, 0.0, 1.0, 2.0, 0.0, 0.0}));
    EXPECT_EQ(scale.pickable(), 3u);
    EXPECT_EQ(scale.last(), 4u);
    for (std::uint32_t i = 1; i < scale.items(); ++i) EXPECT_LE(scale.end(i - 1), scale.end(i));
    for (std::uint32_t i = 4; i < scale.items(); ++i) EXPECT_EQ(scale.end(i), 1.0);
    EXPECT_EQ(scale.weight(0), 0.0);
    EXPECT_DOUBLE_EQ(scale.weight(1), 0.5);
    EXPECT_EQ(scale.find(0.0), 1u);  // a zero-popularity first item is never found
    EXPECT_EQ(scale.find(0.5), 3u);  // [0.5, 4/6) belongs to item 3; item 2 owns nothing
    EXPECT_EQ(scale.find(1.0), scale.items());
}

}  // namespace
}  // namespace stocklab
