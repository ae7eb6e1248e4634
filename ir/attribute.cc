#include "ir/attribute.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "support/str_cat.h"

namespace dlc {

std::string_view AttrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kBool: return "bool";
    case AttrKind::kInt: return "int";
    case AttrKind::kFloat: return "float";
    case AttrKind::kString: return "string";
    case AttrKind::kInts: return "int list";
    case AttrKind::kFloats: return "float list";
    case AttrKind::kDType: return "element type";
    case AttrKind::kPadding: return "padding (\"valid\", \"same\" or [top,bottom,left,right])";
  }
  return "?";
}

bool HasKind(const Attribute& value, AttrKind kind) {
  switch (kind) {
    case AttrKind::kBool: return std::holds_alternative<bool>(value);
    case AttrKind::kInt: return std::holds_alternative<int64_t>(value);
    case AttrKind::kFloat: return std::holds_alternative<double>(value);
    case AttrKind::kString: return std::holds_alternative<std::string>(value);
    case AttrKind::kInts: return std::holds_alternative<IntList>(value);
    case AttrKind::kFloats: return std::holds_alternative<FloatList>(value);
    case AttrKind::kDType: return std::holds_alternative<DType>(value);
    case AttrKind::kPadding:
      return std::holds_alternative<std::string>(value) || std::holds_alternative<IntList>(value);
  }
  return false;
}

absl::StatusOr<Attribute> CoerceAttribute(const Attribute& value, AttrKind kind) {
  if (HasKind(value, kind)) return value;
  if (kind == AttrKind::kFloat) {
    if (auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  }
  if (kind == AttrKind::kFloats) {
    if (auto* i = std::get_if<int64_t>(&value)) return FloatList{static_cast<double>(*i)};
    if (auto* f = std::get_if<double>(&value)) return FloatList{*f};
    if (auto* ints = std::get_if<IntList>(&value)) return FloatList(ints->begin(), ints->end());
  }
  if (kind == AttrKind::kInts) {
    // An empty list is written "[]" and parsed as a float list only if it had
    // floats in it, so this handles a scalar written without brackets.
    if (auto* i = std::get_if<int64_t>(&value)) return IntList{*i};
  }
  return absl::InvalidArgumentError(
      StrCat("expected ", AttrKindName(kind), ", got ", AttributeToString(value)));
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  if (value == std::trunc(value) && std::abs(value) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.1f", value);  // 300.0, not 3e+02
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::string text = buf;
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

namespace {

std::string QuoteString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\x%02x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

struct Printer {
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int64_t i) const { return StrCat(i); }
  std::string operator()(double d) const { return FormatDouble(d); }
  std::string operator()(const std::string& s) const { return QuoteString(s); }
  std::string operator()(const IntList& l) const { return StrCat("[", absl::StrJoin(l, ","), "]"); }
  std::string operator()(const FloatList& l) const {
    return StrCat(
        "[",
        absl::StrJoin(l, ",", [](std::string* out, double d) { out->append(FormatDouble(d)); }),
        "]");
  }
  std::string operator()(DType d) const { return std::string(DTypeName(d)); }
};

}  // namespace

std::string AttributeToString(const Attribute& value) { return std::visit(Printer{}, value); }

}  // namespace dlc

namespace dlc {
namespace {

template <typename T>
T Read(const Attributes& attrs, std::string_view name) {
  auto it = attrs.find(std::string(name));
  if (it == attrs.end()) return T{};
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return T{};
}

}  // namespace

bool AttrBool(const Attributes& a, std::string_view n) { return Read<bool>(a, n); }
int64_t AttrInt(const Attributes& a, std::string_view n) { return Read<int64_t>(a, n); }
double AttrFloat(const Attributes& a, std::string_view n) { return Read<double>(a, n); }
std::string AttrString(const Attributes& a, std::string_view n) { return Read<std::string>(a, n); }
IntList AttrInts(const Attributes& a, std::string_view n) { return Read<IntList>(a, n); }
FloatList AttrFloats(const Attributes& a, std::string_view n) { return Read<FloatList>(a, n); }
DType AttrDType(const Attributes& a, std::string_view n) { return Read<DType>(a, n); }

}  // namespace dlc
