// Gradient checks of the elementwise ops: autodiff against central finite
// differences in f64, relative error below 1e-6, with broadcasting on
// either side of every binary op.
#include "gtest/gtest.h"
#include "tests/passes/op_gradient_harness.h"

namespace dlc::testing {
namespace {

struct ShapePair {
  Shape a, b;
};

// Broadcasting on each side: none, b stretched, a stretched, both stretched,
// a scalar on either side, and ranks that differ with both stretched.
const ShapePair kBroadcastCases[] = {
    {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{3}, {2, 3}},       {{2, 1}, {1, 3}},
    {{}, {2, 3}},     {{2, 3}, {}},  {{2, 1, 4}, {3, 1}},
};

std::string Describe(const ShapePair& p) {
  return ShapeToString(p.a) + " op " + ShapeToString(p.b);
}

void ExpectBinaryGradients(OpKind op, Domain a_domain, Domain b_domain) {
  for (const ShapePair& shapes : kBroadcastCases) {
    SCOPED_TRACE(Describe(shapes));
    OpGradientGraph g;
    const ValueId a = g.Input("a", shapes.a, a_domain);
    const ValueId b = g.Input("b", shapes.b, b_domain);
    g.ExpectGradientsMatch(g.Op(op, {a, b}));
  }
}

void ExpectUnaryGradients(OpKind op, Domain domain) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3, 4}, domain);
  g.ExpectGradientsMatch(g.Op(op, {a}));
}

TEST(ElementwiseGradients, AddBroadcastsOnEitherSide) {
  ExpectBinaryGradients(OpKind::kAdd, Domain::kAny, Domain::kAny);
}
TEST(ElementwiseGradients, SubBroadcastsOnEitherSide) {
  ExpectBinaryGradients(OpKind::kSub, Domain::kAny, Domain::kAny);
}
TEST(ElementwiseGradients, MulBroadcastsOnEitherSide) {
  ExpectBinaryGradients(OpKind::kMul, Domain::kAny, Domain::kAny);
}
TEST(ElementwiseGradients, DivBroadcastsOnEitherSideWithDivisorAwayFromZero) {
  ExpectBinaryGradients(OpKind::kDiv, Domain::kAny, Domain::kAwayFromZero);
}
TEST(ElementwiseGradients, MaxBroadcastsOnEitherSideWithoutTies) {
  ExpectBinaryGradients(OpKind::kMax, Domain::kDistinct, Domain::kDistinct);
}
TEST(ElementwiseGradients, MinBroadcastsOnEitherSideWithoutTies) {
  ExpectBinaryGradients(OpKind::kMin, Domain::kDistinct, Domain::kDistinct);
}
TEST(ElementwiseGradients, PowBroadcastsOnEitherSideWithPositiveBase) {
  ExpectBinaryGradients(OpKind::kPow, Domain::kPositive, Domain::kAny);
}

TEST(ElementwiseGradients, Neg) { ExpectUnaryGradients(OpKind::kNeg, Domain::kAny); }
TEST(ElementwiseGradients, Exp) { ExpectUnaryGradients(OpKind::kExp, Domain::kAny); }
TEST(ElementwiseGradients, LogOfPositiveValues) {
  ExpectUnaryGradients(OpKind::kLog, Domain::kPositive);
}
TEST(ElementwiseGradients, SqrtOfPositiveValues) {
  ExpectUnaryGradients(OpKind::kSqrt, Domain::kPositive);
}
TEST(ElementwiseGradients, RsqrtOfPositiveValues) {
  ExpectUnaryGradients(OpKind::kRsqrt, Domain::kPositive);
}
TEST(ElementwiseGradients, ReluAwayFromTheKink) {
  ExpectUnaryGradients(OpKind::kRelu, Domain::kDistinct);
}
TEST(ElementwiseGradients, LeakyReluAwayFromTheKink) {
  // -0.5: a negative alpha, where y > 0 for a < 0 too.
  for (double alpha : {0.01, 0.3, 0.0, -0.5}) {
    SCOPED_TRACE(alpha);
    OpGradientGraph g;
    const ValueId a = g.Input("a", {2, 3, 4}, Domain::kDistinct);
    g.ExpectGradientsMatch(g.Op(OpKind::kLeakyRelu, {a}, {{"alpha", alpha}}));
  }
}
TEST(ElementwiseGradients, Sigmoid) { ExpectUnaryGradients(OpKind::kSigmoid, Domain::kAny); }
TEST(ElementwiseGradients, Tanh) { ExpectUnaryGradients(OpKind::kTanh, Domain::kAny); }

// At ties and kinks finite differences do not apply; the rules' choices,
// by value: max and min send a tie to their first operand, relu's kink gets 0.
TEST(ElementwiseGradients, MaxAndMinSendTiesToTheFirstOperand) {
  for (OpKind op : {OpKind::kMax, OpKind::kMin}) {
    SCOPED_TRACE(OpName(op));
    OpGradientGraph g;
    const ValueId a = g.Input("a", {3});
    const ValueId b = g.Input("b", {3});
    g.Set("a", {1, 2, -3});
    g.Set("b", {1, 5, -3});
    const bool is_max = op == OpKind::kMax;
    EXPECT_EQ(
        g.GradientsOfSum(g.Op(op, {a, b})),
        (std::vector<std::vector<double>>{{1, is_max ? 0.0 : 1.0, 1}, {0, is_max ? 1.0 : 0.0, 0}}));
  }
}

TEST(ElementwiseGradients, ReluAtZeroHasZeroGradient) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {4});
  g.Set("a", {-1, 0, 0.5, -0.0});
  EXPECT_EQ(g.GradientsOfSum(g.Op(OpKind::kRelu, {a})),
            (std::vector<std::vector<double>>{{0, 0, 1, 0}}));
}

TEST(ElementwiseGradients, LeakyReluAtZeroHasAlphaGradient) {
  for (double alpha : {0.25, -0.5}) {
    SCOPED_TRACE(alpha);
    OpGradientGraph g;
    const ValueId a = g.Input("a", {4});
    g.Set("a", {-1, 0, 0.5, -0.0});
    EXPECT_EQ(g.GradientsOfSum(g.Op(OpKind::kLeakyRelu, {a}, {{"alpha", alpha}})),
              (std::vector<std::vector<double>>{{alpha, alpha, 1, alpha}}));
  }
}

// cond: i32 values compared with 4, so both branches are taken.
ValueId Condition(OpGradientGraph& g, Shape shape, std::vector<double> values) {
  const ValueId k = g.Input("k", std::move(shape), Domain::kAny, DType::kI32);
  g.Set("k", std::move(values));
  auto four = g.builder().Scalar(DType::kI32, 4);
  EXPECT_TRUE(four.ok());
  return g.Op(OpKind::kCompare, {k, four.value_or(0)}, {{"predicate", std::string("gt")}});
}

TEST(ElementwiseGradients, SelectWithBroadcastConditionAndBranches) {
  OpGradientGraph g;
  const ValueId cond = Condition(g, {3, 1}, {7, 1, 9});
  const ValueId a = g.Input("a", {3, 4});
  const ValueId b = g.Input("b", {4});
  g.ExpectGradientsMatch(g.Op(OpKind::kSelect, {cond, a, b}));
}

TEST(ElementwiseGradients, SelectWithScalarBranchAndRowCondition) {
  OpGradientGraph g;
  const ValueId cond = Condition(g, {4}, {0, 8, 5, 2});
  const ValueId a = g.Input("a", {});
  const ValueId b = g.Input("b", {3, 1});
  g.ExpectGradientsMatch(g.Op(OpKind::kSelect, {cond, a, b}));
}

TEST(ElementwiseGradients, CastF64ToF64PassesTheGradientThrough) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  g.ExpectGradientsMatch(g.Op(OpKind::kCast, {a}, {{"to", DType::kF64}}));
}

// Rounding to f32 makes the loss a step function at the scale of 1e-6, so
// this check takes a large step (the loss is linear in a) and allows for
// f32 rounding: it shows that the gradient is cast back to f64, not 1e-6.
TEST(ElementwiseGradients, CastThroughF32PassesTheGradientWithinF32Rounding) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  const ValueId narrow = g.Op(OpKind::kCast, {a}, {{"to", DType::kF32}});
  g.ExpectGradientsMatch(g.Op(OpKind::kCast, {narrow}, {{"to", DType::kF64}}),
                         /*tolerance=*/1e-4, /*step=*/1e-2);
}

TEST(ElementwiseGradients, CastFromIntegersContributesNoGradient) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  const ValueId k = g.Input("k", {2, 3}, Domain::kAny, DType::kI32);
  const ValueId scale = g.Op(OpKind::kCast, {k}, {{"to", DType::kF64}});
  g.ExpectGradientsMatch(g.Op(OpKind::kMul, {a, scale}));
}

}  // namespace
}  // namespace dlc::testing
