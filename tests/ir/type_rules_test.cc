// Every op's result-type rule, through GraphBuilder::Add (which runs the
// verifier's checks on the new node): at least one accepted case per op with
// a hand-computed result type, and every rejection with its exact message.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/op_registry.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

TensorType F32(Shape shape) { return TensorType{DType::kF32, std::move(shape)}; }
TensorType I32(Shape shape) { return TensorType{DType::kI32, std::move(shape)}; }
TensorType U8(Shape shape) { return TensorType{DType::kU8, std::move(shape)}; }
TensorType I1(Shape shape) { return TensorType{DType::kI1, std::move(shape)}; }

class TypeRuleTest : public ::testing::Test {
 protected:
  // An input of `type`, named %a, %b, %c, ... in order.
  ValueId In(TensorType type) {
    std::string name(1, static_cast<char>('a' + inputs_++));
    auto id = builder_.Input(name, std::move(type));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(0);
  }

  // The result type of `op` on `operands`, as text ("f32[2,3]"), or
  // "error: <message>" when the builder rejects the node.
  std::string TypeOf(OpKind op, std::vector<ValueId> operands, Attributes attrs = {}) {
    auto id = builder_.Add(op, std::move(operands), std::move(attrs));
    if (!id.ok()) return "error: " + std::string(id.status().message());
    return builder_.type(*id).ToString();
  }

  // The builder's whole message for adding `op` as %y, or "accepted: <type>".
  std::string ErrorOf(OpKind op, std::vector<ValueId> operands, Attributes attrs = {}) {
    auto id = builder_.Add(op, std::move(operands), std::move(attrs), "y");
    if (id.ok()) return "accepted: " + builder_.type(*id).ToString();
    return std::string(id.status().message());
  }

  // Same as ErrorOf for the builder's source helpers.
  static std::string ErrorOf(const absl::StatusOr<ValueId>& id) {
    return id.ok() ? "accepted" : std::string(id.status().message());
  }

  GraphBuilder builder_{"main"};
  int inputs_ = 0;
};

using TypeRuleSources = TypeRuleTest;
using TypeRuleElementwise = TypeRuleTest;
using TypeRuleCompareSelectCast = TypeRuleTest;
using TypeRuleDataMovement = TypeRuleTest;
using TypeRuleReduction = TypeRuleTest;
using TypeRuleMatMul = TypeRuleTest;
using TypeRuleConv2D = TypeRuleTest;
using TypeRulePool = TypeRuleTest;
using TypeRuleSoftmax = TypeRuleTest;
using TypeRuleConv2DBackprop = TypeRuleTest;
using TypeRulePoolGrad = TypeRuleTest;
using TypeRuleLabels = TypeRuleTest;
using TypeRuleBuilder = TypeRuleTest;

constexpr OpKind kArithmeticBinaryOps[] = {OpKind::kAdd, OpKind::kSub, OpKind::kMul,
                                           OpKind::kDiv, OpKind::kMax, OpKind::kMin};
constexpr OpKind kFloatUnaryOps[] = {OpKind::kExp,   OpKind::kLog,     OpKind::kSqrt,
                                     OpKind::kRsqrt, OpKind::kSigmoid, OpKind::kTanh};

// ---- sources ----------------------------------------------------------------

TEST_F(TypeRuleSources, InputTakesItsDeclaredTypeOfAnyElementType) {
  EXPECT_EQ(builder_.type(In(U8({2, 28, 28, 1}))).ToString(), "u8[2,28,28,1]");
  EXPECT_EQ(builder_.type(In(I1({}))).ToString(), "i1[]");
}

TEST_F(TypeRuleSources, ParameterTakesItsDeclaredFloatType) {
  auto w = builder_.Parameter("w", F32({3, 4}), "glorot_uniform");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(builder_.type(*w).ToString(), "f32[3,4]");
}

TEST_F(TypeRuleSources, RejectsParameterOfIntegerType) {
  EXPECT_EQ(ErrorOf(builder_.Parameter("w", I32({3}))),
            "%w = parameter: a parameter must be f32 or f64, got i32[3]");
}

TEST_F(TypeRuleSources, RejectsUnknownInitializer) {
  EXPECT_EQ(ErrorOf(builder_.Parameter("w", F32({3}), "uniform")),
            "%w = parameter: unknown initializer \"uniform\" (known: zeros, ones, "
            "glorot_uniform, glorot_normal, he_normal, he_uniform)");
}

TEST_F(TypeRuleSources, ConstantTakesOneValuePerElementOrASplat) {
  auto full = builder_.Constant(I32({2, 2}), {1, 2, 3, 4});
  auto splat = builder_.Constant(U8({2, 3}), {255});
  auto scalar = builder_.Scalar(DType::kF32, 0.5);
  ASSERT_TRUE(full.ok() && splat.ok() && scalar.ok());
  EXPECT_EQ(builder_.type(*full).ToString(), "i32[2,2]");
  EXPECT_EQ(builder_.type(*splat).ToString(), "u8[2,3]");
  EXPECT_EQ(builder_.type(*scalar).ToString(), "f32[]");
}

TEST_F(TypeRuleSources, RejectsConstantValueCountMismatch) {
  EXPECT_EQ(ErrorOf(builder_.Constant(F32({2, 2}), {1, 2, 3}, "k")),
            "%k = constant: value has 3 elements; f32[2,2] needs 1 (a splat) or 4");
}

TEST_F(TypeRuleSources, RejectsConstantValueNotAnI32) {
  EXPECT_EQ(ErrorOf(builder_.Constant(I32({2}), {1, 1.5}, "k")),
            "%k = constant: value 1.5 is not an i32");
}

TEST_F(TypeRuleSources, RejectsConstantValueNotAU8) {
  EXPECT_EQ(ErrorOf(builder_.Constant(U8({}), {300}, "k")),
            "%k = constant: value 300.0 is not a u8");
}

TEST_F(TypeRuleSources, RejectsConstantValueNotAnI1) {
  EXPECT_EQ(ErrorOf(builder_.Constant(I1({}), {2}, "k")),
            "%k = constant: value 2.0 is not an i1 (0 or 1)");
}

// ---- elementwise ------------------------------------------------------------

TEST_F(TypeRuleElementwise, ArithmeticBinaryOpsAcceptI32AndBroadcast) {
  ValueId a = In(I32({2, 3}));
  ValueId b = In(I32({3}));
  for (OpKind op : kArithmeticBinaryOps) {
    SCOPED_TRACE(OpName(op));
    EXPECT_EQ(TypeOf(op, {a, b}), "i32[2,3]");
  }
}

TEST_F(TypeRuleElementwise, BroadcastsOnEachSide) {
  ValueId row = In(F32({1, 3}));
  ValueId col = In(F32({4, 1}));
  ValueId vec = In(F32({3}));
  ValueId scalar = In(F32({}));
  EXPECT_EQ(TypeOf(OpKind::kAdd, {row, col}), "f32[4,3]");
  EXPECT_EQ(TypeOf(OpKind::kAdd, {col, row}), "f32[4,3]");
  EXPECT_EQ(TypeOf(OpKind::kMul, {vec, col}), "f32[4,3]");
  EXPECT_EQ(TypeOf(OpKind::kMul, {col, vec}), "f32[4,3]");
  EXPECT_EQ(TypeOf(OpKind::kSub, {scalar, row}), "f32[1,3]");
  EXPECT_EQ(TypeOf(OpKind::kSub, {row, scalar}), "f32[1,3]");
}

TEST_F(TypeRuleElementwise, PowIsFloatOnly) {
  ValueId x = In(F32({2, 3}));
  ValueId p = In(F32({}));
  EXPECT_EQ(TypeOf(OpKind::kPow, {x, p}), "f32[2,3]");
  ValueId i = In(I32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kPow, {i, i}), "%y = pow: operand must be f32 or f64, got i32[2]");
}

TEST_F(TypeRuleElementwise, RejectsElementTypeMismatch) {
  ValueId f = In(F32({2}));
  ValueId i = In(I32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kAdd, {f, i}),
            "%y = add: operands must have one element type, got f32[2], i32[2]");
}

TEST_F(TypeRuleElementwise, RejectsShapesThatDoNotBroadcast) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kAdd, {a, b}), "%y = add: shapes [2,3] and [2] do not broadcast");
}

TEST_F(TypeRuleElementwise, RejectsArithmeticOnU8) {
  ValueId a = In(U8({2}));
  EXPECT_EQ(ErrorOf(OpKind::kMul, {a, a}), "%y = mul: operand must be f32, f64 or i32, got u8[2]");
}

TEST_F(TypeRuleElementwise, NegAndReluAcceptI32) {
  ValueId x = In(I32({4}));
  EXPECT_EQ(TypeOf(OpKind::kNeg, {x}), "i32[4]");
  EXPECT_EQ(TypeOf(OpKind::kRelu, {x}), "i32[4]");
}

TEST_F(TypeRuleElementwise, LeakyReluKeepsAFloatTypeWithAlphaDefaultingToOnnxs) {
  ValueId x = In(F32({2, 3}));
  auto y = builder_.Add(OpKind::kLeakyRelu, {x}, {}, "y");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(builder_.type(*y).ToString(), "f32[2,3]");
  EXPECT_EQ(AttrFloat(builder_.node(*y).attrs, "alpha"), 0.01);
  EXPECT_EQ(TypeOf(OpKind::kLeakyRelu, {In(TensorType{DType::kF64, {4}})}, {{"alpha", -0.5}}),
            "f64[4]");
}

TEST_F(TypeRuleElementwise, RejectsLeakyReluOnIntegers) {
  ValueId x = In(I32({4}));
  EXPECT_EQ(ErrorOf(OpKind::kLeakyRelu, {x}),
            "%y = leaky_relu: operand must be f32 or f64, got i32[4]");
}

TEST_F(TypeRuleElementwise, RejectsNegOnI1) {
  ValueId x = In(I1({4}));
  EXPECT_EQ(ErrorOf(OpKind::kNeg, {x}), "%y = neg: operand must be f32, f64 or i32, got i1[4]");
}

TEST_F(TypeRuleElementwise, FloatUnaryOpsKeepTheirOperandType) {
  ValueId x = In(TensorType{DType::kF64, {2, 5}});
  for (OpKind op : kFloatUnaryOps) {
    SCOPED_TRACE(OpName(op));
    EXPECT_EQ(TypeOf(op, {x}), "f64[2,5]");
  }
}

TEST_F(TypeRuleElementwise, RejectsFloatOnlyOpsOnI32) {
  ValueId x = In(I32({2}));
  for (OpKind op : kFloatUnaryOps) {
    EXPECT_EQ(ErrorOf(op, {x}),
              StrCat("%y = ", OpName(op), ": operand must be f32 or f64, got i32[2]"));
  }
}

// ---- compare, select, cast --------------------------------------------------

TEST_F(TypeRuleCompareSelectCast, CompareGivesI1AndBroadcasts) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({3}));
  EXPECT_EQ(TypeOf(OpKind::kCompare, {a, b}, {{"predicate", "lt"}}), "i1[2,3]");
}

TEST_F(TypeRuleCompareSelectCast, CompareEqualityAcceptsI1) {
  ValueId a = In(I1({2}));
  EXPECT_EQ(TypeOf(OpKind::kCompare, {a, a}, {{"predicate", "ne"}}), "i1[2]");
}

TEST_F(TypeRuleCompareSelectCast, RejectsUnknownPredicate) {
  ValueId a = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kCompare, {a, a}, {{"predicate", "less"}}),
            "%y = compare: unknown predicate \"less\" (known: eq, ne, lt, le, gt, ge)");
}

TEST_F(TypeRuleCompareSelectCast, RejectsOrderingPredicateOnI1) {
  ValueId a = In(I1({2}));
  EXPECT_EQ(ErrorOf(OpKind::kCompare, {a, a}, {{"predicate", "lt"}}),
            "%y = compare: predicate lt needs ordered operands, got i1[2], i1[2]");
}

TEST_F(TypeRuleCompareSelectCast, RejectsCompareOfMixedElementTypes) {
  ValueId a = In(F32({2}));
  ValueId b = In(I32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kCompare, {a, b}, {{"predicate", "eq"}}),
            "%y = compare: operands must have one element type, got f32[2], i32[2]");
}

TEST_F(TypeRuleCompareSelectCast, SelectBroadcastsAllThreeOperands) {
  ValueId cond = In(I1({2, 1}));
  ValueId on_true = In(F32({3}));
  ValueId on_false = In(F32({}));
  EXPECT_EQ(TypeOf(OpKind::kSelect, {cond, on_true, on_false}), "f32[2,3]");
}

TEST_F(TypeRuleCompareSelectCast, RejectsSelectConditionThatIsNotI1) {
  ValueId cond = In(F32({2}));
  ValueId x = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kSelect, {cond, x, x}),
            "%y = select: condition must be i1, got f32[2]");
}

TEST_F(TypeRuleCompareSelectCast, RejectsSelectBranchesOfDifferentElementTypes) {
  ValueId cond = In(I1({2}));
  ValueId f = In(F32({2}));
  ValueId i = In(I32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kSelect, {cond, f, i}),
            "%y = select: operands must have one element type, got f32[2], i32[2]");
}

TEST_F(TypeRuleCompareSelectCast, CastKeepsShapeAndChangesElementType) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(TypeOf(OpKind::kCast, {x}, {{"to", DType::kI32}}), "i32[2,3]");
}

// ---- data movement ----------------------------------------------------------

TEST_F(TypeRuleDataMovement, ReshapeKeepsElementCount) {
  ValueId x = In(I32({2, 3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kReshape, {x}, {{"shape", IntList{6, 4}}}), "i32[6,4]");
  EXPECT_EQ(TypeOf(OpKind::kReshape, {x}, {{"shape", IntList{24}}}), "i32[24]");
}

TEST_F(TypeRuleDataMovement, RejectsReshapeThatChangesElementCount) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kReshape, {x}, {{"shape", IntList{5, 5}}}),
            "%y = reshape: cannot reshape f32[2,3,4] (24 elements) to [5,5] (25 elements)");
}

TEST_F(TypeRuleDataMovement, RejectsReshapeToNegativeDimension) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kReshape, {x}, {{"shape", IntList{-1, -6}}}),
            "%y = reshape: shape [-1,-6] has a negative dimension");
}

TEST_F(TypeRuleDataMovement, FlattenSplitsAtAxis) {
  ValueId x = In(F32({2, 3, 4, 5}));
  EXPECT_EQ(TypeOf(OpKind::kFlatten, {x}), "f32[2,60]");
  EXPECT_EQ(TypeOf(OpKind::kFlatten, {x}, {{"axis", int64_t{3}}}), "f32[24,5]");
  EXPECT_EQ(TypeOf(OpKind::kFlatten, {x}, {{"axis", int64_t{0}}}), "f32[1,120]");
  EXPECT_EQ(TypeOf(OpKind::kFlatten, {x}, {{"axis", int64_t{4}}}), "f32[120,1]");
}

TEST_F(TypeRuleDataMovement, FlattenAcceptsANegativeAxisLikeOnnx) {
  // axis -1 on rank 4 is axis 3: rows 2*3*4 = 24, columns 5.
  ValueId x = In(F32({2, 3, 4, 5}));
  EXPECT_EQ(TypeOf(OpKind::kFlatten, {x}, {{"axis", int64_t{-1}}}), "f32[24,5]");
}

TEST_F(TypeRuleDataMovement, RejectsFlattenAxisOutOfRange) {
  ValueId x = In(F32({2, 3, 4, 5}));
  EXPECT_EQ(ErrorOf(OpKind::kFlatten, {x}, {{"axis", int64_t{5}}}),
            "%y = flatten: axis 5 is out of range [-4, 4] for f32[2,3,4,5]");
}

TEST_F(TypeRuleDataMovement, TransposePermutesDimensions) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kTranspose, {x}, {{"perm", IntList{2, 0, 1}}}), "f32[4,2,3]");
}

TEST_F(TypeRuleDataMovement, RejectsPermWithRepeatedAxis) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kTranspose, {x}, {{"perm", IntList{0, 0, 1}}}),
            "%y = transpose: perm [0,0,1] is not a permutation of the 3 axes of f32[2,3,4]");
}

TEST_F(TypeRuleDataMovement, RejectsPermOfWrongLength) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kTranspose, {x}, {{"perm", IntList{1, 0}}}),
            "%y = transpose: perm [1,0] is not a permutation of the 3 axes of f32[2,3,4]");
}

TEST_F(TypeRuleDataMovement, BroadcastExpandsOnesAndAddsLeadingAxes) {
  ValueId x = In(F32({3, 1}));
  EXPECT_EQ(TypeOf(OpKind::kBroadcast, {x}, {{"shape", IntList{2, 3, 4}}}), "f32[2,3,4]");
}

TEST_F(TypeRuleDataMovement, RejectsBroadcastToIncompatibleShape) {
  ValueId x = In(F32({3}));
  EXPECT_EQ(ErrorOf(OpKind::kBroadcast, {x}, {{"shape", IntList{2, 4}}}),
            "%y = broadcast: cannot broadcast f32[3] to [2,4]");
}

TEST_F(TypeRuleDataMovement, RejectsBroadcastToLowerRank) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kBroadcast, {x}, {{"shape", IntList{3}}}),
            "%y = broadcast: cannot broadcast f32[2,3] to [3]");
}

// A size-1 dimension broadcasts to anything numpy-style, but a negative size
// is no shape at all.
TEST_F(TypeRuleDataMovement, RejectsBroadcastToNegativeDimension) {
  ValueId x = In(F32({1}));
  EXPECT_EQ(ErrorOf(OpKind::kBroadcast, {x}, {{"shape", IntList{-1}}}),
            "%y = broadcast: shape [-1] has a negative dimension");
}

TEST_F(TypeRuleDataMovement, SliceWithStrideRoundsUp) {
  ValueId x = In(F32({10, 6}));
  // Axis 0: [1,10) step 3 -> 1,4,7 = 3. Axis 1: [1,6) step 4 -> 1,5 = 2.
  EXPECT_EQ(
      TypeOf(OpKind::kSlice, {x},
             {{"start", IntList{1, 1}}, {"limit", IntList{10, 6}}, {"stride", IntList{3, 4}}}),
      "f32[3,2]");
}

TEST_F(TypeRuleDataMovement, SliceStrideDefaultsToOne) {
  ValueId x = In(F32({10, 6}));
  EXPECT_EQ(TypeOf(OpKind::kSlice, {x}, {{"start", IntList{0, 2}}, {"limit", IntList{10, 4}}}),
            "f32[10,2]");
}

TEST_F(TypeRuleDataMovement, RejectsSliceOutOfBounds) {
  ValueId x = In(F32({10, 6}));
  EXPECT_EQ(ErrorOf(OpKind::kSlice, {x}, {{"start", IntList{0, 0}}, {"limit", IntList{10, 7}}}),
            "%y = slice: axis 1: need 0 <= start <= limit <= 6, got start 0 limit 7");
}

TEST_F(TypeRuleDataMovement, RejectsSliceStartAfterLimit) {
  ValueId x = In(F32({10, 6}));
  EXPECT_EQ(ErrorOf(OpKind::kSlice, {x}, {{"start", IntList{5, 0}}, {"limit", IntList{4, 6}}}),
            "%y = slice: axis 0: need 0 <= start <= limit <= 10, got start 5 limit 4");
}

TEST_F(TypeRuleDataMovement, RejectsSliceNegativeStride) {
  ValueId x = In(F32({10, 6}));
  EXPECT_EQ(
      ErrorOf(OpKind::kSlice, {x},
              {{"start", IntList{0, 0}}, {"limit", IntList{10, 6}}, {"stride", IntList{1, -1}}}),
      "%y = slice: stride must be positive, got [1,-1]");
}

TEST_F(TypeRuleDataMovement, RejectsSliceWithWrongNumberOfBounds) {
  ValueId x = In(F32({10, 6}));
  EXPECT_EQ(ErrorOf(OpKind::kSlice, {x}, {{"start", IntList{0}}, {"limit", IntList{10}}}),
            "%y = slice: start, limit and stride need one value per axis of f32[10,6]");
}

TEST_F(TypeRuleDataMovement, ConcatAddsUpTheAxis) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({4, 3}));
  ValueId c = In(F32({2, 5}));
  EXPECT_EQ(TypeOf(OpKind::kConcat, {a, b, a}, {{"axis", int64_t{0}}}), "f32[8,3]");
  EXPECT_EQ(TypeOf(OpKind::kConcat, {a, c}, {{"axis", int64_t{-1}}}), "f32[2,8]");
  EXPECT_EQ(TypeOf(OpKind::kConcat, {a}, {{"axis", int64_t{1}}}), "f32[2,3]");
}

TEST_F(TypeRuleDataMovement, RejectsConcatAxisOutOfRange) {
  ValueId a = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {a, a}, {{"axis", int64_t{2}}}),
            "%y = concat: axis 2 is out of range for rank 2");
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {a, a}, {{"axis", int64_t{-3}}}),
            "%y = concat: axis -3 is out of range for rank 2");
}

TEST_F(TypeRuleDataMovement, RejectsConcatOfMismatchedShapes) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({3, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {a, b}, {{"axis", int64_t{1}}}),
            "%y = concat: operands must match except on axis 1, got f32[2,3], f32[3,3]");
}

TEST_F(TypeRuleDataMovement, RejectsConcatOfMismatchedRanks) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({2, 3, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {a, b}, {{"axis", int64_t{0}}}),
            "%y = concat: operands must match except on axis 0, got f32[2,3], f32[2,3,1]");
}

TEST_F(TypeRuleDataMovement, RejectsConcatOfMixedElementTypes) {
  ValueId a = In(F32({2}));
  ValueId b = In(I32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {a, b}, {{"axis", int64_t{0}}}),
            "%y = concat: operands must have one element type, got f32[2], i32[2]");
}

TEST_F(TypeRuleDataMovement, PadGrowsEachAxis) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(TypeOf(OpKind::kPad, {x}, {{"low", IntList{1, 0}}, {"high", IntList{2, 3}}}),
            "f32[5,6]");
}

TEST_F(TypeRuleDataMovement, RejectsNegativePad) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kPad, {x}, {{"low", IntList{0, -1}}, {"high", IntList{0, 0}}}),
            "%y = pad: padding must not be negative, got low [0,-1] high [0,0]");
}

TEST_F(TypeRuleDataMovement, RejectsPadWithWrongNumberOfAmounts) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kPad, {x}, {{"low", IntList{1}}, {"high", IntList{1, 1}}}),
            "%y = pad: low and high need one value per axis of f32[2,3]");
}

TEST_F(TypeRuleDataMovement, RejectsResultDimensionBeyondLimit) {
  // Two inputs of 2^40 elements are each within the limit; joined they are not.
  ValueId x = In(F32({int64_t{1} << 40}));
  EXPECT_EQ(ErrorOf(OpKind::kConcat, {x, x}, {{"axis", int64_t{0}}}),
            "%y = concat: result type f32[2199023255552] has a dimension beyond 2^40");
}

TEST_F(TypeRuleDataMovement, RejectsTypesWithMoreThan2To40Elements) {
  // Each dimension is within 2^40, their product 2^41 is not.
  auto id = builder_.Input("big", F32({int64_t{1} << 20, int64_t{1} << 20, 2}));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(std::string(id.status().message()),
            "%big = input: declared type f32[1048576,1048576,2] has more than 2^40 elements");
}

// The pad value becomes an element of the result, so it must be one, as a
// constant's value must: 1.5 is not an i32.
TEST_F(TypeRuleDataMovement, RejectsPadValueNotRepresentableInElementType) {
  ValueId x = In(I32({2, 3}));
  EXPECT_EQ(
      ErrorOf(OpKind::kPad, {x}, {{"low", IntList{1, 1}}, {"high", IntList{1, 1}}, {"value", 1.5}}),
      "%y = pad: value 1.5 is not an i32");
}

// interior[i] copies between neighbours: d + (d-1)*interior + low + high.
TEST_F(TypeRuleDataMovement, PadInteriorGoesBetweenNeighbours) {
  ValueId x = In(F32({2, 3}));
  // Axis 0: 2 + 1*1 + 1 + 0 = 4; axis 1: 3 + 2*2 + 0 + 2 = 9.
  EXPECT_EQ(TypeOf(OpKind::kPad, {x},
                   {{"low", IntList{1, 0}}, {"high", IntList{0, 2}}, {"interior", IntList{1, 2}}}),
            "f32[4,9]");
}

TEST_F(TypeRuleDataMovement, PadInteriorAddsNothingToAxesOfZeroOrOneElements) {
  ValueId x = In(F32({0, 1}));
  EXPECT_EQ(TypeOf(OpKind::kPad, {x},
                   {{"low", IntList{1, 0}}, {"high", IntList{1, 0}}, {"interior", IntList{3, 3}}}),
            "f32[2,1]");
}

TEST_F(TypeRuleDataMovement, PadInteriorDefaultsToNone) {
  ValueId x = In(F32({2, 3}));
  auto id = builder_.Add(OpKind::kPad, {x}, {{"low", IntList{0, 0}}, {"high", IntList{0, 0}}});
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(builder_.type(*id).ToString(), "f32[2,3]");
  EXPECT_EQ(builder_.graph().node(*id).attrs.at("interior"), Attribute(IntList{}));
}

TEST_F(TypeRuleDataMovement, RejectsNegativeInteriorPad) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(
      ErrorOf(OpKind::kPad, {x},
              {{"low", IntList{0, 0}}, {"high", IntList{0, 0}}, {"interior", IntList{0, -1}}}),
      "%y = pad: interior padding must not be negative, got [0,-1]");
}

TEST_F(TypeRuleDataMovement, RejectsInteriorPadWithWrongNumberOfAmounts) {
  ValueId x = In(F32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kPad, {x},
                    {{"low", IntList{0, 0}}, {"high", IntList{0, 0}}, {"interior", IntList{1}}}),
            "%y = pad: interior must be [] or have one value per axis of f32[2,3], got [1]");
}

// 2 gaps of 2^40 are past the dimension limit: the rule refuses before
// multiplying (larger products would overflow). One gap of 2^40 is computed
// and then refused as any too-large result is.
TEST_F(TypeRuleDataMovement, RejectsInteriorPadBeyondDimensionLimit) {
  ValueId x = In(F32({3}));
  EXPECT_EQ(
      ErrorOf(OpKind::kPad, {x},
              {{"low", IntList{0}}, {"high", IntList{0}}, {"interior", IntList{int64_t{1} << 40}}}),
      "%y = pad: axis 0: interior padding 1099511627776 between 3 elements gives a "
      "dimension beyond 2^40");
  ValueId two = In(F32({2}));
  EXPECT_EQ(
      ErrorOf(OpKind::kPad, {two},
              {{"low", IntList{0}}, {"high", IntList{0}}, {"interior", IntList{int64_t{1} << 40}}}),
      "%y = pad: result type f32[1099511627778] has a dimension beyond 2^40");
}

// ---- reductions -------------------------------------------------------------

TEST_F(TypeRuleReduction, ReduceSumDropsOrKeepsAxes) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kReduceSum, {x}, {{"axes", IntList{1}}}), "f32[2,4]");
  EXPECT_EQ(TypeOf(OpKind::kReduceSum, {x}, {{"axes", IntList{1}}, {"keepdims", true}}),
            "f32[2,1,4]");
}

TEST_F(TypeRuleReduction, ReduceAcceptsNegativeAxesInAnyOrder) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kReduceMean, {x}, {{"axes", IntList{-1, 0}}}), "f32[3]");
  EXPECT_EQ(TypeOf(OpKind::kReduceMean, {x}, {{"axes", IntList{-1, 0}}, {"keepdims", true}}),
            "f32[1,3,1]");
}

TEST_F(TypeRuleReduction, ReduceMaxAndSumAcceptI32) {
  ValueId x = In(I32({2, 3}));
  EXPECT_EQ(TypeOf(OpKind::kReduceMax, {x}, {{"axes", IntList{0, 1}}}), "i32[]");
  EXPECT_EQ(TypeOf(OpKind::kReduceSum, {x}, {{"axes", IntList{0}}}), "i32[3]");
}

TEST_F(TypeRuleReduction, RejectsReduceMeanOnI32) {
  ValueId x = In(I32({2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kReduceMean, {x}, {{"axes", IntList{0}}}),
            "%y = reduce_mean: operand must be f32 or f64, got i32[2,3]");
}

TEST_F(TypeRuleReduction, RejectsReduceAxisOutOfRange) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kReduceSum, {x}, {{"axes", IntList{0, 3}}}),
            "%y = reduce_sum: axis 3 is out of range for rank 3");
  EXPECT_EQ(ErrorOf(OpKind::kReduceMax, {x}, {{"axes", IntList{-4}}}),
            "%y = reduce_max: axis -4 is out of range for rank 3");
}

TEST_F(TypeRuleReduction, RejectsRepeatedReduceAxis) {
  ValueId x = In(F32({2, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kReduceSum, {x}, {{"axes", IntList{1, 1}}}),
            "%y = reduce_sum: axis 1 is repeated");
}

TEST_F(TypeRuleReduction, ArgMaxGivesI32) {
  ValueId x = In(F32({4, 10}));
  EXPECT_EQ(TypeOf(OpKind::kArgMax, {x}, {{"axis", int64_t{1}}}), "i32[4]");
  EXPECT_EQ(TypeOf(OpKind::kArgMax, {x}, {{"axis", int64_t{-1}}, {"keepdims", true}}), "i32[4,1]");
  ValueId pixels = In(U8({3, 5}));
  EXPECT_EQ(TypeOf(OpKind::kArgMax, {pixels}, {{"axis", int64_t{0}}}), "i32[5]");
}

TEST_F(TypeRuleReduction, RejectsArgMaxAxisOutOfRange) {
  ValueId x = In(F32({4, 10}));
  EXPECT_EQ(ErrorOf(OpKind::kArgMax, {x}, {{"axis", int64_t{2}}}),
            "%y = argmax: axis 2 is out of range for rank 2");
}

TEST_F(TypeRuleReduction, RejectsArgMaxOverEmptyAxis) {
  ValueId x = In(F32({4, 0}));
  EXPECT_EQ(ErrorOf(OpKind::kArgMax, {x}, {{"axis", int64_t{1}}}),
            "%y = argmax: argmax over an empty axis of f32[4,0]");
}

TEST_F(TypeRuleReduction, RejectsArgMaxOnI1) {
  ValueId x = In(I1({4}));
  EXPECT_EQ(ErrorOf(OpKind::kArgMax, {x}, {{"axis", int64_t{0}}}),
            "%y = argmax: operand must be f32, f64, i32 or u8, got i1[4]");
}

// ---- matmul -----------------------------------------------------------------

TEST_F(TypeRuleMatMul, ContractsInnerDimensions) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kMatMul, {a, b}), "f32[2,4]");
}

TEST_F(TypeRuleMatMul, TransposeA) {
  ValueId a = In(F32({3, 2}));
  ValueId b = In(F32({3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kMatMul, {a, b}, {{"transpose_a", true}}), "f32[2,4]");
}

TEST_F(TypeRuleMatMul, TransposeB) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({4, 3}));
  EXPECT_EQ(TypeOf(OpKind::kMatMul, {a, b}, {{"transpose_b", true}}), "f32[2,4]");
}

TEST_F(TypeRuleMatMul, TransposeBoth) {
  ValueId a = In(F32({3, 2}));
  ValueId b = In(F32({4, 3}));
  EXPECT_EQ(TypeOf(OpKind::kMatMul, {a, b}, {{"transpose_a", true}, {"transpose_b", true}}),
            "f32[2,4]");
}

TEST_F(TypeRuleMatMul, Batched) {
  ValueId a = In(F32({5, 7, 2, 3}));
  ValueId b = In(F32({5, 7, 3, 4}));
  EXPECT_EQ(TypeOf(OpKind::kMatMul, {a, b}), "f32[5,7,2,4]");
}

TEST_F(TypeRuleMatMul, RejectsContractedDimensionMismatch) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({4, 5}));
  EXPECT_EQ(ErrorOf(OpKind::kMatMul, {a, b}),
            "%y = matmul: contracted dimensions differ (3 vs 4): f32[2,3], f32[4,5]");
}

// The flags read as they are written in the IR: true/false, not 1/0.
TEST_F(TypeRuleMatMul, RejectsContractedDimensionMismatchNamingTransposeFlags) {
  ValueId a = In(F32({2, 3}));
  ValueId b = In(F32({3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kMatMul, {a, b}, {{"transpose_b", true}}),
            "%y = matmul: contracted dimensions differ (3 vs 4): f32[2,3], f32[3,4] with "
            "transpose_a=false transpose_b=true");
}

TEST_F(TypeRuleMatMul, RejectsBatchMismatch) {
  ValueId a = In(F32({5, 2, 3}));
  ValueId b = In(F32({6, 3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kMatMul, {a, b}),
            "%y = matmul: batch dimensions differ: f32[5,2,3], f32[6,3,4]");
}

TEST_F(TypeRuleMatMul, RejectsRankMismatch) {
  ValueId a = In(F32({3}));
  ValueId b = In(F32({3, 4}));
  EXPECT_EQ(ErrorOf(OpKind::kMatMul, {a, b}),
            "%y = matmul: operands must have the same rank >= 2, got f32[3], f32[3,4]");
}

TEST_F(TypeRuleMatMul, RejectsI32) {
  ValueId a = In(I32({2, 2}));
  EXPECT_EQ(ErrorOf(OpKind::kMatMul, {a, a}),
            "%y = matmul: operand must be f32 or f64, got i32[2,2]");
}

// ---- conv2d -----------------------------------------------------------------

TEST_F(TypeRuleConv2D, ValidPaddingByDefault) {
  ValueId x = In(F32({2, 28, 28, 1}));
  ValueId w = In(F32({5, 5, 1, 6}));
  EXPECT_EQ(TypeOf(OpKind::kConv2D, {x, w}), "f32[2,24,24,6]");
}

TEST_F(TypeRuleConv2D, SamePaddingWithStride) {
  // ceil(5 / 2) = 3, whatever the kernel size.
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId w = In(F32({4, 4, 3, 8}));
  EXPECT_EQ(TypeOf(OpKind::kConv2D, {x, w}, {{"padding", "same"}, {"strides", IntList{2, 2}}}),
            "f32[1,3,3,8]");
}

TEST_F(TypeRuleConv2D, Dilation) {
  // A 3x3 kernel dilated by 2 spans 5: 7 - 5 + 1 = 3.
  ValueId x = In(F32({1, 7, 7, 1}));
  ValueId w = In(F32({3, 3, 1, 2}));
  EXPECT_EQ(TypeOf(OpKind::kConv2D, {x, w}, {{"dilations", IntList{2, 2}}}), "f32[1,3,3,2]");
}

TEST_F(TypeRuleConv2D, ExplicitPadding) {
  // Height 4 + 1 + 0 = 5 -> 3; width 4 + 2 + 2 = 8 -> 6.
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(TypeOf(OpKind::kConv2D, {x, w}, {{"padding", IntList{1, 0, 2, 2}}}), "f32[1,3,6,1]");
}

TEST_F(TypeRuleConv2D, RejectsChannelMismatch) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId w = In(F32({3, 3, 2, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}),
            "%y = conv2d: filter f32[3,3,2,8] expects 2 input channels, input f32[1,5,5,3] has 3");
}

TEST_F(TypeRuleConv2D, RejectsRank3Input) {
  ValueId x = In(F32({5, 5, 3}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}),
            "%y = conv2d: input (NHWC) must have rank 4, got f32[5,5,3]");
}

TEST_F(TypeRuleConv2D, RejectsRank3Filter) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId w = In(F32({3, 3, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}),
            "%y = conv2d: filter (HWIO) must have rank 4, got f32[3,3,3]");
}

TEST_F(TypeRuleConv2D, RejectsNegativeStride) {
  ValueId x = In(F32({1, 5, 5, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}, {{"strides", IntList{-1, 1}}}),
            "%y = conv2d: strides must be positive, got [-1,1]");
}

TEST_F(TypeRuleConv2D, RejectsZeroDilation) {
  ValueId x = In(F32({1, 5, 5, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}, {{"dilations", IntList{1, 0}}}),
            "%y = conv2d: dilations must be positive, got [1,0]");
}

TEST_F(TypeRuleConv2D, RejectsWindowLargerThanPaddedInput) {
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}, {{"dilations", IntList{2, 2}}}),
            "%y = conv2d: window 5x5 (after dilation) is larger than the padded input 4x4");
}

TEST_F(TypeRuleConv2D, RejectsNegativeExplicitPadding) {
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}, {{"padding", IntList{0, 0, -1, 0}}}),
            "%y = conv2d: padding must not be negative, got [0,0,-1,0]");
}

TEST_F(TypeRuleConv2D, RejectsUnknownPaddingMode) {
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId w = In(F32({3, 3, 1, 1}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}, {{"padding", "full"}}),
            "%y = conv2d: padding must be \"valid\", \"same\" or [top,bottom,left,right], got "
            "\"full\"");
}

TEST_F(TypeRuleConv2D, RejectsMixedElementTypes) {
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId w = In(TensorType{DType::kF64, {3, 3, 1, 1}});
  EXPECT_EQ(ErrorOf(OpKind::kConv2D, {x, w}),
            "%y = conv2d: operands must have one element type, got f32[1,4,4,1], f64[3,3,1,1]");
}

// ---- pooling ----------------------------------------------------------------

TEST_F(TypeRulePool, MaxPoolValid) {
  ValueId x = In(F32({1, 4, 4, 3}));
  EXPECT_EQ(
      TypeOf(OpKind::kMaxPool2D, {x}, {{"window", IntList{2, 2}}, {"strides", IntList{2, 2}}}),
      "f32[1,2,2,3]");
}

TEST_F(TypeRulePool, AvgPoolSame) {
  ValueId x = In(F32({2, 5, 5, 3}));
  EXPECT_EQ(TypeOf(OpKind::kAvgPool2D, {x},
                   {{"window", IntList{3, 3}}, {"strides", IntList{2, 2}}, {"padding", "same"}}),
            "f32[2,3,3,3]");
}

TEST_F(TypeRulePool, RejectsWindowWithOneValue) {
  ValueId x = In(F32({1, 4, 4, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2D, {x}, {{"window", IntList{2}}, {"strides", IntList{2, 2}}}),
            "%y = maxpool2d: window must have 2 values [h,w], got 1");
}

TEST_F(TypeRulePool, RejectsWindowLargerThanInput) {
  ValueId x = In(F32({1, 2, 2, 1}));
  EXPECT_EQ(
      ErrorOf(OpKind::kAvgPool2D, {x}, {{"window", IntList{3, 3}}, {"strides", IntList{1, 1}}}),
      "%y = avgpool2d: window 3x3 is larger than the padded input 2x2");
}

TEST_F(TypeRulePool, RejectsZeroStride) {
  ValueId x = In(F32({1, 4, 4, 1}));
  EXPECT_EQ(
      ErrorOf(OpKind::kMaxPool2D, {x}, {{"window", IntList{2, 2}}, {"strides", IntList{0, 2}}}),
      "%y = maxpool2d: strides must be positive, got [0,2]");
}

TEST_F(TypeRulePool, RejectsI32) {
  ValueId x = In(I32({1, 4, 4, 1}));
  EXPECT_EQ(
      ErrorOf(OpKind::kMaxPool2D, {x}, {{"window", IntList{2, 2}}, {"strides", IntList{2, 2}}}),
      "%y = maxpool2d: operand must be f32 or f64, got i32[1,4,4,1]");
}

// ---- conv2d_backprop_input and conv2d_backprop_filter -------------------------

Attributes BackpropAttrs(std::string_view shape_name, IntList shape, IntList strides = {1, 1},
                         Attribute padding = std::string("valid"), IntList dilations = {1, 1}) {
  return {{std::string(shape_name), std::move(shape)},
          {"strides", std::move(strides)},
          {"padding", std::move(padding)},
          {"dilations", std::move(dilations)}};
}

TEST_F(TypeRuleConv2DBackprop, InputGradientHasInputShape) {
  ValueId dy = In(F32({2, 24, 24, 6}));
  ValueId w = In(F32({5, 5, 1, 6}));
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{2, 28, 28, 1}}}),
            "f32[2,28,28,1]");
}

// With stride 2, inputs of 5 and 6 both give 3 outputs ("same": ceil(5/2) =
// ceil(6/2) = 3): input_shape says which one the forward conv had.
TEST_F(TypeRuleConv2DBackprop, InputShapeDisambiguatesStridedSamePadding) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(F32({4, 4, 3, 8}));
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropInput, {dy, w},
                   BackpropAttrs("input_shape", {1, 5, 5, 3}, {2, 2}, std::string("same"))),
            "f32[1,5,5,3]");
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropInput, {dy, w},
                   BackpropAttrs("input_shape", {1, 6, 6, 3}, {2, 2}, std::string("same"))),
            "f32[1,6,6,3]");
}

TEST_F(TypeRuleConv2DBackprop, InputGradientWithDilationExplicitPaddingAndF64) {
  // Height 7 + 1 + 0 = 8, extent 5 -> 4; width 6 + 0 + 2 = 8, extent 3 -> 6.
  ValueId dy = In(TensorType{DType::kF64, {1, 4, 6, 2}});
  ValueId w = In(TensorType{DType::kF64, {3, 3, 1, 2}});
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropInput, {dy, w},
                   BackpropAttrs("input_shape", {1, 7, 6, 1}, {1, 1}, IntList{1, 0, 0, 2}, {2, 1})),
            "f64[1,7,6,1]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientOfRank3) {
  ValueId dy = In(F32({3, 3, 8}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: output gradient (NHWC) must have rank 4, got f32[3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientFilterOfRank3) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(F32({3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: filter (HWIO) must have rank 4, got f32[3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientOfMixedOrIntegerElementTypes) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(TensorType{DType::kF64, {3, 3, 3, 8}});
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: operands must have one element type, got "
            "f32[1,3,3,8], f64[3,3,3,8]");
  ValueId idy = In(I32({1, 3, 3, 8}));
  ValueId iw = In(I32({3, 3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropInput, {idy, iw}, {{"input_shape", IntList{1, 5, 5, 3}}}),
      "%y = conv2d_backprop_input: operand must be f32 or f64, got i32[1,3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputShapeThatIsNotFourPositiveValues) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{5, 5, 3}}}),
            "%y = conv2d_backprop_input: input_shape must have 4 positive values [N,H,W,C], got "
            "[5,5,3]");
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 0, 5, 3}}}),
            "%y = conv2d_backprop_input: input_shape must have 4 positive values [N,H,W,C], got "
            "[1,0,5,3]");
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}),
            "%y = conv2d_backprop_input: missing attribute 'input_shape' (int list)");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientOutputChannelMismatch) {
  ValueId dy = In(F32({1, 3, 3, 6}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: filter f32[3,3,3,8] has 8 output channels, output "
            "gradient f32[1,3,3,6] has 6");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientInputChannelMismatch) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(F32({3, 3, 2, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: filter f32[3,3,2,8] expects 2 input channels, "
            "input_shape [1,5,5,3] has 3");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientBatchMismatch) {
  ValueId dy = In(F32({2, 3, 3, 8}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: output gradient f32[2,3,3,8] has batch 2, input_shape "
            "[1,5,5,3] has 1");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientOfWrongSpatialSize) {
  // A valid 3x3 conv of 5x5 gives 3x3, not 4x3.
  ValueId dy = In(F32({1, 4, 3, 8}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w}, {{"input_shape", IntList{1, 5, 5, 3}}}),
            "%y = conv2d_backprop_input: conv2d of input_shape [1,5,5,3] with filter "
            "f32[3,3,3,8] gives output 3x3, output gradient f32[1,4,3,8] has 4x3");
}

TEST_F(TypeRuleConv2DBackprop, RejectsInputGradientWindowErrors) {
  ValueId dy = In(F32({1, 3, 3, 8}));
  ValueId w = In(F32({3, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w},
                    BackpropAttrs("input_shape", {1, 5, 5, 3}, {0, 1})),
            "%y = conv2d_backprop_input: strides must be positive, got [0,1]");
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {dy, w},
                    BackpropAttrs("input_shape", {1, 5, 5, 3}, {1, 1}, std::string("full"))),
            "%y = conv2d_backprop_input: padding must be \"valid\", \"same\" or "
            "[top,bottom,left,right], got \"full\"");
  ValueId one = In(F32({1, 1, 1, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropInput, {one, w}, {{"input_shape", IntList{1, 2, 2, 3}}}),
            "%y = conv2d_backprop_input: window 3x3 is larger than the padded input 2x2");
}

TEST_F(TypeRuleConv2DBackprop, FilterGradientHasFilterShape) {
  ValueId x = In(F32({2, 28, 28, 1}));
  ValueId dy = In(F32({2, 24, 24, 6}));
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{5, 5, 1, 6}}}),
            "f32[5,5,1,6]");
}

TEST_F(TypeRuleConv2DBackprop, FilterGradientWithStrideSameAndNonSquareKernel) {
  // 7x6 input, 3x2 kernel, strides 2, "same": ceil(7/2) x ceil(6/2) = 4x3.
  ValueId x = In(F32({1, 7, 6, 3}));
  ValueId dy = In(F32({1, 4, 3, 5}));
  EXPECT_EQ(TypeOf(OpKind::kConv2DBackpropFilter, {x, dy},
                   BackpropAttrs("filter_shape", {3, 2, 3, 5}, {2, 2}, std::string("same"))),
            "f32[3,2,3,5]");
}

TEST_F(TypeRuleConv2DBackprop, FilterGradientWithDilationAndExplicitPadding) {
  // Height 7 + 1 + 1 = 9, extent (3-1)*2+1 = 5 -> 5; width 6 + 0 + 2 = 8, extent 2 -> 7.
  ValueId x = In(F32({2, 7, 6, 3}));
  ValueId dy = In(F32({2, 5, 7, 5}));
  EXPECT_EQ(
      TypeOf(OpKind::kConv2DBackpropFilter, {x, dy},
             BackpropAttrs("filter_shape", {3, 2, 3, 5}, {1, 1}, IntList{1, 1, 0, 2}, {2, 1})),
      "f32[3,2,3,5]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientOperandsOfRank3) {
  ValueId x3 = In(F32({5, 5, 3}));
  ValueId dy = In(F32({1, 3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x3, dy}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: input (NHWC) must have rank 4, got f32[5,5,3]");
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy3 = In(F32({3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy3}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: output gradient (NHWC) must have rank 4, got f32[3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientOfMixedElementTypes) {
  ValueId x = In(TensorType{DType::kF64, {1, 5, 5, 3}});
  ValueId dy = In(F32({1, 3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: operands must have one element type, got "
      "f64[1,5,5,3], f32[1,3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterShapeThatIsNotFourPositiveValues) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy = In(F32({1, 3, 3, 8}));
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 3}}}),
            "%y = conv2d_backprop_filter: filter_shape must have 4 positive values [KH,KW,C,O], "
            "got [3,3,3]");
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, -3, 3, 8}}}),
      "%y = conv2d_backprop_filter: filter_shape must have 4 positive values [KH,KW,C,O], "
      "got [3,-3,3,8]");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientInputChannelMismatch) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy = In(F32({1, 3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 2, 8}}}),
      "%y = conv2d_backprop_filter: filter_shape [3,3,2,8] expects 2 input channels, input "
      "f32[1,5,5,3] has 3");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientOutputChannelMismatch) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy = In(F32({1, 3, 3, 6}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: filter_shape [3,3,3,8] has 8 output channels, output "
      "gradient f32[1,3,3,6] has 6");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientBatchMismatch) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy = In(F32({2, 3, 3, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: output gradient f32[2,3,3,8] has batch 2, input "
      "f32[1,5,5,3] has 1");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientOfWrongSpatialSize) {
  ValueId x = In(F32({1, 5, 5, 3}));
  ValueId dy = In(F32({1, 3, 4, 8}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy}, {{"filter_shape", IntList{3, 3, 3, 8}}}),
      "%y = conv2d_backprop_filter: conv2d of input f32[1,5,5,3] with filter_shape "
      "[3,3,3,8] gives output 3x3, output gradient f32[1,3,4,8] has 3x4");
}

TEST_F(TypeRuleConv2DBackprop, RejectsFilterGradientWindowErrors) {
  ValueId x = In(F32({1, 4, 4, 1}));
  ValueId dy = In(F32({1, 1, 1, 1}));
  EXPECT_EQ(
      ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy},
              BackpropAttrs("filter_shape", {3, 3, 1, 1}, {1, 1}, std::string("valid"), {2, 2})),
      "%y = conv2d_backprop_filter: window 5x5 (after dilation) is larger than the padded "
      "input 4x4");
  EXPECT_EQ(ErrorOf(OpKind::kConv2DBackpropFilter, {x, dy},
                    BackpropAttrs("filter_shape", {3, 3, 1, 1}, {1, 1}, IntList{0, 0, -1, 0})),
            "%y = conv2d_backprop_filter: padding must not be negative, got [0,0,-1,0]");
}

// ---- maxpool2d_grad and avgpool2d_grad ---------------------------------------

Attributes PoolGradAttrs(IntList window, IntList strides,
                         Attribute padding = std::string("valid")) {
  return {{"window", std::move(window)},
          {"strides", std::move(strides)},
          {"padding", std::move(padding)}};
}

TEST_F(TypeRulePoolGrad, MaxPoolGradHasTheInputType) {
  ValueId x = In(F32({1, 4, 4, 3}));
  ValueId dy = In(F32({1, 2, 2, 3}));
  EXPECT_EQ(TypeOf(OpKind::kMaxPool2DGrad, {x, dy}, PoolGradAttrs({2, 2}, {2, 2})), "f32[1,4,4,3]");
  ValueId x64 = In(TensorType{DType::kF64, {2, 5, 5, 3}});
  ValueId dy64 = In(TensorType{DType::kF64, {2, 3, 3, 3}});
  EXPECT_EQ(TypeOf(OpKind::kMaxPool2DGrad, {x64, dy64},
                   PoolGradAttrs({3, 3}, {2, 2}, std::string("same"))),
            "f64[2,5,5,3]");
}

TEST_F(TypeRulePoolGrad, RejectsMaxPoolGradOfWrongOutputShape) {
  ValueId x = In(F32({1, 4, 4, 3}));
  ValueId dy = In(F32({1, 3, 3, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {x, dy}, PoolGradAttrs({2, 2}, {2, 2})),
            "%y = maxpool2d_grad: output gradient f32[1,3,3,3] does not match the maxpool2d "
            "output f32[1,2,2,3] of input f32[1,4,4,3]");
  ValueId dy_channels = In(F32({1, 2, 2, 2}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {x, dy_channels}, PoolGradAttrs({2, 2}, {2, 2})),
            "%y = maxpool2d_grad: output gradient f32[1,2,2,2] does not match the maxpool2d "
            "output f32[1,2,2,3] of input f32[1,4,4,3]");
}

TEST_F(TypeRulePoolGrad, RejectsMaxPoolGradBadOperands) {
  ValueId x = In(F32({1, 4, 4, 3}));
  ValueId dy64 = In(TensorType{DType::kF64, {1, 2, 2, 3}});
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {x, dy64}, PoolGradAttrs({2, 2}, {2, 2})),
            "%y = maxpool2d_grad: operands must have one element type, got f32[1,4,4,3], "
            "f64[1,2,2,3]");
  ValueId ix = In(I32({1, 4, 4, 3}));
  ValueId idy = In(I32({1, 2, 2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {ix, idy}, PoolGradAttrs({2, 2}, {2, 2})),
            "%y = maxpool2d_grad: operand must be f32 or f64, got i32[1,4,4,3]");
  ValueId dy3 = In(F32({2, 2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {x, dy3}, PoolGradAttrs({2, 2}, {2, 2})),
            "%y = maxpool2d_grad: output gradient (NHWC) must have rank 4, got f32[2,2,3]");
  ValueId dy = In(F32({1, 2, 2, 3}));
  EXPECT_EQ(ErrorOf(OpKind::kMaxPool2DGrad, {x, dy}, PoolGradAttrs({2}, {2, 2})),
            "%y = maxpool2d_grad: window must have 2 values [h,w], got 1");
}

TEST_F(TypeRulePoolGrad, AvgPoolGradHasInputShape) {
  // With stride 2 and "same", 5x5 and 6x6 inputs both give 3x3.
  ValueId dy = In(F32({2, 3, 3, 3}));
  Attributes five = PoolGradAttrs({3, 3}, {2, 2}, std::string("same"));
  five["input_shape"] = IntList{2, 5, 5, 3};
  EXPECT_EQ(TypeOf(OpKind::kAvgPool2DGrad, {dy}, five), "f32[2,5,5,3]");
  Attributes six = PoolGradAttrs({3, 3}, {2, 2}, std::string("same"));
  six["input_shape"] = IntList{2, 6, 6, 3};
  EXPECT_EQ(TypeOf(OpKind::kAvgPool2DGrad, {dy}, six), "f32[2,6,6,3]");
}

TEST_F(TypeRulePoolGrad, RejectsAvgPoolGradOfWrongOutputShape) {
  ValueId dy = In(F32({2, 3, 3, 3}));
  Attributes attrs = PoolGradAttrs({2, 2}, {2, 2});
  attrs["input_shape"] = IntList{2, 4, 4, 3};
  EXPECT_EQ(ErrorOf(OpKind::kAvgPool2DGrad, {dy}, attrs),
            "%y = avgpool2d_grad: output gradient f32[2,3,3,3] does not match the avgpool2d "
            "output f32[2,2,2,3] of input_shape [2,4,4,3]");
}

TEST_F(TypeRulePoolGrad, RejectsAvgPoolGradBadOperandOrAttributes) {
  ValueId idy = In(I32({1, 2, 2, 1}));
  Attributes attrs = PoolGradAttrs({2, 2}, {2, 2});
  attrs["input_shape"] = IntList{1, 4, 4, 1};
  EXPECT_EQ(ErrorOf(OpKind::kAvgPool2DGrad, {idy}, attrs),
            "%y = avgpool2d_grad: operand must be f32 or f64, got i32[1,2,2,1]");
  ValueId dy = In(F32({1, 1, 1, 1}));
  attrs["input_shape"] = IntList{1, 4, 4};
  EXPECT_EQ(ErrorOf(OpKind::kAvgPool2DGrad, {dy}, attrs),
            "%y = avgpool2d_grad: input_shape must have 4 positive values [N,H,W,C], got "
            "[1,4,4]");
  attrs = PoolGradAttrs({3, 3}, {1, 1});
  attrs["input_shape"] = IntList{1, 2, 2, 1};
  EXPECT_EQ(ErrorOf(OpKind::kAvgPool2DGrad, {dy}, attrs),
            "%y = avgpool2d_grad: window 3x3 is larger than the padded input 2x2");
  EXPECT_EQ(ErrorOf(OpKind::kAvgPool2DGrad, {dy}, PoolGradAttrs({1, 1}, {1, 1})),
            "%y = avgpool2d_grad: missing attribute 'input_shape' (int list)");
}

// ---- softmax ----------------------------------------------------------------

TEST_F(TypeRuleSoftmax, KeepsTheOperandType) {
  ValueId x = In(F32({4, 10}));
  EXPECT_EQ(TypeOf(OpKind::kSoftmax, {x}), "f32[4,10]");
  EXPECT_EQ(TypeOf(OpKind::kLogSoftmax, {x}, {{"axis", int64_t{0}}}), "f32[4,10]");
}

TEST_F(TypeRuleSoftmax, RejectsAxisOutOfRange) {
  ValueId x = In(F32({4, 10}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmax, {x}, {{"axis", int64_t{2}}}),
            "%y = softmax: axis 2 is out of range for rank 2");
  EXPECT_EQ(ErrorOf(OpKind::kLogSoftmax, {x}, {{"axis", int64_t{-3}}}),
            "%y = log_softmax: axis -3 is out of range for rank 2");
}

TEST_F(TypeRuleSoftmax, RejectsI32) {
  ValueId x = In(I32({4, 10}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmax, {x}),
            "%y = softmax: operand must be f32 or f64, got i32[4,10]");
}

// ---- one_hot and softmax_cross_entropy -------------------------------------

TEST_F(TypeRuleLabels, OneHotAppendsDepth) {
  ValueId labels = In(I32({4}));
  EXPECT_EQ(TypeOf(OpKind::kOneHot, {labels}, {{"depth", int64_t{10}}}), "f32[4,10]");
  ValueId pixels = In(U8({2, 3}));
  EXPECT_EQ(TypeOf(OpKind::kOneHot, {pixels}, {{"depth", int64_t{5}}, {"dtype", DType::kI32}}),
            "i32[2,3,5]");
}

TEST_F(TypeRuleLabels, RejectsOneHotOnFloats) {
  ValueId labels = In(F32({4}));
  EXPECT_EQ(ErrorOf(OpKind::kOneHot, {labels}, {{"depth", int64_t{10}}}),
            "%y = one_hot: labels must be i32 or u8, got f32[4]");
}

TEST_F(TypeRuleLabels, RejectsOneHotDepthZero) {
  ValueId labels = In(I32({4}));
  EXPECT_EQ(ErrorOf(OpKind::kOneHot, {labels}, {{"depth", int64_t{0}}}),
            "%y = one_hot: depth must be positive, got 0");
}

TEST_F(TypeRuleLabels, SoftmaxCrossEntropyGivesAScalar) {
  ValueId logits = In(F32({4, 10}));
  ValueId labels = In(I32({4}));
  ValueId bytes = In(U8({4}));
  EXPECT_EQ(TypeOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}), "f32[]");
  EXPECT_EQ(TypeOf(OpKind::kSoftmaxCrossEntropy, {logits, bytes}), "f32[]");
}

// "i32 or u8 [4]" reads as if [4] belonged to u8 alone.
TEST_F(TypeRuleLabels, RejectsCrossEntropyLabelsShapeMismatch) {
  ValueId logits = In(F32({4, 10}));
  ValueId labels = In(I32({3}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}),
            "%y = softmax_cross_entropy: labels must be i32[4] or u8[4] to match logits "
            "f32[4,10], got i32[3]");
}

TEST_F(TypeRuleLabels, RejectsCrossEntropyLogitsOfRank1) {
  ValueId logits = In(F32({10}));
  ValueId labels = In(I32({1}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}),
            "%y = softmax_cross_entropy: logits [batch, classes] must have rank 2, got f32[10]");
}

TEST_F(TypeRuleLabels, RejectsCrossEntropyIntegerLogits) {
  ValueId logits = In(I32({4, 10}));
  ValueId labels = In(I32({4}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}),
            "%y = softmax_cross_entropy: logits must be f32 or f64, got i32[4,10]");
}

TEST_F(TypeRuleLabels, RejectsCrossEntropyEmptyBatch) {
  ValueId logits = In(F32({0, 10}));
  ValueId labels = In(I32({0}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}),
            "%y = softmax_cross_entropy: the batch is empty");
}

// Like argmax over an empty axis: with no classes there is no softmax to take
// and the loss would be -log(0).
TEST_F(TypeRuleLabels, RejectsCrossEntropyWithNoClasses) {
  ValueId logits = In(F32({4, 0}));
  ValueId labels = In(I32({4}));
  EXPECT_EQ(ErrorOf(OpKind::kSoftmaxCrossEntropy, {logits, labels}),
            "%y = softmax_cross_entropy: logits f32[4,0] have no classes");
}

// ---- the builder itself -----------------------------------------------------

TEST_F(TypeRuleBuilder, LeavesGraphUnchangedOnError) {
  ValueId a = In(F32({2}));
  ValueId b = In(I32({2}));
  ASSERT_FALSE(builder_.Add(OpKind::kAdd, {a, b}).ok());
  EXPECT_EQ(builder_.graph().size(), 2);
  EXPECT_EQ(TypeOf(OpKind::kAdd, {a, a}), "f32[2]");
}

TEST_F(TypeRuleBuilder, RejectsWrongOperandCount) {
  ValueId a = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kAdd, {a}), "%y = add: expects 2 operands, got 1");
}

TEST_F(TypeRuleBuilder, RejectsOperandThatDoesNotExist) {
  ValueId a = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kAdd, {a, 5}), "%y = add: operand #5 does not exist");
}

TEST_F(TypeRuleBuilder, RejectsMissingRequiredAttribute) {
  ValueId a = In(F32({2}));
  EXPECT_EQ(ErrorOf(OpKind::kReshape, {a}), "%y = reshape: missing attribute 'shape' (int list)");
}

// The same message, naming the node, that the verifier gives.
TEST_F(TypeRuleBuilder, RejectsDuplicateValueNameNamingTheNode) {
  ValueId a = In(F32({2}));
  auto id = builder_.Add(OpKind::kRelu, {a}, {}, "a");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(std::string(id.status().message()), "%a = relu: value %a is defined twice");
}

TEST_F(TypeRuleBuilder, PrefixesErrorsWithLocation) {
  ValueId a = In(I32({2}));
  auto id = builder_.Add(OpKind::kExp, {a}, {}, "y", SourceLoc{"net.dl", 12, 3});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(std::string(id.status().message()),
            "net.dl:12:3: %y = exp: operand must be f32 or f64, got i32[2]");
}

}  // namespace
}  // namespace dlc
