// Reference interpreter: one_hot.
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

Attributes OneHot(int64_t depth, DType dtype = DType::kF32) {
  return {{"depth", depth}, {"dtype", dtype}};
}

TEST(InterpreterOneHot, PutsAOneAtEachLabel) {
  Tensor r = Eval(OpKind::kOneHot, {Make(DType::kI32, {3}, {0, 2, 1})}, OneHot(3));
  EXPECT_EQ(r.type().ToString(), "f32[3,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 0, 0, 0, 1, 0, 1, 0));
}

TEST(InterpreterOneHot, LabelsOutsideTheDepthGiveAnAllZeroRow) {
  Tensor r = Eval(OpKind::kOneHot, {Make(DType::kI32, {3}, {-1, 3, 1})}, OneHot(3));
  EXPECT_THAT(Values(r), ElementsAre(0, 0, 0, 0, 0, 0, 0, 1, 0));
}

TEST(InterpreterOneHot, U8LabelsOfAnyRankToAnotherDType) {
  // Labels [[0,1],[255,2]], depth 3, as i32: 255 is out of range.
  Tensor r =
      Eval(OpKind::kOneHot, {Make(DType::kU8, {2, 2}, {0, 1, 255, 2})}, OneHot(3, DType::kI32));
  EXPECT_EQ(r.type().ToString(), "i32[2,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1));
}

TEST(InterpreterOneHot, ProducesF64AndI1) {
  Tensor labels = Make(DType::kI32, {2}, {1, 0});
  Tensor f64 = Eval(OpKind::kOneHot, {labels}, OneHot(2, DType::kF64));
  EXPECT_EQ(f64.type().ToString(), "f64[2,2]");
  EXPECT_THAT(Values(f64), ElementsAre(0, 1, 1, 0));
  Tensor i1 = Eval(OpKind::kOneHot, {labels}, OneHot(2, DType::kI1));
  EXPECT_EQ(i1.type().ToString(), "i1[2,2]");
  EXPECT_THAT(Values(i1), ElementsAre(0, 1, 1, 0));
}

}  // namespace
}  // namespace dlc
