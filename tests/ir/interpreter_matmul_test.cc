// Reference interpreter: matmul with transposes and batch dimensions.
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

Attributes Transposes(bool a, bool b) { return {{"transpose_a", a}, {"transpose_b", b}}; }

// a = [[1,2,3],[4,5,6]], b = [[7,8],[9,10],[11,12]]:
// a.b = [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]] = [[58,64],[139,154]].
const std::vector<double> kA = {1, 2, 3, 4, 5, 6};
const std::vector<double> kATransposed = {1, 4, 2, 5, 3, 6};
const std::vector<double> kB = {7, 8, 9, 10, 11, 12};
const std::vector<double> kBTransposed = {7, 9, 11, 8, 10, 12};

TEST(InterpreterMatMul, MultipliesMatrices) {
  Tensor r = Eval(OpKind::kMatMul, {Make(DType::kF32, {2, 3}, kA), Make(DType::kF32, {3, 2}, kB)});
  EXPECT_EQ(r.type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(58, 64, 139, 154));
}

TEST(InterpreterMatMul, TransposeAReadsATransposed) {
  Tensor r = Eval(OpKind::kMatMul,
                  {Make(DType::kF32, {3, 2}, kATransposed), Make(DType::kF32, {3, 2}, kB)},
                  Transposes(true, false));
  EXPECT_EQ(r.type().ToString(), "f32[2,2]");
  EXPECT_THAT(Values(r), ElementsAre(58, 64, 139, 154));
}

TEST(InterpreterMatMul, TransposeBReadsBTransposed) {
  Tensor r = Eval(OpKind::kMatMul,
                  {Make(DType::kF32, {2, 3}, kA), Make(DType::kF32, {2, 3}, kBTransposed)},
                  Transposes(false, true));
  EXPECT_THAT(Values(r), ElementsAre(58, 64, 139, 154));
}

TEST(InterpreterMatMul, BothTransposed) {
  Tensor r =
      Eval(OpKind::kMatMul,
           {Make(DType::kF32, {3, 2}, kATransposed), Make(DType::kF32, {2, 3}, kBTransposed)},
           Transposes(true, true));
  EXPECT_THAT(Values(r), ElementsAre(58, 64, 139, 154));
}

TEST(InterpreterMatMul, MultipliesEachBatchSeparately) {
  // Batch 0: [[1,2],[3,4]].[[5,6],[7,8]] = [[19,22],[43,50]].
  // Batch 1: [[1,0],[0,2]].[[1,1],[1,1]] = [[1,1],[2,2]].
  Tensor r = Eval(OpKind::kMatMul, {Make(DType::kF32, {2, 2, 2}, {1, 2, 3, 4, 1, 0, 0, 2}),
                                    Make(DType::kF32, {2, 2, 2}, {5, 6, 7, 8, 1, 1, 1, 1})});
  EXPECT_EQ(r.type().ToString(), "f32[2,2,2]");
  EXPECT_THAT(Values(r), ElementsAre(19, 22, 43, 50, 1, 1, 2, 2));
}

TEST(InterpreterMatMul, Rank4BatchWithTransposeB) {
  // Batches (0,0): [1,2].[3,4] = 11 and (0,1): [5,6].[7,8] = 83; b is [.., 1, 2]
  // and transposed to [.., 2, 1].
  Tensor r = Eval(OpKind::kMatMul,
                  {Make(DType::kF32, {1, 2, 1, 2}, {1, 2, 5, 6}),
                   Make(DType::kF32, {1, 2, 1, 2}, {3, 4, 7, 8})},
                  Transposes(false, true));
  EXPECT_EQ(r.type().ToString(), "f32[1,2,1,1]");
  EXPECT_THAT(Values(r), ElementsAre(11, 83));
}

TEST(InterpreterMatMul, AccumulatesInTheElementTypeInKOrder) {
  // [1e8, 1, -1e8] . [1, 1, 1]: in f32, 1e8 + 1 rounds back to 1e8 (f32 spacing
  // there is 8), so the sum is 0; f64 keeps the 1.
  const std::vector<double> row = {1e8, 1, -1e8};
  const std::vector<double> ones = {1, 1, 1};
  Tensor f32 =
      Eval(OpKind::kMatMul, {Make(DType::kF32, {1, 3}, row), Make(DType::kF32, {3, 1}, ones)});
  EXPECT_THAT(Values(f32), ElementsAre(0));
  Tensor f64 =
      Eval(OpKind::kMatMul, {Make(DType::kF64, {1, 3}, row), Make(DType::kF64, {3, 1}, ones)});
  EXPECT_EQ(f64.type().ToString(), "f64[1,1]");
  EXPECT_THAT(Values(f64), ElementsAre(1));
}

TEST(InterpreterMatMul, AnEmptyContractionGivesZeros) {
  // K = 0: every result element is an empty sum.
  Tensor r = Eval(OpKind::kMatMul, {Make(DType::kF32, {2, 0}, {}), Make(DType::kF32, {0, 3}, {})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  EXPECT_THAT(Values(r), ElementsAre(0, 0, 0, 0, 0, 0));
}

}  // namespace
}  // namespace dlc
