// The store format (schema_version 2): a catalogue of items sold to one customer base, the vendors
// they are bought from, customer segments, and the store's shortage rule with per-item overrides.
// Items, vendors and segments are JSON objects keyed by id, so a policy variant or a sweep path
// addresses one by id (items.lens_50mm.replenishment.s).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "scenario/sections.hpp"

namespace stocklab::fields {

namespace {

using Index = std::unordered_map<std::string, std::uint32_t>;
constexpr std::size_t kMaxSubstitutes = 20;
constexpr std::size_t kMaxItemVendors = 10;
constexpr std::size_t kMaxIdLength = 100;

/// Ids become JSON-pointer tokens, table values and sweep paths: letters, digits, '_' and '-' only.
void check_id(const std::string& id, const std::string& path) {
    const bool plain = std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
    if (id.empty() || id.size() > kMaxIdLength || !plain)
        throw ScenarioError(path, "an id must be 1 to 100 letters, digits, '_' or '-' (got \"" + id + "\")");
}

/// The entries of the object `key` in `holder` (keyed by id, in file order), each id checked.
std::vector<std::string> entry_ids(const Obj& holder, const char* key) {
    const json& j = holder.get(key);
    if (!j.is_object()) throw ScenarioError(holder.at(key), "must be an object keyed by id, got " + type_name(j));
    std::vector<std::string> ids;
    for (auto it = j.begin(); it != j.end(); ++it) {
        holder.problems().check([&] { check_id(it.key(), holder.at(key) + "/" + escape_pointer_token(it.key())); });
        ids.push_back(it.key());
    }
    return ids;
}

Index index_of(const std::vector<std::string>& ids) {
    Index out;
    for (std::uint32_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], i);
    return out;
}

/// The id at `path` looked up in `known` (a string naming one of them).
std::uint32_t lookup(const json& v, const std::string& path, const Index& known, const std::vector<std::string>& ids,
                     const char* what) {
    if (!v.is_string()) throw ScenarioError(path, std::string("must be a string (") + what + " id), got " + type_name(v));
    const std::string& id = v.get_ref<const std::string&>();
    const auto it = known.find(id);
    if (it != known.end()) return it->second;
    const std::string guess = closest(id, ids);
    throw ScenarioError(path, std::string("no ") + what + " with id \"" + id + "\"" +
                                  (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
}

/// A list of ids (each known, none twice), at most `max_length` long.
std::vector<std::uint32_t> id_list(const Obj& o, const char* key, const Index& known,
                                   const std::vector<std::string>& ids, const char* what, std::size_t max_length) {
    const json& j = o.get(key);
    if (!j.is_array()) throw ScenarioError(o.at(key), std::string("must be a list of ") + what + " ids, got " + type_name(j));
    if (j.size() > max_length)
        throw ScenarioError(o.at(key), "must list at most " + std::to_string(max_length) + " ids");
    std::vector<std::uint32_t> out;
    for (std::size_t k = 0; k < j.size(); ++k) {
        const std::string at = o.at(key) + "/" + std::to_string(k);
        const std::uint32_t i = lookup(j[k], at, known, ids, what);
        if (std::find(out.begin(), out.end(), i) != out.end())
            throw ScenarioError(at, "\"" + ids[i] + "\" is listed twice");
        out.push_back(i);
    }
    return out;
}

void parse_initial(const Obj& top, Scenario& sc) {
    optional_block(top, "initial", {"cash"}, [&](const Obj& o) {
        sc.initial.cash = o.number("cash", sc.initial.cash);
        if (std::fabs(sc.initial.cash) > 1e13) throw ScenarioError(o.at("cash"), "must be at most 1e13 in size");
    });
}

void parse_demand(const Obj& top, Scenario& sc) {
    top.require("demand");
    Obj o(top.get("demand"), top.at("demand"), {"model", "visits_per_day", "basket", "order_size", "seasonality"},
          top.problems());
    parse_demand_fields(o, "visits_per_day", sc.demand);
    o.problems().check(
        [&] { sc.demand.basket = distribution_field(o, "basket", Support::Integer, false, sc.demand.basket); });
}

void parse_vendors(const Obj& top, Scenario& sc, std::vector<std::string>& ids) {
    sc.vendors = {Supplier{}};  // a store that never reorders has none: a placeholder no item orders from
    if (!top.has("vendors")) return;
    ids = entry_ids(top, "vendors");
    if (ids.empty()) return;
    sc.vendors.assign(ids.size(), Supplier{});
    const json& j = top.get("vendors");
    for (std::size_t v = 0; v < ids.size(); ++v) {
        Supplier& s = sc.vendors[v];
        s.id = s.name = ids[v];
        top.problems().check([&] {
            Obj o(j.at(ids[v]), top.at("vendors") + "/" + escape_pointer_token(ids[v]),
                  {"name", "description", "lead_time", "orders_may_cross", "price_factor", "order_cost",
                   "payment_terms_days", "prepay", "min_order", "order_multiple", "reliability", "capacity",
                   "disruptions"},
                  top.problems());
            if (o.has("description")) (void)o.string("description");
            top.problems().check([&] {
                s.price_factor = o.positive("price_factor", s.price_factor);
                if (s.price_factor > 1000) throw ScenarioError(o.at("price_factor"), "must be at most 1000");
            });
            parse_vendor_fields(o, sc, s);
        });
    }
}

/// An item's vendors: named (in order of preference), or the store's only vendor; none for an item
/// that is never reordered.
void parse_item_vendors(const Obj& o, const std::vector<std::string>& vendor_ids, Item& item) {
    const bool reorders = item.replenishment.kind != ReplenishmentKind::None;
    if (o.has("vendors")) {
        item.vendors = id_list(o, "vendors", index_of(vendor_ids), vendor_ids, "vendor", kMaxItemVendors);
        if (item.vendors.empty())
            throw ScenarioError(o.at("vendors"), "must name at least one vendor the item is bought from (leave the "
                                                 "key out for an item that is never reordered)");
        return;
    }
    item.vendors = {0};
    if (!reorders) return;
    if (vendor_ids.empty())
        throw ScenarioError(o.at("vendors"), "the item is reordered but /vendors lists no vendor to buy it from");
    if (vendor_ids.size() > 1)
        throw ScenarioError(o.at("vendors"), "required when the store has several vendors (name the one this item "
                                             "is bought from)");
}

/// Unit prices the item names for some of its vendors, keyed by vendor id.
void parse_vendor_prices(const Obj& o, const std::vector<std::string>& vendor_ids, Item& item) {
    if (!o.has("vendor_prices")) return;
    const json& j = o.get("vendor_prices");
    const Obj prices(j, o.at("vendor_prices"), o.problems());
    item.vendor_prices.assign(item.vendors.size(), std::numeric_limits<double>::quiet_NaN());
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string at = prices.at(it.key());
        o.problems().check([&] {
            const std::size_t k = item_vendor(it.key(), at, item, vendor_ids, o.at("vendors"));
            item.vendor_prices[k] = prices.money(it.key().c_str());
        });
    }
}

void parse_item(const Obj& o, const Scenario& sc, const std::vector<std::string>& vendor_ids, Item& item) {
    Problems& problems = o.problems();
    if (o.has("description")) problems.check([&] { (void)o.string("description"); });
    problems.check([&] { item.name = o.string("name", item.name); });
    problems.check([&] {
        item.price = o.positive("price");
        if (item.price > kMaxMoney) throw ScenarioError(o.at("price"), "must be at most 1e9");
    });
    problems.check([&] { item.unit_cost = o.money("unit_cost"); });
    problems.check([&] { item.holding_cost_per_unit_day = o.money("holding_cost_per_unit_day", item.holding_cost_per_unit_day); });
    problems.check([&] { item.salvage_value = o.money("salvage_value", item.salvage_value); });
    problems.check([&] {
        item.popularity = o.nonneg("popularity", item.popularity);
        if (item.popularity > 1e9) throw ScenarioError(o.at("popularity"), "must be at most 1e9");
    });
    problems.check([&] {
        item.initial_on_hand = o.integer("initial_on_hand", 0, item.initial_on_hand);
        if (item.initial_on_hand > kMaxLevel) throw ScenarioError(o.at("initial_on_hand"), "must be at most 1e9 units");
    });
    problems.check([&] { parse_replenishment(o, sc, item.replenishment); });
    problems.check([&] {
        parse_item_vendors(o, vendor_ids, item);
        parse_vendor_prices(o, vendor_ids, item);
        parse_sourcing(o, vendor_ids, item);
    });
    item.shortage = sc.shortage;
    optional_block(o, "shortage", kShortageKeys, [&](const Obj& s) { parse_shortage_fields(s, sc, item.shortage); });
}

void parse_substitutes(const Obj& o, const Index& known, const std::vector<std::string>& ids, std::uint32_t self,
                       Item& item) {
    if (!o.has("substitutes")) return;
    item.substitutes = id_list(o, "substitutes", known, ids, "item", kMaxSubstitutes);
    for (std::size_t k = 0; k < item.substitutes.size(); ++k)
        if (item.substitutes[k] == self)
            throw ScenarioError(o.at("substitutes") + "/" + std::to_string(k), "an item cannot substitute itself");
}

void parse_items(const Obj& top, Scenario& sc, const std::vector<std::string>& vendor_ids) {
    top.require("items");
    const std::vector<std::string> ids = entry_ids(top, "items");
    if (ids.empty()) throw ScenarioError(top.at("items"), "must list at least one item (the catalogue is empty)");
    const json& j = top.get("items");
    sc.items.assign(ids.size(), Item{});
    const Index known = index_of(ids);  // once: a catalogue of thousands would otherwise build it per item
    double popularity = 0.0;
    auto entry = j.begin();  // ids are in the object's order; at(id) would search it per item
    for (std::uint32_t i = 0; i < ids.size(); ++i, ++entry) {
        Item& item = sc.items[i];
        item.id = item.name = ids[i];
        top.problems().check([&] {
            Obj o(entry.value(), top.at("items") + "/" + escape_pointer_token(ids[i]),
                  {"name", "description", "price", "unit_cost", "holding_cost_per_unit_day", "salvage_value",
                   "popularity", "initial_on_hand", "substitutes", "replenishment", "vendors", "vendor_prices",
                   "sourcing", "shortage"},
                  top.problems());
            parse_item(o, sc, vendor_ids, item);
            top.problems().check([&] { parse_substitutes(o, known, ids, i, item); });
        });
        popularity += item.popularity;
    }
    if (!(popularity > 0))
        throw ScenarioError(top.at("items"), "popularity sums to zero: no visit would pick any item");
}

void parse_allocation(const Obj& top, Scenario& sc) {
    if (!top.has("allocation")) return;
    const std::string a = top.choice("allocation", {"first_come_first_served", "priority", "loyalty"}, std::nullopt);
    sc.allocation = a == "priority" ? Allocation::Priority : a == "loyalty" ? Allocation::Loyalty
                                                                            : Allocation::FirstComeFirstServed;
    if (sc.allocation != Allocation::FirstComeFirstServed && sc.demand.model != DemandModel::Customers)
        throw ScenarioError(top.at("allocation"), "\"" + a + "\" ranks customers: needs /demand/model \"customers\"");
}

/// A loss times the sensitivity must stay a fraction, or loyalty would turn negative.
void check_sensitivity(const Obj& o, const LoyaltyRules& L, double sensitivity) {
    const double worst = std::max({L.turned_away, L.cancelled, L.backorder_late, L.backorder_on_time,
                                   L.backorder_late_announced, L.cancelled_after_notice});
    if (sensitivity * worst > 1.0)
        throw ScenarioError(o.at("loyalty_sensitivity"),
                            "times the largest loyalty loss (" + fmt(worst) + ") must be at most 1 (got " +
                                fmt(sensitivity * worst) + ")");
}

void parse_segment(const Obj& o, const Scenario& sc, Segment& g) {
    Problems& problems = o.problems();
    if (o.has("description")) problems.check([&] { (void)o.string("description"); });
    problems.check([&] {
        g.share = o.positive("share");
        if (g.share > 1) throw ScenarioError(o.at("share"), "must be at most 1 (a share of the population)");
    });
    problems.check([&] {
        g.visit_rate_factor = o.positive("visit_rate_factor", g.visit_rate_factor);
        if (g.visit_rate_factor > 1000) throw ScenarioError(o.at("visit_rate_factor"), "must be at most 1000");
    });
    problems.check([&] { g.basket = distribution_field(o, "basket", Support::Integer, false, g.basket); });
    problems.check([&] { g.patience = distribution_field(o, "patience", Support::NonNegative, true, g.patience); });
    parse_acceptance(o, g.acceptance);
    problems.check([&] {
        g.loyalty_sensitivity = o.nonneg("loyalty_sensitivity", g.loyalty_sensitivity);
        check_sensitivity(o, sc.customers.loyalty, g.loyalty_sensitivity);
    });
    problems.check([&] {
        g.priority = o.integer("priority", -1000000, g.priority);
        if (g.priority > 1000000) throw ScenarioError(o.at("priority"), "must be between -1e6 and 1e6");
    });
}

}  // namespace

void parse_segments(const Obj& customers, Scenario& sc) {
    const Segment all = store_wide_segment(sc);  // each segment starts from the store-wide settings
    sc.customers.segments = {all};
    if (!customers.has("segments")) return;
    const std::vector<std::string> ids = entry_ids(customers, "segments");
    if (ids.empty()) throw ScenarioError(customers.at("segments"), "must list at least one segment (or be left out)");
    if (ids.size() > 100) throw ScenarioError(customers.at("segments"), "must list at most 100 segments");
    const json& j = customers.get("segments");
    sc.customers.segments.assign(ids.size(), all);
    double shares = 0.0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        Segment& g = sc.customers.segments[k];
        g.id = ids[k];
        g.share = std::numeric_limits<double>::quiet_NaN();  // until read: a share in error leaves the sum NaN
        customers.problems().check([&] {
            parse_segment(Obj(j.at(ids[k]), customers.at("segments") + "/" + escape_pointer_token(ids[k]),
                              {"description", "share", "visit_rate_factor", "basket", "patience",
                               "backorder_acceptance", "loyalty_sensitivity", "priority"},
                              customers.problems()),
                          sc, g);
        });
        shares += g.share;
    }
    // A share in error is reported as such, not again in a wrong sum.
    if (std::isfinite(shares) && std::fabs(shares - 1.0) > 1e-6)
        throw ScenarioError(customers.at("segments"), "the segments' shares must sum to 1 (got " + fmt(shares) + ")");
}

Scenario parse_store(const json& doc, Problems& problems) {
    Obj top(doc, "",
            {"schema_version", "name", "description", "run", "initial", "demand", "customers", "vendors", "items",
             "shortage", "allocation", "finance", "policies"},
            problems);
    Scenario sc;
    sc.schema_version = 2;
    parse_header(top, sc);
    // Later sections read earlier ones (the horizon, the demand model, the vendors, the store's rule).
    for (auto* section : {parse_run, parse_initial, parse_demand, parse_customers, parse_shortage})
        problems.check([&] { section(top, sc); });
    if (!top.has("customers")) sc.customers.segments = {store_wide_segment(sc)};
    std::vector<std::string> vendor_ids;
    problems.check([&] { parse_vendors(top, sc, vendor_ids); });
    problems.check([&] { parse_items(top, sc, vendor_ids); });
    problems.check([&] { parse_allocation(top, sc); });
    problems.check([&] { parse_finance(top, sc); });
    return sc;
}

}  // namespace stocklab::fields
