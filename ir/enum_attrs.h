// Attributes whose value is one of a few names: a compare's predicate, a
// window's padding mode, a parameter's initializer. Each enum has one table
// of names here, and a name not in it one error. The IR keeps them as
// strings ("ge"), so the text form is unchanged; code reads and writes
// them as enums.
#ifndef DLC_IR_ENUM_ATTRS_H_
#define DLC_IR_ENUM_ATTRS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/attribute.h"

namespace dlc {

// compare's predicate. Comparisons with NaN follow IEEE: only kNe holds.
enum class Predicate : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
// A window's padding when it is not explicit [top, bottom, left, right].
enum class PaddingMode : uint8_t { kValid, kSame };
// How a parameter's first values are drawn (runtime/initializers.h).
enum class Initializer : uint8_t {
  kZeros,
  kOnes,
  kGlorotUniform,
  kGlorotNormal,
  kHeNormal,
  kHeUniform
};

// The names of an enum's values, in the enum's order.
struct EnumNames {
  std::string_view what;  // "predicate", for messages
  std::span<const std::string_view> names;
};
template <typename E>
const EnumNames& NamesOf();
template <>
const EnumNames& NamesOf<Predicate>();
template <>
const EnumNames& NamesOf<PaddingMode>();
template <>
const EnumNames& NamesOf<Initializer>();

// unknown predicate "less" (known: eq, ne, lt, le, gt, ge)
absl::Status UnknownName(const EnumNames& names, std::string_view name);

template <typename E>
std::string_view EnumName(E value) {
  return NamesOf<E>().names[static_cast<size_t>(value)];
}

template <typename E>
std::optional<E> EnumFromName(std::string_view name) {
  const EnumNames& table = NamesOf<E>();
  for (size_t i = 0; i < table.names.size(); ++i) {
    if (table.names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// The value named `name`, or UnknownName's error.
template <typename E>
absl::StatusOr<E> ParseEnum(std::string_view name) {
  if (std::optional<E> value = EnumFromName<E>(name)) return *value;
  return UnknownName(NamesOf<E>(), name);
}

// Attribute `attr` of a verified node as an enum (the first value if it is
// missing or no name of E, which verification rules out).
template <typename E>
E AttrEnum(const Attributes& attrs, std::string_view attr) {
  return EnumFromName<E>(AttrString(attrs, attr)).value_or(E{});
}

// The attribute value that names `value`.
template <typename E>
Attribute EnumAttr(E value) {
  return std::string(EnumName(value));
}

}  // namespace dlc

#endif  // DLC_IR_ENUM_ATTRS_H_
