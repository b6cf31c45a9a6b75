#include "scenario/parser.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <unordered_set>

namespace stocklab {

using json = nlohmann::ordered_json;

namespace {

constexpr double kMaxDays = 1e10;          // about 27 million years
constexpr double kMaxCount = 1e12;         // integers beyond this overflow counters or memory
constexpr std::size_t kMaxListLength = 100000;
constexpr double kMaxSnapshots = 1e7;
constexpr std::size_t kMaxObjectKeys = 1000;  // per JSON object

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

/// A view of one JSON object at a pointer, that rejects unknown keys up front.
class Obj {
public:
    Obj(const json& j, std::string path, std::initializer_list<const char*> allowed) : j_(j), path_(std::move(path)) {
        if (!j.is_object()) throw ScenarioError(path_, "must be an object, got " + type_name(j));
        for (auto it = j.begin(); it != j.end(); ++it) {
            bool ok = false;
            for (const char* k : allowed)
                if (it.key() == k) ok = true;
            if (!ok) {
                std::string list;
                for (const char* k : allowed) list += std::string(list.empty() ? "" : ", ") + k;
                throw ScenarioError(at(it.key()), "unknown key (allowed here: " + list + ")");
            }
        }
    }

    std::string at(const std::string& key) const { return path_ + "/" + escape_pointer_token(key); }
    const std::string& path() const { return path_; }
    bool has(const char* key) const { return j_.contains(key); }
    const json& get(const char* key) const { return j_.at(key); }

    void require(const char* key) const {
        if (!has(key)) throw ScenarioError(at(key), "required field is missing");
    }

    double number(const char* key, double def) const {
        if (!has(key)) return def;
        return number(key);
    }
    double number(const char* key) const {
        require(key);
        const json& v = j_.at(key);
        if (!v.is_number()) throw ScenarioError(at(key), "must be a number, got " + type_name(v));
        double d = v.get<double>();
        if (!std::isfinite(d)) throw ScenarioError(at(key), "must be a finite number");
        return d;
    }
    double positive(const char* key, std::optional<double> def = std::nullopt) const {
        if (!has(key) && def) return *def;
        double d = number(key);
        if (!(d > 0)) throw ScenarioError(at(key), "must be > 0 (got " + fmt(d) + ")");
        return d;
    }
    double nonneg(const char* key, std::optional<double> def = std::nullopt) const {
        if (!has(key) && def) return *def;
        double d = number(key);
        if (d < 0) throw ScenarioError(at(key), "must be >= 0 (got " + fmt(d) + ")");
        return d;
    }
    double probability(const char* key, double def) const {
        if (!has(key)) return def;
        double d = number(key);
        if (d < 0 || d > 1) throw ScenarioError(at(key), "must be a probability in [0, 1] (got " + fmt(d) + ")");
        return d;
    }
    double days(const char* key, double def, bool allow_zero = true) const {
        if (!has(key)) return def;
        double d = number(key);
        if (allow_zero ? d < 0 : !(d > 0))
            throw ScenarioError(at(key), std::string("must be ") + (allow_zero ? ">= 0" : "> 0") + " days (got " +
                                             fmt(d) + ")");
        if (d > kMaxDays) throw ScenarioError(at(key), "must be at most 1e10 days (got " + fmt(d) + ")");
        return d;
    }
    std::int64_t integer(const char* key, std::int64_t min, std::optional<std::int64_t> def = std::nullopt) const {
        if (!has(key) && def) return *def;
        require(key);
        const json& v = j_.at(key);
        if (!v.is_number()) throw ScenarioError(at(key), "must be an integer, got " + type_name(v));
        double d = v.get<double>();
        if (!std::isfinite(d) || d != std::floor(d)) throw ScenarioError(at(key), "must be an integer (got " + fmt(d) + ")");
        if (std::fabs(d) > kMaxCount) throw ScenarioError(at(key), "must be at most 1e12 in size (got " + fmt(d) + ")");
        if (d < static_cast<double>(min))
            throw ScenarioError(at(key), "must be >= " + std::to_string(min) + " (got " + fmt(d) + ")");
        if (v.is_number_integer()) return v.get<std::int64_t>();
        return static_cast<std::int64_t>(d);
    }
    bool boolean(const char* key, bool def) const {
        if (!has(key)) return def;
        const json& v = j_.at(key);
        if (!v.is_boolean()) throw ScenarioError(at(key), "must be true or false, got " + type_name(v));
        return v.get<bool>();
    }
    std::string string(const char* key, std::optional<std::string> def = std::nullopt) const {
        if (!has(key) && def) return *def;
        require(key);
        const json& v = j_.at(key);
        if (!v.is_string()) throw ScenarioError(at(key), "must be a string, got " + type_name(v));
        return v.get<std::string>();
    }
    std::string choice(const char* key, std::initializer_list<const char*> options, std::optional<std::string> def) const {
        std::string s = string(key, def);
        std::string list;
        for (const char* o : options) {
            if (s == o) return s;
            list += std::string(list.empty() ? "" : ", ") + "\"" + o + "\"";
        }
        throw ScenarioError(at(key), "must be one of " + list + " (got \"" + s + "\")");
    }

private:
    const json& j_;
    std::string path_;
};

enum class Support { NonNegative, Fraction, Integer };

Distribution parse_distribution(const json& j, const std::string& path, Support support, bool allow_infinite) {
    if (!j.is_object())
        throw ScenarioError(path, "must be a distribution object such as {\"dist\": \"constant\", \"value\": 1}, got " +
                                      type_name(j));
    if (!j.contains("dist")) throw ScenarioError(path + "/dist", "required field is missing");
    if (!j.at("dist").is_string()) throw ScenarioError(path + "/dist", "must be a string, got " + type_name(j.at("dist")));
    const std::string name = j.at("dist").get<std::string>();
    Distribution d;
    auto integral = [](double v) { return v == std::floor(v); };
    if (name == "constant") {
        Obj o(j, path, {"dist", "value"});
        d = Distribution::constant(o.nonneg("value"));
    } else if (name == "exponential") {
        Obj o(j, path, {"dist", "mean"});
        d.kind = Distribution::Kind::Exponential;
        d.a = o.positive("mean");
    } else if (name == "gamma" || name == "lognormal") {
        Obj o(j, path, {"dist", "mean", "cv"});
        d.kind = name == "gamma" ? Distribution::Kind::Gamma : Distribution::Kind::Lognormal;
        d.a = o.positive("mean");
        d.b = o.nonneg("cv");
        if (d.b > 10) throw ScenarioError(o.at("cv"), "must be at most 10 (got " + fmt(d.b) + ")");
    } else if (name == "uniform" || name == "uniform_int") {
        Obj o(j, path, {"dist", "low", "high"});
        d.kind = name == "uniform" ? Distribution::Kind::Uniform : Distribution::Kind::UniformInt;
        d.a = o.nonneg("low");
        d.b = o.nonneg("high");
        if (d.b < d.a) throw ScenarioError(o.at("high"), "must be >= low (got " + fmt(d.b) + " < " + fmt(d.a) + ")");
        if (d.kind == Distribution::Kind::UniformInt && (!integral(d.a) || !integral(d.b)))
            throw ScenarioError(path, "uniform_int needs integer low and high");
        if (d.kind == Distribution::Kind::UniformInt && d.b > kMaxCount)
            throw ScenarioError(o.at("high"), "must be at most 1e12 (got " + fmt(d.b) + ")");
    } else if (name == "empirical") {
        Obj o(j, path, {"dist", "values", "weights"});
        o.require("values");
        const json& vals = j.at("values");
        if (!vals.is_array() || vals.empty())
            throw ScenarioError(o.at("values"), "must be a non-empty array of numbers");
        if (vals.size() > kMaxListLength) throw ScenarioError(o.at("values"), "must have at most 100000 entries");
        std::vector<double> w(vals.size(), 1.0);
        if (o.has("weights")) {
            const json& wj = j.at("weights");
            if (!wj.is_array() || wj.size() != vals.size())
                throw ScenarioError(o.at("weights"), "must be an array as long as values");
            for (std::size_t i = 0; i < wj.size(); ++i) {
                const std::string p = o.at("weights") + "/" + std::to_string(i);
                if (!wj[i].is_number() || !std::isfinite(wj[i].get<double>()) || wj[i].get<double>() < 0)
                    throw ScenarioError(p, "must be a finite number >= 0");
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
            if (!vals[i].is_number() || !std::isfinite(vals[i].get<double>()))
                throw ScenarioError(p, "must be a finite number");
            double v = vals[i].get<double>();
            if (v < 0) throw ScenarioError(p, "must be >= 0 (got " + fmt(v) + ")");
            if (v > kMaxDays) throw ScenarioError(p, "must be at most 1e10 (got " + fmt(v) + ")");
            d.values.push_back(v);
            acc += w[i];
            d.cdf.push_back(acc / total);
        }
        d.cdf.back() = 1.0;
    } else if (name == "geometric") {
        Obj o(j, path, {"dist", "mean"});
        d.kind = Distribution::Kind::Geometric;
        d.a = o.number("mean");
        if (d.a < 1) throw ScenarioError(o.at("mean"), "must be >= 1 (got " + fmt(d.a) + ")");
        if (d.a > 1e6) throw ScenarioError(o.at("mean"), "must be at most 1e6 (got " + fmt(d.a) + ")");
    } else if (name == "infinite") {
        Obj o(j, path, {"dist"});
        if (!allow_infinite) throw ScenarioError(path + "/dist", "\"infinite\" is only allowed for patience");
        d = Distribution::infinite();
    } else {
        throw ScenarioError(path + "/dist",
                            "must be one of \"constant\", \"exponential\", \"gamma\", \"lognormal\", \"uniform\", "
                            "\"uniform_int\", \"empirical\", \"geometric\"" +
                                std::string(allow_infinite ? ", \"infinite\"" : "") + " (got \"" + name + "\")");
    }

    if (support == Support::Integer) {
        bool ok = false;
        switch (d.kind) {
            case Distribution::Kind::Constant: ok = integral(d.a) && d.a >= 1 && d.a <= 1e6; break;
            case Distribution::Kind::UniformInt: ok = d.a >= 1 && d.b <= 1e6; break;
            case Distribution::Kind::Geometric: ok = true; break;
            case Distribution::Kind::Empirical:
                ok = true;
                for (double v : d.values) ok = ok && integral(v) && v >= 1 && v <= 1e6;
                break;
            default: ok = false;
        }
        if (!ok)
            throw ScenarioError(path, "must give whole units between 1 and 1e6: use constant, uniform_int, "
                                      "empirical or geometric with integer values >= 1");
    } else if (support == Support::Fraction) {
        double hi = d.kind == Distribution::Kind::Constant ? d.a
                    : d.kind == Distribution::Kind::Uniform ? d.b
                    : d.kind == Distribution::Kind::Empirical ? *std::max_element(d.values.begin(), d.values.end())
                                                              : 2.0;
        if (hi > 1.0)
            throw ScenarioError(path, "must give fractions in [0, 1]: use constant, uniform or empirical with values <= 1");
    } else if (d.kind != Distribution::Kind::Infinite && d.mean() > kMaxDays) {
        throw ScenarioError(path, "mean must be at most 1e10 (got " + fmt(d.mean()) + ")");
    }
    return d;
}

Distribution distribution_field(const Obj& o, const char* key, Support support, bool allow_infinite,
                                std::optional<Distribution> def) {
    if (!o.has(key)) {
        if (def) return *def;
        o.require(key);
    }
    return parse_distribution(o.get(key), o.at(key), support, allow_infinite);
}

void parse_run(const Obj& top, Scenario& sc) {
    if (!top.has("run")) return;
    Obj o(top.get("run"), top.at("run"),
          {"horizon_days", "warmup_days", "replications", "seed", "snapshot_interval_days", "record_events",
           "record_ledger"});
    RunSettings& r = sc.run;
    r.horizon_days = o.days("horizon_days", r.horizon_days, false);
    r.warmup_days = o.days("warmup_days", 0.0);
    if (r.warmup_days >= r.horizon_days)
        throw ScenarioError(o.at("warmup_days"), "must be shorter than horizon_days (" + fmt(r.warmup_days) +
                                                     " >= " + fmt(r.horizon_days) + ")");
    r.replications = o.integer("replications", 1, r.replications);
    if (r.replications > 10000000) throw ScenarioError(o.at("replications"), "must be at most 10000000");
    r.seed = static_cast<std::uint64_t>(o.integer("seed", 0, 1));
    r.snapshot_interval_days = o.days("snapshot_interval_days", r.snapshot_interval_days);
    if (r.snapshot_interval_days > 0 && r.horizon_days / r.snapshot_interval_days > kMaxSnapshots)
        throw ScenarioError(o.at("snapshot_interval_days"),
                            "would record more than 1e7 snapshots over the horizon; raise it or set 0 for none");
    r.record_events = o.boolean("record_events", false);
    r.record_ledger = o.boolean("record_ledger", true);
}

void parse_sku(const Obj& top, Scenario& sc) {
    top.require("sku");
    Obj o(top.get("sku"), top.at("sku"), {"name", "price", "unit_cost", "holding_cost_per_unit_day", "salvage_value"});
    sc.sku.name = o.string("name", std::string("item"));
    sc.sku.price = o.positive("price");
    sc.sku.unit_cost = o.nonneg("unit_cost", 0.0);
    sc.sku.holding_cost_per_unit_day = o.nonneg("holding_cost_per_unit_day", 0.0);
    sc.sku.salvage_value = o.nonneg("salvage_value", 0.0);
    for (const char* k : {"price", "unit_cost", "holding_cost_per_unit_day", "salvage_value"})
        if (o.has(k) && o.number(k) > 1e9) throw ScenarioError(o.at(k), "must be at most 1e9");
}

void parse_initial(const Obj& top, Scenario& sc) {
    if (!top.has("initial")) return;
    Obj o(top.get("initial"), top.at("initial"), {"on_hand", "cash"});
    sc.initial.on_hand = o.integer("on_hand", 0, 0);
    if (sc.initial.on_hand > 1000000000) throw ScenarioError(o.at("on_hand"), "must be at most 1e9 units");
    sc.initial.cash = o.number("cash", 0.0);
    if (std::fabs(sc.initial.cash) > 1e13) throw ScenarioError(o.at("cash"), "must be at most 1e13 in size");
}

void parse_demand(const Obj& top, Scenario& sc) {
    top.require("demand");
    Obj o(top.get("demand"), top.at("demand"), {"model", "rate_per_day", "order_size", "seasonality"});
    Demand& d = sc.demand;
    d.model = o.choice("model", {"poisson", "customers"}, std::string("poisson")) == "customers" ? DemandModel::Customers
                                                                                                : DemandModel::Poisson;
    d.rate_per_day = o.positive("rate_per_day");
    if (d.rate_per_day > 1e7) throw ScenarioError(o.at("rate_per_day"), "must be at most 1e7 per day");
    d.order_size = distribution_field(o, "order_size", Support::Integer, false, Distribution::constant(1.0));
    if (o.has("seasonality")) {
        Obj s(o.get("seasonality"), o.at("seasonality"), {"amplitude", "period_days", "phase_days"});
        d.seasonality.amplitude = s.number("amplitude", 0.0);
        if (d.seasonality.amplitude < 0 || d.seasonality.amplitude >= 1)
            throw ScenarioError(s.at("amplitude"), "must be in [0, 1) so the rate stays positive");
        d.seasonality.period_days = s.days("period_days", 365.0, false);
        d.seasonality.phase_days = s.number("phase_days", 0.0);
    }
    const double expected_events = d.rate_per_day * sc.run.horizon_days;
    if (sc.run.record_events && expected_events > 5e7)
        throw ScenarioError(top.at("run") + "/record_events",
                            "the event log would hold about " + fmt(expected_events) +
                                " events (over 5e7); shorten the horizon or switch recording off");
}

void parse_customers(const Obj& top, Scenario& sc) {
    Customers& c = sc.customers;
    const bool model = sc.demand.model == DemandModel::Customers;
    if (!top.has("customers")) {
        if (model) throw ScenarioError(top.at("customers"), "required when /demand/model is \"customers\"");
        return;
    }
    if (!model) throw ScenarioError(top.at("customers"), "only allowed when /demand/model is \"customers\"");
    Obj o(top.get("customers"), top.at("customers"),
          {"population", "initial_loyalty", "behaviour", "response", "backorder_acceptance", "patience",
           "expected_wait_days", "late_grace_days", "loyalty", "new_customers", "word_of_mouth", "source"});
    c.population = o.integer("population", 1);
    if (c.population > 10000000) throw ScenarioError(o.at("population"), "must be at most 1e7 customers");
    c.behaviour = o.boolean("behaviour", true);
    c.initial_loyalty = o.number("initial_loyalty", 0.8);
    if (!(c.initial_loyalty > 0) || c.initial_loyalty > 1)
        throw ScenarioError(o.at("initial_loyalty"), "must be in (0, 1] (got " + fmt(c.initial_loyalty) + ")");
    if (o.has("source")) (void)o.string("source");
    if (o.has("response")) {
        Obj r(o.get("response"), o.at("response"), {"buy_elsewhere", "substitute", "delay", "no_purchase", "delay_days"});
        StockoutResponse& s = c.response;
        s.buy_elsewhere = r.probability("buy_elsewhere", s.buy_elsewhere);
        s.substitute = r.probability("substitute", s.substitute);
        s.delay = r.probability("delay", s.delay);
        s.no_purchase = r.probability("no_purchase", s.no_purchase);
        const double sum = s.buy_elsewhere + s.substitute + s.delay + s.no_purchase;
        if (std::fabs(sum - 1.0) > 1e-6)
            throw ScenarioError(r.path(), "buy_elsewhere + substitute + delay + no_purchase must sum to 1 (got " +
                                              fmt(sum) + ")");
        s.delay_days = distribution_field(r, "delay_days", Support::NonNegative, false, s.delay_days);
        if (s.delay > 0 && !(s.delay_days.mean() > 0))
            throw ScenarioError(r.at("delay_days"), "mean must be > 0 when delay > 0 (customers who come back at "
                                                    "the same instant would never leave)");
    }
    if (o.has("backorder_acceptance")) {
        Obj a(o.get("backorder_acceptance"), o.at("backorder_acceptance"), {"form", "beta0", "rate_per_day", "midpoint_days"});
        const std::string form =
            a.choice("form", {"constant", "exponential", "hyperbolic", "logistic"}, std::string("exponential"));
        c.acceptance.form = form == "constant"     ? AcceptanceForm::Constant
                            : form == "hyperbolic" ? AcceptanceForm::Hyperbolic
                            : form == "logistic"   ? AcceptanceForm::Logistic
                                                   : AcceptanceForm::Exponential;
        c.acceptance.beta0 = a.probability("beta0", c.acceptance.beta0);
        c.acceptance.rate_per_day = a.nonneg("rate_per_day", c.acceptance.rate_per_day);
        c.acceptance.midpoint_days = a.days("midpoint_days", c.acceptance.midpoint_days);
    }
    c.patience = distribution_field(o, "patience", Support::NonNegative, true,
                                    Distribution{Distribution::Kind::Exponential, 14.0, 0.0, {}, {}});
    c.expected_wait_days = o.days("expected_wait_days", c.expected_wait_days);
    c.late_grace_days = o.days("late_grace_days", c.late_grace_days);
    LoyaltyRules& L = c.loyalty;
    L.served = 0.02;
    if (o.has("loyalty")) {
        Obj l(o.get("loyalty"), o.at("loyalty"),
              {"served", "backorder_on_time", "backorder_late", "turned_away", "cancelled", "churn_below",
               "churn_probability"});
        L.served = l.probability("served", L.served);
        L.backorder_on_time = l.probability("backorder_on_time", L.backorder_on_time);
        L.backorder_late = l.probability("backorder_late", L.backorder_late);
        L.turned_away = l.probability("turned_away", L.turned_away);
        L.cancelled = l.probability("cancelled", L.cancelled);
        L.churn_below = l.probability("churn_below", L.churn_below);
        if (L.churn_below >= c.initial_loyalty && L.churn_below > 0)
            throw ScenarioError(l.at("churn_below"), "must be below initial_loyalty (" + fmt(c.initial_loyalty) +
                                                         "), or every customer churns at once");
        L.churn_probability = l.probability("churn_probability", L.churn_probability);
    }
    if (o.has("new_customers")) {
        Obj n(o.get("new_customers"), o.at("new_customers"), {"rate_per_day"});
        c.new_customer_rate_per_day = n.nonneg("rate_per_day", 0.0);
        if (c.new_customer_rate_per_day * sc.run.horizon_days > 1e7)
            throw ScenarioError(n.at("rate_per_day"), "would add more than 1e7 customers over the horizon");
    }
    if (o.has("word_of_mouth")) {
        Obj w(o.get("word_of_mouth"), o.at("word_of_mouth"),
              {"review_probability", "positive_review_probability", "review_weight", "memory_days"});
        c.word_of_mouth.review_probability = w.probability("review_probability", 0.0);
        c.word_of_mouth.positive_review_probability = w.probability("positive_review_probability", 0.0);
        c.word_of_mouth.review_weight = w.nonneg("review_weight", c.word_of_mouth.review_weight);
        c.word_of_mouth.memory_days = w.days("memory_days", c.word_of_mouth.memory_days, false);
    }
}

void parse_supplier(const Obj& top, Scenario& sc) {
    top.require("supplier");
    Obj o(top.get("supplier"), top.at("supplier"),
          {"name", "lead_time", "orders_may_cross", "unit_price", "order_cost", "payment_terms_days", "prepay",
           "min_order", "order_multiple", "reliability", "capacity", "disruptions"});
    Supplier& s = sc.supplier;
    s.name = o.string("name", std::string("supplier"));
    s.lead_time = distribution_field(o, "lead_time", Support::NonNegative, false, std::nullopt);
    if (s.lead_time.mean() >= sc.run.horizon_days)
        throw ScenarioError(o.at("lead_time"), "mean lead time (" + fmt(s.lead_time.mean()) +
                                                   " days) must be shorter than the horizon (" +
                                                   fmt(sc.run.horizon_days) + " days)");
    s.orders_may_cross = o.boolean("orders_may_cross", true);
    s.unit_price = o.nonneg("unit_price", sc.sku.unit_cost);
    s.order_cost = o.nonneg("order_cost", 0.0);
    const bool prepay = o.boolean("prepay", false);
    s.payment_terms_days = o.days("payment_terms_days", 0.0);
    if (prepay && o.has("payment_terms_days"))
        throw ScenarioError(o.at("payment_terms_days"), "cannot be combined with prepay: true");
    s.payment = prepay ? PaymentTerms::Prepay : s.payment_terms_days > 0 ? PaymentTerms::Net : PaymentTerms::OnDelivery;
    s.min_order = o.integer("min_order", 1, 1);
    s.order_multiple = o.integer("order_multiple", 1, 1);
    if (s.min_order > 1000000000) throw ScenarioError(o.at("min_order"), "must be at most 1e9");
    if (s.order_multiple > 1000000000) throw ScenarioError(o.at("order_multiple"), "must be at most 1e9");
    if (o.has("reliability")) {
        Obj r(o.get("reliability"), o.at("reliability"),
              {"partial_probability", "partial_fraction", "late_probability", "late_days"});
        s.reliability.partial_probability = r.probability("partial_probability", 0.0);
        s.reliability.partial_fraction =
            distribution_field(r, "partial_fraction", Support::Fraction, false, s.reliability.partial_fraction);
        s.reliability.late_probability = r.probability("late_probability", 0.0);
        s.reliability.late_days = distribution_field(r, "late_days", Support::NonNegative, false, s.reliability.late_days);
        if (s.reliability.partial_probability + s.reliability.late_probability > 1.0 + 1e-12)
            throw ScenarioError(r.path(), "partial_probability + late_probability must be at most 1");
    }
    if (o.has("capacity")) {
        Obj c(o.get("capacity"), o.at("capacity"), {"units", "period_days"});
        s.capacity.units = c.integer("units", 1);
        s.capacity.period_days = c.days("period_days", 1.0, false);
        if (sc.run.horizon_days / s.capacity.period_days > 1e8)
            throw ScenarioError(c.at("period_days"), "too short for the horizon (more than 1e8 capacity periods)");
    }
    if (o.has("disruptions")) {
        Obj d(o.get("disruptions"), o.at("disruptions"), {"up_days", "down_days", "first_down_day"});
        s.disruptions.enabled = true;
        s.disruptions.up_days = distribution_field(d, "up_days", Support::NonNegative, false, std::nullopt);
        s.disruptions.down_days = distribution_field(d, "down_days", Support::NonNegative, false, std::nullopt);
        if (!(s.disruptions.up_days.mean() > 0))
            throw ScenarioError(d.at("up_days"), "mean must be > 0 (a supplier that is never up never ships)");
        if (s.disruptions.up_days.mean() + s.disruptions.down_days.mean() < sc.run.horizon_days * 1e-7)
            throw ScenarioError(d.path(), "up and down periods are too short for the horizon (over 1e7 switches)");
        s.disruptions.first_down_days = d.has("first_down_day") ? d.days("first_down_day", 0.0) : -1.0;
    }
}

void parse_replenishment(const Obj& top, Scenario& sc) {
    top.require("replenishment");
    const json& j = top.get("replenishment");
    const std::string path = top.at("replenishment");
    if (!j.is_object()) throw ScenarioError(path, "must be an object, got " + type_name(j));
    std::string policy;
    {
        if (!j.contains("policy")) throw ScenarioError(path + "/policy", "required field is missing");
        if (!j.at("policy").is_string()) throw ScenarioError(path + "/policy", "must be a string");
        policy = j.at("policy").get<std::string>();
    }
    Replenishment& r = sc.replenishment;
    auto check_level = [&](const Obj& o, const char* key, std::int64_t v) {
        if (v > 1000000000 || v < -1000000000) throw ScenarioError(o.at(key), "must be between -1e9 and 1e9");
    };
    auto periodic = [&](const Obj& o) {
        r.review_period_days = o.days("review_period_days", std::numeric_limits<double>::quiet_NaN(), false);
        if (std::isnan(r.review_period_days)) o.require("review_period_days");
        r.review_offset_days = o.days("review_offset_days", 0.0);
        if (r.review_offset_days >= r.review_period_days)
            throw ScenarioError(o.at("review_offset_days"), "must be shorter than review_period_days");
        if (sc.run.horizon_days / r.review_period_days > 1e8)
            throw ScenarioError(o.at("review_period_days"), "too short for the horizon (more than 1e8 reviews)");
    };
    if (policy == "none") {
        Obj o(j, path, {"policy"});
        r.kind = ReplenishmentKind::None;
    } else if (policy == "s_S" || policy == "R_s_S") {
        bool per = policy == "R_s_S";
        Obj o = per ? Obj(j, path, {"policy", "s", "S", "review_period_days", "review_offset_days"})
                    : Obj(j, path, {"policy", "s", "S"});
        r.kind = per ? ReplenishmentKind::RsS : ReplenishmentKind::SS;
        r.s = o.integer("s", -1000000000);
        r.S = o.integer("S", -1000000000);
        check_level(o, "s", r.s);
        check_level(o, "S", r.S);
        if (r.s >= r.S)
            throw ScenarioError(o.at("s"), "must be below S (s = " + std::to_string(r.s) + ", S = " + std::to_string(r.S) + ")");
        if (per) periodic(o);
    } else if (policy == "s_Q") {
        Obj o(j, path, {"policy", "s", "Q"});
        r.kind = ReplenishmentKind::SQ;
        r.s = o.integer("s", -1000000000);
        check_level(o, "s", r.s);
        r.Q = o.integer("Q", 1);
        if (r.Q > 1000000000) throw ScenarioError(o.at("Q"), "must be at most 1e9");
    } else if (policy == "base_stock" || policy == "R_S") {
        bool per = policy == "R_S";
        Obj o = per ? Obj(j, path, {"policy", "S", "review_period_days", "review_offset_days"}) : Obj(j, path, {"policy", "S"});
        r.kind = per ? ReplenishmentKind::RS : ReplenishmentKind::BaseStock;
        r.S = o.integer("S", 0);
        check_level(o, "S", r.S);
        if (per) periodic(o);
    } else if (policy == "forecast") {
        Obj o(j, path, {"policy", "alpha", "cover_days", "safety_stock", "review_period_days", "review_offset_days"});
        r.kind = ReplenishmentKind::Forecast;
        r.alpha = o.number("alpha", 0.2);
        if (!(r.alpha > 0) || r.alpha > 1) throw ScenarioError(o.at("alpha"), "must be in (0, 1]");
        r.cover_days = o.days("cover_days", 0.0, false);
        if (!o.has("cover_days")) o.require("cover_days");
        r.safety_stock = o.integer("safety_stock", 0, 0);
        check_level(o, "safety_stock", r.safety_stock);
        periodic(o);
    } else {
        throw ScenarioError(path + "/policy", "must be one of \"s_S\", \"s_Q\", \"base_stock\", \"R_S\", \"R_s_S\", "
                                              "\"forecast\", \"none\" (got \"" + policy + "\")");
    }
}

void parse_shortage(const Obj& top, Scenario& sc) {
    if (!top.has("shortage")) return;
    Obj o(top.get("shortage"), top.at("shortage"),
          {"rule", "prepay", "deposit_fraction", "partial_shipments", "max_open_backorders",
           "max_quoted_wait_days", "apology_discount", "quote"});
    Shortage& s = sc.shortage;
    const std::string rule = o.choice("rule", {"lost_sales", "backorder", "partial_backorder"}, std::string("lost_sales"));
    s.rule = rule == "backorder"           ? ShortageRule::Backorder
             : rule == "partial_backorder" ? ShortageRule::PartialBackorder
                                           : ShortageRule::LostSales;
    s.prepay = o.boolean("prepay", false);
    s.deposit_fraction = o.number("deposit_fraction", 1.0);
    if (!(s.deposit_fraction > 0) || s.deposit_fraction > 1)
        throw ScenarioError(o.at("deposit_fraction"), "must be in (0, 1]");
    if (o.has("deposit_fraction") && !s.prepay)
        throw ScenarioError(o.at("deposit_fraction"), "only applies with prepay: true");
    s.partial_shipments = o.boolean("partial_shipments", true);
    s.apology_discount = o.probability("apology_discount", 0.0);
    const bool partial = s.rule == ShortageRule::PartialBackorder;
    for (const char* k : {"max_open_backorders", "max_quoted_wait_days"})
        if (o.has(k) && !partial) throw ScenarioError(o.at(k), "only applies when rule is \"partial_backorder\"");
    s.max_open_backorders = o.has("max_open_backorders") ? o.integer("max_open_backorders", 0) : -1;
    s.max_quoted_wait_days = o.has("max_quoted_wait_days") ? o.days("max_quoted_wait_days", 0.0) : -1.0;
    if (partial && s.max_open_backorders < 0 && s.max_quoted_wait_days < 0)
        throw ScenarioError(o.path(), "partial_backorder needs max_open_backorders or max_quoted_wait_days");
    if (o.has("quote")) {
        Obj q(o.get("quote"), o.at("quote"), {"mode", "factor", "days"});
        const std::string mode = q.choice("mode", {"honest", "optimistic", "fixed", "none"}, std::string("honest"));
        s.quote = mode == "optimistic" ? QuoteMode::Optimistic
                  : mode == "fixed"    ? QuoteMode::Fixed
                  : mode == "none"     ? QuoteMode::None
                                       : QuoteMode::Honest;
        if (q.has("factor") && s.quote != QuoteMode::Optimistic)
            throw ScenarioError(q.at("factor"), "only applies when mode is \"optimistic\"");
        if (q.has("days") && s.quote != QuoteMode::Fixed)
            throw ScenarioError(q.at("days"), "only applies when mode is \"fixed\"");
        s.quote_factor = q.number("factor", 0.5);
        if (!(s.quote_factor > 0) || s.quote_factor > 1) throw ScenarioError(q.at("factor"), "must be in (0, 1]");
        if (s.quote == QuoteMode::Fixed) s.quote_days = q.days("days", std::numeric_limits<double>::quiet_NaN());
        if (s.quote == QuoteMode::Fixed && std::isnan(s.quote_days)) q.require("days");
    }
    if (partial && s.max_quoted_wait_days >= 0 && s.quote == QuoteMode::None)
        throw ScenarioError(o.at("max_quoted_wait_days"), "needs a quote: quote mode \"none\" gives no wait to cap");
}

void parse_finance(const Obj& top, Scenario& sc) {
    if (!top.has("finance")) return;
    Obj o(top.get("finance"), top.at("finance"),
          {"holding_cost_accrual", "accrual_period_days", "overdraft_rate_per_year", "deposit_rate_per_year"});
    Finance& f = sc.finance;
    const bool daily = o.choice("holding_cost_accrual", {"daily", "period_end"}, std::string("daily")) == "daily";
    f.accrual_period_days = o.days("accrual_period_days", daily ? 1.0 : 30.0, false);
    if (o.has("accrual_period_days") && daily)
        throw ScenarioError(o.at("accrual_period_days"), "only applies when holding_cost_accrual is \"period_end\"");
    if (sc.run.horizon_days / f.accrual_period_days > 1e8)
        throw ScenarioError(o.at("accrual_period_days"), "too short for the horizon (more than 1e8 postings)");
    f.overdraft_rate_per_year = o.nonneg("overdraft_rate_per_year", 0.0);
    f.deposit_rate_per_year = o.nonneg("deposit_rate_per_year", 0.0);
    for (const char* k : {"overdraft_rate_per_year", "deposit_rate_per_year"})
        if (o.has(k) && o.number(k) > 10) throw ScenarioError(o.at(k), "must be at most 10 (1000% a year)");
}

Scenario parse_resolved(const json& doc) {
    Obj top(doc, "",
            {"schema_version", "name", "description", "run", "sku", "initial", "demand", "customers", "supplier",
             "replenishment", "shortage", "finance", "policies"});
    top.require("schema_version");
    if (!doc.at("schema_version").is_number_integer() || doc.at("schema_version").get<std::int64_t>() != 1)
        throw ScenarioError("/schema_version", "must be 1 (the only version this stocklab reads)");
    Scenario sc;
    sc.name = top.string("name");
    if (sc.name.empty()) throw ScenarioError("/name", "must not be empty");
    sc.description = top.string("description", std::string());
    parse_run(top, sc);
    parse_sku(top, sc);
    parse_initial(top, sc);
    parse_demand(top, sc);
    parse_customers(top, sc);
    parse_supplier(top, sc);
    parse_replenishment(top, sc);
    parse_shortage(top, sc);
    parse_finance(top, sc);
    return sc;
}

bool pointer_in(const json& j, const std::string& pointer) {
    try {
        return j.contains(json::json_pointer(pointer));
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

namespace {

/// Parser messages quote raw input bytes ("last read: ..."); escape anything that is not printable
/// ASCII so the message is valid UTF-8 (Python turns it into a str) and readable in a terminal.
std::string printable(const std::string& s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return out;
}

}  // namespace

std::string escape_pointer_token(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

json parse_json_text(const std::string& text) {
    if (text.size() > kMaxScenarioBytes)
        throw ScenarioError("/", "file is " + std::to_string(text.size() / (1024 * 1024)) +
                                     " MB; scenario files are limited to 10 MB");
    // Bounds nesting and object size, and rejects duplicate keys (JSON leaves their meaning open;
    // nlohmann would silently keep the last one). Objects are ordered maps with linear lookup, so
    // the key cap also keeps parsing linear in the file size. `frames` tracks where the parser is.
    struct Frame {
        bool object;
        std::string key;
        std::size_t index = 0;
        std::unordered_set<std::string> keys;
    };
    std::vector<Frame> frames;
    auto next_element = [&frames] {
        if (!frames.empty() && !frames.back().object) ++frames.back().index;
    };
    auto here = [&frames] {  // pointer of the innermost open object or array
        std::string pointer;
        for (std::size_t i = 0; i + 1 < frames.size(); ++i)
            pointer += "/" + (frames[i].object ? escape_pointer_token(frames[i].key) : std::to_string(frames[i].index));
        return pointer.empty() ? std::string("/") : pointer;
    };
    json::parser_callback_t guard = [&](int depth, json::parse_event_t event, json& parsed) {
        // A container that starts at depth d is nesting level d + 1 (so 33 empty arrays are too deep).
        const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
        if (depth > kMaxJsonDepth || (opens && depth >= kMaxJsonDepth))
            throw ScenarioError("/", "JSON is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        switch (event) {
            case json::parse_event_t::object_start: frames.push_back(Frame{true, {}, 0, {}}); break;
            case json::parse_event_t::array_start: frames.push_back(Frame{false, {}, 0, {}}); break;
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                if (!frames.empty()) frames.pop_back();
                next_element();
                break;
            case json::parse_event_t::value: next_element(); break;
            case json::parse_event_t::key: {
                if (frames.empty() || !parsed.is_string()) break;
                Frame& f = frames.back();
                const std::string& key = parsed.get_ref<const std::string&>();
                if (f.keys.size() >= kMaxObjectKeys)
                    throw ScenarioError(here(), "object has more than " + std::to_string(kMaxObjectKeys) + " keys");
                if (!f.keys.insert(key).second) {
                    const std::string at = here();
                    throw ScenarioError((at == "/" ? "" : at) + "/" + escape_pointer_token(key),
                                        "duplicate key (each key may appear only once in an object)");
                }
                f.key = key;
                break;
            }
        }
        return true;
    };
    try {
        return json::parse(text, guard);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for number overflow (1e400)
        std::string what = e.what();
        auto pos = what.find("parse error");
        if (pos == std::string::npos) pos = what.find("] ");
        if (pos != std::string::npos && what.compare(pos, 2, "] ") == 0) pos += 2;
        throw ScenarioError("/", "not valid JSON: " + printable(pos == std::string::npos ? what : what.substr(pos)));
    }
}

std::vector<std::string> policy_names(const json& doc) {
    std::vector<std::string> out;
    if (!doc.is_object() || !doc.contains("policies")) return out;
    const json& p = doc.at("policies");
    if (!p.is_object()) throw ScenarioError("/policies", "must be an object mapping policy names to overrides");
    for (auto it = p.begin(); it != p.end(); ++it) {
        // "" would be taken for the base scenario, so its override would never be checked or run.
        if (it.key().empty()) throw ScenarioError("/policies/", "a policy name must not be empty");
        out.push_back(it.key());
    }
    return out;
}

namespace {
/// In a merge patch, null deletes a key; a null for a key the base does not have is a typo.
void reject_null_for_missing(const json& base, const json& patch, const std::string& at) {
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const std::string p = at + "/" + escape_pointer_token(it.key());
        const bool present = base.is_object() && base.contains(it.key());
        if (it.value().is_null() && !present)
            throw ScenarioError(p, "null removes a field, but the scenario has no such field to remove");
        if (it.value().is_object())
            reject_null_for_missing(present ? base.at(it.key()) : json::object(), it.value(), p);
    }
}
}  // namespace

json resolve_policy(const json& doc, const std::string& policy) {
    if (!doc.is_object()) throw ScenarioError("/", "a scenario must be a JSON object, got " + type_name(doc));
    json base = doc;
    base.erase("policies");
    if (policy.empty()) return base;
    if (!doc.contains("policies") || !doc.at("policies").is_object() || !doc.at("policies").contains(policy)) {
        std::string names;
        for (const auto& n : policy_names(doc)) names += (names.empty() ? "" : ", ") + n;
        throw ScenarioError("/policies/" + escape_pointer_token(policy),
                            "no such policy (defined: " + (names.empty() ? std::string("none") : names) + ")");
    }
    const json& patch = doc.at("policies").at(policy);
    const std::string at = "/policies/" + escape_pointer_token(policy);
    if (!patch.is_object())
        throw ScenarioError(at, "must be an object of scenario sections to override, got " + type_name(patch));
    for (const char* k : {"policies", "schema_version"})
        if (patch.contains(k)) throw ScenarioError(at + "/" + k, "cannot be overridden by a policy");
    reject_null_for_missing(base, patch, at);
    base.merge_patch(patch);
    return base;
}

Scenario parse_scenario(const json& doc, const std::string& policy) {
    json resolved = resolve_policy(doc, policy);
    try {
        Scenario sc = parse_resolved(resolved);
        sc.policy_name = policy;
        return sc;
    } catch (const ScenarioError& e) {
        if (policy.empty()) throw;
        const std::string prefix = "/policies/" + escape_pointer_token(policy);
        const json& patch = doc.at("policies").at(policy);
        // Point at the override when it introduced the bad value, else name the policy in the rule.
        if (e.pointer() != "/" && pointer_in(patch, e.pointer())) throw ScenarioError(prefix + e.pointer(), e.rule());
        throw ScenarioError(e.pointer(), e.rule() + " (in policy \"" + policy + "\")");
    }
}

void validate_scenario(const json& doc) {
    parse_scenario(doc, "");
    for (const auto& name : policy_names(doc)) parse_scenario(doc, name);
}

}  // namespace stocklab
