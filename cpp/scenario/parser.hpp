#pragma once
/// The one scenario parser: JSON text or a JSON document in, a validated Scenario out.
/// Invariants: every rejection is a ScenarioError naming each problem's field as a JSON pointer and
/// the rule it broke (all problems of a document, up to kMaxProblems, the first first); parsing
/// never crashes, never recurses without bound and never allocates without bound; a field the
/// document leaves out gets the default of its struct in scenario.hpp (one source of defaults).
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/errors.hpp"
#include "scenario/scenario.hpp"

namespace stocklab {

inline constexpr std::size_t kMaxScenarioBytes = 10u * 1024u * 1024u;
inline constexpr int kMaxJsonDepth = 32;

/// A key as one JSON-pointer token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string escape_pointer_token(const std::string& key);

/// Parses JSON text (size and nesting bounded); syntax errors become ScenarioError at "/".
nlohmann::ordered_json parse_json_text(const std::string& text);

/// Names of the policy variants under /policies, in file order.
std::vector<std::string> policy_names(const nlohmann::ordered_json& doc);

/// The document with policy variant `policy` merged in (RFC 7386 merge patch); "" = base scenario.
nlohmann::ordered_json resolve_policy(const nlohmann::ordered_json& doc, const std::string& policy);

/// Parses the base scenario, or the named variant. Throws ScenarioError with every problem found.
Scenario parse_scenario(const nlohmann::ordered_json& doc, const std::string& policy = "");

/// Parses the base scenario and every policy variant: the check `stocklab validate` runs. Reports
/// the problems of all of them at once (a variant's only where its override is the cause).
void validate_scenario(const nlohmann::ordered_json& doc);

}  // namespace stocklab
