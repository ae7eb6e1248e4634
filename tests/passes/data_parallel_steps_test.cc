// The training step split for data-parallel training (BuildGradientStep,
// BuildUpdateStep): the shards' gradients of a batch, summed, and the update
// applied to that sum give what the whole training step gives, for an even
// and an uneven split.
#include <cmath>

#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "passes/training.h"

namespace dlc {
namespace {

// logits = x · w for a batch of `n` rows of 3.
ForwardModel Model(int64_t n) {
  GraphBuilder b("tiny");
  ValueId x = *b.Input("x", {DType::kF32, {n, 3}});
  ValueId w = *b.Parameter("w", {DType::kF32, {3, 2}}, "glorot_uniform");
  ValueId logits = *b.Add(OpKind::kMatMul, {x, w}, {}, "logits");
  return {*std::move(b).Build({logits}), logits};
}

const std::vector<float> kX = {0.5f, -1.0f, 2.0f, 1.5f, 0.25f, -0.75f, -0.3f, 0.8f, 1.1f,
                               2.0f, -0.6f, 0.4f, 0.9f, 0.1f,  -1.2f,  0.7f,  0.2f, -0.5f};
const std::vector<int> kLabels = {1, 0, 1, 1, 0, 0};

Feeds Rows(int64_t begin, int64_t n) {
  std::vector<float> x(kX.begin() + begin * 3, kX.begin() + (begin + n) * 3);
  std::vector<int> labels(kLabels.begin() + begin, kLabels.begin() + begin + n);
  return {{"x", Tensor::FromVector<float>(DType::kF32, {n, 3}, x)},
          {"labels", Tensor::FromVector<int>(DType::kU8, {n}, labels)}};
}

Tensor InitialW() {
  return Tensor::FromVector<float>(DType::kF32, {3, 2}, {0.1f, -0.2f, 0.3f, 0.05f, -0.4f, 0.25f});
}

// Two Adam steps on a batch of 6 rows, whole and split into `shards`.
void ExpectSplitMatchesWhole(const std::vector<int64_t>& shards) {
  OptimizerSpec adam;
  adam.kind = OptimizerSpec::Kind::kAdam;
  adam.lr = 0.01;
  const int64_t batch = 6;
  auto whole = BuildTrainingProgram(Model(batch), Model(batch), adam);
  ASSERT_TRUE(whole.ok()) << whole.status();
  auto update = BuildUpdateStep(whole->train_step, adam);
  ASSERT_TRUE(update.ok()) << update.status();

  Feeds one = Rows(0, batch), split;
  one["w"] = split["w"] = InitialW();
  for (const StateTensor& s : whole->state) one[s.name] = split[s.name] = Tensor(s.type);
  for (int step = 0; step < 2; ++step) {
    auto outputs = Interpret(whole->train_step, one);
    ASSERT_TRUE(outputs.ok()) << outputs.status();
    size_t next = 2;
    one["w"] = (*outputs)[next++];
    for (const StateTensor& s : whole->state) one[s.name] = (*outputs)[next++];

    Tensor sum(TensorType{DType::kF32, {3, 2}});
    double loss_sum = 0;
    int64_t begin = 0;
    for (int64_t n : shards) {
      auto gradient_step = BuildGradientStep(Model(n), batch);
      ASSERT_TRUE(gradient_step.ok()) << gradient_step.status();
      Feeds feeds = Rows(begin, n);
      feeds["w"] = split["w"];
      auto grads = Interpret(*gradient_step, feeds);
      ASSERT_TRUE(grads.ok()) << grads.status();
      loss_sum += (*grads)[0].GetDouble(0) * static_cast<double>(n);
      for (int64_t i = 0; i < 6; ++i) sum.values<float>()[i] += (*grads)[2].values<float>()[i];
      begin += n;
    }
    EXPECT_NEAR(loss_sum / batch, (*outputs)[0].GetDouble(0), 1e-6);
    split[GradientSumName("w")] = sum;
    auto updated = Interpret(*update, split);
    ASSERT_TRUE(updated.ok()) << updated.status();
    next = 0;
    split["w"] = (*updated)[next++];
    for (const StateTensor& s : whole->state) split[s.name] = (*updated)[next++];
    for (int64_t i = 0; i < 6; ++i) {
      EXPECT_NEAR(split["w"].GetDouble(i), one["w"].GetDouble(i), 1e-6) << "step " << step;
    }
  }
}

TEST(DataParallelStepsTest, EvenSplitSumsToTheWholeStep) { ExpectSplitMatchesWhole({3, 3}); }

TEST(DataParallelStepsTest, UnevenSplitSumsToTheWholeStep) {
  ExpectSplitMatchesWhole({2, 2, 1, 1});
}

TEST(DataParallelStepsTest, ShardLargerThanItsBatchIsAnError) {
  auto step = BuildGradientStep(Model(4), 3);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.status().message(), "a shard of 4 samples is larger than its batch of 3");
}

}  // namespace
}  // namespace dlc
