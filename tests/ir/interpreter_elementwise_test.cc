// Reference interpreter: elementwise ops, broadcasting, integer corner cases,
// compare and select. Expected values are worked out by hand.
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
using ::dlc::testing::TryEval;
using ::dlc::testing::Values;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kIntMin = -2147483648.0;
constexpr double kIntMax = 2147483647.0;

Attributes Predicate(const char* name) { return {{"predicate", std::string(name)}}; }

// ---- broadcasting ---------------------------------------------------------

TEST(InterpreterElementwise, AddOfSameShapesAddsElementwise) {
  Tensor r =
      Eval(OpKind::kAdd, {Make(DType::kF32, {3}, {1, 2, 3}), Make(DType::kF32, {3}, {10, 20, 30})});
  EXPECT_EQ(r.type().ToString(), "f32[3]");
  EXPECT_THAT(Values(r), ElementsAre(11, 22, 33));
}

TEST(InterpreterElementwise, AddBroadcastsARowOnTheRightOverEveryRow) {
  // [[1,2,3],[4,5,6]] + [10,20,30]
  Tensor r = Eval(OpKind::kAdd, {Make(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6}),
                                 Make(DType::kF32, {3}, {10, 20, 30})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values(r), ElementsAre(11, 22, 33, 14, 25, 36));
}

TEST(InterpreterElementwise, SubBroadcastsARowOnTheLeftOverEveryRow) {
  // [10,20,30] - [[1,2,3],[4,5,6]]
  Tensor r = Eval(OpKind::kSub, {Make(DType::kF32, {3}, {10, 20, 30}),
                                 Make(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values(r), ElementsAre(9, 18, 27, 6, 15, 24));
}

TEST(InterpreterElementwise, SubBroadcastsAColumnAgainstARowToAMatrix) {
  // [[10],[20]] - [[1,2,3]] = [[10-1, 10-2, 10-3], [20-1, 20-2, 20-3]]
  Tensor r = Eval(OpKind::kSub,
                  {Make(DType::kF32, {2, 1}, {10, 20}), Make(DType::kF32, {1, 3}, {1, 2, 3})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values(r), ElementsAre(9, 8, 7, 19, 18, 17));
}

TEST(InterpreterElementwise, MulBroadcastsAScalarOnEitherSide) {
  Tensor left =
      Eval(OpKind::kMul, {Make(DType::kF32, {}, {2}), Make(DType::kF32, {2, 2}, {1, 2, 3, 4})});
  EXPECT_EQ(left.type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values(left), ElementsAre(2, 4, 6, 8));
  Tensor right =
      Eval(OpKind::kDiv, {Make(DType::kF32, {2, 2}, {2, 4, 6, 8}), Make(DType::kF32, {}, {2})});
  EXPECT_THAT(Values(right), ElementsAre(1, 2, 3, 4));
}

TEST(InterpreterElementwise, AddBroadcastsMissingAndUnitAxesOfRank3) {
  // a[i,0,k] = 3i + k, shape [2,1,3]; b[j,0] = 100(j+1), shape [2,1].
  // r[i,j,k] = a[i,0,k] + b[j,0], shape [2,2,3].
  Tensor r = Eval(OpKind::kAdd, {Make(DType::kF32, {2, 1, 3}, {0, 1, 2, 3, 4, 5}),
                                 Make(DType::kF32, {2, 1}, {100, 200})});
  EXPECT_EQ(r.type().ToString(), "f32[2,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(100, 101, 102, 200, 201, 202, 103, 104, 105, 203, 204, 205));
}

TEST(InterpreterElementwise, BroadcastingAgainstAZeroSizedAxisGivesAnEmptyResult) {
  Tensor r = Eval(OpKind::kAdd, {Make(DType::kF32, {0, 3}, {}), Make(DType::kF32, {3}, {1, 2, 3})});
  EXPECT_EQ(r.type().ToString(), "f32[0,3]");
  EXPECT_EQ(r.num_elements(), 0);
  // No element is divided, so a zero divisor does no harm.
  Tensor q = Eval(OpKind::kDiv, {Make(DType::kI32, {0}, {}), Make(DType::kI32, {1}, {0})});
  EXPECT_EQ(q.type().ToString(), "i32[0]");
}

// ---- arithmetic -----------------------------------------------------------

TEST(InterpreterElementwise, FloatDivisionFollowsIeee) {
  Tensor r = Eval(OpKind::kDiv,
                  {Make(DType::kF32, {4}, {1, -3, 1, -1}), Make(DType::kF32, {4}, {4, 2, 0, 0})});
  EXPECT_THAT(Values(r), ElementsAre(0.25, -1.5, kInf, -kInf));
}

TEST(InterpreterElementwise, IntegerDivisionTruncatesTowardZero) {
  Tensor r = Eval(OpKind::kDiv,
                  {Make(DType::kI32, {4}, {7, -7, 7, -7}), Make(DType::kI32, {4}, {2, 2, -2, -2})});
  EXPECT_EQ(r.type().ToString(), "i32[4]");
  EXPECT_THAT(Values(r), ElementsAre(3, -3, -3, 3));
}

TEST(InterpreterElementwise, IntegerDivisionByZeroIsAnErrorNamingTheNode) {
  absl::StatusOr<Tensor> r =
      TryEval(OpKind::kDiv, {Make(DType::kI32, {3}, {1, 2, 3}), Make(DType::kI32, {3}, {1, 0, 1})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "%q = div: integer division by zero (divisor element 1 is 0)");
}

TEST(InterpreterElementwise, IntegerDivisionOfIntMinByMinusOneWraps) {
  Tensor r = Eval(OpKind::kDiv, {Make(DType::kI32, {1}, {kIntMin}), Make(DType::kI32, {1}, {-1})});
  EXPECT_THAT(Values(r), ElementsAre(kIntMin));
}

TEST(InterpreterElementwise, IntegerAddSubMulNegWrapAround) {
  EXPECT_THAT(
      Values(Eval(OpKind::kAdd, {Make(DType::kI32, {1}, {kIntMax}), Make(DType::kI32, {1}, {1})})),
      ElementsAre(kIntMin));
  EXPECT_THAT(
      Values(Eval(OpKind::kSub, {Make(DType::kI32, {1}, {kIntMin}), Make(DType::kI32, {1}, {1})})),
      ElementsAre(kIntMax));
  // 65536 * 65536 = 2^32, which is 0 modulo 2^32.
  EXPECT_THAT(Values(Eval(OpKind::kMul, {Make(DType::kI32, {2}, {65536, -3}),
                                         Make(DType::kI32, {2}, {65536, 5})})),
              ElementsAre(0, -15));
  EXPECT_THAT(Values(Eval(OpKind::kNeg, {Make(DType::kI32, {3}, {kIntMin, 5, -7})})),
              ElementsAre(kIntMin, -5, 7));
}

TEST(InterpreterElementwise, MaxAndMinPickPerElement) {
  Tensor a = Make(DType::kF32, {3}, {1, 5, -2});
  Tensor b = Make(DType::kF32, {3}, {3, 4, -2});
  EXPECT_THAT(Values(Eval(OpKind::kMax, {a, b})), ElementsAre(3, 5, -2));
  EXPECT_THAT(Values(Eval(OpKind::kMin, {a, b})), ElementsAre(1, 4, -2));
  Tensor i = Make(DType::kI32, {2}, {-7, 9});
  Tensor j = Make(DType::kI32, {}, {0});
  EXPECT_THAT(Values(Eval(OpKind::kMax, {i, j})), ElementsAre(0, 9));
  EXPECT_THAT(Values(Eval(OpKind::kMin, {i, j})), ElementsAre(-7, 0));
}

TEST(InterpreterElementwise, MaxMinAndReluPropagateNaN) {
  Tensor a = Make(DType::kF32, {2}, {kNaN, 1});
  Tensor b = Make(DType::kF32, {2}, {1, kNaN});
  for (OpKind op : {OpKind::kMax, OpKind::kMin}) {
    std::vector<double> r = Values(Eval(op, {a, b}));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(std::isnan(r[0]));
    EXPECT_TRUE(std::isnan(r[1]));
  }
  EXPECT_TRUE(std::isnan(Values(Eval(OpKind::kRelu, {Make(DType::kF32, {1}, {kNaN})}))[0]));
}

TEST(InterpreterElementwise, PowRaisesElementwise) {
  // 2^3 = 8, 9^0.5 = 3, 2^-1 = 0.5, with the exponent broadcast from [3].
  Tensor r = Eval(OpKind::kPow, {Make(DType::kF32, {2, 3}, {2, 9, 2, 1, 4, 10}),
                                 Make(DType::kF32, {3}, {3, 0.5, -1})});
  EXPECT_THAT(Values(r), Pointwise(DoubleNear(1e-6), {8.0, 3.0, 0.5, 1.0, 2.0, 0.1}));
}

TEST(InterpreterElementwise, NegFlipsTheSign) {
  EXPECT_THAT(Values(Eval(OpKind::kNeg, {Make(DType::kF32, {3}, {1, -2.5, 0})})),
              ElementsAre(-1, 2.5, 0));
}

TEST(InterpreterElementwise, ExpLogSqrtRsqrtTanhGiveKnownValues) {
  EXPECT_THAT(Values(Eval(OpKind::kExp, {Make(DType::kF32, {3}, {0, 1, -kInf})})),
              Pointwise(DoubleNear(1e-6), {1.0, 2.718281828459045, 0.0}));
  EXPECT_THAT(Values(Eval(OpKind::kLog, {Make(DType::kF32, {3}, {1, 2.718281828459045, 0})})),
              Pointwise(DoubleNear(1e-6), {0.0, 1.0, -kInf}));
  EXPECT_THAT(Values(Eval(OpKind::kSqrt, {Make(DType::kF32, {2}, {4, 2.25})})),
              ElementsAre(2, 1.5));
  EXPECT_THAT(Values(Eval(OpKind::kRsqrt, {Make(DType::kF32, {2}, {4, 0.25})})),
              ElementsAre(0.5, 2));
  // tanh(0.5) = 0.46211715726...; tanh saturates to +-1 without NaN.
  EXPECT_THAT(Values(Eval(OpKind::kTanh, {Make(DType::kF32, {4}, {0, 0.5, -20, 1000})})),
              Pointwise(DoubleNear(1e-6), {0.0, 0.46211715726000974, -1.0, 1.0}));
}

TEST(InterpreterElementwise, ReluIsMaxWithZeroForFloatsAndInts) {
  EXPECT_THAT(Values(Eval(OpKind::kRelu, {Make(DType::kF32, {3}, {-1, 0, 2.5})})),
              ElementsAre(0, 0, 2.5));
  EXPECT_THAT(Values(Eval(OpKind::kRelu, {Make(DType::kI32, {2}, {-3, 4})})), ElementsAre(0, 4));
}

TEST(InterpreterElementwise, LeakyReluScalesWhatIsNotPositiveByAlpha) {
  // alpha 0.25: -2 -> -0.5, -0.5 -> -0.125, 0 -> 0, 3 -> 3, -0 -> -0; NaN stays NaN.
  std::vector<double> v =
      Values(Eval(OpKind::kLeakyRelu, {Make(DType::kF32, {6}, {-2, -0.5, 0, 3, -0.0, kNaN})},
                  {{"alpha", 0.25}}));
  ASSERT_EQ(v.size(), 6u);
  EXPECT_THAT(std::vector<double>(v.begin(), v.begin() + 5), ElementsAre(-0.5, -0.125, 0, 3, 0));
  EXPECT_TRUE(std::signbit(v[4]));
  EXPECT_TRUE(std::isnan(v[5]));
  // The default alpha, 0.01: -100 -> -1 (in f64, exactly).
  EXPECT_THAT(Values(Eval(OpKind::kLeakyRelu, {Make(DType::kF64, {2}, {-100, 7})})),
              ElementsAre(-1, 7));
  // A negative alpha turns negatives positive: -2 with alpha -0.5 -> 1.
  EXPECT_THAT(
      Values(Eval(OpKind::kLeakyRelu, {Make(DType::kF64, {2}, {-2, 2})}, {{"alpha", -0.5}})),
      ElementsAre(1, 2));
}

TEST(InterpreterElementwise, LeakyReluRoundsAlphaToTheElementType) {
  // f32: -3 * float(0.1), not float(-3 * 0.1); the compiled code does the same.
  EXPECT_THAT(Values(Eval(OpKind::kLeakyRelu, {Make(DType::kF32, {1}, {-3})}, {{"alpha", 0.1}})),
              ElementsAre(static_cast<double>(-3.0f * 0.1f)));
}

TEST(InterpreterElementwise, SigmoidIsFiniteAndCorrectForLargeInputs) {
  // sigmoid(-20) = 1/(1+e^20) = 2.0611536e-9; sigmoid(2) = 1/(1+e^-2) = 0.88079708.
  Tensor r = Eval(OpKind::kSigmoid, {Make(DType::kF32, {5}, {-1000, -20, 0, 2, 1000})});
  std::vector<double> v = Values(r);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], 0);
  EXPECT_NEAR(v[1], 2.0611536181902037e-09, 1e-15);
  EXPECT_EQ(v[2], 0.5);
  EXPECT_NEAR(v[3], 0.8807970779778823, 1e-6);
  EXPECT_EQ(v[4], 1);
}

// ---- compare and select ---------------------------------------------------

TEST(InterpreterElementwise, CompareGivesI1ForEveryPredicate) {
  Tensor a = Make(DType::kF32, {3}, {1, 2, 3});
  Tensor b = Make(DType::kF32, {3}, {2, 2, 2});
  Tensor eq = Eval(OpKind::kCompare, {a, b}, Predicate("eq"));
  EXPECT_EQ(eq.type().ToString(), "i1[3]");
  EXPECT_THAT(Values(eq), ElementsAre(0, 1, 0));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("ne"))), ElementsAre(1, 0, 1));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("lt"))), ElementsAre(1, 0, 0));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("le"))), ElementsAre(1, 1, 0));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("gt"))), ElementsAre(0, 0, 1));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("ge"))), ElementsAre(0, 1, 1));
}

TEST(InterpreterElementwise, CompareBroadcastsAndNaNIsOnlyNotEqual) {
  // [[1],[NaN]] against [0,1,2].
  Tensor a = Make(DType::kF32, {2, 1}, {1, kNaN});
  Tensor b = Make(DType::kF32, {3}, {0, 1, 2});
  Tensor lt = Eval(OpKind::kCompare, {a, b}, Predicate("lt"));
  EXPECT_EQ(lt.type().ToString(), "i1[2,3]");
  EXPECT_THAT(Values(lt), ElementsAre(0, 0, 1, 0, 0, 0));
  EXPECT_THAT(Values(Eval(OpKind::kCompare, {a, b}, Predicate("ne"))),
              ElementsAre(1, 0, 1, 1, 1, 1));
}

TEST(InterpreterElementwise, CompareWorksOnI32U8AndI1) {
  EXPECT_THAT(Values(Eval(OpKind::kCompare,
                          {Make(DType::kI32, {3}, {-5, 0, 5}), Make(DType::kI32, {}, {0})},
                          Predicate("gt"))),
              ElementsAre(0, 0, 1));
  EXPECT_THAT(
      Values(Eval(OpKind::kCompare,
                  {Make(DType::kU8, {3}, {0, 200, 255}), Make(DType::kU8, {3}, {1, 200, 7})},
                  Predicate("le"))),
      ElementsAre(1, 1, 0));
  EXPECT_THAT(Values(Eval(OpKind::kCompare,
                          {Make(DType::kI1, {3}, {0, 1, 1}), Make(DType::kI1, {3}, {0, 0, 1})},
                          Predicate("eq"))),
              ElementsAre(1, 0, 1));
}

TEST(InterpreterElementwise, SelectBroadcastsConditionAndBothBranches) {
  // cond [[1],[0]], on_true [1,2,3], on_false -1 -> row 0 from on_true, row 1 from on_false.
  Tensor r =
      Eval(OpKind::kSelect, {Make(DType::kI1, {2, 1}, {1, 0}), Make(DType::kF32, {3}, {1, 2, 3}),
                             Make(DType::kF32, {}, {-1})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 2, 3, -1, -1, -1));
}

TEST(InterpreterElementwise, SelectPicksIntegerElements) {
  Tensor r =
      Eval(OpKind::kSelect, {Make(DType::kI1, {3}, {1, 0, 1}), Make(DType::kI32, {3}, {10, 20, 30}),
                             Make(DType::kI32, {3}, {-1, -2, -3})});
  EXPECT_EQ(r.type().ToString(), "i32[3]");
  EXPECT_THAT(Values(r), ElementsAre(10, -2, 30));
}

// ---- f64 ------------------------------------------------------------------

TEST(InterpreterElementwise, F64GraphsComputeInDoubleAndF32GraphsInFloat) {
  // 1 + 1e-10 is 1 in f32 (epsilon 1.2e-7) but not in f64.
  Tensor f64 = Eval(OpKind::kAdd, {Make(DType::kF64, {1}, {1}), Make(DType::kF64, {1}, {1e-10})});
  EXPECT_EQ(f64.type().ToString(), "f64[1]");
  EXPECT_EQ(Values(f64)[0], 1.0000000001);
  Tensor f32 = Eval(OpKind::kAdd, {Make(DType::kF32, {1}, {1}), Make(DType::kF32, {1}, {1e-10})});
  EXPECT_EQ(Values(f32)[0], 1.0);
}

TEST(InterpreterElementwise, F64TranscendentalsAreAccurateToDoublePrecision) {
  EXPECT_THAT(Values(Eval(OpKind::kExp, {Make(DType::kF64, {1}, {1})})),
              Pointwise(DoubleNear(1e-15), {2.718281828459045}));
  EXPECT_THAT(Values(Eval(OpKind::kSigmoid, {Make(DType::kF64, {2}, {-20, 2})})),
              Pointwise(DoubleNear(1e-16), {2.0611536181902037e-09, 0.8807970779778823}));
  EXPECT_THAT(Values(Eval(OpKind::kRsqrt, {Make(DType::kF64, {1}, {2})})),
              Pointwise(DoubleNear(1e-16), {0.7071067811865475}));
}

}  // namespace
}  // namespace dlc
