#pragma once
/// A scenario after parsing: every field validated and defaulted (see scenarios/schema.json for the
/// JSON names and descriptions). Invariants: a Scenario that the parser returned is runnable; the
/// simulation never re-checks or clamps inputs; every default below is the one the parser applies
/// when a file leaves the field out (the parser reads them from here; tests check them against
/// schema.json). Fields a file must give ("required") hold a placeholder a caller must replace.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "kernel/distribution.hpp"

namespace stocklab {

struct RunSettings {
    double horizon_days = 365.0;
    double warmup_days = 0.0;
    std::int64_t replications = 100;
    std::uint64_t seed = 1;
    double snapshot_interval_days = 1.0;  // 0 = no time series
    bool record_events = false;
    bool record_ledger = true;
};

struct Initial {
    double cash = 0.0;
};

struct Seasonality {
    double amplitude = 0.0;  // rate x (1 + amplitude * sin(2 pi (t - phase) / period))
    double period_days = 365.0;
    double phase_days = 0.0;
};

enum class DemandModel { Poisson, Customers };

struct Demand {
    DemandModel model = DemandModel::Poisson;
    double rate_per_day = 1.0;  // required: store visits (purchase occasions) per day at the start
    Distribution basket = Distribution::constant(1.0);      // items a visit picks (whole, >= 1)
    Distribution order_size = Distribution::constant(1.0);  // units of each item picked
    Seasonality seasonality;
};

enum class AcceptanceForm { Constant, Exponential, Hyperbolic, Logistic };

struct BackorderAcceptance {
    AcceptanceForm form = AcceptanceForm::Exponential;
    double beta0 = 0.5;          // acceptance at a zero wait
    double rate_per_day = 0.1;   // exponential / hyperbolic decay, logistic steepness
    double midpoint_days = 14.0; // logistic only
};

/// Shares of the non-backorder responses to a stock-out; they sum to 1.
struct StockoutResponse {
    double buy_elsewhere = 0.31;
    double substitute = 0.45;
    double delay = 0.15;
    double no_purchase = 0.09;
    Distribution delay_days = Distribution::constant(7.0);
};

/// Loyalty changes per experience: gains move loyalty toward 1 (l += g * (1 - l)); losses scale it
/// down (l *= 1 - p). Purchase rate is proportional to loyalty.
struct LoyaltyRules {
    double served = 0.02;
    double backorder_on_time = 0.021;
    double backorder_late = 0.061;            // late, and the customer learned it when the date passed
    double backorder_late_announced = 0.041;  // late, but the store told the customer the date in time
    double turned_away = 0.06;
    double cancelled = 0.10;
    double cancelled_after_notice = 0.06;     // cancelled on being told of a delay
    double churn_below = 0.0;        // churn when loyalty falls below this
    double churn_probability = 0.0;  // or with this probability after each bad experience
};

struct WordOfMouth {
    double review_probability = 0.0;  // chance a bad experience produces a negative review
    double positive_review_probability = 0.0;  // chance a good experience produces a positive one
    double review_weight = 0.05;      // each review moves reputation by this much
    double memory_days = 90.0;        // reputation decays with this time constant
};

/// A group of customers that differ from the rest (a share of the population).
struct Segment {
    std::string id = "all";
    double share = 1.0;
    double visit_rate_factor = 1.0;   // visits per day relative to the store's rate
    Distribution basket = Distribution::constant(1.0);
    Distribution patience = Distribution::exponential(14.0);
    BackorderAcceptance acceptance;
    double loyalty_sensitivity = 1.0;  // multiplies every loyalty loss
    std::int64_t priority = 0;         // higher is served first when stock is allocated by priority
};

struct Customers {
    std::int64_t population = 1;  // required
    double initial_loyalty = 0.8;
    bool behaviour = true;  // false: textbook customers (wait forever / leave, no loyalty effects)
    StockoutResponse response;
    BackorderAcceptance acceptance;
    Distribution patience = Distribution::exponential(14.0);
    double expected_wait_days = 14.0;  // what a customer assumes when the store quotes nothing
    double late_grace_days = 0.0;
    LoyaltyRules loyalty;
    double new_customer_rate_per_day = 0.0;
    WordOfMouth word_of_mouth;
    /// At least one; a file without segments has one, "all", with the store-wide settings.
    std::vector<Segment> segments = {Segment{}};
};

enum class PaymentTerms { OnDelivery, Net, Prepay };

struct Reliability {
    double partial_probability = 0.0;
    Distribution partial_fraction = Distribution::constant(0.5);
    double late_probability = 0.0;
    Distribution late_days = Distribution::constant(7.0);
    double late_notice_days = 0.0;  // a late shipment is announced this many days before its confirmed date
};

struct Capacity {
    std::int64_t units = 0;  // 0 = unlimited
    double period_days = 1.0;
};

struct Disruptions {
    bool enabled = false;
    Distribution up_days = Distribution::constant(365.0);
    Distribution down_days = Distribution::constant(14.0);
    double first_down_days = -1.0;  // >= 0: the first outage starts at this day (deterministic story)
};

struct Supplier {
    bool present = false;  // a file may leave the supplier out when the store never reorders
    std::string id = "supplier";
    std::string name = "supplier";
    double price_factor = 1.0;  // the vendor's unit price: the item's unit cost x this (unless the item names one)
    Distribution lead_time = Distribution::constant(7.0);  // required
    bool orders_may_cross = true;
    double order_cost = 0.0;
    PaymentTerms payment = PaymentTerms::OnDelivery;
    double payment_terms_days = 0.0;
    std::int64_t min_order = 1;
    std::int64_t order_multiple = 1;
    Reliability reliability;
    Capacity capacity;
    Disruptions disruptions;
};

enum class ReplenishmentKind { None, SS, SQ, BaseStock, RS, RsS, Forecast };

struct Replenishment {
    ReplenishmentKind kind = ReplenishmentKind::None;  // required
    std::int64_t s = 0;
    std::int64_t S = 0;
    std::int64_t Q = 0;
    double review_period_days = 7.0;  // required for periodic policies
    double review_offset_days = 0.0;
    double alpha = 0.2;           // forecast smoothing
    double cover_days = 0.0;      // required for forecast: order up to forecast x cover_days + safety_stock
    std::int64_t safety_stock = 0;
    bool periodic() const {
        return kind == ReplenishmentKind::RS || kind == ReplenishmentKind::RsS || kind == ReplenishmentKind::Forecast;
    }
};

enum class SourcingRule { Single, Cheapest, Fastest, Split, DualIndex, SwitchAfterLate };

/// How an item's orders are shared among its vendors (Item::vendors, in order of preference).
struct Sourcing {
    SourcingRule rule = SourcingRule::Single;
    std::vector<double> shares;        // split: one share per vendor of the item, summing to 1
    std::int64_t expedite_below = 0;   // dual_index: expedite when the expedited position is below this
    std::int64_t expedite_up_to = 0;   // dual_index: ... up to this level (>= expedite_below)
    std::int64_t late_deliveries = 3;  // switch_after_late: this many late deliveries ...
    double window_days = 90.0;         // ... within this many days move the item to its next vendor
};

enum class ShortageRule { LostSales, Backorder, PartialBackorder };
enum class QuoteMode { Honest, Optimistic, Fixed, None };
enum class UpdateMode { Silent, NotifyOnSlip, NotifyPeriodically };

/// What the store tells customers waiting for a backorder after the quote.
struct Updates {
    UpdateMode mode = UpdateMode::Silent;
    double period_days = 7.0;  // notify_periodically: every this many days
};

struct Shortage {
    ShortageRule rule = ShortageRule::LostSales;
    bool prepay = false;
    double deposit_fraction = 1.0;   // share of the price paid at order when prepaying
    bool partial_shipments = true;   // a backorder may be filled in parts
    std::int64_t max_open_backorders = -1;   // partial_backorder cap in units; -1 = none
    double max_quoted_wait_days = -1.0;      // partial_backorder cap; -1 = none
    double apology_discount = 0.0;   // share of the price refunded on a late backorder
    QuoteMode quote = QuoteMode::Honest;
    double quote_factor = 0.5;       // optimistic: quote = honest x factor
    double quote_days = 0.0;         // fixed quote
    Updates updates;
};

enum class Allocation { FirstComeFirstServed, Priority, Loyalty };

/// One item of the assortment: what it sells for, costs and is worth, how it is replenished and
/// from whom, and how the store answers a stock-out of it.
struct Item {
    std::string id = "item";
    std::string name = "item";
    double price = 1.0;      // required
    double unit_cost = 0.0;  // required: what the store pays its supplier a unit
    double holding_cost_per_unit_day = 0.0;
    double salvage_value = 0.0;  // per unit left on hand at the horizon (reported; not cash)
    double popularity = 1.0;     // relative chance a visit picks it
    std::int64_t initial_on_hand = 0;
    std::vector<std::uint32_t> substitutes;  // items tried in this order when it is out
    Replenishment replenishment;             // required
    std::vector<std::uint32_t> vendors = {0};  // indices into Scenario::vendors; the first is the regular one
    /// Unit prices the item names for some of its vendors (parallel to `vendors`; NaN: the vendor's
    /// price factor x unit_cost; empty: none named).
    std::vector<double> vendor_prices;
    Sourcing sourcing;
    Shortage shortage;                       // the store's rule with the item's own overrides
    std::uint32_t vendor() const { return vendors.front(); }
    /// What vendor `k` of the item (its place in `vendors`) charges a unit.
    double unit_price(const std::vector<Supplier>& all, std::size_t k) const {
        const double named = k < vendor_prices.size() ? vendor_prices[k] : std::numeric_limits<double>::quiet_NaN();
        return std::isnan(named) ? unit_cost * all[vendors[k]].price_factor : named;
    }
};

struct Finance {
    double accrual_period_days = 1.0;    // holding cost and interest are posted every this many days
    double overdraft_rate_per_year = 0.0;
    double deposit_rate_per_year = 0.0;
    bool salvage_in_profit = false;  // profit adds the salvage value of the stock left at the horizon
};

struct Scenario {
    int schema_version = 1;  // 1: one item (sku, supplier); 2: a store (items, vendors, segments)
    std::string name = "scenario";
    std::string description;
    std::string policy_name;  // which named policy variant was applied ("" = base)
    RunSettings run;
    Initial initial;
    Demand demand;
    Customers customers;
    std::vector<Supplier> vendors = {Supplier{}};
    std::vector<Item> items = {Item{}};
    Shortage shortage;  // the store-wide rule (each item has its effective one)
    Allocation allocation = Allocation::FirstComeFirstServed;
    Finance finance;
};

}  // namespace stocklab
