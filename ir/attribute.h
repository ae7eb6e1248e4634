// Op attributes: compile-time constants attached to a node (strides, axes, ...).
#ifndef DLC_IR_ATTRIBUTE_H_
#define DLC_IR_ATTRIBUTE_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/dtype.h"

namespace dlc {

using IntList = std::vector<int64_t>;
using FloatList = std::vector<double>;

using Attribute = std::variant<bool, int64_t, double, std::string, IntList, FloatList, DType>;

// Attributes of one node, by name. Every attribute an op declares is present
// (defaults are filled in when a node is built or parsed).
using Attributes = std::map<std::string, Attribute>;

// What an op declares an attribute to be. The text parser is lenient (an int
// where a float is expected, a scalar where a list is) and Coerce makes it exact.
enum class AttrKind {
  kBool,
  kInt,
  kFloat,
  kString,
  kInts,
  kFloats,
  kDType,
  kPadding,  // "valid", "same", or explicit [top, bottom, left, right]
};

std::string_view AttrKindName(AttrKind kind);
// True when `value` already has the representation `kind` requires.
bool HasKind(const Attribute& value, AttrKind kind);
// Converts a leniently written value to `kind`, or explains why it cannot.
absl::StatusOr<Attribute> CoerceAttribute(const Attribute& value, AttrKind kind);

// Canonical text: true, 3, 0.5, "same", [1,2], [0.5,1.0], f32. Floats always
// show a '.', an exponent, inf or nan, and print the shortest text that
// reads back to the same double.
std::string AttributeToString(const Attribute& value);
std::string FormatDouble(double value);

}  // namespace dlc

namespace dlc {

// Typed reads for code that runs on verified nodes (every declared attribute
// present with its kind). A missing or mistyped attribute reads as empty/zero
// rather than crashing.
bool AttrBool(const Attributes& attrs, std::string_view name);
int64_t AttrInt(const Attributes& attrs, std::string_view name);
double AttrFloat(const Attributes& attrs, std::string_view name);
std::string AttrString(const Attributes& attrs, std::string_view name);
IntList AttrInts(const Attributes& attrs, std::string_view name);
FloatList AttrFloats(const Attributes& attrs, std::string_view name);
DType AttrDType(const Attributes& attrs, std::string_view name);

}  // namespace dlc

#endif  // DLC_IR_ATTRIBUTE_H_
