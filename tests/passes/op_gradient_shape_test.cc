// Gradient checks of the data-movement ops and the reductions: autodiff
// against central finite differences in f64, relative error below 1e-6.
#include "gtest/gtest.h"
#include "tests/passes/op_gradient_harness.h"

namespace dlc::testing {
namespace {

// y = op(a) for an f64 input a of `shape`.
void ExpectUnaryGradients(Shape shape, OpKind op, Attributes attrs, Domain domain = Domain::kAny) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", std::move(shape), domain);
  g.ExpectGradientsMatch(g.Op(op, {a}, std::move(attrs)));
}

// ---- data movement --------------------------------------------------------

TEST(DataMovementGradients, Reshape) {
  ExpectUnaryGradients({2, 3, 4}, OpKind::kReshape, {{"shape", IntList{4, 6}}});
  ExpectUnaryGradients({6}, OpKind::kReshape, {{"shape", IntList{1, 3, 2}}});
}

TEST(DataMovementGradients, FlattenAtEachAxis) {
  for (int64_t axis : {0, 1, 2, 3, -1}) {
    SCOPED_TRACE(axis);
    ExpectUnaryGradients({2, 3, 4}, OpKind::kFlatten, {{"axis", axis}});
  }
}

TEST(DataMovementGradients, TransposeRank3) {
  for (IntList perm : {IntList{2, 0, 1}, IntList{1, 2, 0}, IntList{0, 2, 1}, IntList{2, 1, 0}}) {
    SCOPED_TRACE(AttributeToString(perm));
    ExpectUnaryGradients({2, 3, 4}, OpKind::kTranspose, {{"perm", perm}});
  }
}

TEST(DataMovementGradients, BroadcastSumsOverAddedAndStretchedAxes) {
  ExpectUnaryGradients({3, 1}, OpKind::kBroadcast, {{"shape", IntList{2, 3, 4}}});
  ExpectUnaryGradients({4}, OpKind::kBroadcast, {{"shape", IntList{2, 3, 4}}});
  ExpectUnaryGradients({}, OpKind::kBroadcast, {{"shape", IntList{2, 3}}});
  ExpectUnaryGradients({2, 3}, OpKind::kBroadcast, {{"shape", IntList{2, 3}}});
}

Attributes SliceAttrs(IntList start, IntList limit, IntList stride = {}) {
  return {{"start", std::move(start)}, {"limit", std::move(limit)}, {"stride", std::move(stride)}};
}

TEST(DataMovementGradients, SliceWithoutStrideOnSeveralAxes) {
  ExpectUnaryGradients({4, 5, 6}, OpKind::kSlice, SliceAttrs({1, 0, 2}, {3, 5, 5}));
  ExpectUnaryGradients({4, 5, 6}, OpKind::kSlice, SliceAttrs({3, 4, 0}, {4, 5, 6}));
}

TEST(DataMovementGradients, SliceWithStrideOnSeveralAxes) {
  // Strides that divide the range, that do not, and a range of one element.
  ExpectUnaryGradients({4, 5, 6}, OpKind::kSlice, SliceAttrs({0, 1, 1}, {4, 5, 6}, {2, 3, 2}));
  ExpectUnaryGradients({4, 5, 6}, OpKind::kSlice, SliceAttrs({1, 0, 5}, {4, 4, 6}, {2, 2, 4}));
  ExpectUnaryGradients({7, 3}, OpKind::kSlice, SliceAttrs({1, 0}, {7, 3}, {3, 1}));
}

TEST(DataMovementGradients, ConcatOfThreeOnTheMiddleAxis) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 1, 4});
  const ValueId b = g.Input("b", {2, 3, 4});
  const ValueId c = g.Input("c", {2, 2, 4});
  g.ExpectGradientsMatch(g.Op(OpKind::kConcat, {a, b, c}, {{"axis", int64_t{1}}}));
}

TEST(DataMovementGradients, ConcatOnTheLastAxisCountedFromTheEnd) {
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 3});
  const ValueId b = g.Input("b", {2, 1});
  const ValueId c = g.Input("c", {2, 2});
  g.ExpectGradientsMatch(g.Op(OpKind::kConcat, {a, b, c}, {{"axis", int64_t{-1}}}));
}

Attributes PadAttrs(IntList low, IntList high, IntList interior = {}, double value = 0) {
  return {{"low", std::move(low)},
          {"high", std::move(high)},
          {"interior", std::move(interior)},
          {"value", value}};
}

TEST(DataMovementGradients, PadLowAndHigh) {
  ExpectUnaryGradients({2, 3}, OpKind::kPad, PadAttrs({1, 0}, {0, 2}));
  ExpectUnaryGradients({2, 3, 2}, OpKind::kPad, PadAttrs({0, 2, 1}, {1, 0, 1}, {}, 0.5));
}

TEST(DataMovementGradients, PadInterior) {
  ExpectUnaryGradients({3, 4}, OpKind::kPad, PadAttrs({0, 0}, {0, 0}, {1, 2}));
  ExpectUnaryGradients({3, 2, 4}, OpKind::kPad, PadAttrs({1, 0, 2}, {2, 1, 0}, {2, 0, 1}, -1.5));
}

// ---- reductions -----------------------------------------------------------

struct ReduceCase {
  IntList axes;
  bool keepdims;
};

// Several axes (in any order, counted from either end), all axes, none,
// with and without keepdims, on a [2,3,4] input.
const ReduceCase kReduceCases[] = {
    {{0}, false},   {{1}, true},       {{-1}, false},      {{-1}, true},      {{2, 0}, false},
    {{0, 2}, true}, {{-3, -2}, false}, {{0, 1, 2}, false}, {{0, 1, 2}, true}, {{}, false},
};

void ExpectReduceGradients(OpKind op, Domain domain) {
  for (const ReduceCase& c : kReduceCases) {
    SCOPED_TRACE(AttributeToString(c.axes) + (c.keepdims ? " keepdims" : ""));
    ExpectUnaryGradients({2, 3, 4}, op, Axes(c.axes, c.keepdims), domain);
  }
}

TEST(ReductionGradients, ReduceSumOverSeveralAxes) {
  ExpectReduceGradients(OpKind::kReduceSum, Domain::kAny);
}
TEST(ReductionGradients, ReduceMeanOverSeveralAxes) {
  ExpectReduceGradients(OpKind::kReduceMean, Domain::kAny);
}
TEST(ReductionGradients, ReduceMaxOverSeveralAxesWithDistinctValues) {
  ExpectReduceGradients(OpKind::kReduceMax, Domain::kDistinct);
}

TEST(ReductionGradients, ReduceMaxSplitsTheGradientAmongTies) {
  // Row 0 has a three-way tie, row 1 a single maximum.
  OpGradientGraph g;
  const ValueId a = g.Input("a", {2, 4});
  g.Set("a", {2, -1, 2, 2, 0, 3, 1, -2});
  EXPECT_EQ(g.GradientsOfSum(g.Op(OpKind::kReduceMax, {a}, Axes({1}))),
            (std::vector<std::vector<double>>{{1.0 / 3, 0, 1.0 / 3, 1.0 / 3, 0, 1, 0, 0}}));
}

}  // namespace
}  // namespace dlc::testing
