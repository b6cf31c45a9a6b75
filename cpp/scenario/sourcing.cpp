// The store format's sourcing rules: how an item's orders are shared among the vendors it lists
// (in order of preference). Each rule's fields apply to it alone; every vendor id must be one of
// the item's; shares sum to 1; dual sourcing expedites below a threshold no higher than the
// regular reorder point.
#include <algorithm>
#include <cmath>

#include "scenario/sections.hpp"

namespace stocklab::fields {

namespace {

constexpr std::int64_t kMaxLateDeliveries = 1000000;

const char* rule_name(SourcingRule r) {
    switch (r) {
        case SourcingRule::Cheapest: return "cheapest";
        case SourcingRule::Fastest: return "fastest";
        case SourcingRule::Split: return "split";
        case SourcingRule::DualIndex: return "dual_index";
        case SourcingRule::SwitchAfterLate: return "switch_after_late";
        case SourcingRule::Single: break;
    }
    return "single";
}

SourcingRule rule_of(const std::string& name) {
    for (const SourcingRule r : {SourcingRule::Cheapest, SourcingRule::Fastest, SourcingRule::Split,
                                 SourcingRule::DualIndex, SourcingRule::SwitchAfterLate})
        if (name == rule_name(r)) return r;
    return SourcingRule::Single;
}

/// A field that belongs to one rule, given under another, is a mistake: say so.
void only_for(const Obj& o, const char* key, SourcingRule rule, SourcingRule wanted) {
    if (o.has(key) && rule != wanted)
        throw ScenarioError(o.at(key), std::string("only applies when rule is \"") + rule_name(wanted) + "\"");
}

/// split: a share for each of the item's vendors, keyed by vendor id, summing to 1.
void parse_shares(const Obj& o, const std::vector<std::string>& vendor_ids, const std::string& vendors_at, Item& item) {
    o.require("shares");
    const Obj shares(o.get("shares"), o.at("shares"), o.problems());
    std::vector<double> out(item.vendors.size(), -1.0);
    const json& j = o.get("shares");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::size_t k = item_vendor(it.key(), shares.at(it.key()), item, vendor_ids, vendors_at);
        out[k] = shares.probability(it.key().c_str(), 0.0);
    }
    double total = 0.0;
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (out[k] < 0)
            throw ScenarioError(o.at("shares"), "no share for vendor \"" + vendor_ids[item.vendors[k]] +
                                                    "\" (give each of the item's vendors a share)");
        total += out[k];
    }
    if (std::fabs(total - 1.0) > 1e-6)
        throw ScenarioError(o.at("shares"), "the shares must sum to 1 (got " + fmt(total) + ")");
    item.sourcing.shares = out;
}

/// The level at or below which the item's regular policy orders (its reorder point), if it has one.
const char* regular_level(const Replenishment& r, std::int64_t& level) {
    switch (r.kind) {
        case ReplenishmentKind::SS:
        case ReplenishmentKind::SQ:
        case ReplenishmentKind::RsS: level = r.s; return "s";
        case ReplenishmentKind::BaseStock:
        case ReplenishmentKind::RS: level = r.S; return "S";
        default: return nullptr;
    }
}

/// dual_index: expedite below a threshold no higher than the regular reorder point.
void parse_expedite(const Obj& o, const std::string& item_at, Item& item) {
    Sourcing& s = item.sourcing;
    s.expedite_below = o.integer("expedite_below", -kMaxLevel);
    if (s.expedite_below > kMaxLevel) throw ScenarioError(o.at("expedite_below"), "must be between -1e9 and 1e9");
    s.expedite_up_to = o.integer("expedite_up_to", -kMaxLevel, s.expedite_below);
    if (s.expedite_up_to > kMaxLevel) throw ScenarioError(o.at("expedite_up_to"), "must be at most 1e9");
    if (s.expedite_up_to < s.expedite_below)
        throw ScenarioError(o.at("expedite_up_to"), "must be at least expedite_below (" + std::to_string(s.expedite_up_to) +
                                                        " < " + std::to_string(s.expedite_below) + ")");
    if (item.replenishment.kind == ReplenishmentKind::None)
        throw ScenarioError(o.at("rule"), "dual sourcing expedites beside a regular policy, but " + item_at +
                                              "/replenishment/policy is \"none\"");
    std::int64_t level = 0;
    const char* name = regular_level(item.replenishment, level);
    if (name && s.expedite_below > level)
        throw ScenarioError(o.at("expedite_below"), "must be at most the regular reorder point " + item_at +
                                                        "/replenishment/" + name + " (" +
                                                        std::to_string(s.expedite_below) + " > " + std::to_string(level) + ")");
}

}  // namespace

std::size_t item_vendor(const std::string& id, const std::string& path, const Item& item,
                        const std::vector<std::string>& vendor_ids, const std::string& vendors_at) {
    std::vector<std::string> listed;
    for (const std::uint32_t v : item.vendors) listed.push_back(vendor_ids[v]);
    const auto it = std::find(listed.begin(), listed.end(), id);
    if (it != listed.end()) return static_cast<std::size_t>(it - listed.begin());
    const std::string guess = closest(id, listed);
    throw ScenarioError(path, "\"" + id + "\" is not one of the item's vendors (" + vendors_at + ")" +
                                  (guess.empty() ? "" : "; did you mean \"" + guess + "\"?"));
}

void parse_sourcing(const Obj& item_obj, const std::vector<std::string>& vendor_ids, Item& item) {
    optional_block(item_obj, "sourcing",
                   {"rule", "shares", "expedite_below", "expedite_up_to", "late_deliveries", "window_days"},
                   [&](const Obj& o) {
        Sourcing& s = item.sourcing;
        s.rule = rule_of(o.choice("rule", {"single", "cheapest", "fastest", "split", "dual_index", "switch_after_late"},
                                  std::string(rule_name(s.rule))));
        only_for(o, "shares", s.rule, SourcingRule::Split);
        only_for(o, "expedite_below", s.rule, SourcingRule::DualIndex);
        only_for(o, "expedite_up_to", s.rule, SourcingRule::DualIndex);
        only_for(o, "late_deliveries", s.rule, SourcingRule::SwitchAfterLate);
        const std::string vendors_at = item_obj.at("vendors");
        const std::size_t n = item.vendors.size();
        if (s.rule != SourcingRule::Single && n < 2)
            throw ScenarioError(o.at("rule"), std::string("\"") + rule_name(s.rule) +
                                                  "\" chooses among the item's vendors: list at least two in " + vendors_at);
        if (s.rule == SourcingRule::DualIndex && n != 2)
            throw ScenarioError(vendors_at, "dual_index needs exactly two vendors: the regular one, then the expedited "
                                            "one (got " + std::to_string(n) + ")");
        if (s.rule == SourcingRule::Split) parse_shares(o, vendor_ids, vendors_at, item);
        if (s.rule == SourcingRule::DualIndex) parse_expedite(o, item_obj.path(), item);
        s.late_deliveries = o.integer("late_deliveries", 1, s.late_deliveries);
        if (s.late_deliveries > kMaxLateDeliveries) throw ScenarioError(o.at("late_deliveries"), "must be at most 1e6");
        s.window_days = o.days("window_days", s.window_days, false);
    });
}

}  // namespace stocklab::fields
