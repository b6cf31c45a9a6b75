#pragma once
/// The one scenario parser: JSON text or a JSON document in, a validated Scenario out.
/// Invariant: every rejection is a ScenarioError naming the field as a JSON pointer and the rule it
/// broke; parsing never crashes, never recurses without bound and never allocates without bound.
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace stocklab {

class ScenarioError : public std::invalid_argument {
public:
    ScenarioError(std::string pointer, std::string rule)
        : std::invalid_argument((pointer.empty() ? std::string("/") : pointer) + ": " + rule),
          pointer_(pointer.empty() ? "/" : std::move(pointer)),
          rule_(std::move(rule)) {}
    const std::string& pointer() const { return pointer_; }
    const std::string& rule() const { return rule_; }

private:
    std::string pointer_;
    std::string rule_;
};

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

/// Parses the base scenario, or the named variant. Throws ScenarioError.
Scenario parse_scenario(const nlohmann::ordered_json& doc, const std::string& policy = "");

/// Parses the base scenario and every policy variant: the check `stocklab validate` runs.
void validate_scenario(const nlohmann::ordered_json& doc);

}  // namespace stocklab
