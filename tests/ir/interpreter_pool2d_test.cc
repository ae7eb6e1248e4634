// Reference interpreter: maxpool2d and avgpool2d, where padded positions are
// not elements (maxpool ignores them, avgpool does not count them).
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

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Attributes PoolAttrs(IntList window, IntList strides, Attribute padding) {
  return {{"window", std::move(window)},
          {"strides", std::move(strides)},
          {"padding", std::move(padding)}};
}

const Attribute kValid = std::string("valid");
const Attribute kSame = std::string("same");

// [1,H,W,1] holding first, first+1, ... in row-major order.
Tensor Counting(int64_t height, int64_t width, double first) {
  std::vector<double> values;
  for (int64_t i = 0; i < height * width; ++i) values.push_back(first + static_cast<double>(i));
  return Make(DType::kF32, {1, height, width, 1}, values);
}

TEST(InterpreterPool2D, MaxPoolTakesTheMaxOfEachWindow) {
  // 4x4 of 1..16, 2x2 windows, stride 2: max of each block is its bottom right.
  Tensor r = Eval(OpKind::kMaxPool2D, {Counting(4, 4, 1)}, PoolAttrs({2, 2}, {2, 2}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(6, 8, 14, 16));
}

TEST(InterpreterPool2D, MaxPoolPoolsEachChannelSeparately) {
  // A 2x2 image with channels [1,-1], [5,-5], [3,-3], [2,-2].
  Tensor r =
      Eval(OpKind::kMaxPool2D, {Make(DType::kF32, {1, 2, 2, 2}, {1, -1, 5, -5, 3, -3, 2, -2})},
           PoolAttrs({2, 2}, {1, 1}, kValid));
  EXPECT_EQ(r.type().ToString(), "f32[1,1,1,2]");
  EXPECT_THAT(Values(r), ElementsAre(5, -1));
}

TEST(InterpreterPool2D, MaxPoolSamePaddingIgnoresPaddedPositions) {
  // 3x3 of -1..-9 (x[h,w] = -(3h+w+1)), 2x2 windows, stride 2, "same": out 2x2,
  // one row of padding at the bottom and one column on the right. Were padding
  // 0, the three windows touching it would give 0.
  //   out[0,0] = max(-1,-2,-4,-5) = -1   out[0,1] = max(-3,-6) = -3
  //   out[1,0] = max(-7,-8) = -7          out[1,1] = -9
  Tensor x = Make(DType::kF32, {1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9});
  Tensor r = Eval(OpKind::kMaxPool2D, {x}, PoolAttrs({2, 2}, {2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(-1, -3, -7, -9));
}

TEST(InterpreterPool2D, MaxPoolPropagatesNaN) {
  Tensor r = Eval(OpKind::kMaxPool2D, {Make(DType::kF32, {1, 1, 3, 1}, {1, kNaN, 2})},
                  PoolAttrs({1, 3}, {1, 1}, kValid));
  EXPECT_TRUE(std::isnan(Values(r)[0]));
}

TEST(InterpreterPool2D, AvgPoolAveragesEachWindow) {
  // (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, (11+12+15+16)/4 = 13.5.
  Tensor r = Eval(OpKind::kAvgPool2D, {Counting(4, 4, 1)}, PoolAttrs({2, 2}, {2, 2}, kValid));
  EXPECT_THAT(Values(r), ElementsAre(3.5, 5.5, 11.5, 13.5));
}

TEST(InterpreterPool2D, AvgPoolSameDividesByTheRealElementsOnly) {
  // 3x3 of 1..9, 2x2 windows, stride 2, "same" (padding bottom and right):
  //   out[0,0] = (1+2+4+5)/4 = 3   out[0,1] = (3+6)/2 = 4.5
  //   out[1,0] = (7+8)/2 = 7.5     out[1,1] = 9/1 = 9
  Tensor r = Eval(OpKind::kAvgPool2D, {Counting(3, 3, 1)}, PoolAttrs({2, 2}, {2, 2}, kSame));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,2,1]");
  EXPECT_THAT(Values(r), ElementsAre(3, 4.5, 7.5, 9));
}

TEST(InterpreterPool2D, ExplicitPaddingOnEverySide) {
  // x = [[1,2],[3,4]], 2x2 windows, stride 1, one row/column of padding all
  // around: a 3x3 output whose windows hold 1, 2 or 4 real elements.
  Tensor x = Make(DType::kF32, {1, 2, 2, 1}, {1, 2, 3, 4});
  const Attributes attrs = PoolAttrs({2, 2}, {1, 1}, IntList{1, 1, 1, 1});
  Tensor avg = Eval(OpKind::kAvgPool2D, {x}, attrs);
  EXPECT_EQ(avg.type().ToString(), "f32[1,3,3,1]");
  // Corners hold one element, edges two ((1+2)/2, (1+3)/2, ...), the centre all four.
  EXPECT_THAT(Values(avg), ElementsAre(1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4));
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2D, {x}, attrs)), ElementsAre(1, 2, 2, 3, 4, 4, 3, 4, 4));
}

TEST(InterpreterPool2D, AWindowOfOnlyPaddingIsMinusInfinityForMaxAndZeroForAvg) {
  // A 1x1 image [5] with one padded row on top and 1x1 windows: output row 0
  // sees only padding.
  Tensor x = Make(DType::kF32, {1, 1, 1, 1}, {5});
  const Attributes attrs = PoolAttrs({1, 1}, {1, 1}, IntList{1, 0, 0, 0});
  EXPECT_THAT(Values(Eval(OpKind::kMaxPool2D, {x}, attrs)), ElementsAre(-kInf, 5));
  EXPECT_THAT(Values(Eval(OpKind::kAvgPool2D, {x}, attrs)), ElementsAre(0, 5));
}

TEST(InterpreterPool2D, F64PoolingComputesInDouble) {
  // (1 + 2^-30) / 2 = 0.5 + 2^-31 in f64; in f32 the 2^-30 is lost.
  const double tiny = 1.0 / 1073741824.0;
  const Attributes attrs = PoolAttrs({1, 2}, {1, 1}, kValid);
  Tensor f64 = Eval(OpKind::kAvgPool2D, {Make(DType::kF64, {1, 1, 2, 1}, {1, tiny})}, attrs);
  EXPECT_EQ(f64.type().ToString(), "f64[1,1,1,1]");
  EXPECT_THAT(Values(f64), ElementsAre(0.5 + tiny / 2));
  Tensor f32 = Eval(OpKind::kAvgPool2D, {Make(DType::kF32, {1, 1, 2, 1}, {1, tiny})}, attrs);
  EXPECT_THAT(Values(f32), ElementsAre(0.5));
  Tensor max = Eval(OpKind::kMaxPool2D, {Make(DType::kF64, {1, 1, 2, 1}, {1, 1 + tiny})}, attrs);
  EXPECT_THAT(Values(max), ElementsAre(1 + tiny));
}

}  // namespace
}  // namespace dlc
