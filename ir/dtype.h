// Element types of tensors.
#ifndef DLC_IR_DTYPE_H_
#define DLC_IR_DTYPE_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace dlc {

enum class DType : uint8_t {
  kF32,
  kF64,  // used for gradient checks in the interpreter
  kI32,
  kU8,  // raw pixels and labels
  kI1,  // booleans from compare; stored one byte per element
};

std::string_view DTypeName(DType dtype);  // "f32", "f64", "i32", "u8", "i1"
std::optional<DType> ParseDType(std::string_view name);
int64_t DTypeSize(DType dtype);  // bytes per element

inline bool IsFloat(DType d) { return d == DType::kF32 || d == DType::kF64; }
// Types arithmetic (add, mul, max, ...) is defined on.
inline bool IsArithmetic(DType d) { return IsFloat(d) || d == DType::kI32; }
// Types with an order: arithmetic types and u8.
inline bool IsOrdered(DType d) { return IsArithmetic(d) || d == DType::kU8; }
inline bool IsInteger(DType d) { return d == DType::kI32 || d == DType::kU8; }

}  // namespace dlc

#endif  // DLC_IR_DTYPE_H_
