#include "runtime/checkpoint_match.h"

#include <optional>
#include <vector>

#include "absl/strings/str_join.h"
#include "support/spelling.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

constexpr size_t kMaxListedProblems = 10;

std::string WrongType(const std::string& name, const Tensor& tensor, const TensorType& type) {
  return StrCat("tensor ", name, " is ", tensor.type().ToString(), ", the model needs ",
                type.ToString());
}

std::vector<std::string> MatchProblems(const NamedTensors& loaded,
                                       const ExpectedTensors& expected) {
  std::vector<std::string> problems;
  std::vector<std::string_view> missing;
  for (const auto& [name, type] : expected.needed) {
    const auto found = loaded.find(name);
    if (found == loaded.end()) {
      missing.push_back(name);
      problems.push_back(
          StrCat("tensor ", name, " is missing (the model needs ", type.ToString(), ")"));
    } else if (found->second.type() != type) {
      problems.push_back(WrongType(name, found->second, type));
    }
  }
  for (const auto& [name, tensor] : loaded) {
    if (expected.needed.contains(name)) continue;
    if (auto optional = expected.optional.find(name); optional != expected.optional.end()) {
      if (tensor.type() != optional->second)
        problems.push_back(WrongType(name, tensor, optional->second));
      continue;
    }
    if (expected.others_allowed) continue;
    std::string problem = StrCat("unexpected tensor ", name, " (", tensor.type().ToString(),
                                 "): the model has no tensor of that name");
    // Only a missing name is a plausible rename; a present one is not.
    if (std::optional<std::string> closest = ClosestName(name, missing)) {
      problem += StrCat("; it looks like a rename of ", *closest);
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

}  // namespace

absl::Status CheckTensorsMatch(const NamedTensors& loaded, const ExpectedTensors& expected,
                               std::string_view source) {
  std::vector<std::string> problems = MatchProblems(loaded, expected);
  if (problems.empty()) return absl::OkStatus();
  const size_t total = problems.size();
  if (total > kMaxListedProblems) {
    problems.resize(kMaxListedProblems);
    problems.push_back(StrCat("and ", total - kMaxListedProblems, " more problems"));
  }
  return absl::InvalidArgumentError(
      StrCat("checkpoint ", source, ": ", absl::StrJoin(problems, "; ")));
}

}  // namespace dlc
