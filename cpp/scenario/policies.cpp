// Policy variants: named merge patches (RFC 7386) of the base scenario, and the errors they cause
// reported where the user can fix them.
#include <string>
#include <vector>

#include "scenario/fields.hpp"

namespace stocklab {

using json = nlohmann::ordered_json;
using fields::Problems;

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
        if (it.value().is_object()) reject_null_for_missing(present ? base.at(it.key()) : json::object(), it.value(), p);
    }
}

/// A variant may change the store's items, vendors and segments, not add them: an id the base does
/// not have is a typo (a merge patch would otherwise make a new, half-specified entry of it).
void reject_new_entries(const json& base, const json& patch, const std::string& at) {
    const auto check = [&](const json& b, const json& p, const std::string& where, const char* what) {
        if (!p.is_object() || !b.is_object()) return;
        for (auto it = p.begin(); it != p.end(); ++it)
            if (!b.contains(it.key()) && !it.value().is_null())
                throw ScenarioError(where + "/" + escape_pointer_token(it.key()),
                                    std::string("no ") + what + " with this id in the base scenario (a policy may " +
                                        "change " + what + "s, not add them)");
    };
    if (!base.is_object() || base.value("schema_version", json()) != 2) return;
    for (const char* section : {"items", "vendors"})
        if (patch.contains(section) && base.contains(section))
            check(base.at(section), patch.at(section), at + "/" + section, section == std::string("items") ? "item" : "vendor");
    if (patch.contains("customers") && patch.at("customers").is_object() && patch.at("customers").contains("segments") &&
        base.contains("customers") && base.at("customers").is_object() && base.at("customers").contains("segments"))
        check(base.at("customers").at("segments"), patch.at("customers").at("segments"), at + "/customers/segments",
              "segment");
}

bool pointer_in(const json& j, const std::string& pointer) {
    try {
        return j.contains(json::json_pointer(pointer));
    } catch (const std::exception&) {
        return false;
    }
}

/// A variant's problem where the user can fix it: inside the override when the override put the
/// bad value there, else at the base field with the policy named in the rule.
Problem in_variant(const Problem& p, const json& patch, const std::string& policy) {
    if (p.pointer != "/" && pointer_in(patch, p.pointer))
        return Problem{"/policies/" + escape_pointer_token(policy) + p.pointer, p.rule};
    std::string rule = p.rule + " (in policy \"" + policy + "\")";
    // A base field that does not fit what the variant changed (shares kept when the rule changes): a
    // merge patch drops a field only when told to.
    if (p.rule.rfind("only applies when", 0) == 0)
        rule += "; the policy inherits it from the base scenario: set it to null in the policy to drop it";
    return Problem{p.pointer, rule};
}

/// The problems of one variant ("" = base), as found in its resolved document.
std::vector<Problem> resolved_problems(const json& resolved, const std::string& policy, Scenario& out) {
    Problems problems;
    problems.check([&] {
        out = fields::parse_resolved(resolved, problems);
        out.policy_name = policy;
    });
    return problems.list();
}

}  // namespace

json resolve_policy(const json& doc, const std::string& policy) {
    if (!doc.is_object()) throw ScenarioError("/", "a scenario must be a JSON object, got " + fields::type_name(doc));
    json base = json::object();  // everything but the variants (copying them too made validation quadratic)
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "policies") base[it.key()] = it.value();
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
        throw ScenarioError(at, "must be an object of scenario sections to override, got " + fields::type_name(patch));
    for (const char* k : {"policies", "schema_version"})
        if (patch.contains(k)) throw ScenarioError(at + "/" + k, "cannot be overridden by a policy");
    reject_null_for_missing(base, patch, at);
    reject_new_entries(base, patch, at);
    base.merge_patch(patch);
    return base;
}

Scenario parse_scenario(const json& doc, const std::string& policy) {
    const json resolved = resolve_policy(doc, policy);  // its own problems already point into the file
    Scenario sc;
    std::vector<Problem> found = resolved_problems(resolved, policy, sc);
    if (found.empty()) return sc;
    if (!policy.empty())
        for (Problem& p : found) p = in_variant(p, doc.at("policies").at(policy), policy);
    throw ScenarioError(found);
}

void validate_scenario(const json& doc) {
    Problems all;
    Scenario sc;
    const std::vector<Problem> base = resolved_problems(resolve_policy(doc, ""), "", sc);
    for (const Problem& p : base) all.add(p);
    all.check([&] {
        for (const auto& name : policy_names(doc)) {
            all.check([&] {
                const json resolved = resolve_policy(doc, name);
                for (const Problem& p : resolved_problems(resolved, name, sc)) {
                    bool known = false;  // the base's own problems repeat in every variant: report them once
                    for (const Problem& b : base) known = known || (b.pointer == p.pointer && b.rule == p.rule);
                    if (!known) all.add(in_variant(p, doc.at("policies").at(name), name));
                }
            });
        }
    });
    all.throw_if_any();
}

}  // namespace stocklab
