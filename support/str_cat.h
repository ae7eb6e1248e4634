// absl::StrCat for dlc code. This Abseil (20220623) has its own string_view,
// and absl::StrCat does not take std::string_view, which our interfaces use.
// dlc::StrCat converts such arguments and forwards everything else.
#ifndef DLC_SUPPORT_STR_CAT_H_
#define DLC_SUPPORT_STR_CAT_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dlc {
namespace str_cat_internal {

template <typename T>
decltype(auto) Arg(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(value.data(), value.size());
  } else {
    return (value);
  }
}

}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(str_cat_internal::Arg(args)...);
}

}  // namespace dlc

#endif  // DLC_SUPPORT_STR_CAT_H_
