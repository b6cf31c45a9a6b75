// The scenario document's sections, one function each. Defaults come from the structs in
// scenario.hpp (a field left out keeps the value the default-constructed Scenario holds); every
// section's problems are collected, so a file's errors are reported together.
#include <cmath>
#include <limits>

#include "model/estimates.hpp"
#include "scenario/sections.hpp"

namespace stocklab {

using json = nlohmann::ordered_json;

namespace fields {

constexpr double kMaxSnapshots = 1e7;

const char* form_name(AcceptanceForm f) {
    return f == AcceptanceForm::Constant     ? "constant"
           : f == AcceptanceForm::Hyperbolic ? "hyperbolic"
           : f == AcceptanceForm::Logistic   ? "logistic"
                                             : "exponential";
}

const char* rule_name(ShortageRule r) {
    return r == ShortageRule::Backorder ? "backorder" : r == ShortageRule::PartialBackorder ? "partial_backorder" : "lost_sales";
}

const char* quote_name(QuoteMode q) {
    return q == QuoteMode::Optimistic ? "optimistic" : q == QuoteMode::Fixed ? "fixed" : q == QuoteMode::None ? "none" : "honest";
}

void parse_run(const Obj& top, Scenario& sc) {
    optional_block(top, "run",
                   {"horizon_days", "warmup_days", "replications", "seed", "snapshot_interval_days", "record_events",
                    "record_ledger"},
                   [&](const Obj& o) {
                       RunSettings& r = sc.run;
                       r.horizon_days = o.days("horizon_days", r.horizon_days, false);
                       r.warmup_days = o.days("warmup_days", r.warmup_days);
                       if (r.warmup_days >= r.horizon_days)
                           throw ScenarioError(o.at("warmup_days"), "must be shorter than horizon_days (" +
                                                                        fmt(r.warmup_days) + " >= " +
                                                                        fmt(r.horizon_days) + ")");
                       r.replications = o.integer("replications", 1, r.replications);
                       if (r.replications > 10000000)
                           throw ScenarioError(o.at("replications"), "must be at most 10000000");
                       r.seed = o.seed("seed", r.seed);
                       r.snapshot_interval_days = o.days("snapshot_interval_days", r.snapshot_interval_days);
                       if (r.snapshot_interval_days > 0 && r.horizon_days / r.snapshot_interval_days > kMaxSnapshots)
                           throw ScenarioError(o.at("snapshot_interval_days"),
                                               "would record more than 1e7 snapshots over the horizon; raise it or "
                                               "set 0 for none");
                       r.record_events = o.boolean("record_events", r.record_events);
                       r.record_ledger = o.boolean("record_ledger", r.record_ledger);
                   });
}

void parse_sku(const Obj& top, Scenario& sc) {
    top.require("sku");
    Obj o(top.get("sku"), top.at("sku"), {"name", "price", "unit_cost", "holding_cost_per_unit_day", "salvage_value"},
          top.problems());
    Item& k = sc.items[0];
    k.name = o.string("name", k.name);
    k.price = o.positive("price");
    if (k.price > kMaxMoney) throw ScenarioError(o.at("price"), "must be at most 1e9");
    // Free stock is a silent modelling error: the cost of what is sold must be stated.
    k.unit_cost = o.money("unit_cost");
    k.holding_cost_per_unit_day = o.money("holding_cost_per_unit_day", k.holding_cost_per_unit_day);
    k.salvage_value = o.money("salvage_value", k.salvage_value);
}

void parse_initial(const Obj& top, Scenario& sc) {
    optional_block(top, "initial", {"on_hand", "cash"}, [&](const Obj& o) {
        Item& item = sc.items[0];
        item.initial_on_hand = o.integer("on_hand", 0, item.initial_on_hand);
        if (item.initial_on_hand > kMaxLevel) throw ScenarioError(o.at("on_hand"), "must be at most 1e9 units");
        sc.initial.cash = o.number("cash", sc.initial.cash);
        if (std::fabs(sc.initial.cash) > 1e13) throw ScenarioError(o.at("cash"), "must be at most 1e13 in size");
    });
}

void parse_seasonality(const Obj& o, Demand& d) {
    optional_block(o, "seasonality", {"amplitude", "period_days", "phase_days"}, [&](const Obj& s) {
        Seasonality& season = d.seasonality;
        season.amplitude = s.number("amplitude", season.amplitude);
        if (season.amplitude < 0 || season.amplitude >= 1)
            throw ScenarioError(s.at("amplitude"), "must be in [0, 1) so the rate stays positive");
        season.period_days = s.days("period_days", season.period_days, false);
        season.phase_days = s.number("phase_days", season.phase_days);
    });
}

/// Version 1 says rate_per_day for what the store format calls visits_per_day (a visit picks one
/// item there, so visits and purchase occasions are the same thing).
void parse_demand_fields(const Obj& o, const char* rate_key, Demand& d) {
    const std::string model = o.choice("model", {"poisson", "customers"},
                                       std::string(d.model == DemandModel::Poisson ? "poisson" : "customers"));
    d.model = model == "customers" ? DemandModel::Customers : DemandModel::Poisson;
    o.problems().check([&] {
        d.rate_per_day = o.positive(rate_key);
        if (d.rate_per_day > 1e7) throw ScenarioError(o.at(rate_key), "must be at most 1e7 per day");
    });
    o.problems().check(
        [&] { d.order_size = distribution_field(o, "order_size", Support::Integer, false, d.order_size); });
    parse_seasonality(o, d);
}

void parse_demand(const Obj& top, Scenario& sc) {
    top.require("demand");
    parse_demand_fields(
        Obj(top.get("demand"), top.at("demand"), {"model", "rate_per_day", "order_size", "seasonality"}, top.problems()),
        "rate_per_day", sc.demand);
}

void parse_response(const Obj& o, Customers& c) {
    optional_block(o, "response", {"buy_elsewhere", "substitute", "delay", "no_purchase", "delay_days"},
                   [&](const Obj& r) {
                       StockoutResponse& s = c.response;
                       s.buy_elsewhere = r.probability("buy_elsewhere", s.buy_elsewhere);
                       s.substitute = r.probability("substitute", s.substitute);
                       s.delay = r.probability("delay", s.delay);
                       s.no_purchase = r.probability("no_purchase", s.no_purchase);
                       const double sum = s.buy_elsewhere + s.substitute + s.delay + s.no_purchase;
                       if (std::fabs(sum - 1.0) > 1e-6)
                           throw ScenarioError(r.path(), "buy_elsewhere + substitute + delay + no_purchase must sum "
                                                         "to 1 (got " + fmt(sum) + ")");
                       s.delay_days = distribution_field(r, "delay_days", Support::NonNegative, false, s.delay_days);
                       if (s.delay > 0 && !(s.delay_days.mean() > 0))
                           throw ScenarioError(r.at("delay_days"), "mean must be > 0 when delay > 0 (customers who "
                                                                   "come back at the same instant would never leave)");
                   });
}

void parse_acceptance(const Obj& o, BackorderAcceptance& b) {
    optional_block(o, "backorder_acceptance", {"form", "beta0", "rate_per_day", "midpoint_days"}, [&](const Obj& a) {
        const std::string form = a.choice("form", {"constant", "exponential", "hyperbolic", "logistic"},
                                          std::string(form_name(b.form)));
        b.form = form == "constant"     ? AcceptanceForm::Constant
                 : form == "hyperbolic" ? AcceptanceForm::Hyperbolic
                 : form == "logistic"   ? AcceptanceForm::Logistic
                                        : AcceptanceForm::Exponential;
        b.beta0 = a.probability("beta0", b.beta0);
        b.rate_per_day = a.nonneg("rate_per_day", b.rate_per_day);
        b.midpoint_days = a.days("midpoint_days", b.midpoint_days);
    });
}

void parse_loyalty(const Obj& o, Customers& c) {
    optional_block(o, "loyalty",
                   {"served", "backorder_on_time", "backorder_late", "backorder_late_announced", "turned_away",
                    "cancelled", "cancelled_after_notice", "churn_below", "churn_probability"},
                   [&](const Obj& l) {
                       LoyaltyRules& L = c.loyalty;
                       L.served = l.probability("served", L.served);
                       L.backorder_on_time = l.probability("backorder_on_time", L.backorder_on_time);
                       L.backorder_late = l.probability("backorder_late", L.backorder_late);
                       L.backorder_late_announced = l.probability("backorder_late_announced", L.backorder_late_announced);
                       L.turned_away = l.probability("turned_away", L.turned_away);
                       L.cancelled = l.probability("cancelled", L.cancelled);
                       L.cancelled_after_notice = l.probability("cancelled_after_notice", L.cancelled_after_notice);
                       L.churn_below = l.probability("churn_below", L.churn_below);
                       if (L.churn_below >= c.initial_loyalty && L.churn_below > 0)
                           throw ScenarioError(l.at("churn_below"), "must be below initial_loyalty (" +
                                                                        fmt(c.initial_loyalty) +
                                                                        "), or every customer churns at once");
                       L.churn_probability = l.probability("churn_probability", L.churn_probability);
                   });
}

void parse_arrivals(const Obj& o, const Scenario& sc, Customers& c) {
    optional_block(o, "new_customers", {"rate_per_day"}, [&](const Obj& n) {
        c.new_customer_rate_per_day = n.nonneg("rate_per_day", c.new_customer_rate_per_day);
        if (c.new_customer_rate_per_day * sc.run.horizon_days > 1e7)
            throw ScenarioError(n.at("rate_per_day"), "would add more than 1e7 customers over the horizon");
    });
    optional_block(o, "word_of_mouth", {"review_probability", "positive_review_probability", "review_weight", "memory_days"},
                   [&](const Obj& w) {
                       WordOfMouth& m = c.word_of_mouth;
                       m.review_probability = w.probability("review_probability", m.review_probability);
                       m.positive_review_probability =
                           w.probability("positive_review_probability", m.positive_review_probability);
                       m.review_weight = w.nonneg("review_weight", m.review_weight);
                       m.memory_days = w.days("memory_days", m.memory_days, false);
                   });
}

void parse_customers(const Obj& top, Scenario& sc) {
    const bool model = sc.demand.model == DemandModel::Customers;
    if (!top.has("customers")) {
        if (model) throw ScenarioError(top.at("customers"), "required when /demand/model is \"customers\"");
        return;
    }
    if (!model) throw ScenarioError(top.at("customers"), "only allowed when /demand/model is \"customers\"");
    const json& j = top.get("customers");
    const std::string path = top.at("customers");
    const Obj o = store_format(sc)
                      ? Obj(j, path,
                            {"population", "initial_loyalty", "behaviour", "response", "backorder_acceptance", "patience",
                             "expected_wait_days", "late_grace_days", "loyalty", "new_customers", "word_of_mouth",
                             "source", "segments"},
                            top.problems())
                      : Obj(j, path,
                            {"population", "initial_loyalty", "behaviour", "response", "backorder_acceptance", "patience",
                             "expected_wait_days", "late_grace_days", "loyalty", "new_customers", "word_of_mouth",
                             "source"},
                            top.problems());
    Customers& c = sc.customers;
    c.population = o.integer("population", 1);
    if (c.population > 10000000) throw ScenarioError(o.at("population"), "must be at most 1e7 customers");
    c.behaviour = o.boolean("behaviour", c.behaviour);
    c.initial_loyalty = o.number("initial_loyalty", c.initial_loyalty);
    if (!(c.initial_loyalty > 0) || c.initial_loyalty > 1)
        throw ScenarioError(o.at("initial_loyalty"), "must be in (0, 1] (got " + fmt(c.initial_loyalty) + ")");
    if (o.has("source")) (void)o.string("source");
    parse_response(o, c);
    parse_acceptance(o, c.acceptance);
    o.problems().check([&] { c.patience = distribution_field(o, "patience", Support::NonNegative, true, c.patience); });
    c.expected_wait_days = o.days("expected_wait_days", c.expected_wait_days);
    c.late_grace_days = o.days("late_grace_days", c.late_grace_days);
    parse_loyalty(o, c);
    parse_arrivals(o, sc, c);
    if (store_format(sc)) parse_segments(o, sc);
}

void parse_reliability(const Obj& o, Supplier& s) {
    optional_block(o, "reliability",
                   {"partial_probability", "partial_fraction", "late_probability", "late_days", "late_notice_days"},
                   [&](const Obj& r) {
                       Reliability& rel = s.reliability;
                       rel.partial_probability = r.probability("partial_probability", rel.partial_probability);
                       rel.partial_fraction =
                           distribution_field(r, "partial_fraction", Support::Fraction, false, rel.partial_fraction);
                       rel.late_probability = r.probability("late_probability", rel.late_probability);
                       rel.late_days = distribution_field(r, "late_days", Support::NonNegative, false, rel.late_days);
                       rel.late_notice_days = r.days("late_notice_days", rel.late_notice_days);
                       if (rel.partial_probability + rel.late_probability > 1.0 + 1e-12)
                           throw ScenarioError(r.path(), "partial_probability + late_probability must be at most 1");
                   });
}

void parse_capacity_and_outages(const Obj& o, const Scenario& sc, Supplier& s) {
    optional_block(o, "capacity", {"units", "period_days"}, [&](const Obj& c) {
        s.capacity.units = c.integer("units", 1);
        s.capacity.period_days = c.days("period_days", s.capacity.period_days, false);
        if (sc.run.horizon_days / s.capacity.period_days > 1e8)
            throw ScenarioError(c.at("period_days"), "too short for the horizon (more than 1e8 capacity periods)");
    });
    optional_block(o, "disruptions", {"up_days", "down_days", "first_down_day"}, [&](const Obj& d) {
        Disruptions& out = s.disruptions;
        out.enabled = true;
        out.up_days = distribution_field(d, "up_days", Support::NonNegative, false, std::nullopt);
        out.down_days = distribution_field(d, "down_days", Support::NonNegative, false, std::nullopt);
        if (!(out.up_days.mean() > 0))
            throw ScenarioError(d.at("up_days"), "mean must be > 0 (a supplier that is never up never ships)");
        if (out.up_days.mean() + out.down_days.mean() < sc.run.horizon_days * 1e-7)
            throw ScenarioError(d.path(), "up and down periods are too short for the horizon (over 1e7 switches)");
        out.first_down_days = d.has("first_down_day") ? d.days("first_down_day", 0.0) : -1.0;
    });
}

/// A vendor's terms and behaviour: what version 1 calls the supplier and the store format a vendor.
void parse_vendor_fields(const Obj& o, const Scenario& sc, Supplier& s) {
    s.present = true;
    s.name = o.string("name", s.name);
    o.problems().check([&] {
        s.lead_time = distribution_field(o, "lead_time", Support::NonNegative, false, std::nullopt);
        if (s.lead_time.mean() >= sc.run.horizon_days)
            throw ScenarioError(o.at("lead_time"), "mean lead time (" + fmt(s.lead_time.mean()) +
                                                       " days) must be shorter than the horizon (" +
                                                       fmt(sc.run.horizon_days) + " days)");
    });
    s.orders_may_cross = o.boolean("orders_may_cross", s.orders_may_cross);
    o.problems().check([&] {
        s.order_cost = o.money("order_cost", s.order_cost);
        const bool prepay = o.boolean("prepay", false);
        s.payment_terms_days = o.days("payment_terms_days", s.payment_terms_days);
        if (prepay && o.has("payment_terms_days"))
            throw ScenarioError(o.at("payment_terms_days"), "cannot be combined with prepay: true");
        s.payment = prepay ? PaymentTerms::Prepay : s.payment_terms_days > 0 ? PaymentTerms::Net : PaymentTerms::OnDelivery;
        s.min_order = o.integer("min_order", 1, s.min_order);
        s.order_multiple = o.integer("order_multiple", 1, s.order_multiple);
        if (s.min_order > kMaxLevel) throw ScenarioError(o.at("min_order"), "must be at most 1e9");
        if (s.order_multiple > kMaxLevel) throw ScenarioError(o.at("order_multiple"), "must be at most 1e9");
    });
    parse_reliability(o, s);
    parse_capacity_and_outages(o, sc, s);
}

/// A store that never reorders (the newsvendor: policy "none") needs no supplier section.
bool replenishes(const Obj& top) {
    if (!top.has("replenishment")) return true;
    const json& r = top.get("replenishment");
    return !(r.is_object() && r.contains("policy") && r.at("policy") == "none");
}

/// Version 1's one supplier; its unit price is what the item costs the store (its unit_cost unless given).
void parse_supplier(const Obj& top, Scenario& sc) {
    if (!top.has("supplier") && !replenishes(top)) return;
    top.require("supplier");
    Obj o(top.get("supplier"), top.at("supplier"),
          {"name", "lead_time", "orders_may_cross", "unit_price", "order_cost", "payment_terms_days", "prepay",
           "min_order", "order_multiple", "reliability", "capacity", "disruptions"},
          top.problems());
    o.problems().check([&] { sc.items[0].unit_cost = o.money("unit_price", sc.items[0].unit_cost); });
    parse_vendor_fields(o, sc, sc.vendors[0]);
}

void check_level(const Obj& o, const char* key, std::int64_t v) {
    if (v > kMaxLevel || v < -kMaxLevel) throw ScenarioError(o.at(key), "must be between -1e9 and 1e9");
}

void parse_review_period(const Obj& o, const Scenario& sc, Replenishment& r) {
    r.review_period_days = o.days("review_period_days", std::numeric_limits<double>::quiet_NaN(), false);
    if (std::isnan(r.review_period_days)) o.require("review_period_days");
    r.review_offset_days = o.days("review_offset_days", r.review_offset_days);
    if (r.review_offset_days >= r.review_period_days)
        throw ScenarioError(o.at("review_offset_days"), "must be shorter than review_period_days");
    if (sc.run.horizon_days / r.review_period_days > 1e8)
        throw ScenarioError(o.at("review_period_days"), "too short for the horizon (more than 1e8 reviews)");
}

void parse_reorder_levels(const Obj& o, Replenishment& r) {
    r.s = o.integer("s", -kMaxLevel);
    r.S = o.integer("S", -kMaxLevel);
    check_level(o, "s", r.s);
    check_level(o, "S", r.S);
    if (r.s >= r.S)
        throw ScenarioError(o.at("s"), "must be below S (s = " + std::to_string(r.s) + ", S = " + std::to_string(r.S) + ")");
}

void parse_forecast(const Obj& o, const Scenario& sc, Replenishment& r) {
    r.alpha = o.number("alpha", r.alpha);
    if (!(r.alpha > 0) || r.alpha > 1) throw ScenarioError(o.at("alpha"), "must be in (0, 1]");
    o.require("cover_days");
    r.cover_days = o.days("cover_days", r.cover_days, false);
    r.safety_stock = o.integer("safety_stock", 0, r.safety_stock);
    check_level(o, "safety_stock", r.safety_stock);
    parse_review_period(o, sc, r);
}

std::string policy_name(const Obj& holder) {
    holder.require("replenishment");
    const json& j = holder.get("replenishment");
    const std::string path = holder.at("replenishment");
    if (!j.is_object()) throw ScenarioError(path, "must be an object, got " + type_name(j));
    if (!j.contains("policy")) throw ScenarioError(path + "/policy", "required field is missing");
    if (!j.at("policy").is_string()) throw ScenarioError(path + "/policy", "must be a string");
    return j.at("policy").get<std::string>();
}

void parse_replenishment(const Obj& holder, const Scenario& sc, Replenishment& r) {
    const std::string policy = policy_name(holder);
    const json& j = holder.get("replenishment");
    const std::string path = holder.at("replenishment");
    Problems& problems = holder.problems();
    if (policy == "none") {
        Obj o(j, path, {"policy"}, problems);
        r.kind = ReplenishmentKind::None;
    } else if (policy == "s_S") {
        r.kind = ReplenishmentKind::SS;
        parse_reorder_levels(Obj(j, path, {"policy", "s", "S"}, problems), r);
    } else if (policy == "R_s_S") {
        Obj o(j, path, {"policy", "s", "S", "review_period_days", "review_offset_days"}, problems);
        r.kind = ReplenishmentKind::RsS;
        parse_reorder_levels(o, r);
        parse_review_period(o, sc, r);
    } else if (policy == "s_Q") {
        Obj o(j, path, {"policy", "s", "Q"}, problems);
        r.kind = ReplenishmentKind::SQ;
        r.s = o.integer("s", -kMaxLevel);
        check_level(o, "s", r.s);
        r.Q = o.integer("Q", 1);
        if (r.Q > kMaxLevel) throw ScenarioError(o.at("Q"), "must be at most 1e9");
    } else if (policy == "base_stock" || policy == "R_S") {
        const bool periodic = policy == "R_S";
        Obj o = periodic ? Obj(j, path, {"policy", "S", "review_period_days", "review_offset_days"}, problems)
                         : Obj(j, path, {"policy", "S"}, problems);
        r.kind = periodic ? ReplenishmentKind::RS : ReplenishmentKind::BaseStock;
        r.S = o.integer("S", 0);
        check_level(o, "S", r.S);
        if (periodic) parse_review_period(o, sc, r);
    } else if (policy == "forecast") {
        r.kind = ReplenishmentKind::Forecast;
        parse_forecast(
            Obj(j, path, {"policy", "alpha", "cover_days", "safety_stock", "review_period_days", "review_offset_days"},
                problems),
            sc, r);
    } else {
        const std::string guess = closest(policy, {"s_S", "s_Q", "base_stock", "R_S", "R_s_S", "forecast", "none"});
        throw ScenarioError(path + "/policy", "must be one of \"s_S\", \"s_Q\", \"base_stock\", \"R_S\", \"R_s_S\", "
                                              "\"forecast\", \"none\" (got \"" + policy + "\"" +
                                                  (guess.empty() ? "" : "; did you mean \"" + guess + "\"?") + ")");
    }
}

void parse_quote(const Obj& o, Shortage& s) {
    optional_block(o, "quote", {"mode", "factor", "days"}, [&](const Obj& q) {
        const QuoteMode before = s.quote;  // an item's override starts from the store's quote
        const std::string mode =
            q.choice("mode", {"honest", "optimistic", "fixed", "none"}, std::string(quote_name(s.quote)));
        s.quote = mode == "optimistic" ? QuoteMode::Optimistic
                  : mode == "fixed"    ? QuoteMode::Fixed
                  : mode == "none"     ? QuoteMode::None
                                       : QuoteMode::Honest;
        if (q.has("factor") && s.quote != QuoteMode::Optimistic)
            throw ScenarioError(q.at("factor"), "only applies when mode is \"optimistic\"");
        if (q.has("days") && s.quote != QuoteMode::Fixed)
            throw ScenarioError(q.at("days"), "only applies when mode is \"fixed\"");
        s.quote_factor = q.number("factor", s.quote_factor);
        if (!(s.quote_factor > 0) || s.quote_factor > 1) throw ScenarioError(q.at("factor"), "must be in (0, 1]");
        if (s.quote == QuoteMode::Fixed) {
            // A fixed quote states its days; an override that keeps the store's fixed quote keeps them too.
            if (before != QuoteMode::Fixed) q.require("days");
            s.quote_days = q.days("days", s.quote_days);
        }
    });
}

void parse_backorder_caps(const Obj& o, Shortage& s) {
    const bool partial = s.rule == ShortageRule::PartialBackorder;
    for (const char* k : {"max_open_backorders", "max_quoted_wait_days"})
        if (o.has(k) && !partial) throw ScenarioError(o.at(k), "only applies when rule is \"partial_backorder\"");
    if (o.has("max_open_backorders")) s.max_open_backorders = o.integer("max_open_backorders", 0);
    if (o.has("max_quoted_wait_days")) s.max_quoted_wait_days = o.days("max_quoted_wait_days", 0.0);
    if (!partial) s.max_open_backorders = -1, s.max_quoted_wait_days = -1.0;
    if (partial && s.max_open_backorders < 0 && s.max_quoted_wait_days < 0)
        throw ScenarioError(o.path(), "partial_backorder needs max_open_backorders or max_quoted_wait_days");
}

const char* update_name(UpdateMode m) {
    return m == UpdateMode::NotifyOnSlip ? "notify_on_slip" : m == UpdateMode::NotifyPeriodically ? "notify_periodically" : "silent";
}

/// What the store tells waiting customers after the quote (a field left out keeps its value in `s`).
void parse_updates(const Obj& o, const Scenario& sc, Updates& u) {
    optional_block(o, "updates", {"mode", "period_days"}, [&](const Obj& p) {
        const std::string mode = p.choice("mode", {"silent", "notify_on_slip", "notify_periodically"},
                                          std::string(update_name(u.mode)));
        u.mode = mode == "notify_on_slip"        ? UpdateMode::NotifyOnSlip
                 : mode == "notify_periodically" ? UpdateMode::NotifyPeriodically
                                                 : UpdateMode::Silent;
        if (p.has("period_days") && u.mode != UpdateMode::NotifyPeriodically)
            throw ScenarioError(p.at("period_days"), "only applies when mode is \"notify_periodically\"");
        u.period_days = p.days("period_days", u.period_days, false);
        if (sc.run.horizon_days / u.period_days > 1e8)
            throw ScenarioError(p.at("period_days"), "too short for the horizon (more than 1e8 rounds of notices)");
    });
}

/// The fields of a shortage object applied onto `s`: a field left out keeps its value in `s` (the
/// defaults for the store's rule, the store's rule for an item's override).
void parse_shortage_fields(const Obj& o, const Scenario& sc, Shortage& s) {
    const std::string rule =
        o.choice("rule", {"lost_sales", "backorder", "partial_backorder"}, std::string(rule_name(s.rule)));
    s.rule = rule == "backorder"           ? ShortageRule::Backorder
             : rule == "partial_backorder" ? ShortageRule::PartialBackorder
                                           : ShortageRule::LostSales;
    s.prepay = o.boolean("prepay", s.prepay);
    s.deposit_fraction = o.number("deposit_fraction", s.deposit_fraction);
    if (!(s.deposit_fraction > 0) || s.deposit_fraction > 1)
        throw ScenarioError(o.at("deposit_fraction"), "must be in (0, 1]");
    if (o.has("deposit_fraction") && !s.prepay)
        throw ScenarioError(o.at("deposit_fraction"), "only applies with prepay: true");
    s.partial_shipments = o.boolean("partial_shipments", s.partial_shipments);
    s.apology_discount = o.probability("apology_discount", s.apology_discount);
    parse_backorder_caps(o, s);
    parse_quote(o, s);
    parse_updates(o, sc, s.updates);
    if (s.rule == ShortageRule::PartialBackorder && s.max_quoted_wait_days >= 0 && s.quote == QuoteMode::None)
        throw ScenarioError(o.has("max_quoted_wait_days") ? o.at("max_quoted_wait_days") : o.path(),
                            "needs a quote: quote mode \"none\" gives no wait to cap");
}


const std::initializer_list<const char*> kShortageKeys = {
    "rule", "prepay", "deposit_fraction", "partial_shipments", "max_open_backorders", "max_quoted_wait_days",
    "apology_discount", "quote", "updates"};

void parse_shortage(const Obj& top, Scenario& sc) {
    optional_block(top, "shortage", kShortageKeys, [&](const Obj& o) { parse_shortage_fields(o, sc, sc.shortage); });
}

void parse_finance(const Obj& top, Scenario& sc) {
    optional_block(top, "finance",
                   {"holding_cost_accrual", "accrual_period_days", "overdraft_rate_per_year", "deposit_rate_per_year",
                    "salvage_in_profit"},
                   [&](const Obj& o) {
                       Finance& f = sc.finance;
                       const bool daily =
                           o.choice("holding_cost_accrual", {"daily", "period_end"}, std::string("daily")) == "daily";
                       f.accrual_period_days = o.days("accrual_period_days", daily ? 1.0 : 30.0, false);
                       if (o.has("accrual_period_days") && daily)
                           throw ScenarioError(o.at("accrual_period_days"),
                                               "only applies when holding_cost_accrual is \"period_end\"");
                       if (sc.run.horizon_days / f.accrual_period_days > 1e8)
                           throw ScenarioError(o.at("accrual_period_days"),
                                               "too short for the horizon (more than 1e8 postings)");
                       f.overdraft_rate_per_year = o.nonneg("overdraft_rate_per_year", f.overdraft_rate_per_year);
                       f.deposit_rate_per_year = o.nonneg("deposit_rate_per_year", f.deposit_rate_per_year);
                       f.salvage_in_profit = o.boolean("salvage_in_profit", f.salvage_in_profit);
                       for (const char* k : {"overdraft_rate_per_year", "deposit_rate_per_year"})
                           if (o.has(k) && o.number(k) > 10)
                               throw ScenarioError(o.at(k), "must be at most 10 (1000% a year)");
                   });
}

Scenario parse_one_item(const json& doc, Problems& problems) {
    Obj top(doc, "",
            {"schema_version", "name", "description", "run", "sku", "initial", "demand", "customers", "supplier",
             "replenishment", "shortage", "finance", "policies"},
            problems);
    Scenario sc;
    parse_header(top, sc);
    // Later sections read earlier ones (the horizon, the unit cost, the demand model).
    for (auto* section : {parse_run, parse_sku, parse_initial, parse_demand, parse_customers, parse_supplier})
        problems.check([&] { section(top, sc); });
    problems.check([&] { parse_replenishment(top, sc, sc.items[0].replenishment); });
    problems.check([&] { parse_shortage(top, sc); });
    problems.check([&] { parse_finance(top, sc); });
    Item& item = sc.items[0];
    item.shortage = sc.shortage;  // one item: the store's rule
    sc.customers.segments = {store_wide_segment(sc)};
    return sc;
}

Segment store_wide_segment(const Scenario& sc) {
    Segment all;
    all.basket = sc.demand.basket, all.patience = sc.customers.patience, all.acceptance = sc.customers.acceptance;
    return all;
}

void parse_header(const Obj& top, Scenario& sc) {
    top.problems().check([&] {
        sc.name = top.string("name");
        if (sc.name.empty()) throw ScenarioError("/name", "must not be empty");
    });
    top.problems().check([&] { sc.description = top.string("description", std::string()); });
}

Scenario parse_resolved(const json& doc, Problems& problems) {
    if (!doc.is_object()) throw ScenarioError("/", "a scenario must be a JSON object, got " + type_name(doc));
    if (!doc.contains("schema_version")) throw ScenarioError("/schema_version", "required field is missing");
    const json& v = doc.at("schema_version");
    const std::int64_t version = v.is_number_integer() ? v.get<std::int64_t>() : 0;
    if (version != 1 && version != 2)
        throw ScenarioError("/schema_version", "must be 1 (one item: sku, supplier, replenishment) or 2 (a store: "
                                               "items, vendors, segments)");
    Scenario sc = version == 1 ? parse_one_item(doc, problems) : parse_store(doc, problems);
    // An event log asked for in the file must fit; the ledger (on by default) is checked when a run
    // records it (experiments switch recording off).
    if (sc.run.record_events) problems.check([&] { check_recording_fits(sc); });
    return sc;
}

}  // namespace fields
}  // namespace stocklab
