#include "ir/enum_attrs.h"

#include "absl/status/status.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

constexpr std::string_view kPredicates[] = {"eq", "ne", "lt", "le", "gt", "ge"};
constexpr std::string_view kPaddingModes[] = {"valid", "same"};
constexpr std::string_view kInitializers[] = {"zeros",         "ones",      "glorot_uniform",
                                              "glorot_normal", "he_normal", "he_uniform"};

}  // namespace

template <>
const EnumNames& NamesOf<Predicate>() {
  static const EnumNames names{"predicate", kPredicates};
  return names;
}

template <>
const EnumNames& NamesOf<PaddingMode>() {
  static const EnumNames names{"padding", kPaddingModes};
  return names;
}

template <>
const EnumNames& NamesOf<Initializer>() {
  static const EnumNames names{"initializer", kInitializers};
  return names;
}

absl::Status UnknownName(const EnumNames& names, std::string_view name) {
  std::string known;
  for (std::string_view n : names.names) known += StrCat(known.empty() ? "" : ", ", n);
  return absl::InvalidArgumentError(
      StrCat("unknown ", names.what, " \"", name, "\" (known: ", known, ")"));
}

}  // namespace dlc
