#pragma once
/// What is wrong with a scenario: each problem names its field (a JSON pointer) and the rule it
/// broke. Raised by the parser, and by a run that cannot start (its recordings would not fit).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace stocklab {

inline constexpr std::size_t kMaxProblems = 20;  // listed in what(); more are counted

/// One broken rule: where (a JSON pointer) and what.
struct Problem {
    std::string pointer;
    std::string rule;
};

class ScenarioError : public std::invalid_argument {
public:
    ScenarioError(std::string pointer, std::string rule)
        : ScenarioError(std::vector<Problem>{Problem{std::move(pointer), std::move(rule)}}) {}
    /// Several problems at once (at least one); what() lists them one per line, the first first.
    explicit ScenarioError(std::vector<Problem> problems);
    const std::string& pointer() const { return problems_.front().pointer; }
    const std::string& rule() const { return problems_.front().rule; }
    const std::vector<Problem>& problems() const { return problems_; }

private:
    std::vector<Problem> problems_;
};

}  // namespace stocklab
