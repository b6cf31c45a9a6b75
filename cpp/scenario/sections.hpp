#pragma once
/// The scenario document's sections (internal to cpp/scenario). The one-item format (version 1)
/// lives in parser.cpp with the sections both formats share; the store format (version 2: items,
/// vendors, segments) in store.cpp. Every function throws ScenarioError naming the field, or
/// collects its problems in the Obj's Problems and goes on.
#include "scenario/fields.hpp"

namespace stocklab::fields {

inline constexpr std::int64_t kMaxLevel = 1000000000;  // order-up-to levels, order sizes, stock

inline bool store_format(const Scenario& sc) { return sc.schema_version == 2; }

void parse_header(const Obj& top, Scenario& sc);
/// One segment with the store-wide customer settings (a file without segments has only it).
Segment store_wide_segment(const Scenario& sc);
void parse_run(const Obj& top, Scenario& sc);
/// The demand object's fields; `rate_key` is "rate_per_day" (version 1) or "visits_per_day".
void parse_demand_fields(const Obj& o, const char* rate_key, Demand& d);
void parse_customers(const Obj& top, Scenario& sc);
void parse_acceptance(const Obj& o, BackorderAcceptance& b);
void parse_vendor_fields(const Obj& o, const Scenario& sc, Supplier& s);
/// The "replenishment" object inside `holder` (the document in version 1, an item in the store).
void parse_replenishment(const Obj& holder, const Scenario& sc, Replenishment& r);
/// Applies a shortage object onto `s`: fields left out keep their value (an item's override
/// starts from the store's rule).
void parse_shortage_fields(const Obj& o, const Scenario& sc, Shortage& s);
extern const std::initializer_list<const char*> kShortageKeys;
void parse_shortage(const Obj& top, Scenario& sc);
void parse_finance(const Obj& top, Scenario& sc);

/// Store format: an item's sourcing rule among its vendors (sourcing.cpp).
void parse_sourcing(const Obj& item_obj, const std::vector<std::string>& vendor_ids, Item& item);
/// The place in the item's vendors of vendor `id`, named at `path`; a ScenarioError (with a "did
/// you mean" among them) when the item does not list it at `vendors_at`.
std::size_t item_vendor(const std::string& id, const std::string& path, const Item& item,
                        const std::vector<std::string>& vendor_ids, const std::string& vendors_at);

/// Store format: customers' segments (called by parse_customers), and the whole document.
void parse_segments(const Obj& customers, Scenario& sc);
Scenario parse_store(const json& doc, Problems& problems);

}  // namespace stocklab::fields
