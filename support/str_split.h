// absl::StrSplit for std::string_view text. This Abseil (20220623) has its
// own string_view, so the pieces are converted back here, once.
#ifndef DLC_SUPPORT_STR_SPLIT_H_
#define DLC_SUPPORT_STR_SPLIT_H_

#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace dlc {

// The non-empty pieces of `text` between `separator`s, as views into `text`.
inline std::vector<std::string_view> SplitSkippingEmpty(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (absl::string_view piece :
       absl::StrSplit(absl::string_view(text.data(), text.size()), separator, absl::SkipEmpty())) {
    pieces.emplace_back(piece.data(), piece.size());
  }
  return pieces;
}

}  // namespace dlc

#endif  // DLC_SUPPORT_STR_SPLIT_H_
