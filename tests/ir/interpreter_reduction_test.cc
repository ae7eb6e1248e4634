// Reference interpreter: reduce_sum, reduce_mean, reduce_max and argmax.
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

Attributes Axes(IntList axes, bool keepdims = false) {
  return {{"axes", std::move(axes)}, {"keepdims", keepdims}};
}

Attributes Axis(int64_t axis, bool keepdims = false) {
  return {{"axis", axis}, {"keepdims", keepdims}};
}

// [[1,2,3],[4,5,6]]
Tensor Matrix(DType dtype = DType::kF32) { return Make(dtype, {2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(InterpreterReduction, ReduceSumOverOneAxis) {
  Tensor columns = Eval(OpKind::kReduceSum, {Matrix()}, Axes({0}));
  EXPECT_EQ(columns.type().ToString(), "f32[3]");
  EXPECT_THAT(Values(columns), ElementsAre(5, 7, 9));
  Tensor rows = Eval(OpKind::kReduceSum, {Matrix()}, Axes({1}));
  EXPECT_EQ(rows.type().ToString(), "f32[2]");
  EXPECT_THAT(Values(rows), ElementsAre(6, 15));
}

TEST(InterpreterReduction, ReduceSumAcceptsNegativeAxesAndKeepdims) {
  Tensor r = Eval(OpKind::kReduceSum, {Matrix()}, Axes({-1}, /*keepdims=*/true));
  EXPECT_EQ(r.type().ToString(), "f32[2,1]");
  EXPECT_THAT(Values(r), ElementsAre(6, 15));
}

TEST(InterpreterReduction, ReduceSumOverAllAxesGivesAScalar) {
  Tensor r = Eval(OpKind::kReduceSum, {Matrix()}, Axes({0, 1}));
  EXPECT_EQ(r.type().ToString(), "f32[]");
  EXPECT_THAT(Values(r), ElementsAre(21));
}

TEST(InterpreterReduction, ReduceWithNoAxesIsIdentity) {
  for (OpKind op : {OpKind::kReduceSum, OpKind::kReduceMean, OpKind::kReduceMax}) {
    Tensor r = Eval(op, {Matrix()}, Axes({}));
    EXPECT_EQ(r.type().ToString(), "f32[2,3]");
    EXPECT_THAT(Values(r), ElementsAre(1, 2, 3, 4, 5, 6));
  }
}

TEST(InterpreterReduction, ReduceSumOverMiddleAndOuterAxesOfRank3) {
  // x[i,j,k] = 6i + 2j + k, shape [2,3,2].
  std::vector<double> iota(12);
  for (int i = 0; i < 12; ++i) iota[i] = i;
  Tensor x = Make(DType::kF32, {2, 3, 2}, iota);
  // Over j: 18i + 2(0+1+2) + 3k = 18i + 6 + 3k.
  Tensor middle = Eval(OpKind::kReduceSum, {x}, Axes({1}));
  EXPECT_EQ(middle.type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values(middle), ElementsAre(6, 9, 24, 27));
  // Over i and k: 6(0+1)*2 + 2j*4 + (0+1)*2 = 14 + 8j.
  Tensor outer = Eval(OpKind::kReduceSum, {x}, Axes({2, 0}));
  EXPECT_EQ(outer.type().ToString(), "f32[3]");
  EXPECT_THAT(Values(outer), ElementsAre(14, 22, 30));
}

TEST(InterpreterReduction, ReduceSumOfI32WrapsAround) {
  Tensor r = Eval(OpKind::kReduceSum, {Make(DType::kI32, {3}, {2147483647, 1, 5})}, Axes({0}));
  EXPECT_EQ(r.type().ToString(), "i32[]");
  EXPECT_THAT(Values(r), ElementsAre(-2147483648.0 + 5));
}

TEST(InterpreterReduction, ReduceMeanDividesByTheReducedCount) {
  // Columns: (1+4)/2, (2+5)/2, (3+6)/2; all: 21/6.
  EXPECT_THAT(Values(Eval(OpKind::kReduceMean, {Matrix()}, Axes({0}))), ElementsAre(2.5, 3.5, 4.5));
  EXPECT_THAT(Values(Eval(OpKind::kReduceMean, {Matrix()}, Axes({0, 1}, true))), ElementsAre(3.5));
}

TEST(InterpreterReduction, ReduceMaxOfNegativeNumbersIsNotZero) {
  Tensor r = Eval(OpKind::kReduceMax, {Make(DType::kF32, {2, 2}, {-5, -2, -7, -9})}, Axes({1}));
  EXPECT_THAT(Values(r), ElementsAre(-2, -7));
  Tensor i32 = Eval(OpKind::kReduceMax, {Make(DType::kI32, {2, 2}, {-5, -2, -7, -9})}, Axes({0}));
  EXPECT_THAT(Values(i32), ElementsAre(-5, -2));
}

TEST(InterpreterReduction, ReduceMaxPropagatesNaN) {
  std::vector<double> r = Values(
      Eval(OpKind::kReduceMax, {Make(DType::kF32, {2, 3}, {1, kNaN, 3, kInf, 1, 2})}, Axes({1})));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_EQ(r[1], kInf);
}

TEST(InterpreterReduction, ReduceMaxOverAnEmptyAxisIsMinusInfinity) {
  Tensor r = Eval(OpKind::kReduceMax, {Make(DType::kF32, {2, 0}, {})}, Axes({1}));
  EXPECT_THAT(Values(r), ElementsAre(-kInf, -kInf));
}

TEST(InterpreterReduction, OverAnEmptyAxisSumIsZeroAndMeanIsNaN) {
  Tensor empty = Make(DType::kF32, {0, 2}, {});
  EXPECT_THAT(Values(Eval(OpKind::kReduceSum, {empty}, Axes({0}))), ElementsAre(0, 0));
  std::vector<double> mean = Values(Eval(OpKind::kReduceMean, {empty}, Axes({0})));
  ASSERT_EQ(mean.size(), 2u);
  EXPECT_TRUE(std::isnan(mean[0]));  // 0 / 0
}

TEST(InterpreterReduction, F64ReduceSumKeepsWhatF32Loses) {
  // 1 + 2^-30: lost in f32 (epsilon 2^-23), exact in f64.
  const double tiny = std::ldexp(1.0, -30);
  EXPECT_THAT(Values(Eval(OpKind::kReduceSum, {Make(DType::kF64, {2}, {1, tiny})}, Axes({0}))),
              ElementsAre(1 + tiny));
  EXPECT_THAT(Values(Eval(OpKind::kReduceSum, {Make(DType::kF32, {2}, {1, tiny})}, Axes({0}))),
              ElementsAre(1));
}

TEST(InterpreterReduction, ArgMaxAlongRowsAndColumns) {
  // [[1,3,2],[9,0,9]]
  Tensor x = Make(DType::kF32, {2, 3}, {1, 3, 2, 9, 0, 9});
  Tensor rows = Eval(OpKind::kArgMax, {x}, Axis(1));
  EXPECT_EQ(rows.type().ToString(), "i32[2]");
  EXPECT_THAT(Values(rows), ElementsAre(1, 0));
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {x}, Axis(0))), ElementsAre(1, 0, 1));
  Tensor kept = Eval(OpKind::kArgMax, {x}, Axis(-1, /*keepdims=*/true));
  EXPECT_EQ(kept.type().ToString(), "i32[2,1]");
  EXPECT_THAT(Values(kept), ElementsAre(1, 0));
}

TEST(InterpreterReduction, ArgMaxTiesPickTheFirstIndex) {
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {Make(DType::kF32, {5}, {2, 5, 5, 1, 5})}, Axis(0))),
              ElementsAre(1));
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {Make(DType::kI32, {3}, {4, 4, 4})}, Axis(0))),
              ElementsAre(0));
}

TEST(InterpreterReduction, ArgMaxPicksTheFirstNaN) {
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {Make(DType::kF32, {4}, {1, kNaN, 7, kNaN})}, Axis(0))),
              ElementsAre(1));
}

TEST(InterpreterReduction, ArgMaxOfIntegers) {
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {Make(DType::kU8, {3}, {3, 200, 200})}, Axis(0))),
              ElementsAre(1));
  EXPECT_THAT(Values(Eval(OpKind::kArgMax, {Make(DType::kI32, {3}, {-5, -1, -3})}, Axis(0))),
              ElementsAre(1));
}

TEST(InterpreterReduction, ArgMaxAlongTheMiddleAxisOfRank3) {
  // x[0] = [[0,9],[5,1],[5,2]], x[1] = [[7,7],[8,0],[1,8]]; along axis 1:
  // x[0][:,0] = 0,5,5 -> 1; x[0][:,1] = 9,1,2 -> 0; x[1][:,0] = 7,8,1 -> 1; x[1][:,1] = 7,0,8 -> 2.
  Tensor x = Make(DType::kF64, {2, 3, 2}, {0, 9, 5, 1, 5, 2, 7, 7, 8, 0, 1, 8});
  Tensor r = Eval(OpKind::kArgMax, {x}, Axis(1));
  EXPECT_EQ(r.type().ToString(), "i32[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 1, 2));
}

}  // namespace
}  // namespace dlc
