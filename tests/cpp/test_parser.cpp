// The one scenario parser: defaults, rejections with JSON pointers, policy variants, and bounded
// parsing of untrusted text.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "scenario/parser.hpp"
#include "test_helpers.hpp"

namespace stocklab {
namespace {

using json = nlohmann::ordered_json;
using test::doc_from;
using test::scenario_from;

const char* kMinimal = R"({
  "schema_version": 1,
  "name": "minimal",
  "sku": {"price": 10, "unit_cost": 4},
  "demand": {"rate_per_day": 2},
  "supplier": {"lead_time": {"dist": "constant", "value": 3}},
  "replenishment": {"policy": "s_S", "s": 5, "S": 20}
})";

/// A store (schema_version 2) with the fields it must give: two items bought from one vendor.
const char* kStore = R"({
  "schema_version": 2,
  "name": "store",
  "demand": {"visits_per_day": 5},
  "vendors": {"distributor": {"lead_time": {"dist": "constant", "value": 3}}},
  "items": {
    "lens_50": {"price": 200, "unit_cost": 120, "replenishment": {"policy": "s_S", "s": 2, "S": 8}},
    "lens_35": {"price": 250, "unit_cost": 150, "replenishment": {"policy": "s_S", "s": 1, "S": 5}}
  }
})";

/// Expects parsing `doc` (variant `policy`) to fail with a ScenarioError at exactly `pointer`, whose
/// rule contains `rule_part`.
::testing::AssertionResult RejectsAt(const json& doc, const std::string& pointer, const std::string& rule_part,
                                     const std::string& policy = "") {
    try {
        (void)parse_scenario(doc, policy);
    } catch (const ScenarioError& e) {
        if (e.pointer() != pointer)
            return ::testing::AssertionFailure() << "pointer " << e.pointer() << " (wanted " << pointer << "); rule: " << e.rule();
        if (e.rule().find(rule_part) == std::string::npos)
            return ::testing::AssertionFailure() << "rule \"" << e.rule() << "\" does not mention \"" << rule_part << "\"";
        const std::string what = e.what();
        if (what.rfind(pointer + ": ", 0) != 0)
            return ::testing::AssertionFailure() << "what() should start with the pointer: " << what;
        return ::testing::AssertionSuccess();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw a non-ScenarioError: " << e.what();
    }
    return ::testing::AssertionFailure() << "parsed without error (wanted a rejection at " << pointer << ")";
}

TEST(Parser, MinimalScenarioGetsDocumentedDefaults) {
    const Scenario sc = scenario_from(kMinimal);
    EXPECT_EQ(sc.name, "minimal");
    EXPECT_EQ(sc.description, "");
    EXPECT_EQ(sc.policy_name, "");
    // run
    EXPECT_EQ(sc.run.horizon_days, 365.0);
    EXPECT_EQ(sc.run.warmup_days, 0.0);
    EXPECT_EQ(sc.run.replications, 100);
    EXPECT_EQ(sc.run.seed, 1u);
    EXPECT_EQ(sc.run.snapshot_interval_days, 1.0);
    EXPECT_FALSE(sc.run.record_events);
    EXPECT_TRUE(sc.run.record_ledger);
    // sku and initial state
    EXPECT_EQ(sc.items[0].name, "item");
    EXPECT_EQ(sc.items[0].price, 10.0);
    EXPECT_EQ(sc.items[0].unit_cost, 4.0);
    EXPECT_EQ(sc.items[0].holding_cost_per_unit_day, 0.0);
    EXPECT_EQ(sc.items[0].salvage_value, 0.0);
    EXPECT_EQ(sc.items[0].initial_on_hand, 0);
    EXPECT_EQ(sc.initial.cash, 0.0);
    // demand: the textbook anonymous Poisson stream of unit orders
    EXPECT_EQ(sc.demand.model, DemandModel::Poisson);
    EXPECT_EQ(sc.demand.rate_per_day, 2.0);
    EXPECT_EQ(sc.demand.order_size.kind, Distribution::Kind::Constant);
    EXPECT_EQ(sc.demand.order_size.a, 1.0);
    EXPECT_EQ(sc.demand.seasonality.amplitude, 0.0);
    // supplier
    EXPECT_EQ(sc.vendors[0].name, "supplier");
    EXPECT_EQ(sc.vendors[0].lead_time.kind, Distribution::Kind::Constant);
    EXPECT_EQ(sc.vendors[0].lead_time.a, 3.0);
    EXPECT_TRUE(sc.vendors[0].orders_may_cross);
    EXPECT_EQ(sc.items[0].unit_cost, 4.0);  // the unit cost  // defaults to the SKU's unit cost
    EXPECT_EQ(sc.vendors[0].order_cost, 0.0);
    EXPECT_EQ(sc.vendors[0].payment, PaymentTerms::OnDelivery);
    EXPECT_EQ(sc.vendors[0].payment_terms_days, 0.0);
    EXPECT_EQ(sc.vendors[0].min_order, 1);
    EXPECT_EQ(sc.vendors[0].order_multiple, 1);
    EXPECT_EQ(sc.vendors[0].reliability.partial_probability, 0.0);
    EXPECT_EQ(sc.vendors[0].reliability.late_probability, 0.0);
    EXPECT_EQ(sc.vendors[0].capacity.units, 0);
    EXPECT_FALSE(sc.vendors[0].disruptions.enabled);
    // replenishment
    EXPECT_EQ(sc.items[0].replenishment.kind, ReplenishmentKind::SS);
    EXPECT_EQ(sc.items[0].replenishment.s, 5);
    EXPECT_EQ(sc.items[0].replenishment.S, 20);
    EXPECT_FALSE(sc.items[0].replenishment.periodic());
    // shortage: out of stock (lost sales)
    EXPECT_EQ(sc.shortage.rule, ShortageRule::LostSales);
    EXPECT_FALSE(sc.shortage.prepay);
    EXPECT_EQ(sc.shortage.deposit_fraction, 1.0);
    EXPECT_TRUE(sc.shortage.partial_shipments);
    EXPECT_EQ(sc.shortage.max_open_backorders, -1);
    EXPECT_EQ(sc.shortage.max_quoted_wait_days, -1.0);
    EXPECT_EQ(sc.shortage.apology_discount, 0.0);
    EXPECT_EQ(sc.shortage.quote, QuoteMode::Honest);
    // finance
    EXPECT_EQ(sc.finance.accrual_period_days, 1.0);
    EXPECT_EQ(sc.finance.accrual_period_days, 1.0);
    EXPECT_EQ(sc.finance.overdraft_rate_per_year, 0.0);
    EXPECT_EQ(sc.finance.deposit_rate_per_year, 0.0);
}

// ---------------------------------------------------------------------------------------------
// Every default documented in scenarios/schema.json is the one the parser applies.

json load_schema() {
    std::ifstream in(std::string(STOCKLAB_SOURCE_DIR) + "/scenarios/schema.json");
    EXPECT_TRUE(in.good()) << "cannot open scenarios/schema.json";
    return json::parse(in);
}

std::string kind_name(Distribution::Kind k) {
    switch (k) {
        case Distribution::Kind::Constant: return "constant";
        case Distribution::Kind::Exponential: return "exponential";
        case Distribution::Kind::Gamma: return "gamma";
        case Distribution::Kind::Lognormal: return "lognormal";
        case Distribution::Kind::Uniform: return "uniform";
        case Distribution::Kind::UniformInt: return "uniform_int";
        case Distribution::Kind::Empirical: return "empirical";
        case Distribution::Kind::Geometric: return "geometric";
        case Distribution::Kind::Infinite: return "infinite";
    }
    return "?";
}

/// The parsed value as the JSON the schema documents (distributions as {"dist", parameter}).
json as_json(const Distribution& d) {
    json j = {{"dist", kind_name(d.kind)}};
    if (d.kind == Distribution::Kind::Constant) j["value"] = d.a;
    if (d.kind == Distribution::Kind::Exponential) j["mean"] = d.a;
    return j;
}

struct DefaultCase {
    std::string schema_pointer;  // the property in schema.json
    std::string patch;           // what the base scenario needs so the default applies
    std::function<json(const Scenario&)> parsed;
    const char* base = kMinimal;  // the one-item format, or kStore
};

const char* allocation_name(Allocation a) {
    return a == Allocation::Priority ? "priority" : a == Allocation::Loyalty ? "loyalty" : "first_come_first_served";
}

/// One default per documented optional field: where schema.json documents it, what a minimal
/// scenario needs so it applies, and how to read it from a parsed (or default-constructed) Scenario.
std::vector<DefaultCase> default_cases() {
    const std::string customers = R"({"demand": {"model": "customers"}, "customers": {"population": 10}})";
    const char* kOneSegment =
        R"({"demand": {"model": "customers"}, "customers": {"population": 10, "segments": {"everyone": {"share": 1}}}})";
    return {
        {"/$defs/run/properties/horizon_days", "", [](const Scenario& s) { return json(s.run.horizon_days); }},
        {"/$defs/run/properties/warmup_days", "", [](const Scenario& s) { return json(s.run.warmup_days); }},
        {"/$defs/run/properties/replications", "", [](const Scenario& s) { return json(s.run.replications); }},
        {"/$defs/run/properties/seed", "", [](const Scenario& s) { return json(s.run.seed); }},
        {"/$defs/run/properties/snapshot_interval_days", "", [](const Scenario& s) { return json(s.run.snapshot_interval_days); }},
        {"/$defs/run/properties/record_events", "", [](const Scenario& s) { return json(s.run.record_events); }},
        {"/$defs/run/properties/record_ledger", "", [](const Scenario& s) { return json(s.run.record_ledger); }},
        {"/$defs/one_item/properties/sku/properties/name", "", [](const Scenario& s) { return json(s.items[0].name); }},
        {"/$defs/item_fields/properties/holding_cost_per_unit_day", "", [](const Scenario& s) { return json(s.items[0].holding_cost_per_unit_day); }},
        {"/$defs/item_fields/properties/salvage_value", "", [](const Scenario& s) { return json(s.items[0].salvage_value); }},
        {"/$defs/one_item/properties/initial/properties/on_hand", "", [](const Scenario& s) { return json(s.items[0].initial_on_hand); }},
        {"/$defs/initial_fields/properties/cash", "", [](const Scenario& s) { return json(s.initial.cash); }},
        {"/$defs/demand_fields/properties/model", "", [](const Scenario& s) { return json(s.demand.model == DemandModel::Poisson ? "poisson" : "customers"); }},
        {"/$defs/demand_fields/properties/order_size", "", [](const Scenario& s) { return as_json(s.demand.order_size); }},
        {"/$defs/demand_fields/properties/seasonality/properties/amplitude", R"({"demand": {"seasonality": {}}})", [](const Scenario& s) { return json(s.demand.seasonality.amplitude); }},
        {"/$defs/demand_fields/properties/seasonality/properties/period_days", R"({"demand": {"seasonality": {}}})", [](const Scenario& s) { return json(s.demand.seasonality.period_days); }},
        {"/$defs/demand_fields/properties/seasonality/properties/phase_days", R"({"demand": {"seasonality": {}}})", [](const Scenario& s) { return json(s.demand.seasonality.phase_days); }},
        {"/$defs/customers_fields/properties/initial_loyalty", customers, [](const Scenario& s) { return json(s.customers.initial_loyalty); }},
        {"/$defs/customers_fields/properties/behaviour", customers, [](const Scenario& s) { return json(s.customers.behaviour); }},
        {"/$defs/customers_fields/properties/response/properties/buy_elsewhere", customers, [](const Scenario& s) { return json(s.customers.response.buy_elsewhere); }},
        {"/$defs/customers_fields/properties/response/properties/substitute", customers, [](const Scenario& s) { return json(s.customers.response.substitute); }},
        {"/$defs/customers_fields/properties/response/properties/delay", customers, [](const Scenario& s) { return json(s.customers.response.delay); }},
        {"/$defs/customers_fields/properties/response/properties/no_purchase", customers, [](const Scenario& s) { return json(s.customers.response.no_purchase); }},
        {"/$defs/customers_fields/properties/response/properties/delay_days", customers, [](const Scenario& s) { return as_json(s.customers.response.delay_days); }},
        {"/$defs/backorder_acceptance/properties/form", customers, [](const Scenario& s) {
             const AcceptanceForm f = s.customers.acceptance.form;
             return json(f == AcceptanceForm::Exponential ? "exponential" : f == AcceptanceForm::Constant ? "constant"
                         : f == AcceptanceForm::Hyperbolic ? "hyperbolic" : "logistic"); }},
        {"/$defs/backorder_acceptance/properties/beta0", customers, [](const Scenario& s) { return json(s.customers.acceptance.beta0); }},
        {"/$defs/backorder_acceptance/properties/rate_per_day", customers, [](const Scenario& s) { return json(s.customers.acceptance.rate_per_day); }},
        {"/$defs/backorder_acceptance/properties/midpoint_days", customers, [](const Scenario& s) { return json(s.customers.acceptance.midpoint_days); }},
        {"/$defs/customers_fields/properties/patience", customers, [](const Scenario& s) { return as_json(s.customers.patience); }},
        {"/$defs/customers_fields/properties/expected_wait_days", customers, [](const Scenario& s) { return json(s.customers.expected_wait_days); }},
        {"/$defs/customers_fields/properties/late_grace_days", customers, [](const Scenario& s) { return json(s.customers.late_grace_days); }},
        {"/$defs/customers_fields/properties/loyalty/properties/served", customers, [](const Scenario& s) { return json(s.customers.loyalty.served); }},
        {"/$defs/customers_fields/properties/loyalty/properties/backorder_on_time", customers, [](const Scenario& s) { return json(s.customers.loyalty.backorder_on_time); }},
        {"/$defs/customers_fields/properties/loyalty/properties/backorder_late", customers, [](const Scenario& s) { return json(s.customers.loyalty.backorder_late); }},
        {"/$defs/customers_fields/properties/loyalty/properties/turned_away", customers, [](const Scenario& s) { return json(s.customers.loyalty.turned_away); }},
        {"/$defs/customers_fields/properties/loyalty/properties/cancelled", customers, [](const Scenario& s) { return json(s.customers.loyalty.cancelled); }},
        {"/$defs/customers_fields/properties/loyalty/properties/churn_below", customers, [](const Scenario& s) { return json(s.customers.loyalty.churn_below); }},
        {"/$defs/customers_fields/properties/loyalty/properties/churn_probability", customers, [](const Scenario& s) { return json(s.customers.loyalty.churn_probability); }},
        {"/$defs/customers_fields/properties/new_customers/properties/rate_per_day", customers, [](const Scenario& s) { return json(s.customers.new_customer_rate_per_day); }},
        {"/$defs/customers_fields/properties/word_of_mouth/properties/review_probability", customers, [](const Scenario& s) { return json(s.customers.word_of_mouth.review_probability); }},
        {"/$defs/customers_fields/properties/word_of_mouth/properties/review_weight", customers, [](const Scenario& s) { return json(s.customers.word_of_mouth.review_weight); }},
        {"/$defs/customers_fields/properties/word_of_mouth/properties/memory_days", customers, [](const Scenario& s) { return json(s.customers.word_of_mouth.memory_days); }},
        {"/$defs/one_item/properties/supplier/properties/name", "", [](const Scenario& s) { return json(s.vendors[0].name); }},
        {"/$defs/vendor_fields/properties/orders_may_cross", "", [](const Scenario& s) { return json(s.vendors[0].orders_may_cross); }},
        {"/$defs/vendor_fields/properties/order_cost", "", [](const Scenario& s) { return json(s.vendors[0].order_cost); }},
        {"/$defs/vendor_fields/properties/payment_terms_days", "", [](const Scenario& s) { return json(s.vendors[0].payment_terms_days); }},
        {"/$defs/vendor_fields/properties/prepay", "", [](const Scenario& s) { return json(s.vendors[0].payment == PaymentTerms::Prepay); }},
        {"/$defs/vendor_fields/properties/min_order", "", [](const Scenario& s) { return json(s.vendors[0].min_order); }},
        {"/$defs/vendor_fields/properties/order_multiple", "", [](const Scenario& s) { return json(s.vendors[0].order_multiple); }},
        {"/$defs/vendor_fields/properties/reliability/properties/partial_probability", R"({"supplier": {"reliability": {}}})", [](const Scenario& s) { return json(s.vendors[0].reliability.partial_probability); }},
        {"/$defs/vendor_fields/properties/reliability/properties/partial_fraction", R"({"supplier": {"reliability": {}}})", [](const Scenario& s) { return as_json(s.vendors[0].reliability.partial_fraction); }},
        {"/$defs/vendor_fields/properties/reliability/properties/late_probability", R"({"supplier": {"reliability": {}}})", [](const Scenario& s) { return json(s.vendors[0].reliability.late_probability); }},
        {"/$defs/vendor_fields/properties/reliability/properties/late_days", R"({"supplier": {"reliability": {}}})", [](const Scenario& s) { return as_json(s.vendors[0].reliability.late_days); }},
        {"/$defs/vendor_fields/properties/capacity/properties/period_days", R"({"supplier": {"capacity": {"units": 5}}})", [](const Scenario& s) { return json(s.vendors[0].capacity.period_days); }},
        {"/$defs/shortage_fields/properties/rule", "", [](const Scenario& s) { return json(s.shortage.rule == ShortageRule::LostSales ? "lost_sales" : "other"); }},
        {"/$defs/shortage_fields/properties/prepay", "", [](const Scenario& s) { return json(s.shortage.prepay); }},
        {"/$defs/shortage_fields/properties/deposit_fraction", R"({"shortage": {"rule": "backorder", "prepay": true}})", [](const Scenario& s) { return json(s.shortage.deposit_fraction); }},
        {"/$defs/shortage_fields/properties/partial_shipments", "", [](const Scenario& s) { return json(s.shortage.partial_shipments); }},
        {"/$defs/shortage_fields/properties/apology_discount", "", [](const Scenario& s) { return json(s.shortage.apology_discount); }},
        {"/$defs/quote/properties/mode", R"({"shortage": {"rule": "backorder", "quote": {}}})", [](const Scenario& s) { return json(s.shortage.quote == QuoteMode::Honest ? "honest" : "other"); }},
        {"/$defs/quote/properties/factor", R"({"shortage": {"rule": "backorder", "quote": {"mode": "optimistic"}}})", [](const Scenario& s) { return json(s.shortage.quote_factor); }},
        {"/$defs/finance/properties/holding_cost_accrual", R"({"finance": {}})", [](const Scenario& s) { return json(s.finance.accrual_period_days == 1.0 ? "daily" : "period_end"); }},
        {"/$defs/finance/properties/overdraft_rate_per_year", R"({"finance": {}})", [](const Scenario& s) { return json(s.finance.overdraft_rate_per_year); }},
        {"/$defs/finance/properties/deposit_rate_per_year", R"({"finance": {}})", [](const Scenario& s) { return json(s.finance.deposit_rate_per_year); }},
        {"/$defs/replenishment_R_S/properties/review_offset_days", R"({"replenishment": {"policy": "R_S", "s": null, "review_period_days": 7}})", [](const Scenario& s) { return json(s.items[0].replenishment.review_offset_days); }},
        {"/$defs/replenishment_forecast/properties/alpha", R"({"replenishment": {"policy": "forecast", "s": null, "S": null, "cover_days": 10, "review_period_days": 7}})", [](const Scenario& s) { return json(s.items[0].replenishment.alpha); }},
        {"/$defs/replenishment_forecast/properties/safety_stock", R"({"replenishment": {"policy": "forecast", "s": null, "S": null, "cover_days": 10, "review_period_days": 7}})", [](const Scenario& s) { return json(s.items[0].replenishment.safety_stock); }},
        {"/$defs/customers_fields/properties/word_of_mouth/properties/positive_review_probability", customers, [](const Scenario& s) { return json(s.customers.word_of_mouth.positive_review_probability); }},
        {"/$defs/finance/properties/salvage_in_profit", R"({"finance": {}})", [](const Scenario& s) { return json(s.finance.salvage_in_profit); }},
        // The store format's own defaults (the shared sections above are the same definitions).
        {"/$defs/store/properties/description", "", [](const Scenario& s) { return json(s.description); }, kStore},
        {"/$defs/store/properties/demand/properties/basket", "", [](const Scenario& s) { return as_json(s.demand.basket); }, kStore},
        {"/$defs/store/properties/allocation", "", [](const Scenario& s) { return json(allocation_name(s.allocation)); }, kStore},
        {"/$defs/item/properties/popularity", "", [](const Scenario& s) { return json(s.items[0].popularity); }, kStore},
        {"/$defs/item/properties/initial_on_hand", "", [](const Scenario& s) { return json(s.items[0].initial_on_hand); }, kStore},
        {"/$defs/item/properties/substitutes", "", [](const Scenario& s) { return json(s.items[0].substitutes); }, kStore},
        {"/$defs/item_fields/properties/holding_cost_per_unit_day", "", [](const Scenario& s) { return json(s.items.back().holding_cost_per_unit_day); }, kStore},
        {"/$defs/item_fields/properties/salvage_value", "", [](const Scenario& s) { return json(s.items.back().salvage_value); }, kStore},
        {"/$defs/vendor_fields/properties/order_cost", "", [](const Scenario& s) { return json(s.vendors[0].order_cost); }, kStore},
        {"/$defs/vendor_fields/properties/min_order", "", [](const Scenario& s) { return json(s.vendors[0].min_order); }, kStore},
        {"/$defs/segment/properties/visit_rate_factor", kOneSegment, [](const Scenario& s) { return json(s.customers.segments[0].visit_rate_factor); }, kStore},
        {"/$defs/segment/properties/loyalty_sensitivity", kOneSegment, [](const Scenario& s) { return json(s.customers.segments[0].loyalty_sensitivity); }, kStore},
        {"/$defs/segment/properties/priority", kOneSegment, [](const Scenario& s) { return json(s.customers.segments[0].priority); }, kStore},
        // Vendors, sourcing and updates to waiting customers (issue 15).
        {"/$defs/customers_fields/properties/loyalty/properties/backorder_late_announced", customers, [](const Scenario& s) { return json(s.customers.loyalty.backorder_late_announced); }},
        {"/$defs/customers_fields/properties/loyalty/properties/cancelled_after_notice", customers, [](const Scenario& s) { return json(s.customers.loyalty.cancelled_after_notice); }},
        {"/$defs/vendor_fields/properties/reliability/properties/late_notice_days", R"({"supplier": {"reliability": {}}})", [](const Scenario& s) { return json(s.vendors[0].reliability.late_notice_days); }},
        {"/$defs/vendor/properties/price_factor", "", [](const Scenario& s) { return json(s.vendors[0].price_factor); }, kStore},
        {"/$defs/shortage_fields/properties/updates/properties/mode", R"({"shortage": {"updates": {}}})", [](const Scenario& s) { return json(s.shortage.updates.mode == UpdateMode::Silent ? "silent" : "other"); }},
        {"/$defs/shortage_fields/properties/updates/properties/period_days", R"({"shortage": {"updates": {"mode": "notify_periodically"}}})", [](const Scenario& s) { return json(s.shortage.updates.period_days); }},
        {"/$defs/sourcing/properties/rule", "", [](const Scenario& s) { return json(s.items[0].sourcing.rule == SourcingRule::Single ? "single" : "other"); }, kStore},
        {"/$defs/sourcing/properties/late_deliveries", "", [](const Scenario& s) { return json(s.items[0].sourcing.late_deliveries); }, kStore},
        {"/$defs/sourcing/properties/window_days", "", [](const Scenario& s) { return json(s.items[0].sourcing.window_days); }, kStore},
        {"/$defs/shortage_fields/properties/rule", "", [](const Scenario& s) { return json(s.items[0].shortage.rule == ShortageRule::LostSales ? "lost_sales" : "other"); }, kStore},
    };
}

/// Documented and actual default agree (numbers as numbers, distributions parameter by parameter).
void expect_same_default(const json& documented, const json& actual) {
    if (documented.is_number() && actual.is_number()) {
        EXPECT_EQ(documented.get<double>(), actual.get<double>());
    } else if (documented.is_object() && actual.is_object()) {
        for (auto it = documented.begin(); it != documented.end(); ++it) {
            ASSERT_TRUE(actual.contains(it.key())) << it.key();
            if (it.value().is_number()) EXPECT_EQ(it.value().get<double>(), actual.at(it.key()).get<double>()) << it.key();
            else EXPECT_EQ(it.value(), actual.at(it.key())) << it.key();
        }
    } else {
        EXPECT_EQ(documented, actual);
    }
}

TEST(Parser, DefaultsMatchTheSchemaDocumentation) {
    const json schema = load_schema();
    const std::vector<DefaultCase> cases = default_cases();
    std::size_t checked = 0;
    for (const DefaultCase& c : cases) {
        SCOPED_TRACE(c.schema_pointer);
        const json::json_pointer ptr(c.schema_pointer + "/default");
        if (!schema.contains(ptr)) {
            ADD_FAILURE() << "schema.json documents no default at " << c.schema_pointer;
            continue;
        }
        expect_same_default(schema.at(ptr), c.parsed(scenario_from(c.base, c.patch)));
        ++checked;
    }
    EXPECT_EQ(checked, cases.size());
}

TEST(Parser, StructDefaultsAreTheDocumentedDefaults) {
    // One source of defaults: a Scenario built in C++ gets the model a file leaving the field out gets.
    const json schema = load_schema();
    const Scenario in_code;
    for (const DefaultCase& c : default_cases()) {
        SCOPED_TRACE(c.schema_pointer);
        expect_same_default(schema.at(json::json_pointer(c.schema_pointer + "/default")), c.parsed(in_code));
    }
}

TEST(Parser, SupplierUnitPriceDefaultsToUnitCost) {
    EXPECT_EQ(scenario_from(kMinimal, R"({"sku": {"unit_cost": 7.5}})").items[0].unit_cost, 7.5);
    EXPECT_EQ(scenario_from(kMinimal, R"({"sku": {"unit_cost": 7.5}, "supplier": {"unit_price": 6}})").items[0].unit_cost,
              6.0);
}

TEST(Parser, PaymentTermsFromFields) {
    EXPECT_EQ(scenario_from(kMinimal, R"({"supplier": {"payment_terms_days": 30}})").vendors[0].payment, PaymentTerms::Net);
    EXPECT_EQ(scenario_from(kMinimal, R"({"supplier": {"prepay": true}})").vendors[0].payment, PaymentTerms::Prepay);
}

TEST(Parser, CustomersModelDefaults) {
    const Scenario sc = scenario_from(kMinimal, R"({"demand": {"model": "customers"}, "customers": {"population": 50}})");
    EXPECT_EQ(sc.demand.model, DemandModel::Customers);
    EXPECT_EQ(sc.customers.population, 50);
    EXPECT_TRUE(sc.customers.behaviour);
    EXPECT_EQ(sc.customers.initial_loyalty, 0.8);
    EXPECT_EQ(sc.customers.patience.kind, Distribution::Kind::Exponential);
    EXPECT_EQ(sc.customers.patience.a, 14.0);
    EXPECT_EQ(sc.customers.loyalty.served, 0.02);
    const StockoutResponse& r = sc.customers.response;
    EXPECT_NEAR(r.buy_elsewhere + r.substitute + r.delay + r.no_purchase, 1.0, 1e-12);
}

TEST(Parser, PeriodicPoliciesParse) {
    const Scenario rs = scenario_from(kMinimal, R"({"replenishment": {"policy": "R_S", "s": null, "S": 40,
        "review_period_days": 7, "review_offset_days": 2}})");
    EXPECT_EQ(rs.items[0].replenishment.kind, ReplenishmentKind::RS);
    EXPECT_EQ(rs.items[0].replenishment.S, 40);
    EXPECT_EQ(rs.items[0].replenishment.review_period_days, 7.0);
    EXPECT_EQ(rs.items[0].replenishment.review_offset_days, 2.0);
    EXPECT_TRUE(rs.items[0].replenishment.periodic());
    const Scenario fc = scenario_from(kMinimal, R"({"replenishment": {"policy": "forecast", "s": null, "S": null,
        "alpha": 0.3, "cover_days": 14, "safety_stock": 4, "review_period_days": 7}})");
    EXPECT_EQ(fc.items[0].replenishment.kind, ReplenishmentKind::Forecast);
    EXPECT_EQ(fc.items[0].replenishment.alpha, 0.3);
    EXPECT_EQ(fc.items[0].replenishment.cover_days, 14.0);
    EXPECT_EQ(fc.items[0].replenishment.safety_stock, 4);
}

struct BadCase {
    const char* label;
    const char* patch;  // merge patch on kMinimal
    const char* pointer;
    const char* rule_part;
};

class ParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParserRejects, WithPointerAndRule) {
    const BadCase& c = GetParam();
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, c.patch), c.pointer, c.rule_part)) << c.label;
}

const BadCase kBadCases[] = {
    {"unknown_top_key", R"({"extra": 1})", "/extra", "unknown key"},
    {"unknown_sku_key", R"({"sku": {"prize": 3}})", "/sku/prize", "unknown key"},
    {"unknown_key_escaped", R"({"sku": {"a/b~c": 3}})", "/sku/a~1b~0c", "unknown key"},
    {"unknown_dist_key", R"({"supplier": {"lead_time": {"dist": "constant", "value": 3, "mean": 2}}})",
     "/supplier/lead_time/mean", "unknown key"},
    {"price_is_string", R"({"sku": {"price": "10"}})", "/sku/price", "must be a number"},
    {"bool_is_number", R"({"run": {"record_events": 1}})", "/run/record_events", "true or false"},
    {"integer_is_fraction", R"({"initial": {"on_hand": 2.5}})", "/initial/on_hand", "integer"},
    {"section_is_array", R"({"sku": [1, 2]})", "/sku", "must be an object"},
    {"dist_not_object", R"({"supplier": {"lead_time": 3}})", "/supplier/lead_time", "distribution object"},
    {"negative_lead_time", R"({"supplier": {"lead_time": {"dist": "constant", "value": -1}}})",
     "/supplier/lead_time/value", ">= 0"},
    {"negative_lead_time_mean", R"({"supplier": {"lead_time": {"dist": "gamma", "value": null, "mean": -4, "cv": 0.3}}})",
     "/supplier/lead_time/mean", "> 0"},
    {"negative_uniform_low", R"({"supplier": {"lead_time": {"dist": "uniform", "value": null, "low": -1, "high": 2}}})",
     "/supplier/lead_time/low", ">= 0"},
    {"lead_time_beyond_horizon", R"({"run": {"horizon_days": 10}, "supplier": {"lead_time": {"dist": "constant", "value": 12}}})",
     "/supplier/lead_time", "shorter than the horizon"},
    {"unknown_dist", R"({"supplier": {"lead_time": {"dist": "weibull", "mean": 3}}})", "/supplier/lead_time/dist",
     "must be one of"},
    {"s_equals_S", R"({"replenishment": {"s": 20, "S": 20}})", "/replenishment/s", "below S"},
    {"s_above_S", R"({"replenishment": {"s": 30}})", "/replenishment/s", "below S"},
    {"missing_price", R"({"sku": {"price": null}})", "/sku/price", "required"},
    {"missing_sku", R"({"sku": null})", "/sku", "required"},
    {"missing_lead_time", R"({"supplier": {"lead_time": null}})", "/supplier/lead_time", "required"},
    {"missing_S", R"({"replenishment": {"S": null}})", "/replenishment/S", "required"},
    {"missing_policy", R"({"replenishment": {"policy": null}})", "/replenishment/policy", "required"},
    {"missing_name", R"({"name": null})", "/name", "required"},
    {"missing_dist_name", R"({"supplier": {"lead_time": {"dist": null}}})", "/supplier/lead_time/dist", "required"},
    {"warmup_equals_horizon", R"({"run": {"horizon_days": 100, "warmup_days": 100}})", "/run/warmup_days",
     "shorter than horizon"},
    {"warmup_beyond_horizon", R"({"run": {"warmup_days": 400}})", "/run/warmup_days", "shorter than horizon"},
    {"zero_horizon", R"({"run": {"horizon_days": 0}})", "/run/horizon_days", "> 0"},
    {"schema_version", R"({"schema_version": 3})", "/schema_version", "must be 1 (one item"},
    {"unknown_policy_kind", R"({"replenishment": {"policy": "magic"}})", "/replenishment/policy", "must be one of"},
    {"unknown_rule", R"({"shortage": {"rule": "maybe"}})", "/shortage/rule", "must be one of"},
    {"probability_above_one", R"({"supplier": {"reliability": {"partial_probability": 1.5}}})",
     "/supplier/reliability/partial_probability", "probability"},
    {"non_integer_order_size", R"({"demand": {"order_size": {"dist": "exponential", "mean": 2}}})",
     "/demand/order_size", "whole units"},
    {"customers_without_model", R"({"customers": {"population": 5}})", "/customers", "only allowed"},
    {"model_without_customers", R"({"demand": {"model": "customers"}})", "/customers", "required"},
    {"responses_do_not_sum", R"({"demand": {"model": "customers"}, "customers": {"population": 5, "response": {"buy_elsewhere": 0.9}}})",
     "/customers/response", "sum to 1"},
    {"negative_seed", R"({"run": {"seed": -1}})", "/run/seed", ">= 0"},
    {"huge_integer", R"({"initial": {"on_hand": 1e300}})", "/initial/on_hand", "at most"},
    {"deposit_without_prepay", R"({"shortage": {"rule": "backorder", "deposit_fraction": 0.5}})",
     "/shortage/deposit_fraction", "prepay"},
    {"partial_without_cap", R"({"shortage": {"rule": "partial_backorder"}})", "/shortage", "max_open_backorders"},
    {"review_offset_too_long", R"({"replenishment": {"policy": "R_S", "s": null, "review_period_days": 7,
        "review_offset_days": 7}})", "/replenishment/review_offset_days", "shorter than review_period_days"},
    {"empirical_negative_weight", R"({"supplier": {"lead_time": {"dist": "empirical", "value": null, "values": [1, 2], "weights": [1, -1]}}})",
     "/supplier/lead_time/weights/1", ">= 0"},
    {"empirical_bad_value", R"({"supplier": {"lead_time": {"dist": "empirical", "value": null, "values": [1, "x"]}}})",
     "/supplier/lead_time/values/1", "finite number"},
};

INSTANTIATE_TEST_SUITE_P(Table, ParserRejects, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.label); });

TEST(Parser, NaNAndInfinityInjectedAsDoublesAreRejected) {
    // JSON text cannot carry NaN, but a document built in code (or from Python) can.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    struct Case {
        std::vector<std::string> path;
        double value;
        std::string pointer;
    };
    const std::vector<Case> cases{
        {{"sku", "price"}, nan, "/sku/price"},
        {{"sku", "holding_cost_per_unit_day"}, nan, "/sku/holding_cost_per_unit_day"},
        {{"initial", "cash"}, nan, "/initial/cash"},
        {{"initial", "on_hand"}, nan, "/initial/on_hand"},
        {{"replenishment", "s"}, nan, "/replenishment/s"},
        {{"run", "horizon_days"}, nan, "/run/horizon_days"},
        {{"demand", "rate_per_day"}, inf, "/demand/rate_per_day"},
        {{"supplier", "lead_time", "value"}, nan, "/supplier/lead_time/value"},
        {{"sku", "price"}, -inf, "/sku/price"},
    };
    for (const Case& c : cases) {
        json doc = doc_from(kMinimal);
        json* node = &doc;
        for (const std::string& k : c.path) node = &(*node)[k];
        *node = c.value;
        EXPECT_TRUE(RejectsAt(doc, c.pointer, "")) << c.pointer << " = " << c.value;
    }
    // Inside an array too.
    json doc = doc_from(kMinimal, R"({"supplier": {"lead_time": {"dist": "empirical", "value": null, "values": [1, 2], "weights": [1, 1]}}})");
    doc["supplier"]["lead_time"]["weights"][1] = nan;
    EXPECT_TRUE(RejectsAt(doc, "/supplier/lead_time/weights/1", "finite"));
    doc = doc_from(kMinimal, R"({"supplier": {"lead_time": {"dist": "empirical", "value": null, "values": [1, 2]}}})");
    doc["supplier"]["lead_time"]["values"][0] = nan;
    EXPECT_TRUE(RejectsAt(doc, "/supplier/lead_time/values/0", "finite"));
}

TEST(Parser, NonObjectDocumentIsRejectedAtRoot) {
    EXPECT_TRUE(RejectsAt(json::array({1, 2}), "/", "JSON object"));
    EXPECT_TRUE(RejectsAt(json("text"), "/", "JSON object"));
}

// ---------------------------------------------------------------------------------------------
// Policy variants

const char* kWithPolicies = R"({
  "schema_version": 1,
  "name": "variants",
  "sku": {"price": 10, "unit_cost": 4},
  "demand": {"rate_per_day": 2},
  "supplier": {"lead_time": {"dist": "constant", "value": 3}},
  "replenishment": {"policy": "s_S", "s": 5, "S": 20},
  "shortage": {"rule": "lost_sales", "apology_discount": 0.1},
  "policies": {
    "zeta_backorder": {"shortage": {"rule": "backorder", "prepay": true}},
    "alpha_bigger": {"replenishment": {"S": 50}, "run": {"horizon_days": 100}},
    "drop_apology": {"shortage": {"apology_discount": null}}
  }
})";

TEST(Policies, NamesInFileOrder) {
    EXPECT_EQ(policy_names(doc_from(kWithPolicies)),
              (std::vector<std::string>{"zeta_backorder", "alpha_bigger", "drop_apology"}));
    EXPECT_TRUE(policy_names(doc_from(kMinimal)).empty());
    try {
        (void)policy_names(doc_from(kMinimal, R"({"policies": [1]})"));
        ADD_FAILURE() << "policies that are not an object must be rejected";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.pointer(), "/policies");
    }
}

TEST(Policies, ResolveMergesVariantIntoBase) {
    const json doc = doc_from(kWithPolicies);
    const json base = resolve_policy(doc, "");
    EXPECT_FALSE(base.contains("policies"));
    EXPECT_EQ(base.at("shortage").at("rule"), "lost_sales");

    const json bo = resolve_policy(doc, "zeta_backorder");
    EXPECT_FALSE(bo.contains("policies"));
    EXPECT_EQ(bo.at("shortage").at("rule"), "backorder");
    EXPECT_EQ(bo.at("shortage").at("prepay"), true);
    EXPECT_EQ(bo.at("shortage").at("apology_discount"), 0.1);  // a sibling the variant did not touch
    EXPECT_EQ(bo.at("replenishment"), base.at("replenishment"));

    const json big = resolve_policy(doc, "alpha_bigger");
    EXPECT_EQ(big.at("replenishment").at("S"), 50);
    EXPECT_EQ(big.at("replenishment").at("s"), 5);
    EXPECT_EQ(big.at("replenishment").at("policy"), "s_S");
    EXPECT_EQ(big.at("run").at("horizon_days"), 100);

    const json drop = resolve_policy(doc, "drop_apology");
    EXPECT_FALSE(drop.at("shortage").contains("apology_discount"));  // null deletes (RFC 7386)
    EXPECT_EQ(drop.at("shortage").at("rule"), "lost_sales");
}

TEST(Policies, ParseScenarioAppliesVariant) {
    const json doc = doc_from(kWithPolicies);
    const Scenario base = parse_scenario(doc);
    EXPECT_EQ(base.policy_name, "");
    EXPECT_EQ(base.shortage.rule, ShortageRule::LostSales);
    EXPECT_EQ(base.shortage.apology_discount, 0.1);
    const Scenario bo = parse_scenario(doc, "zeta_backorder");
    EXPECT_EQ(bo.policy_name, "zeta_backorder");
    EXPECT_EQ(bo.shortage.rule, ShortageRule::Backorder);
    EXPECT_TRUE(bo.shortage.prepay);
    EXPECT_EQ(bo.shortage.apology_discount, 0.1);
    const Scenario big = parse_scenario(doc, "alpha_bigger");
    EXPECT_EQ(big.items[0].replenishment.S, 50);
    EXPECT_EQ(big.run.horizon_days, 100.0);
    EXPECT_EQ(parse_scenario(doc, "drop_apology").shortage.apology_discount, 0.0);
    EXPECT_NO_THROW(validate_scenario(doc));
}

TEST(Policies, OverrideErrorsPointIntoThePolicy) {
    struct Case {
        const char* policies;
        const char* pointer;
        const char* rule_part;
    };
    const std::vector<Case> cases{
        {R"({"p": {"shortage": {"rule": "maybe"}}})", "/policies/p/shortage/rule", "must be one of"},
        {R"({"p": {"sku": {"price": -1}}})", "/policies/p/sku/price", "> 0"},
        {R"({"p": {"supplier": {"lead": 1}}})", "/policies/p/supplier/lead", "unknown key"},
        {R"({"p": {"replenishment": {"s": 30}}})", "/policies/p/replenishment/s", "below S"},
        {R"({"p": {"supplier": {"lead_time": {"dist": "constant", "value": -2}}}})",
         "/policies/p/supplier/lead_time/value", ">= 0"},
        {R"({"p": {"run": {"warmup_days": 1000}}})", "/policies/p/run/warmup_days", "shorter than horizon"},
        {R"({"p": 3})", "/policies/p", "must be an object"},
        {R"({"p": {"schema_version": 1}})", "/policies/p/schema_version", "cannot be overridden"},
        {R"({"p": {"policies": {}}})", "/policies/p/policies", "cannot be overridden"},
        {R"({"a/b": {"sku": {"price": "x"}}})", "/policies/a~1b/sku/price", "must be a number"},
    };
    for (const Case& c : cases) {
        const json doc = doc_from(kMinimal, std::string(R"({"policies": )") + c.policies + "}");
        const std::string name = doc.at("policies").begin().key();
        EXPECT_TRUE(RejectsAt(doc, c.pointer, c.rule_part, name)) << c.policies;
        // validate_scenario checks every variant, so it reports the same error.
        try {
            validate_scenario(doc);
            ADD_FAILURE() << "validate_scenario accepted " << c.policies;
        } catch (const ScenarioError& e) {
            EXPECT_EQ(e.pointer(), c.pointer);
        }
        // The base scenario itself is fine.
        EXPECT_NO_THROW((void)parse_scenario(doc));
    }
}

TEST(Policies, ErrorCausedByBaseValueNamesThePolicy) {
    // The variant lowers S below the base s: the bad pair involves a base field, so the pointer stays
    // on the base document and the rule names the variant.
    const json doc = doc_from(kMinimal, R"({"policies": {"small": {"replenishment": {"S": 2}}}})");
    try {
        (void)parse_scenario(doc, "small");
        ADD_FAILURE() << "s >= S accepted";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.pointer(), "/replenishment/s");
        EXPECT_NE(e.rule().find("in policy \"small\""), std::string::npos) << e.rule();
    }
}

TEST(Policies, UnknownPolicyName) {
    EXPECT_TRUE(RejectsAt(doc_from(kWithPolicies), "/policies/nope", "no such policy", "nope"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal), "/policies/nope", "none", "nope"));
}

// ---------------------------------------------------------------------------------------------
// Untrusted text

::testing::AssertionResult TextRejected(const std::string& text, const std::string& rule_part) {
    try {
        (void)parse_json_text(text);
    } catch (const ScenarioError& e) {
        if (e.pointer() != "/") return ::testing::AssertionFailure() << "pointer " << e.pointer();
        if (e.rule().find(rule_part) == std::string::npos)
            return ::testing::AssertionFailure() << "rule \"" << e.rule() << "\" lacks \"" << rule_part << "\"";
        return ::testing::AssertionSuccess();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "threw a non-ScenarioError: " << e.what();
    }
    return ::testing::AssertionFailure() << "accepted";
}

TEST(JsonText, ParsesValidText) {
    const json j = parse_json_text(kMinimal);
    EXPECT_EQ(j.at("name"), "minimal");
    EXPECT_EQ(j.begin().key(), "schema_version");  // key order is kept
}

TEST(JsonText, RejectsNonJson) {
    EXPECT_TRUE(TextRejected("{ not json", "not valid JSON"));
    EXPECT_TRUE(TextRejected("", "not valid JSON"));
    EXPECT_TRUE(TextRejected("{} trailing", "not valid JSON"));
    EXPECT_TRUE(TextRejected("{\"a\": 1,}", "not valid JSON"));
    EXPECT_TRUE(TextRejected("{\"a\": NaN}", "not valid JSON"));
    EXPECT_TRUE(TextRejected(std::string("{\"a\": \"\xff\"}"), "not valid JSON"));
}

TEST(JsonText, RejectsNumbersOutOfRange) {
    // 1e400 overflows a double: still a ScenarioError, not a library exception.
    EXPECT_TRUE(TextRejected("{\"a\": 1e400}", ""));
    EXPECT_TRUE(TextRejected("[-1e999]", ""));
}

TEST(JsonText, DuplicateKeysAreRejectedWithTheirPointer) {
    auto at = [](const std::string& text) {
        try {
            (void)parse_json_text(text);
        } catch (const ScenarioError& e) {
            return e.pointer();
        }
        return std::string("accepted");
    };
    EXPECT_EQ(at(R"({"a": 1, "a": 2})"), "/a");
    EXPECT_EQ(at(R"({"sku": {"price": 1, "price": 2}})"), "/sku/price");
    EXPECT_EQ(at(R"({"x": [{"k": 1}, {"k": 1, "k": 2}]})"), "/x/1/k");
    EXPECT_EQ(at(R"({"a/b": {"k": 1, "k": 2}})"), "/a~1b/k");
    EXPECT_EQ(at(R"({"k": 1, "o": {"k": 2}, "p": [{"k": 3}]})"), "accepted");  // same key, other objects
}

TEST(JsonText, SizeLimit) {
    std::string big(kMaxScenarioBytes + 1, ' ');
    big[0] = '{';
    big[1] = '}';
    EXPECT_TRUE(TextRejected(big, "10 MB"));
    // Exactly at the limit is fine.
    std::string ok(kMaxScenarioBytes, ' ');
    ok[0] = '{';
    ok[1] = '}';
    EXPECT_NO_THROW((void)parse_json_text(ok));
}

std::string nested_arrays(int levels, const std::string& inner) {
    return std::string(static_cast<std::size_t>(levels), '[') + inner + std::string(static_cast<std::size_t>(levels), ']');
}

std::string nested_objects(int levels) {
    std::string s;
    for (int i = 0; i < levels; ++i) s += "{\"k\": ";
    s += "1";
    for (int i = 0; i < levels; ++i) s += "}";
    return s;
}

TEST(JsonText, DepthLimit) {
    EXPECT_EQ(kMaxJsonDepth, 32);
    // 32 levels of containers are accepted, 33 are not, whatever the innermost value.
    for (const std::string inner : {"", "1", "{}", "[]"}) {
        const int extra = inner == "{}" || inner == "[]" ? 1 : 0;  // an empty container is a level too
        EXPECT_NO_THROW((void)parse_json_text(nested_arrays(kMaxJsonDepth - extra, inner))) << "inner " << inner;
        EXPECT_TRUE(TextRejected(nested_arrays(kMaxJsonDepth + 1 - extra, inner), "nested deeper than 32"))
            << "inner " << inner;
    }
    EXPECT_NO_THROW((void)parse_json_text(nested_objects(kMaxJsonDepth)));
    EXPECT_TRUE(TextRejected(nested_objects(kMaxJsonDepth + 1), "nested deeper than 32"));
}

TEST(JsonText, PathologicalNestingDoesNotCrash) {
    // A million opening brackets (just under the size limit): rejected early, no stack overflow.
    EXPECT_TRUE(TextRejected(std::string(1000000, '['), "nested deeper"));
    std::string objects;
    for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
    EXPECT_TRUE(TextRejected(objects, "nested deeper"));
}

TEST(JsonText, DeepDocumentFromCodeIsRejectedNotCrashing) {
    // A document built in code skips the text guard (Python's recursion limit keeps real ones near
    // 1000 levels); the scenario parser must still reject it cleanly.
    json deep = 1;
    for (int i = 0; i < 2000; ++i) deep = json::array({std::move(deep)});
    json doc = doc_from(kMinimal);
    doc["sku"]["price"] = std::move(deep);
    EXPECT_TRUE(RejectsAt(doc, "/sku/price", "must be a number"));
}

}  // namespace
}  // namespace stocklab

namespace stocklab {
namespace {

std::vector<Problem> problems_of(const json& doc, const std::string& policy = "") {
    try {
        (void)parse_scenario(doc, policy);
    } catch (const ScenarioError& e) {
        return e.problems();
    }
    return {};
}

TEST(Problems, EveryProblemOfADocumentIsReported) {
    const json doc = doc_from(kMinimal, R"({"sku": {"prize": 3}, "demand": {"rate_per_day": -1},
                                            "shortage": {"rule": "backorders"}})");
    const std::vector<Problem> got = problems_of(doc);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].pointer, "/sku/prize");
    EXPECT_EQ(got[1].pointer, "/demand/rate_per_day");
    EXPECT_EQ(got[2].pointer, "/shortage/rule");
    try {
        (void)parse_scenario(doc);
    } catch (const ScenarioError& e) {
        const std::string what = e.what();  // one line a problem, the first first
        EXPECT_EQ(what.rfind("/sku/prize: ", 0), 0u);
        EXPECT_NE(what.find("\n/demand/rate_per_day: "), std::string::npos);
        EXPECT_NE(what.find("\n/shortage/rule: "), std::string::npos);
    }
}

TEST(Problems, UnknownKeysAndChoicesSuggestTheClosest) {
    std::vector<Problem> got = problems_of(doc_from(kMinimal, R"({"sku": {"prize": 3}})"));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].rule.find("did you mean \"price\"?"), std::string::npos) << got[0].rule;
    got = problems_of(doc_from(kMinimal, R"({"shortage": {"rule": "backorders"}})"));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].rule.find("did you mean \"backorder\"?"), std::string::npos) << got[0].rule;
    got = problems_of(doc_from(kMinimal, R"({"sku": {"zzzzzz": 3}})"));  // nothing close: no guess
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rule.find("did you mean"), std::string::npos) << got[0].rule;
}

TEST(Problems, ValidateReportsTheBaseOnceAndEachVariantWhereItIsWrong) {
    const json doc = doc_from(kMinimal, R"({"demand": {"rate_per_day": -1},
        "policies": {"a": {"shortage": {"rule": "backorder"}}, "b": {"sku": {"price": 0}}}})");
    try {
        validate_scenario(doc);
        FAIL() << "validated";
    } catch (const ScenarioError& e) {
        ASSERT_EQ(e.problems().size(), 2u) << e.what();
        EXPECT_EQ(e.problems()[0].pointer, "/demand/rate_per_day");
        EXPECT_EQ(e.problems()[1].pointer, "/policies/b/sku/price");
    }
}

TEST(Parser, SeedsSpanSixtyFourBits) {
    EXPECT_EQ(scenario_from(kMinimal, R"({"run": {"seed": 18446744073709551615}})").run.seed, 18446744073709551615ull);
    EXPECT_EQ(scenario_from(kMinimal, R"({"run": {"seed": 1000000000001}})").run.seed, 1000000000001ull);
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"run": {"seed": 1.5}})"), "/run/seed", "integer"));
}

TEST(Parser, UnitCostIsRequired) {
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"sku": {"unit_cost": null}})"), "/sku/unit_cost", "required"));
}

TEST(Parser, ANewsvendorNeedsNoSupplier) {
    const Scenario sc = scenario_from(kMinimal, R"({"supplier": null, "replenishment": {"policy": "none", "s": null, "S": null}})");
    EXPECT_FALSE(sc.vendors[0].present);
    EXPECT_EQ(sc.items[0].unit_cost, sc.items[0].unit_cost);
    EXPECT_TRUE(scenario_from(kMinimal).vendors[0].present);
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"supplier": null})"), "/supplier", "required"));
}

TEST(Parser, SupplierMoneyIsBounded) {
    // Unbounded prices overflowed 64-bit cents inside the documented limits.
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"supplier": {"unit_price": 1e10}})"), "/supplier/unit_price", "1e9"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"supplier": {"order_cost": 1e10}})"), "/supplier/order_cost", "1e9"));
}

TEST(Parser, AnEventLogThatWouldNotFitIsRefused) {
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"run": {"horizon_days": 1e8, "record_events": true,
                                                         "snapshot_interval_days": 0}})"),
                          "/run/record_events", "GB"));
}

// ---------------------------------------------------------------------------------------------
// The store format (schema_version 2)

json small_shop() {
    std::ifstream in(std::string(STOCKLAB_SOURCE_DIR) + "/tests/data/stores/small_shop.json");
    EXPECT_TRUE(in.good()) << "cannot open tests/data/stores/small_shop.json";
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_json_text(text);
}

TEST(Store, SmallShopParses) {
    const json doc = small_shop();
    EXPECT_NO_THROW(validate_scenario(doc));
    const Scenario sc = parse_scenario(doc);
    EXPECT_EQ(sc.schema_version, 2);
    EXPECT_EQ(sc.demand.rate_per_day, 12.0);  // visits_per_day
    EXPECT_EQ(sc.demand.basket.kind, Distribution::Kind::UniformInt);
    EXPECT_EQ(sc.allocation, Allocation::Priority);
    ASSERT_EQ(sc.vendors.size(), 2u);
    EXPECT_EQ(sc.vendors[1].id, "maker");
    EXPECT_EQ(sc.vendors[1].name, "maker");  // a vendor's name defaults to its id
    EXPECT_EQ(sc.vendors[1].min_order, 5);
    ASSERT_EQ(sc.items.size(), 4u);  // in file order
    EXPECT_EQ(sc.items[0].id, "lens_50");
    EXPECT_EQ(sc.items[0].name, "lens_50");  // an item's name defaults to its id
    EXPECT_EQ(sc.items[0].substitutes, (std::vector<std::uint32_t>{1}));
    EXPECT_EQ(sc.items[0].vendors, (std::vector<std::uint32_t>{0}));
    EXPECT_EQ(sc.items[2].id, "body");
    EXPECT_EQ(sc.items[2].vendors, (std::vector<std::uint32_t>{1}));
    EXPECT_EQ(sc.items[2].replenishment.kind, ReplenishmentKind::RS);
    EXPECT_EQ(sc.items[3].salvage_value, 4.0);
    EXPECT_EQ(sc.items[3].initial_on_hand, 30);
    // the store's rule, and the items' exceptions to it
    EXPECT_EQ(sc.shortage.rule, ShortageRule::LostSales);
    EXPECT_EQ(sc.items[0].shortage.rule, ShortageRule::Backorder);
    EXPECT_EQ(sc.items[1].shortage.rule, ShortageRule::LostSales);
    EXPECT_EQ(sc.items[2].shortage.rule, ShortageRule::PartialBackorder);
    EXPECT_EQ(sc.items[2].shortage.max_quoted_wait_days, 30.0);
    ASSERT_EQ(sc.customers.segments.size(), 2u);
    EXPECT_EQ(sc.customers.segments[1].id, "pros");
    EXPECT_EQ(sc.customers.segments[1].share, 0.3);
    EXPECT_EQ(sc.customers.segments[1].priority, 1);
    EXPECT_EQ(sc.customers.segments[1].acceptance.beta0, 0.8);
}

TEST(Store, AFileWithoutSegmentsHasOneWithTheStoreWideSettings) {
    const Scenario sc = scenario_from(kStore, R"({"demand": {"basket": {"dist": "constant", "value": 2}}})");
    ASSERT_EQ(sc.customers.segments.size(), 1u);
    EXPECT_EQ(sc.customers.segments[0].id, "all");
    EXPECT_EQ(sc.customers.segments[0].share, 1.0);
    EXPECT_EQ(sc.customers.segments[0].basket.a, 2.0);
    EXPECT_EQ(sc.items[1].vendors, (std::vector<std::uint32_t>{0}));  // the store's only vendor
}

TEST(Store, SegmentDefaultsComeFromTheStoreWideCustomerSettings) {
    const Scenario sc = scenario_from(kStore, R"({
        "demand": {"model": "customers", "basket": {"dist": "constant", "value": 2}},
        "customers": {"population": 100, "patience": {"dist": "constant", "value": 5},
                      "backorder_acceptance": {"form": "constant", "beta0": 0.3},
                      "segments": {"quiet": {"share": 0.5},
                                   "keen": {"share": 0.5, "backorder_acceptance": {"beta0": 0.9},
                                            "patience": {"dist": "infinite"}, "basket": {"dist": "constant", "value": 1}}}}})");
    ASSERT_EQ(sc.customers.segments.size(), 2u);
    const Segment& quiet = sc.customers.segments[0];
    EXPECT_EQ(quiet.basket.a, 2.0);
    EXPECT_EQ(quiet.patience.kind, Distribution::Kind::Constant);
    EXPECT_EQ(quiet.patience.a, 5.0);
    EXPECT_EQ(quiet.acceptance.form, AcceptanceForm::Constant);
    EXPECT_EQ(quiet.acceptance.beta0, 0.3);
    EXPECT_EQ(quiet.visit_rate_factor, 1.0);
    EXPECT_EQ(quiet.loyalty_sensitivity, 1.0);
    EXPECT_EQ(quiet.priority, 0);
    const Segment& keen = sc.customers.segments[1];
    EXPECT_EQ(keen.acceptance.form, AcceptanceForm::Constant);  // kept: only beta0 was given
    EXPECT_EQ(keen.acceptance.beta0, 0.9);
    EXPECT_EQ(keen.patience.kind, Distribution::Kind::Infinite);
    EXPECT_EQ(keen.basket.a, 1.0);
}

TEST(Store, AnItemsShortageOverrideIsAppliedOntoTheStoresRule) {
    const Scenario sc = scenario_from(kStore, R"({
        "shortage": {"rule": "partial_backorder", "max_open_backorders": 4, "apology_discount": 0.2},
        "items": {"lens_50": {"shortage": {"rule": "backorder"}},
                  "lens_35": {"shortage": {"apology_discount": 0.5, "max_quoted_wait_days": 9}}}})");
    const Shortage& a = sc.items[0].shortage;
    EXPECT_EQ(a.rule, ShortageRule::Backorder);
    EXPECT_EQ(a.max_open_backorders, -1);  // a cap belongs to partial_backorder only
    EXPECT_EQ(a.apology_discount, 0.2);    // the store's
    const Shortage& b = sc.items[1].shortage;
    EXPECT_EQ(b.rule, ShortageRule::PartialBackorder);  // the store's
    EXPECT_EQ(b.max_open_backorders, 4);                // the store's
    EXPECT_EQ(b.max_quoted_wait_days, 9.0);
    EXPECT_EQ(b.apology_discount, 0.5);
    EXPECT_EQ(sc.shortage.apology_discount, 0.2);  // the store's rule itself is unchanged
    // The rules between keys hold for the merged rule: the item's backorder has no cap to set.
    EXPECT_TRUE(RejectsAt(doc_from(kStore, R"({"shortage": {"rule": "partial_backorder", "max_open_backorders": 4},
        "items": {"lens_50": {"shortage": {"rule": "backorder", "max_open_backorders": 2}}}})"),
                          "/items/lens_50/shortage/max_open_backorders", "only applies"));
}

TEST(Store, AnOverrideKeepsTheStoresFixedQuote) {
    // Regression: an item's quote override had to repeat the days of the store's fixed quote.
    const char* fixed = R"({"shortage": {"rule": "backorder", "quote": {"mode": "fixed", "days": 10}},
        "items": {"lens_50": {"shortage": {"quote": {}}}, "lens_35": {"shortage": {"quote": {"days": 4}}}}})";
    const Scenario sc = scenario_from(kStore, fixed);
    EXPECT_EQ(sc.items[0].shortage.quote, QuoteMode::Fixed);
    EXPECT_EQ(sc.items[0].shortage.quote_days, 10.0);
    EXPECT_EQ(sc.items[1].shortage.quote_days, 4.0);
    // An item that turns to a fixed quote states its days.
    EXPECT_TRUE(RejectsAt(doc_from(kStore, R"({"shortage": {"rule": "backorder"},
        "items": {"lens_50": {"shortage": {"quote": {"mode": "fixed"}}}}})"),
                          "/items/lens_50/shortage/quote/days", "required"));
}

TEST(Store, AVariantCanDropAnItemsShortageOverride) {
    const json doc = doc_from(kStore, R"({"items": {"lens_50": {"shortage": {"rule": "backorder"}}},
        "policies": {"plain": {"items": {"lens_50": {"shortage": null}}},
                     "deeper": {"items": {"lens_35": {"replenishment": {"S": 9}}}}}})");
    EXPECT_NO_THROW(validate_scenario(doc));
    EXPECT_EQ(parse_scenario(doc).items[0].shortage.rule, ShortageRule::Backorder);
    EXPECT_EQ(parse_scenario(doc, "plain").items[0].shortage.rule, ShortageRule::LostSales);  // the store's
    const Scenario deeper = parse_scenario(doc, "deeper");
    EXPECT_EQ(deeper.items[1].replenishment.S, 9);
    EXPECT_EQ(deeper.items[1].replenishment.s, 1);  // merged key by key
}

class StoreRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(StoreRejects, WithPointerAndRule) {
    const BadCase& c = GetParam();
    EXPECT_TRUE(RejectsAt(doc_from(kStore, c.patch), c.pointer, c.rule_part)) << c.label;
}

const char* kTwoVendors = R"({"vendors": {"maker": {"lead_time": {"dist": "constant", "value": 9}}},
    "items": {"lens_50": {"vendors": ["maker"]}}})";

const BadCase kStoreBadCases[] = {
    {"unknown_substitute", R"({"items": {"lens_50": {"substitutes": ["lens_36"]}}})", "/items/lens_50/substitutes/0",
     "no item with id \"lens_36\" (did you mean \"lens_35\"?)"},
    {"unknown_vendor", R"({"items": {"lens_50": {"vendors": ["distributer"]}}})", "/items/lens_50/vendors/0",
     "no vendor with id \"distributer\" (did you mean \"distributor\"?)"},
    {"substitutes_itself", R"({"items": {"lens_50": {"substitutes": ["lens_35", "lens_50"]}}})",
     "/items/lens_50/substitutes/1", "cannot substitute itself"},
    {"substitute_twice", R"({"items": {"lens_50": {"substitutes": ["lens_35", "lens_35"]}}})",
     "/items/lens_50/substitutes/1", "listed twice"},
    {"too_many_substitutes", R"({"items": {"lens_50": {"substitutes": ["a","b","c","d","e","f","g","h","i","j","k",
        "l","m","n","o","p","q","r","s","t","u"]}}})", "/items/lens_50/substitutes", "at most 20"},
    {"popularity_sums_to_zero", R"({"items": {"lens_50": {"popularity": 0}, "lens_35": {"popularity": 0}}})", "/items",
     "popularity sums to zero"},
    {"negative_popularity", R"({"items": {"lens_50": {"popularity": -1}}})", "/items/lens_50/popularity", ">= 0"},
    {"reorders_without_vendors", R"({"vendors": null})", "/items/lens_50/vendors", "lists no vendor"},
    {"reorders_with_empty_vendors", R"({"vendors": {"distributor": null}})", "/items/lens_50/vendors",
     "lists no vendor"},
    {"no_vendor_named_among_several", kTwoVendors, "/items/lens_35/vendors", "required when the store has several"},
    {"vendor_listed_twice", R"({"items": {"lens_50": {"vendors": ["distributor", "distributor"]}}})",
     "/items/lens_50/vendors/1", "listed twice"},
    {"empty_vendor_list", R"({"items": {"lens_50": {"vendors": []}}})", "/items/lens_50/vendors",
     "must name at least one vendor"},
    {"shares_do_not_sum_to_one", R"({"demand": {"model": "customers"}, "customers": {"population": 10,
        "segments": {"hobbyists": {"share": 0.5}, "pros": {"share": 0.4}}}})", "/customers/segments", "sum to 1"},
    {"share_missing", R"({"demand": {"model": "customers"}, "customers": {"population": 10,
        "segments": {"everyone": {}}}})", "/customers/segments/everyone/share", "required"},
    {"no_segments", R"({"demand": {"model": "customers"}, "customers": {"population": 10, "segments": {}}})",
     "/customers/segments", "at least one segment"},
    {"loyalty_sensitivity_too_large", R"({"demand": {"model": "customers"}, "customers": {"population": 10,
        "segments": {"pros": {"share": 1, "loyalty_sensitivity": 20}}}})", "/customers/segments/pros/loyalty_sensitivity",
     "must be at most 1"},
    {"id_with_a_space", R"({"items": {"lens 50": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}}}})",
     "/items/lens 50", "an id must be 1 to 100 letters, digits"},
    {"id_with_a_slash", R"({"vendors": {"a/b": {"lead_time": {"dist": "constant", "value": 1}}}})", "/vendors/a~1b",
     "an id must be"},
    {"on_hand_in_initial", R"({"initial": {"on_hand": 3}})", "/initial/on_hand", "unknown key (allowed here: cash)"},
    {"sku_in_a_store", R"({"sku": {"price": 1, "unit_cost": 0}})", "/sku", "unknown key"},
    {"rate_per_day_in_a_store", R"({"demand": {"rate_per_day": 5}})", "/demand/rate_per_day", "unknown key"},
    {"visits_missing", R"({"demand": {"visits_per_day": null}})", "/demand/visits_per_day", "required"},
    {"items_missing", R"({"items": null})", "/items", "required"},
    {"items_not_an_object", R"({"items": [1]})", "/items", "must be an object keyed by id"},
    {"replenishment_missing", R"({"items": {"lens_50": {"replenishment": null}}})", "/items/lens_50/replenishment",
     "required"},
    {"allocation_loyalty_with_poisson", R"({"allocation": "loyalty"})", "/allocation",
     "needs /demand/model \"customers\""},
    {"allocation_unknown", R"({"allocation": "fifo"})", "/allocation", "must be one of"},
    {"unknown_item_key", R"({"items": {"lens_50": {"prize": 3}}})", "/items/lens_50/prize", "did you mean \"price\"?"},
    {"unknown_vendor_key", R"({"vendors": {"distributor": {"unit_price": 3}}})", "/vendors/distributor/unit_price",
     "unknown key"},
    {"unknown_segment_key", R"({"demand": {"model": "customers"}, "customers": {"population": 10,
        "segments": {"pros": {"share": 1, "priorty": 2}}}})", "/customers/segments/pros/priorty", "did you mean"},
};

INSTANTIATE_TEST_SUITE_P(Table, StoreRejects, ::testing::ValuesIn(kStoreBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.label); });

TEST(Store, AnEmptyCatalogueIsRefused) {
    json doc = doc_from(kStore);
    doc["items"] = json::object();
    EXPECT_TRUE(RejectsAt(doc, "/items", "at least one item"));
}

TEST(Store, AnIdOfAHundredCharactersIsTheLongest) {
    const std::string ok(100, 'x');
    json doc = doc_from(kStore);
    doc["items"][ok] = doc["items"]["lens_50"];
    EXPECT_NO_THROW(validate_scenario(doc));
    doc["items"][ok + "y"] = doc["items"]["lens_50"];
    EXPECT_TRUE(RejectsAt(doc, "/items/" + ok + "y", "1 to 100"));
}

TEST(Store, DuplicateItemIdsAreRefusedByTheJsonReader) {
    const std::string text = R"({"schema_version": 2, "name": "dup", "demand": {"visits_per_day": 1},
        "items": {"lens_50": {"price": 1, "unit_cost": 0, "replenishment": {"policy": "none"}},
                  "lens_50": {"price": 2, "unit_cost": 0, "replenishment": {"policy": "none"}}}})";
    try {
        (void)parse_json_text(text);
        ADD_FAILURE() << "a duplicate item id was accepted";
    } catch (const ScenarioError& e) {
        EXPECT_EQ(e.pointer(), "/items/lens_50");
        EXPECT_NE(e.rule().find("duplicate key"), std::string::npos) << e.rule();
    }
}

TEST(Store, TheFormatsDoNotMix) {
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"items": {}})"), "/items", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"vendors": {}})"), "/vendors", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"allocation": "priority"})"), "/allocation", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"demand": {"model": "customers", "basket": {"dist": "constant", "value": 1}},
        "customers": {"population": 3}})"), "/demand/basket", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kMinimal, R"({"demand": {"model": "customers"},
        "customers": {"population": 3, "segments": {"all": {"share": 1}}}})"), "/customers/segments", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kStore, R"({"supplier": {}})"), "/supplier", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kStore, R"({"replenishment": {"policy": "none"}})"), "/replenishment", "unknown key"));
    EXPECT_TRUE(RejectsAt(doc_from(kStore, R"({"schema_version": 2.5})"), "/schema_version", "or 2 (a store"));
}

TEST(Store, AVariantChangesEntriesButCannotAddThem) {
    struct Case {
        const char* policies;
        const char* pointer;
        const char* rule_part;
    };
    const std::vector<Case> cases{
        {R"({"p": {"items": {"lens_51": {"price": 3}}}})", "/policies/p/items/lens_51", "no item with this id"},
        {R"({"p": {"vendors": {"maker": {"order_cost": 3}}}})", "/policies/p/vendors/maker", "no vendor with this id"},
        {R"({"p": {"items": {"lens_50": {"price": -3}}}})", "/policies/p/items/lens_50/price", "> 0"},
        {R"({"p": {"items": {"lens_50": {"substitutes": ["lens_36"]}}}})", "/policies/p/items/lens_50/substitutes/0",
         "did you mean \"lens_35\""},
        {R"({"p": {"items": {"lens_51": null}}})", "/policies/p/items/lens_51", "null removes a field"},
    };
    for (const Case& c : cases) {
        const json doc = doc_from(kStore, std::string(R"({"policies": )") + c.policies + "}");
        EXPECT_TRUE(RejectsAt(doc, c.pointer, c.rule_part, "p")) << c.policies;
        EXPECT_NO_THROW((void)parse_scenario(doc));
    }
    // A segment too (the base has segments).
    const json doc = doc_from(kStore, R"({"demand": {"model": "customers"},
        "customers": {"population": 10, "segments": {"pros": {"share": 1}}},
        "policies": {"p": {"customers": {"segments": {"amateurs": {"share": 0.5}}}}}})");
    EXPECT_TRUE(RejectsAt(doc, "/policies/p/customers/segments/amateurs", "no segment with this id", "p"));
    // Removing an item others still name is reported where they name it, with the variant.
    const json drop = doc_from(kStore, R"({"items": {"lens_35": {"substitutes": ["lens_50"]}},
        "policies": {"p": {"items": {"lens_50": null}}}})");
    EXPECT_TRUE(RejectsAt(drop, "/items/lens_35/substitutes/0", "in policy \"p\"", "p"));
}

TEST(Variants, AnInheritedFieldThatNoLongerAppliesSaysHowToDropIt) {
    // The base caps partial backorders; a variant switching to full backorders keeps the cap (a merge
    // patch drops a field only when told to), and the error says how.
    const json doc = doc_from(kMinimal, R"({"shortage": {"rule": "partial_backorder", "max_open_backorders": 5},
        "policies": {"full": {"shortage": {"rule": "backorder"}}}})");
    EXPECT_TRUE(RejectsAt(doc, "/shortage/max_open_backorders", "set it to null in the policy to drop it", "full"));
    const json fixed = doc_from(kMinimal, R"({"shortage": {"rule": "partial_backorder", "max_open_backorders": 5},
        "policies": {"full": {"shortage": {"rule": "backorder", "max_open_backorders": null}}}})");
    EXPECT_NO_THROW((void)parse_scenario(fixed, "full"));
}

TEST(Store, EveryProblemOfAStoreIsReported) {
    const json doc = doc_from(kStore, R"({"initial": {"on_hand": 3},
        "items": {"lens_50": {"substitutes": ["lens_99"]}, "lens_35": {"price": 0}}})");
    const std::vector<Problem> got = problems_of(doc);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].pointer, "/initial/on_hand");
    EXPECT_EQ(got[1].pointer, "/items/lens_50/substitutes/0");
    EXPECT_EQ(got[2].pointer, "/items/lens_35/price");
}

// ---------------------------------------------------------------------------------------------
// Vendors, sourcing rules and updates to waiting customers (store format)

const char* kMakerExpress = R"({
  "schema_version": 2,
  "name": "two_vendors",
  "demand": {"visits_per_day": 5},
  "vendors": {"maker": {"lead_time": {"dist": "constant", "value": 20}},
              "express": {"lead_time": {"dist": "constant", "value": 3}, "price_factor": 1.25}},
  "items": {"lens": {"price": 250, "unit_cost": 150, "replenishment": {"policy": "s_S", "s": 20, "S": 60},
                     "vendors": ["maker", "express"]}}
})";

TEST(Vendors, PricesRulesAndUpdatesParse) {
    const Scenario plain = scenario_from(kMakerExpress);
    const Item& lens = plain.items[0];
    EXPECT_EQ(lens.vendors, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(lens.sourcing.rule, SourcingRule::Single);
    EXPECT_DOUBLE_EQ(lens.unit_price(plain.vendors, 0), 150.0);  // the unit cost
    EXPECT_DOUBLE_EQ(lens.unit_price(plain.vendors, 1), 187.5);  // x the price factor
    EXPECT_EQ(plain.shortage.updates.mode, UpdateMode::Silent);
    EXPECT_EQ(plain.vendors[0].reliability.late_notice_days, 0.0);

    const Scenario named = scenario_from(kMakerExpress, R"({"items": {"lens": {"vendor_prices": {"express": 170}}}})");
    EXPECT_DOUBLE_EQ(named.items[0].unit_price(named.vendors, 1), 170.0);
    EXPECT_DOUBLE_EQ(named.items[0].unit_price(named.vendors, 0), 150.0);

    const Scenario split = scenario_from(
        kMakerExpress, R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"express": 0.25, "maker": 0.75}}}}})");
    EXPECT_EQ(split.items[0].sourcing.rule, SourcingRule::Split);
    EXPECT_EQ(split.items[0].sourcing.shares, (std::vector<double>{0.75, 0.25}));  // in the item's vendor order

    const Scenario dual = scenario_from(kMakerExpress, R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": 5}}}})");
    EXPECT_EQ(dual.items[0].sourcing.expedite_below, 5);
    EXPECT_EQ(dual.items[0].sourcing.expedite_up_to, 5);  // defaults to the threshold

    const Scenario sw = scenario_from(kMakerExpress, R"({"items": {"lens": {"sourcing": {"rule": "switch_after_late"}}}})");
    EXPECT_EQ(sw.items[0].sourcing.late_deliveries, 3);
    EXPECT_EQ(sw.items[0].sourcing.window_days, 90.0);

    const Scenario told = scenario_from(kMakerExpress, R"({"shortage": {"rule": "backorder",
        "updates": {"mode": "notify_periodically", "period_days": 3}},
        "items": {"lens": {"shortage": {"updates": {"mode": "notify_on_slip"}}}},
        "vendors": {"maker": {"reliability": {"late_notice_days": 4}}}})");
    EXPECT_EQ(told.shortage.updates.mode, UpdateMode::NotifyPeriodically);
    EXPECT_EQ(told.shortage.updates.period_days, 3.0);
    EXPECT_EQ(told.items[0].shortage.updates.mode, UpdateMode::NotifyOnSlip);  // the item's override
    EXPECT_EQ(told.vendors[0].reliability.late_notice_days, 4.0);
}

TEST(Vendors, VersionOneTakesUpdatesNoticeDaysAndTheNewLoyaltyRules) {
    const Scenario sc = scenario_from(kMinimal, R"({"shortage": {"rule": "backorder", "updates": {"mode": "notify_on_slip"}},
        "supplier": {"reliability": {"late_probability": 0.2, "late_notice_days": 5}},
        "demand": {"model": "customers"}, "customers": {"population": 10,
            "loyalty": {"backorder_late_announced": 0.03, "cancelled_after_notice": 0.05}}})");
    EXPECT_EQ(sc.items[0].shortage.updates.mode, UpdateMode::NotifyOnSlip);
    EXPECT_EQ(sc.vendors[0].reliability.late_notice_days, 5.0);
    EXPECT_EQ(sc.customers.loyalty.backorder_late_announced, 0.03);
    EXPECT_EQ(sc.customers.loyalty.cancelled_after_notice, 0.05);
    const Scenario defaults = scenario_from(kMinimal);
    EXPECT_EQ(defaults.customers.loyalty.backorder_late_announced, LoyaltyRules{}.backorder_late_announced);
    EXPECT_EQ(defaults.customers.loyalty.cancelled_after_notice, LoyaltyRules{}.cancelled_after_notice);
}

class VendorRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(VendorRejects, WithPointerAndRule) {
    const BadCase& c = GetParam();
    EXPECT_TRUE(RejectsAt(doc_from(kMakerExpress, c.patch), c.pointer, c.rule_part)) << c.label;
}

const BadCase kVendorBadCases[] = {
    {"unknown_vendor", R"({"items": {"lens": {"vendors": ["maker", "exprss"]}}})", "/items/lens/vendors/1",
     "did you mean \"express\""},
    {"no_vendor", R"({"items": {"lens": {"vendors": []}}})", "/items/lens/vendors", "at least one vendor"},
    {"vendor_twice", R"({"items": {"lens": {"vendors": ["maker", "maker"]}}})", "/items/lens/vendors/1", "twice"},
    {"too_many_vendors", R"({"items": {"lens": {"vendors": ["maker", "express", "maker", "express", "maker", "express",
        "maker", "express", "maker", "express", "maker"]}}})", "/items/lens/vendors", "at most 10"},
    {"price_of_unlisted_vendor", R"({"items": {"lens": {"vendors": ["maker"], "vendor_prices": {"express": 170}}}})",
     "/items/lens/vendor_prices/express", "not one of the item's vendors"},
    {"negative_price", R"({"items": {"lens": {"vendor_prices": {"express": -1}}}})", "/items/lens/vendor_prices/express",
     ">= 0"},
    {"price_factor_zero", R"({"vendors": {"express": {"price_factor": 0}}})", "/vendors/express/price_factor", "> 0"},
    {"unknown_rule", R"({"items": {"lens": {"sourcing": {"rule": "cheapst"}}}})", "/items/lens/sourcing/rule",
     "did you mean \"cheapest\""},
    {"rule_with_one_vendor", R"({"items": {"lens": {"vendors": ["maker"], "sourcing": {"rule": "fastest"}}}})",
     "/items/lens/sourcing/rule", "at least two"},
    {"shares_missing", R"({"items": {"lens": {"sourcing": {"rule": "split"}}}})", "/items/lens/sourcing/shares",
     "required"},
    {"shares_not_summing", R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.7, "express": 0.2}}}}})",
     "/items/lens/sourcing/shares", "sum to 1 (got 0.9)"},
    {"share_unknown_vendor", R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 0.7, "expres": 0.3}}}}})",
     "/items/lens/sourcing/shares/expres", "did you mean \"express\""},
    {"share_missing_vendor", R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 1}}}}})",
     "/items/lens/sourcing/shares", "no share for vendor \"express\""},
    {"share_over_one", R"({"items": {"lens": {"sourcing": {"rule": "split", "shares": {"maker": 1.5, "express": -0.5}}}}})",
     "/items/lens/sourcing/shares/maker", "probability"},
    {"shares_for_another_rule", R"({"items": {"lens": {"sourcing": {"rule": "cheapest", "shares": {"maker": 1}}}}})",
     "/items/lens/sourcing/shares", "only applies when rule is \"split\""},
    {"expedite_above_regular", R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": 30}}}})",
     "/items/lens/sourcing/expedite_below", "at most the regular reorder point /items/lens/replenishment/s (30 > 20)"},
    {"expedite_missing", R"({"items": {"lens": {"sourcing": {"rule": "dual_index"}}}})",
     "/items/lens/sourcing/expedite_below", "required"},
    {"expedite_up_to_below", R"({"items": {"lens": {"sourcing": {"rule": "dual_index", "expedite_below": 10, "expedite_up_to": 5}}}})",
     "/items/lens/sourcing/expedite_up_to", "at least expedite_below"},
    {"expedite_without_regular", R"({"items": {"lens": {"replenishment": {"policy": "none", "s": null, "S": null},
        "sourcing": {"rule": "dual_index", "expedite_below": 1}}}})", "/items/lens/sourcing/rule", "\"none\""},
    {"dual_with_three", R"({"vendors": {"third": {"lead_time": {"dist": "constant", "value": 1}}},
        "items": {"lens": {"vendors": ["maker", "express", "third"], "sourcing": {"rule": "dual_index", "expedite_below": 1}}}})",
     "/items/lens/vendors", "exactly two"},
    {"late_deliveries_zero", R"({"items": {"lens": {"sourcing": {"rule": "switch_after_late", "late_deliveries": 0}}}})",
     "/items/lens/sourcing/late_deliveries", ">= 1"},
    {"window_zero", R"({"items": {"lens": {"sourcing": {"rule": "switch_after_late", "window_days": 0}}}})",
     "/items/lens/sourcing/window_days", "> 0"},
    {"updates_unknown_mode", R"({"shortage": {"updates": {"mode": "notify"}}})", "/shortage/updates/mode", "must be one of"},
    {"updates_period_for_slips", R"({"shortage": {"updates": {"mode": "notify_on_slip", "period_days": 7}}})",
     "/shortage/updates/period_days", "only applies"},
    {"updates_period_zero", R"({"shortage": {"updates": {"mode": "notify_periodically", "period_days": 0}}})",
     "/shortage/updates/period_days", "> 0"},
    {"item_updates_unknown", R"({"items": {"lens": {"shortage": {"updates": {"mode": "loud"}}}}})",
     "/items/lens/shortage/updates/mode", "must be one of"},
    {"late_notice_negative", R"({"vendors": {"maker": {"reliability": {"late_notice_days": -1}}}})",
     "/vendors/maker/reliability/late_notice_days", ">= 0"},
};

INSTANTIATE_TEST_SUITE_P(Table, VendorRejects, ::testing::ValuesIn(kVendorBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.label); });

}  // namespace
}  // namespace stocklab
