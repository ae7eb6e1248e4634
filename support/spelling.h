// "Did you mean ...?" suggestions for misspelled names.
#ifndef DLC_SUPPORT_SPELLING_H_
#define DLC_SUPPORT_SPELLING_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dlc {

// Edit distance counting insertions, deletions, substitutions and swaps of
// neighbouring characters ("rleu" is one edit from "relu").
int EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, if it is close enough to be a plausible
// typo (distance at most a third of the name's length, and at least 1).
std::optional<std::string> ClosestName(std::string_view name,
                                       std::span<const std::string_view> candidates);

}  // namespace dlc

#endif  // DLC_SUPPORT_SPELLING_H_
