#pragma once
/// The items' popularity as one scale from 0 to 1: item i owns [start(i), end(i)), its share of the
/// total popularity, so a uniform number picks an item with probability its share. Invariants: the
/// ends never decrease; the last item of positive popularity ends at exactly 1, and so does every
/// item after it (zero-popularity items own nothing); find(u) is std::upper_bound's answer over the
/// ends, found from a guide table (Chen and Asau) in a step or two instead of log2(items) dependent
/// loads, which dominated a visit's pick among 1,000 items.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "scenario/scenario.hpp"

namespace stocklab {

class PopularityScale {
public:
    PopularityScale() = default;
    explicit PopularityScale(const std::vector<Item>& items) {
        double total = 0.0;
        for (const Item& item : items) total += item.popularity;
        double cum = 0.0;
        for (std::uint32_t i = 0; i < items.size(); ++i) {
            // Rounding can carry a partial sum past 1 before the last item: capped, the ends keep rising.
            ends_.push_back(std::min(cum += items[i].popularity / total, 1.0));
            if (items[i].popularity > 0) last_ = i, ++pickable_;
        }
        for (std::uint32_t i = last_; i < ends_.size(); ++i) ends_[i] = 1.0;
        // Guide j holds the answer for u = j / m, where a search for any u in [j / m, (j + 1) / m)
        // starts; two entries an item keep the steps short in a long tail.
        const std::size_t m = 2 * ends_.size();
        guide_.resize(m);
        for (std::size_t j = 0; j < m; ++j)
            guide_[j] = index(std::upper_bound(ends_.begin(), ends_.end(), static_cast<double>(j) / m));
    }

    std::uint32_t pickable() const { return pickable_; }  // items of positive popularity
    std::uint32_t last() const { return last_; }          // the last of them
    std::uint32_t items() const { return static_cast<std::uint32_t>(ends_.size()); }
    double start(std::uint32_t i) const { return i == 0 ? 0.0 : ends_[i - 1]; }
    double end(std::uint32_t i) const { return ends_[i]; }
    double weight(std::uint32_t i) const { return ends_[i] - start(i); }

    /// The first item whose interval ends after u (items() when none): the item u falls in.
    std::uint32_t find(double u) const {
        const double at = u * static_cast<double>(guide_.size());
        std::uint32_t i = guide_[at > 0 ? std::min(static_cast<std::size_t>(at), guide_.size() - 1) : 0];
        // The start is exact up to rounding of j / m: step back or on to the exact answer.
        while (i > 0 && ends_[i - 1] > u) --i;
        while (i < ends_.size() && ends_[i] <= u) ++i;
        return i;
    }

private:
    std::uint32_t index(std::vector<double>::const_iterator at) const {
        return static_cast<std::uint32_t>(at - ends_.begin());
    }

    std::vector<double> ends_;
    std::vector<std::uint32_t> guide_;
    std::uint32_t pickable_ = 0;
    std::uint32_t last_ = 0;
};

}  // namespace stocklab
