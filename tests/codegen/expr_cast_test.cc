// Casts: float -> int truncates and saturates with NaN -> 0 (ir/convert.h),
// anything -> i1 is (x != 0), integer widening keeps the value (an i32 cast
// to u64 sign-extends, as C++ does), narrowing saturates, i64 <-> u64 keep
// the bits.
#include <cmath>
#include <cstdint>
#include <limits>

#include "ir/convert.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

template <typename From, typename To>
void CheckCast(Type from, Type to, const std::vector<From>& values,
               const std::function<To(From)>& reference, const std::string& name) {
  CheckElementwise<From, To>(
      from, to, values, values, [to](LoopBuilder& lb, ExprId x, ExprId) { return lb.Cast(to, x); },
      [reference](From x, From) { return reference(x); }, name);
}

const std::vector<float> kFloats = {1.5f,   -2.7f, 0.0f,  -0.0f,         kNaN,
                                    kInf,   -kInf, 1e10f, -1e10f,        255.5f,
                                    256.0f, -0.5f, 3e9f,  2147483520.0f, -300.0f};

TEST(CastExprTest, FloatToIntegerTruncatesAndSaturatesLikeConvertTo) {
  CheckCast<float, int32_t>(
      Type::kF32, Type::kI32, kFloats, [](float x) { return ConvertTo<int32_t>(x, DType::kI32); },
      "f32->i32");
  CheckCast<float, uint8_t>(
      Type::kF32, Type::kU8, kFloats, [](float x) { return ConvertTo<uint8_t>(x, DType::kU8); },
      "f32->u8");
  CheckCast<float, int64_t>(
      Type::kF32, Type::kI64, kFloats, [](float x) { return ConvertTo<int64_t>(x, DType::kI32); },
      "f32->i64");
  CheckCast<float, uint64_t>(
      Type::kF32, Type::kU64, kFloats, [](float x) { return ConvertTo<uint64_t>(x, DType::kI32); },
      "f32->u64");
  const std::vector<double> doubles = {2147483647.9, -2147483648.9, 1e300, -7.99, NAN};
  CheckCast<double, int32_t>(
      Type::kF64, Type::kI32, doubles, [](double x) { return ConvertTo<int32_t>(x, DType::kI32); },
      "f64->i32");
}

TEST(CastExprTest, AnythingToBoolIsNotZero) {
  CheckCast<float, uint8_t>(
      Type::kF32, Type::kI1, kFloats, [](float x) { return uint8_t(x != 0); },
      "f32->i1 (NaN is true)");
  CheckCast<int32_t, uint8_t>(
      Type::kI32, Type::kI1, {0, 1, -1, 256}, [](int32_t x) { return uint8_t(x != 0); }, "i32->i1");
  CheckCast<uint8_t, uint8_t>(
      Type::kU8, Type::kI1, {0, 2, 255}, [](uint8_t x) { return uint8_t(x != 0); }, "u8->i1");
}

TEST(CastExprTest, BoolAndIntegersToFloat) {
  CheckCast<uint8_t, float>(
      Type::kI1, Type::kF32, {0, 1}, [](uint8_t x) { return float(x); }, "i1->f32");
  CheckCast<uint8_t, float>(
      Type::kU8, Type::kF32, {0, 200, 255}, [](uint8_t x) { return float(x); }, "u8->f32");
  CheckCast<int32_t, float>(
      Type::kI32, Type::kF32, {-5, 16777217, std::numeric_limits<int32_t>::min()},
      [](int32_t x) { return float(x); }, "i32->f32");
  CheckCast<uint64_t, float>(
      Type::kU64, Type::kF32, {~0ull, 1ull << 63, 12345}, [](uint64_t x) { return float(x); },
      "u64->f32");
  CheckCast<uint64_t, double>(
      Type::kU64, Type::kF64, {(~0ull) >> 40, 3}, [](uint64_t x) { return double(x); }, "u64->f64");
  CheckCast<int64_t, double>(
      Type::kI64, Type::kF64, {-(1ll << 60), 7}, [](int64_t x) { return double(x); }, "i64->f64");
}

TEST(CastExprTest, FloatToFloatRoundsLikeC) {
  CheckCast<double, float>(
      Type::kF64, Type::kF32, {1e300, 0.1, -1e-50, NAN}, [](double x) { return float(x); },
      "f64->f32");
  CheckCast<float, double>(
      Type::kF32, Type::kF64, kFloats, [](float x) { return double(x); }, "f32->f64");
}

TEST(CastExprTest, IntegerWideningKeepsValuesNarrowingSaturates) {
  const std::vector<int32_t> ints = {-1,
                                     0,
                                     300,
                                     -300,
                                     255,
                                     std::numeric_limits<int32_t>::min(),
                                     std::numeric_limits<int32_t>::max()};
  CheckCast<int32_t, uint8_t>(
      Type::kI32, Type::kU8, ints, [](int32_t x) { return ConvertTo<uint8_t>(x, DType::kU8); },
      "i32->u8");
  CheckCast<int32_t, int64_t>(
      Type::kI32, Type::kI64, ints, [](int32_t x) { return int64_t{x}; }, "i32->i64");
  // What random_uniform's lowering relies on: u64(seed) & 0xffffffff is
  // the seed's low 32 bits.
  CheckCast<int32_t, uint64_t>(
      Type::kI32, Type::kU64, ints, [](int32_t x) { return static_cast<uint64_t>(x); }, "i32->u64");
  CheckCast<uint8_t, int32_t>(
      Type::kU8, Type::kI32, {0, 200, 255}, [](uint8_t x) { return int32_t{x}; }, "u8->i32");
  CheckCast<uint8_t, uint64_t>(
      Type::kU8, Type::kU64, {0, 255}, [](uint8_t x) { return uint64_t{x}; }, "u8->u64");
  CheckCast<uint8_t, int32_t>(
      Type::kI1, Type::kI32, {0, 1}, [](uint8_t x) { return int32_t{x}; }, "i1->i32");
  const std::vector<int64_t> longs = {-1, 1ll << 40, -(1ll << 40), 77, INT64_MIN, INT64_MAX};
  CheckCast<int64_t, int32_t>(
      Type::kI64, Type::kI32, longs,
      [](int64_t x) { return ConvertTo<int32_t>(double(x), DType::kI32); }, "i64->i32");
  CheckCast<int64_t, uint8_t>(
      Type::kI64, Type::kU8, longs,
      [](int64_t x) { return ConvertTo<uint8_t>(double(x), DType::kU8); }, "i64->u8");
  CheckCast<int64_t, uint64_t>(
      Type::kI64, Type::kU64, longs, [](int64_t x) { return static_cast<uint64_t>(x); },
      "i64->u64 (bits)");
  CheckCast<uint64_t, int64_t>(
      Type::kU64, Type::kI64, {~0ull, 5}, [](uint64_t x) { return static_cast<int64_t>(x); },
      "u64->i64 (bits)");
  CheckCast<uint64_t, int32_t>(
      Type::kU64, Type::kI32, {~0ull, 5, 1ull << 31},
      [](uint64_t x) { return x > uint64_t{INT32_MAX} ? INT32_MAX : static_cast<int32_t>(x); },
      "u64->i32");
}

}  // namespace
}  // namespace dlc::codegen_test
