// The trainer reports progress after every step, ending at the epoch's totals.
#include "gtest/gtest.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

TEST(Progress, CalledAfterEveryStepWithRunningTotals) {
  TrainOverrides o;
  o.limit = 100;  // batches of 32: 3 full and one of 4
  o.backend = "interp";
  auto setup = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", o);
  ASSERT_TRUE(setup.ok()) << setup.status();
  auto data = LoadData(*setup, "data");
  ASSERT_TRUE(data.ok());
  std::vector<StepProgress> seen;
  auto stats =
      setup->trainer->TrainEpoch(*data, 1, [&](const StepProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(seen.size(), 4u);
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].step, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(seen[i].steps, 4);
  }
  EXPECT_EQ(seen[0].samples, 32);
  EXPECT_EQ(seen.back().samples, 100);
  EXPECT_DOUBLE_EQ(seen.back().loss, stats->loss);
  EXPECT_DOUBLE_EQ(seen.back().accuracy, stats->accuracy);
  // Each step also reports its own batch: the batches add up to the epoch.
  EXPECT_EQ(seen[0].batch_size, 32);
  EXPECT_EQ(seen.back().batch_size, 4);
  double loss_sum = 0, correct = 0;
  for (const StepProgress& p : seen) {
    loss_sum += p.batch_loss * static_cast<double>(p.batch_size);
    correct += p.batch_accuracy * static_cast<double>(p.batch_size);
  }
  EXPECT_NEAR(loss_sum / 100, stats->loss, 1e-12);
  EXPECT_NEAR(correct / 100, stats->accuracy, 1e-12);
  EXPECT_DOUBLE_EQ(seen[0].batch_loss, seen[0].loss);  // after one step they agree
}

}  // namespace
}  // namespace dlc::tools
