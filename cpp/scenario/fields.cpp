#include "scenario/fields.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace stocklab {

namespace {
std::string problem_list(const std::vector<Problem>& problems) {
    std::string out;
    const std::size_t shown = std::min(problems.size(), kMaxProblems);
    for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) out += "\n";
        out += problems[i].pointer + ": " + problems[i].rule;
    }
    if (problems.size() > shown) out += "\n(and " + std::to_string(problems.size() - shown) + " more problems)";
    return out;
}
}  // namespace

ScenarioError::ScenarioError(std::vector<Problem> problems)
    : std::invalid_argument(problem_list(problems)), problems_(std::move(problems)) {
    if (problems_.empty()) problems_.push_back(Problem{"/", "invalid scenario"});
    for (Problem& p : problems_)
        if (p.pointer.empty()) p.pointer = "/";
}

namespace fields {

std::string fmt(double v) {
    std::ostringstream os;
    os.precision(12);
    os << v;
    return os.str();
}

std::string type_name(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        case json::value_t::binary: return "binary data";
        case json::value_t::discarded: return "nothing";
        default: return "a number";
    }
}

void Problems::add(const Problem& p) {
    for (const Problem& q : list_)
        if (q.pointer == p.pointer && q.rule == p.rule) return;
    list_.push_back(p);
}

void Problems::throw_if_any() const {
    if (!list_.empty()) throw ScenarioError(list_);
}

// ---------------------------------------------------------------------------------------------

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}
}  // namespace

namespace {
template <class List>
std::string closest_in(const std::string& word, const List& allowed) {
    std::string best;
    std::size_t best_d = word.size() / 3 + 1;
    for (const auto& k : allowed) {
        const std::size_t d = edit_distance(word, k);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}
}  // namespace

std::string closest(const std::string& word, std::initializer_list<const char*> allowed) {
    return closest_in(word, allowed);
}

std::string closest(const std::string& word, const std::vector<std::string>& allowed) {
    return closest_in(word, allowed);
}

Obj::Obj(const json& j, std::string path, std::initializer_list<const char*> allowed, Problems& problems)
    : j_(j), path_(std::move(path)), problems_(problems) {
    if (!j.is_object()) throw ScenarioError(path_, "must be an object, got " + type_name(j));
    std::string list;
    for (const char* k : allowed) list += std::string(list.empty() ? "" : ", ") + k;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (std::find_if(allowed.begin(), allowed.end(), [&](const char* k) { return it.key() == k; }) != allowed.end())
            continue;
        const std::string guess = closest(it.key(), allowed);
        problems_.add(Problem{at(it.key()), "unknown key" + (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                                                " (allowed here: " + list + ")"});
    }
}

Obj::Obj(const json& j, std::string path, Problems& problems) : j_(j), path_(std::move(path)), problems_(problems) {
    if (!j.is_object()) throw ScenarioError(path_, "must be an object keyed by id, got " + type_name(j));
}

void Obj::require(const char* key) const {
    if (!has(key)) throw ScenarioError(at(key), "required field is missing");
}

double Obj::number(const char* key) const {
    require(key);
    const json& v = j_.at(key);
    if (!v.is_number()) throw ScenarioError(at(key), "must be a number, got " + type_name(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw ScenarioError(at(key), "must be a finite number");
    return d;
}

double Obj::positive(const char* key, std::optional<double> def) const {
    if (!has(key) && def) return *def;
    const double d = number(key);
    if (!(d > 0)) throw ScenarioError(at(key), "must be > 0 (got " + fmt(d) + ")");
    return d;
}

double Obj::nonneg(const char* key, std::optional<double> def) const {
    if (!has(key) && def) return *def;
    const double d = number(key);
    if (d < 0) throw ScenarioError(at(key), "must be >= 0 (got " + fmt(d) + ")");
    return d;
}

double Obj::money(const char* key, std::optional<double> def) const {
    if (!has(key) && def) return *def;
    const double d = nonneg(key);
    if (d > kMaxMoney) throw ScenarioError(at(key), "must be at most 1e9");
    return d;
}

double Obj::probability(const char* key, double def) const {
    if (!has(key)) return def;
    const double d = number(key);
    if (d < 0 || d > 1) throw ScenarioError(at(key), "must be a probability in [0, 1] (got " + fmt(d) + ")");
    return d;
}

double Obj::days(const char* key, double def, bool allow_zero) const {
    if (!has(key)) return def;
    const double d = number(key);
    if (allow_zero ? d < 0 : !(d > 0))
        throw ScenarioError(at(key),
                            std::string("must be ") + (allow_zero ? ">= 0" : "> 0") + " days (got " + fmt(d) + ")");
    if (d > kMaxDays) throw ScenarioError(at(key), "must be at most 1e10 days (got " + fmt(d) + ")");
    return d;
}

std::int64_t Obj::integer(const char* key, std::int64_t min, std::optional<std::int64_t> def) const {
    if (!has(key) && def) return *def;
    require(key);
    const json& v = j_.at(key);
    if (!v.is_number()) throw ScenarioError(at(key), "must be an integer, got " + type_name(v));
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) throw ScenarioError(at(key), "must be an integer (got " + fmt(d) + ")");
    if (std::fabs(d) > kMaxCount) throw ScenarioError(at(key), "must be at most 1e12 in size (got " + fmt(d) + ")");
    if (d < static_cast<double>(min))
        throw ScenarioError(at(key), "must be >= " + std::to_string(min) + " (got " + fmt(d) + ")");
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return static_cast<std::int64_t>(d);
}

std::uint64_t Obj::seed(const char* key, std::uint64_t def) const {
    if (!has(key)) return def;
    const json& v = j_.at(key);
    // Seeds are 64-bit, as from the Python API: a whole number in [0, 2^64).
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && d >= 0 && d < 9007199254740992.0)  // exact in a double
            return static_cast<std::uint64_t>(d);
    }
    throw ScenarioError(at(key), "must be an integer >= 0 and below 2^64 (got " + v.dump() + ")");
}

bool Obj::boolean(const char* key, bool def) const {
    if (!has(key)) return def;
    const json& v = j_.at(key);
    if (!v.is_boolean()) throw ScenarioError(at(key), "must be true or false, got " + type_name(v));
    return v.get<bool>();
}

std::string Obj::string(const char* key, std::optional<std::string> def) const {
    if (!has(key) && def) return *def;
    require(key);
    const json& v = j_.at(key);
    if (!v.is_string()) throw ScenarioError(at(key), "must be a string, got " + type_name(v));
    return v.get<std::string>();
}

std::string Obj::choice(const char* key, std::initializer_list<const char*> options,
                        std::optional<std::string> def) const {
    const std::string s = string(key, std::move(def));
    std::string list;
    for (const char* o : options) {
        if (s == o) return s;
        list += std::string(list.empty() ? "" : ", ") + "\"" + o + "\"";
    }
    const std::string guess = closest(s, options);
    throw ScenarioError(at(key), "must be one of " + list + " (got \"" + s + "\"" +
                                     (guess.empty() ? "" : "; did you mean \"" + guess + "\"?") + ")");
}

// ---------------------------------------------------------------------------------------------
// Distributions

namespace {

bool integral(double v) { return v == std::floor(v); }

void parse_empirical(const Obj& o, const json& j, Distribution& d) {
    o.require("values");
    const json& vals = j.at("values");
    if (!vals.is_array() || vals.empty()) throw ScenarioError(o.at("values"), "must be a non-empty array of numbers");
    if (vals.size() > kMaxListLength) throw ScenarioError(o.at("values"), "must have at most 100000 entries");
    std::vector<double> w(vals.size(), 1.0);
    if (o.has("weights")) {
        const json& wj = j.at("weights");
        if (!wj.is_array() || wj.size() != vals.size())
            throw ScenarioError(o.at("weights"), "must be an array as long as values");
        for (std::size_t i = 0; i < wj.size(); ++i) {
            if (!wj[i].is_number() || !std::isfinite(wj[i].get<double>()) || wj[i].get<double>() < 0)
                throw ScenarioError(o.at("weights") + "/" + std::to_string(i), "must be a finite number >= 0");
            w[i] = wj[i].get<double>();
        }
    }
    double total = 0;
    for (double x : w) total += x;
    if (!(total > 0)) throw ScenarioError(o.at("weights"), "must not all be zero");
    d.kind = Distribution::Kind::Empirical;
    double acc = 0;
    for (std::size_t i = 0; i < vals.size(); ++i) {
        const std::string p = o.at("values") + "/" + std::to_string(i);
        if (!vals[i].is_number() || !std::isfinite(vals[i].get<double>())) throw ScenarioError(p, "must be a finite number");
        const double v = vals[i].get<double>();
        if (v < 0) throw ScenarioError(p, "must be >= 0 (got " + fmt(v) + ")");
        if (v > kMaxDays) throw ScenarioError(p, "must be at most 1e10 (got " + fmt(v) + ")");
        d.values.push_back(v);
        acc += w[i];
        d.cdf.push_back(acc / total);
    }
    d.cdf.back() = 1.0;
}

void parse_uniform(const Obj& o, const std::string& path, bool whole, Distribution& d) {
    d.kind = whole ? Distribution::Kind::UniformInt : Distribution::Kind::Uniform;
    d.a = o.nonneg("low");
    d.b = o.nonneg("high");
    if (d.b < d.a) throw ScenarioError(o.at("high"), "must be >= low (got " + fmt(d.b) + " < " + fmt(d.a) + ")");
    if (whole && (!integral(d.a) || !integral(d.b))) throw ScenarioError(path, "uniform_int needs integer low and high");
    if (whole && d.b > kMaxCount) throw ScenarioError(o.at("high"), "must be at most 1e12 (got " + fmt(d.b) + ")");
}

/// The distribution named by "dist", its own parameters checked.
Distribution parse_kind(const json& j, const std::string& path, bool allow_infinite, Problems& problems) {
    const std::string name = j.at("dist").get<std::string>();
    Distribution d;
    if (name == "constant") {
        d = Distribution::constant(Obj(j, path, {"dist", "value"}, problems).nonneg("value"));
    } else if (name == "exponential") {
        d.kind = Distribution::Kind::Exponential;
        d.a = Obj(j, path, {"dist", "mean"}, problems).positive("mean");
    } else if (name == "gamma" || name == "lognormal") {
        Obj o(j, path, {"dist", "mean", "cv"}, problems);
        d.kind = name == "gamma" ? Distribution::Kind::Gamma : Distribution::Kind::Lognormal;
        d.a = o.positive("mean");
        d.b = o.nonneg("cv");
        if (d.b > 10) throw ScenarioError(o.at("cv"), "must be at most 10 (got " + fmt(d.b) + ")");
    } else if (name == "uniform" || name == "uniform_int") {
        parse_uniform(Obj(j, path, {"dist", "low", "high"}, problems), path, name == "uniform_int", d);
    } else if (name == "empirical") {
        parse_empirical(Obj(j, path, {"dist", "values", "weights"}, problems), j, d);
    } else if (name == "geometric") {
        Obj o(j, path, {"dist", "mean"}, problems);
        d.kind = Distribution::Kind::Geometric;
        d.a = o.number("mean");
        if (d.a < 1) throw ScenarioError(o.at("mean"), "must be >= 1 (got " + fmt(d.a) + ")");
        if (d.a > 1e6) throw ScenarioError(o.at("mean"), "must be at most 1e6 (got " + fmt(d.a) + ")");
    } else if (name == "infinite") {
        Obj o(j, path, {"dist"}, problems);
        if (!allow_infinite) throw ScenarioError(path + "/dist", "\"infinite\" is only allowed for patience");
        d = Distribution::infinite();
    } else {
        throw ScenarioError(path + "/dist", "must be one of \"constant\", \"exponential\", \"gamma\", \"lognormal\", "
                                            "\"uniform\", \"uniform_int\", \"empirical\", \"geometric\"" +
                                                std::string(allow_infinite ? ", \"infinite\"" : "") + " (got \"" +
                                                name + "\")");
    }
    return d;
}

/// What the field's meaning demands of the distribution's values.
void check_support(const Distribution& d, const std::string& path, Support support) {
    if (support == Support::Integer) {
        bool ok = false;
        switch (d.kind) {
            case Distribution::Kind::Constant: ok = integral(d.a) && d.a >= 1 && d.a <= 1e6; break;
            case Distribution::Kind::UniformInt: ok = d.a >= 1 && d.b <= 1e6; break;
            case Distribution::Kind::Geometric: ok = true; break;
            case Distribution::Kind::Empirical:
                ok = std::all_of(d.values.begin(), d.values.end(),
                                 [](double v) { return integral(v) && v >= 1 && v <= 1e6; });
                break;
            default: ok = false;
        }
        if (!ok)
            throw ScenarioError(path, "must give whole units between 1 and 1e6: use constant, uniform_int, "
                                      "empirical or geometric with integer values >= 1");
    } else if (support == Support::Fraction) {
        const double hi = d.kind == Distribution::Kind::Constant  ? d.a
                          : d.kind == Distribution::Kind::Uniform ? d.b
                          : d.kind == Distribution::Kind::Empirical
                              ? *std::max_element(d.values.begin(), d.values.end())
                              : 2.0;
        if (hi > 1.0)
            throw ScenarioError(path, "must give fractions in [0, 1]: use constant, uniform or empirical with values <= 1");
    } else if (d.kind != Distribution::Kind::Infinite && d.mean() > kMaxDays) {
        throw ScenarioError(path, "mean must be at most 1e10 (got " + fmt(d.mean()) + ")");
    }
}

}  // namespace

Distribution parse_distribution(const json& j, const std::string& path, Support support, bool allow_infinite,
                                Problems& problems) {
    if (!j.is_object())
        throw ScenarioError(path, "must be a distribution object such as {\"dist\": \"constant\", \"value\": 1}, got " +
                                      type_name(j));
    if (!j.contains("dist")) throw ScenarioError(path + "/dist", "required field is missing");
    if (!j.at("dist").is_string()) throw ScenarioError(path + "/dist", "must be a string, got " + type_name(j.at("dist")));
    Distribution d = parse_kind(j, path, allow_infinite, problems);
    check_support(d, path, support);
    return d;
}

Distribution distribution_field(const Obj& o, const char* key, Support support, bool allow_infinite,
                                std::optional<Distribution> def) {
    if (!o.has(key)) {
        if (def) return *def;
        o.require(key);
    }
    return parse_distribution(o.get(key), o.at(key), support, allow_infinite, o.problems());
}

}  // namespace fields
}  // namespace stocklab
