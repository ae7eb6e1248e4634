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
  auto stats = setup->trainer->TrainEpoch(*data, 1, [&](const StepProgress& p) { seen.push_back(p); });
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
}

}  // namespace
}  // namespace dlc::tools
