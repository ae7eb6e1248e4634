// Reference interpreter: cast between every pair of dtypes, with saturation
// of float-to-integer conversions and NaN handling.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "tests/ir/interpreter_test_util.h"

namespace dlc {
namespace {

using ::dlc::testing::Eval;
using ::dlc::testing::Make;
using ::dlc::testing::Values;
using ::testing::ElementsAre;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kIntMin = -2147483648.0;
constexpr double kIntMax = 2147483647.0;

Tensor Cast(const Tensor& x, DType to) { return Eval(OpKind::kCast, {x}, {{"to", to}}); }

TEST(InterpreterCast, FloatToI32TruncatesTowardZero) {
  Tensor r = Cast(Make(DType::kF32, {5}, {2.7, -2.7, 0.5, -0.5, 3}), DType::kI32);
  EXPECT_EQ(r.type().ToString(), "i32[5]");
  EXPECT_THAT(Values(r), ElementsAre(2, -2, 0, 0, 3));
}

TEST(InterpreterCast, FloatToI32SaturatesOutOfRangeValues) {
  // 2147483520 = 2^31 - 128 is the largest f32 below 2^31 and fits; 2^31 does not.
  Tensor r = Cast(Make(DType::kF32, {6}, {1e10, -1e10, kInf, -kInf, 2147483520.0, 2147483648.0}),
                  DType::kI32);
  EXPECT_THAT(Values(r), ElementsAre(kIntMax, kIntMin, kIntMax, kIntMin, 2147483520.0, kIntMax));
  Tensor f64 =
      Cast(Make(DType::kF64, {3}, {2147483647.9, -2147483648.9, -2147483647.5}), DType::kI32);
  EXPECT_THAT(Values(f64), ElementsAre(kIntMax, kIntMin, -2147483647));
}

TEST(InterpreterCast, NaNCastsToZeroForIntegerTargets) {
  EXPECT_THAT(Values(Cast(Make(DType::kF32, {2}, {kNaN, 1}), DType::kI32)), ElementsAre(0, 1));
  EXPECT_THAT(Values(Cast(Make(DType::kF64, {2}, {kNaN, 1}), DType::kU8)), ElementsAre(0, 1));
}

TEST(InterpreterCast, FloatToU8SaturatesToZeroAnd255) {
  Tensor r = Cast(Make(DType::kF32, {5}, {300, -5, 255.9, 12.5, -0.9}), DType::kU8);
  EXPECT_EQ(r.type().ToString(), "u8[5]");
  EXPECT_THAT(Values(r), ElementsAre(255, 0, 255, 12, 0));
}

TEST(InterpreterCast, I32ToU8Saturates) {
  EXPECT_THAT(Values(Cast(Make(DType::kI32, {3}, {-1, 256, 77}), DType::kU8)),
              ElementsAre(0, 255, 77));
}

TEST(InterpreterCast, AnythingToI1IsNotEqualToZero) {
  // NaN != 0 holds, so NaN becomes 1.
  Tensor r = Cast(Make(DType::kF32, {5}, {0, -0.0, 0.5, -3, kNaN}), DType::kI1);
  EXPECT_EQ(r.type().ToString(), "i1[5]");
  EXPECT_THAT(Values(r), ElementsAre(0, 0, 1, 1, 1));
  EXPECT_THAT(Values(Cast(Make(DType::kI32, {3}, {0, 7, -1}), DType::kI1)), ElementsAre(0, 1, 1));
  EXPECT_THAT(Values(Cast(Make(DType::kU8, {2}, {0, 200}), DType::kI1)), ElementsAre(0, 1));
}

TEST(InterpreterCast, I1AndU8ToNumbersAreExact) {
  EXPECT_THAT(Values(Cast(Make(DType::kI1, {2}, {0, 1}), DType::kF32)), ElementsAre(0, 1));
  EXPECT_THAT(Values(Cast(Make(DType::kI1, {2}, {1, 0}), DType::kI32)), ElementsAre(1, 0));
  EXPECT_THAT(Values(Cast(Make(DType::kU8, {2}, {0, 255}), DType::kI32)), ElementsAre(0, 255));
  EXPECT_THAT(Values(Cast(Make(DType::kU8, {2}, {0, 255}), DType::kF64)), ElementsAre(0, 255));
}

TEST(InterpreterCast, I32ToF32RoundsToNearestLikeC) {
  // 2^24 + 1 = 16777217 is not an f32; it rounds to the even neighbour 2^24.
  EXPECT_THAT(Values(Cast(Make(DType::kI32, {3}, {16777217, -5, kIntMin}), DType::kF32)),
              ElementsAre(16777216, -5, kIntMin));
}

TEST(InterpreterCast, F64ToF32RoundsAndOverflowsToInfinity) {
  // 0.1 as f32 is 13421773 * 2^-27 = 0.100000001490116119384765625.
  EXPECT_THAT(Values(Cast(Make(DType::kF64, {3}, {0.1, 1e39, -1e39}), DType::kF32)),
              ElementsAre(0.100000001490116119384765625, kInf, -kInf));
}

TEST(InterpreterCast, F32ToF64IsExact) {
  EXPECT_THAT(Values(Cast(Make(DType::kF32, {2}, {0.1, -2.5}), DType::kF64)),
              ElementsAre(0.100000001490116119384765625, -2.5));
}

TEST(InterpreterCast, CastToTheSameTypeIsIdentity) {
  EXPECT_THAT(Values(Cast(Make(DType::kI32, {2}, {kIntMin, kIntMax}), DType::kI32)),
              ElementsAre(kIntMin, kIntMax));
}

}  // namespace
}  // namespace dlc
