#pragma once
// Shared helpers for the GoogleTest suite: scenarios from JSON text, bitwise comparison of summaries.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "model/metrics.hpp"
#include "scenario/parser.hpp"

namespace stocklab::test {

/// Parses JSON text and applies an RFC 7386 merge patch (also JSON text) on top of it. A "policies"
/// section in the patch is copied verbatim (a merge patch would strip the nulls inside the variants).
inline nlohmann::ordered_json doc_from(const std::string& text, const std::string& patch = "") {
    nlohmann::ordered_json doc = parse_json_text(text);
    if (!patch.empty()) {
        nlohmann::ordered_json p = parse_json_text(patch);
        nlohmann::ordered_json policies;
        const bool has_policies = p.is_object() && p.contains("policies");
        if (has_policies) {
            policies = p.at("policies");
            p.erase("policies");
        }
        doc.merge_patch(p);
        if (has_policies) doc["policies"] = policies;
    }
    return doc;
}

/// A scenario from JSON text (and an optional merge patch), through the one parser.
inline Scenario scenario_from(const std::string& text, const std::string& patch = "", const std::string& policy = "") {
    return parse_scenario(doc_from(text, patch), policy);
}

inline double metric(const Summary& s, Metric m) { return s[static_cast<std::size_t>(m)]; }

/// Names of the metrics whose bits differ between a and b (NaN == NaN when the bits match).
inline std::vector<std::string> differing_metrics(const Summary& a, const Summary& b,
                                                  const std::vector<Metric>& ignore = {}) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kMetricCount; ++i) {
        bool skip = false;
        for (Metric m : ignore) skip = skip || static_cast<std::size_t>(m) == i;
        if (skip) continue;
        if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i]))
            out.push_back(std::string(kMetricNames[i]) + " (" + std::to_string(a[i]) + " vs " + std::to_string(b[i]) +
                          ")");
    }
    return out;
}

/// gtest assertion: every metric (minus `ignore`) is bitwise identical.
inline ::testing::AssertionResult BitwiseEqual(const Summary& a, const Summary& b,
                                               const std::vector<Metric>& ignore = {}) {
    const auto diff = differing_metrics(a, b, ignore);
    if (diff.empty()) return ::testing::AssertionSuccess();
    auto r = ::testing::AssertionFailure() << diff.size() << " metric(s) differ:";
    for (const auto& d : diff) r << "\n  " << d;
    return r;
}

/// gtest assertion: two vectors of doubles hold the same bits (NaN equals NaN).
inline ::testing::AssertionResult SameBits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return ::testing::AssertionFailure() << "sizes " << a.size() << " vs " << b.size();
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i]))
            return ::testing::AssertionFailure() << "first difference at row " << i << ": " << a[i] << " vs " << b[i];
    return ::testing::AssertionSuccess();
}

}  // namespace stocklab::test
