#pragma once
/// The parser's building blocks (internal to cpp/scenario): a collector of problems, a checked view
/// of one JSON object (typed fields with bounds, unknown keys with a "did you mean"), distributions.
/// Invariant: a field getter either returns a value that obeys its rule or throws ScenarioError
/// naming the field; the caller decides whether to collect it and go on (Problems::check).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "kernel/distribution.hpp"
#include "scenario/parser.hpp"

namespace stocklab::fields {

using json = nlohmann::ordered_json;

inline constexpr double kMaxDays = 1e10;          // about 27 million years
inline constexpr double kMaxCount = 1e12;         // integers beyond this overflow counters or memory
inline constexpr double kMaxMoney = 1e9;          // a price or cost per unit or order (currency)
inline constexpr std::size_t kMaxListLength = 100000;

std::string fmt(double v);
std::string type_name(const json& j);

/// Every problem of a document, in the order found, each once.
class Problems {
public:
    void add(const Problem& p);
    /// Runs `part`; a ScenarioError it throws is recorded and parsing goes on after it.
    template <class F>
    void check(F&& part) {
        try {
            part();
        } catch (const ScenarioError& e) {
            for (const Problem& p : e.problems()) add(p);
        }
    }
    bool empty() const { return list_.empty(); }
    const std::vector<Problem>& list() const { return list_; }
    void throw_if_any() const;

private:
    std::vector<Problem> list_;
};

/// A view of one JSON object at a pointer. Unknown keys are recorded in `problems` (all of them),
/// with the closest allowed key as a suggestion.
class Obj {
public:
    Obj(const json& j, std::string path, std::initializer_list<const char*> allowed, Problems& problems);
    /// A view of an object keyed by ids (any key is allowed; the caller checks them).
    Obj(const json& j, std::string path, Problems& problems);

    std::string at(const std::string& key) const { return path_ + "/" + escape_pointer_token(key); }
    const std::string& path() const { return path_; }
    bool has(const char* key) const { return j_.contains(key); }
    const json& get(const char* key) const { return j_.at(key); }
    Problems& problems() const { return problems_; }

    void require(const char* key) const;
    double number(const char* key) const;
    double number(const char* key, double def) const { return has(key) ? number(key) : def; }
    double positive(const char* key, std::optional<double> def = std::nullopt) const;
    double nonneg(const char* key, std::optional<double> def = std::nullopt) const;
    /// A money amount per unit or per order: >= 0 and at most kMaxMoney.
    double money(const char* key, std::optional<double> def = std::nullopt) const;
    double probability(const char* key, double def) const;
    double days(const char* key, double def, bool allow_zero = true) const;
    std::int64_t integer(const char* key, std::int64_t min, std::optional<std::int64_t> def = std::nullopt) const;
    std::uint64_t seed(const char* key, std::uint64_t def) const;
    bool boolean(const char* key, bool def) const;
    std::string string(const char* key, std::optional<std::string> def = std::nullopt) const;
    std::string choice(const char* key, std::initializer_list<const char*> options,
                       std::optional<std::string> def) const;

private:
    const json& j_;
    std::string path_;
    Problems& problems_;
};

enum class Support { NonNegative, Fraction, Integer };

Distribution parse_distribution(const json& j, const std::string& path, Support support, bool allow_infinite,
                                Problems& problems);
/// The distribution at `key`, or `def` when the key is absent (required when there is no default).
Distribution distribution_field(const Obj& o, const char* key, Support support, bool allow_infinite,
                                std::optional<Distribution> def);

/// The scenario of a document with its policy variant already merged in; problems are collected.
Scenario parse_resolved(const json& doc, Problems& problems);

/// The allowed word closest to `word` (edit distance at most a third of its length), or "".
std::string closest(const std::string& word, std::initializer_list<const char*> allowed);
std::string closest(const std::string& word, const std::vector<std::string>& allowed);

/// Parses an optional sub-object of `o` when present, collecting its problems.
template <class F>
void optional_block(const Obj& o, const char* key, std::initializer_list<const char*> allowed, F&& parse) {
    if (!o.has(key)) return;
    o.problems().check([&] { parse(Obj(o.get(key), o.at(key), allowed, o.problems())); });
}

}  // namespace stocklab::fields
