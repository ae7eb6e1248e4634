// The one rule for turning a number into an element of a given dtype, shared
// by Tensor::SetDouble and the interpreter (cast, constant, pad, one_hot).
#ifndef DLC_IR_CONVERT_H_
#define DLC_IR_CONVERT_H_

#include <cmath>
#include <limits>
#include <type_traits>

#include "ir/dtype.h"

namespace dlc {

// Converts `value` to `To`, the C++ type that stores `to`:
// - i1: value != 0 (so NaN is 1);
// - f32/f64: rounds like a C cast (out of f32 range gives +-inf);
// - i32/u8: truncates toward zero and saturates to the type's range, NaN is 0.
// Every f32, f64, i32 and u8 value is exact in a double, so reading the source
// through a double and converting once rounds the same as a direct cast.
template <typename To>
To ConvertTo(double value, DType to) {
  if (to == DType::kI1) return static_cast<To>(value != 0 ? 1 : 0);
  if constexpr (std::is_floating_point_v<To>) {
    return static_cast<To>(value);
  } else {
    // A C cast is undefined outside the range; clamp first.
    constexpr double kLowest = static_cast<double>(std::numeric_limits<To>::lowest());
    constexpr double kMax = static_cast<double>(std::numeric_limits<To>::max());
    if (std::isnan(value)) return 0;
    if (value <= kLowest) return std::numeric_limits<To>::lowest();
    if (value >= kMax) return std::numeric_limits<To>::max();
    return static_cast<To>(value);
  }
}

}  // namespace dlc

#endif  // DLC_IR_CONVERT_H_
