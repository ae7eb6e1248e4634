// Reference interpreter: reshape, flatten, transpose, broadcast, slice,
// concat and pad.
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
using ::testing::IsEmpty;

// 0, 1, 2, ... in a tensor of `shape`.
Tensor Iota(DType dtype, Shape shape) {
  std::vector<double> values(NumElements(shape));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  return Make(dtype, std::move(shape), values);
}

TEST(InterpreterDataMovement, ReshapeKeepsRowMajorOrder) {
  Tensor r = Eval(OpKind::kReshape, {Iota(DType::kF32, {2, 3})}, {{"shape", IntList{3, 1, 2}}});
  EXPECT_EQ(r.type().ToString(), "f32[3,1,2]");
  EXPECT_THAT(Values(r), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST(InterpreterDataMovement, FlattenJoinsTheAxesBeforeAndAfterAxis) {
  Tensor x = Iota(DType::kI32, {2, 2, 3});
  Tensor one = Eval(OpKind::kFlatten, {x}, {{"axis", int64_t{1}}});
  EXPECT_EQ(one.type().ToString(), "i32[2,6]");
  EXPECT_THAT(Values(one), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  EXPECT_EQ(Eval(OpKind::kFlatten, {x}, {{"axis", int64_t{2}}}).type().ToString(), "i32[4,3]");
  EXPECT_EQ(Eval(OpKind::kFlatten, {x}, {{"axis", int64_t{0}}}).type().ToString(), "i32[1,12]");
  EXPECT_EQ(Eval(OpKind::kFlatten, {x}, {{"axis", int64_t{3}}}).type().ToString(), "i32[12,1]");
  EXPECT_EQ(Eval(OpKind::kFlatten, {x}, {{"axis", int64_t{-1}}}).type().ToString(), "i32[4,3]");
}

TEST(InterpreterDataMovement, TransposeOfAMatrixSwapsRowsAndColumns) {
  // [[1,2,3],[4,5,6]] -> [[1,4],[2,5],[3,6]]
  Tensor r = Eval(OpKind::kTranspose, {Make(DType::kF32, {2, 3}, {1, 2, 3, 4, 5, 6})},
                  {{"perm", IntList{1, 0}}});
  EXPECT_EQ(r.type().ToString(), "f32[3,2]");
  EXPECT_THAT(Values(r), ElementsAre(1, 4, 2, 5, 3, 6));
}

TEST(InterpreterDataMovement, TransposeResultAxisIIsInputAxisPermI) {
  // x[i,j,k] = 12i + 4j + k, shape [2,3,4]; perm [2,0,1] gives shape [4,2,3]
  // with r[a,b,c] = x[b,c,a] = 12b + 4c + a.
  Tensor r = Eval(OpKind::kTranspose, {Iota(DType::kF32, {2, 3, 4})}, {{"perm", IntList{2, 0, 1}}});
  EXPECT_EQ(r.type().ToString(), "f32[4,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,  //
                                     2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23));
}

TEST(InterpreterDataMovement, TransposeMovesI1Elements) {
  Tensor r =
      Eval(OpKind::kTranspose, {Make(DType::kI1, {2, 2}, {1, 1, 0, 0})}, {{"perm", IntList{1, 0}}});
  EXPECT_EQ(r.type().ToString(), "i1[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 1, 0));
}

TEST(InterpreterDataMovement, BroadcastRepeatsAlongNewAndUnitAxes) {
  Tensor row =
      Eval(OpKind::kBroadcast, {Make(DType::kF32, {3}, {1, 2, 3})}, {{"shape", IntList{2, 3}}});
  EXPECT_THAT(Values(row), ElementsAre(1, 2, 3, 1, 2, 3));
  Tensor column =
      Eval(OpKind::kBroadcast, {Make(DType::kF32, {2, 1}, {1, 2})}, {{"shape", IntList{2, 3}}});
  EXPECT_THAT(Values(column), ElementsAre(1, 1, 1, 2, 2, 2));
  Tensor scalar = Eval(OpKind::kBroadcast, {Make(DType::kU8, {}, {7})}, {{"shape", IntList{2, 2}}});
  EXPECT_EQ(scalar.type().ToString(), "u8[2,2]");
  EXPECT_THAT(Values(scalar), ElementsAre(7, 7, 7, 7));
}

TEST(InterpreterDataMovement, SliceTakesStartToLimitWithUnitStrideByDefault) {
  // x = [[0,1,2,3],[4,5,6,7],[8,9,10,11]]; rows 1..2, columns 1..2.
  Tensor r = Eval(OpKind::kSlice, {Iota(DType::kF32, {3, 4})},
                  {{"start", IntList{1, 1}}, {"limit", IntList{3, 3}}});
  EXPECT_EQ(r.type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(5, 6, 9, 10));
}

TEST(InterpreterDataMovement, SliceWithStrideSkipsElements) {
  // Rows 0, 2 (stride 2 in [0,3)); columns 0, 3 (stride 3 in [0,4)).
  Tensor r = Eval(OpKind::kSlice, {Iota(DType::kI32, {3, 4})},
                  {{"start", IntList{0, 0}}, {"limit", IntList{3, 4}}, {"stride", IntList{2, 3}}});
  EXPECT_EQ(r.type().ToString(), "i32[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(0, 3, 8, 11));
}

TEST(InterpreterDataMovement, SliceMayBeEmpty) {
  Tensor r = Eval(OpKind::kSlice, {Iota(DType::kF32, {3, 4})},
                  {{"start", IntList{1, 1}}, {"limit", IntList{1, 3}}});
  EXPECT_EQ(r.type().ToString(), "f32[0,2]");
  EXPECT_THAT(Values(r), IsEmpty());
}

TEST(InterpreterDataMovement, ConcatAlongTheLastAxisAcceptsNegativeAxis) {
  // [[1,2],[3,4]] ++ [[5],[6]] along columns.
  Tensor a = Make(DType::kF32, {2, 2}, {1, 2, 3, 4});
  Tensor b = Make(DType::kF32, {2, 1}, {5, 6});
  for (int64_t axis : {int64_t{1}, int64_t{-1}}) {
    Tensor r = Eval(OpKind::kConcat, {a, b}, {{"axis", axis}});
    EXPECT_EQ(r.type().ToString(), "f32[2,3]");
    EXPECT_THAT(Values(r), ElementsAre(1, 2, 5, 3, 4, 6));
  }
}

TEST(InterpreterDataMovement, ConcatOfThreeOperandsAlongTheFirstAxis) {
  Tensor r = Eval(OpKind::kConcat,
                  {Make(DType::kI32, {1, 2}, {1, 2}), Make(DType::kI32, {2, 2}, {3, 4, 5, 6}),
                   Make(DType::kI32, {1, 2}, {7, 8})},
                  {{"axis", int64_t{0}}});
  EXPECT_EQ(r.type().ToString(), "i32[4,2]");
  EXPECT_THAT(Values(r), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
}

TEST(InterpreterDataMovement, ConcatAlongAMiddleAxis) {
  // a[i,0,k] and b[i,0..1,k]: each outer row i is a's row then b's rows.
  Tensor r = Eval(OpKind::kConcat,
                  {Make(DType::kF32, {2, 1, 2}, {1, 2, 3, 4}),
                   Make(DType::kF32, {2, 2, 2}, {10, 11, 12, 13, 14, 15, 16, 17})},
                  {{"axis", int64_t{1}}});
  EXPECT_EQ(r.type().ToString(), "f32[2,3,2]");
  EXPECT_THAT(Values(r), ElementsAre(1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17));
}

TEST(InterpreterDataMovement, PadSurroundsWithTheValue) {
  // One row above, two columns on the right, filled with 9.
  Tensor r = Eval(OpKind::kPad, {Make(DType::kF32, {2, 2}, {1, 2, 3, 4})},
                  {{"low", IntList{1, 0}}, {"high", IntList{0, 2}}, {"value", 9.0}});
  EXPECT_EQ(r.type().ToString(), "f32[3,4]");
  EXPECT_THAT(Values(r), ElementsAre(9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9));
}

TEST(InterpreterDataMovement, PadValueIsZeroByDefault) {
  Tensor r = Eval(OpKind::kPad, {Make(DType::kF32, {1}, {5})},
                  {{"low", IntList{1}}, {"high", IntList{1}}});
  EXPECT_THAT(Values(r), ElementsAre(0, 5, 0));
}

TEST(InterpreterDataMovement, PadValueIsConvertedToTheElementType) {
  Tensor i32 = Eval(OpKind::kPad, {Make(DType::kI32, {2}, {5, 6})},
                    {{"low", IntList{1}}, {"high", IntList{1}}, {"value", -1.0}});
  EXPECT_THAT(Values(i32), ElementsAre(-1, 5, 6, -1));
  Tensor u8 = Eval(OpKind::kPad, {Make(DType::kU8, {1}, {5})},
                   {{"low", IntList{1}}, {"high", IntList{0}}, {"value", 255.0}});
  EXPECT_THAT(Values(u8), ElementsAre(255, 5));
  Tensor i1 = Eval(OpKind::kPad, {Make(DType::kI1, {1}, {0})},
                   {{"low", IntList{0}}, {"high", IntList{1}}, {"value", 1.0}});
  EXPECT_THAT(Values(i1), ElementsAre(0, 1));
}

}  // namespace
}  // namespace dlc
