// Reference interpreter: softmax, log_softmax and softmax_cross_entropy,
// including their numerical stability on large logits.
#include <cmath>
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
using ::testing::Pointwise;

// softmax([1,2,3]) = [e^-2, e^-1, 1] / (e^-2 + e^-1 + 1) and
// log_softmax([1,2,3]) = [1,2,3] - 3 - log(1.5032147).
const std::vector<double> kSoftmax123 = {0.09003057317038046, 0.24472847105479764,
                                         0.6652409557748218};
const std::vector<double> kLogSoftmax123 = {-2.4076059644443806, -1.4076059644443804,
                                            -0.4076059644443804};
// softmax([a, a+1]) = [1, e] / (1 + e) for any a; log of it is -log(1+e^-1) - [1, 0].
const std::vector<double> kSoftmaxStep1 = {0.2689414213699951, 0.7310585786300049};
const std::vector<double> kLogSoftmaxStep1 = {-1.3132616875182228, -0.31326168751822286};

Attributes Axis(int64_t axis) { return {{"axis", axis}}; }

TEST(InterpreterSoftmax, SoftmaxNormalizesEachRow) {
  // Row 1 is constant, so uniform.
  Tensor r = Eval(OpKind::kSoftmax, {Make(DType::kF32, {2, 3}, {1, 2, 3, 5, 5, 5})});
  EXPECT_EQ(r.type().ToString(), "f32[2,3]");
  std::vector<double> expected = kSoftmax123;
  expected.insert(expected.end(), {1.0 / 3, 1.0 / 3, 1.0 / 3});
  EXPECT_THAT(Values(r), Pointwise(DoubleNear(1e-6), expected));
}

TEST(InterpreterSoftmax, SoftmaxAlongTheFirstAxisNormalizesColumns) {
  // x = [[1,3],[2,3]]: column 0 is softmax([1,2]), column 1 is uniform.
  Tensor r = Eval(OpKind::kSoftmax, {Make(DType::kF32, {2, 2}, {1, 3, 2, 3})}, Axis(0));
  EXPECT_THAT(Values(r),
              Pointwise(DoubleNear(1e-6), {kSoftmaxStep1[0], 0.5, kSoftmaxStep1[1], 0.5}));
}

TEST(InterpreterSoftmax, SoftmaxAlongTheMiddleAxisOfRank3) {
  // x[0,:,0] = [1,2,3], x[0,:,1] = [0,0,0]; axis -2 is axis 1.
  Tensor r = Eval(OpKind::kSoftmax, {Make(DType::kF32, {1, 3, 2}, {1, 0, 2, 0, 3, 0})}, Axis(-2));
  EXPECT_THAT(Values(r), Pointwise(DoubleNear(1e-6), {kSoftmax123[0], 1.0 / 3, kSoftmax123[1],
                                                      1.0 / 3, kSoftmax123[2], 1.0 / 3}));
}

TEST(InterpreterSoftmax, SoftmaxIsStableForLargeLogits) {
  // exp(1000) overflows f32 and f64; subtracting the max avoids it.
  Tensor r = Eval(OpKind::kSoftmax, {Make(DType::kF32, {2, 2}, {1000, 1001, -1000, 0})});
  EXPECT_THAT(Values(r),
              Pointwise(DoubleNear(1e-6), {kSoftmaxStep1[0], kSoftmaxStep1[1], 0.0, 1.0}));
}

TEST(InterpreterSoftmax, LogSoftmaxGivesTheLogProbabilities) {
  Tensor r = Eval(OpKind::kLogSoftmax, {Make(DType::kF32, {3}, {1, 2, 3})});
  EXPECT_THAT(Values(r), Pointwise(DoubleNear(1e-6), kLogSoftmax123));
}

TEST(InterpreterSoftmax, LogSoftmaxIsStableForLargeLogits) {
  // log_softmax([-1000, 0]) = [-1000 - log(1 + e^-1000), -log(1 + e^-1000)] = [-1000, 0].
  Tensor r = Eval(OpKind::kLogSoftmax, {Make(DType::kF32, {2, 2}, {1000, 1001, -1000, 0})});
  EXPECT_THAT(Values(r), Pointwise(DoubleNear(1e-5),
                                   {kLogSoftmaxStep1[0], kLogSoftmaxStep1[1], -1000.0, 0.0}));
}

TEST(InterpreterSoftmax, F64SoftmaxAndLogSoftmaxAreAccurateToDoublePrecision) {
  Tensor x = Make(DType::kF64, {2}, {1000, 1001});
  Tensor p = Eval(OpKind::kSoftmax, {x});
  EXPECT_EQ(p.type().ToString(), "f64[2]");
  EXPECT_THAT(Values(p), Pointwise(DoubleNear(1e-15), kSoftmaxStep1));
  EXPECT_THAT(Values(Eval(OpKind::kLogSoftmax, {x})),
              Pointwise(DoubleNear(1e-13), kLogSoftmaxStep1));
}

// ---- softmax_cross_entropy ------------------------------------------------

TEST(InterpreterSoftmaxCrossEntropy, IsTheBatchMeanOfMinusLogSoftmaxAtTheLabel) {
  // Row 0 [1,2,3], label 2: 0.4076059644443804. Row 1 [1,1,1], label 0: log 3 =
  // 1.0986122886681098. Mean: 0.7531091265562451.
  Tensor r = Eval(OpKind::kSoftmaxCrossEntropy,
                  {Make(DType::kF32, {2, 3}, {1, 2, 3, 1, 1, 1}), Make(DType::kI32, {2}, {2, 0})});
  EXPECT_EQ(r.type().ToString(), "f32[]");
  EXPECT_NEAR(r.GetDouble(0), 0.7531091265562451, 1e-6);
}

TEST(InterpreterSoftmaxCrossEntropy, AcceptsU8Labels) {
  Tensor r = Eval(OpKind::kSoftmaxCrossEntropy,
                  {Make(DType::kF32, {1, 3}, {1, 2, 3}), Make(DType::kU8, {1}, {0})});
  EXPECT_NEAR(r.GetDouble(0), -kLogSoftmax123[0], 1e-6);
}

TEST(InterpreterSoftmaxCrossEntropy, IsStableForLargeLogits) {
  // Row 0 [1000, 0] label 0: 1000 + log(1 + e^-1000) - 1000 = 0.
  // Row 1 [0, 1000] label 0: 1000 + log(1 + e^-1000) - 0 = 1000. Mean 500.
  Tensor r = Eval(OpKind::kSoftmaxCrossEntropy,
                  {Make(DType::kF32, {2, 2}, {1000, 0, 0, 1000}), Make(DType::kI32, {2}, {0, 0})});
  EXPECT_NEAR(r.GetDouble(0), 500, 1e-3);
}

TEST(InterpreterSoftmaxCrossEntropy, F64ComputesInDouble) {
  Tensor r = Eval(OpKind::kSoftmaxCrossEntropy,
                  {Make(DType::kF64, {2, 3}, {1, 2, 3, 1, 1, 1}), Make(DType::kI32, {2}, {2, 0})});
  EXPECT_EQ(r.type().ToString(), "f64[]");
  EXPECT_NEAR(r.GetDouble(0), 0.7531091265562451, 1e-15);
}

TEST(InterpreterSoftmaxCrossEntropy, ALabelOutOfRangeIsAnErrorNamingRowAndLabel) {
  Tensor logits = Make(DType::kF32, {2, 3}, {1, 2, 3, 1, 1, 1});
  absl::StatusOr<Tensor> too_big =
      TryEval(OpKind::kSoftmaxCrossEntropy, {logits, Make(DType::kI32, {2}, {0, 3})});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_big.status().message(),
            "%q = softmax_cross_entropy: batch row 1 has label 3, outside [0, 3)");
  absl::StatusOr<Tensor> negative =
      TryEval(OpKind::kSoftmaxCrossEntropy, {logits, Make(DType::kI32, {2}, {-1, 0})});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(),
            "%q = softmax_cross_entropy: batch row 0 has label -1, outside [0, 3)");
  absl::StatusOr<Tensor> u8 =
      TryEval(OpKind::kSoftmaxCrossEntropy, {logits, Make(DType::kU8, {2}, {1, 200})});
  ASSERT_FALSE(u8.ok());
  EXPECT_EQ(u8.status().message(),
            "%q = softmax_cross_entropy: batch row 1 has label 200, outside [0, 3)");
}

}  // namespace
}  // namespace dlc
