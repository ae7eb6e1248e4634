// A step whose loss is not finite stops training: the error names the epoch,
// the step and the first op that produced a NaN or infinity, and the step's
// update is not applied (the parameters stay finite, as before it).
#include "gtest/gtest.h"
#include "runtime/non_finite.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

TEST(NonFiniteLoss, StopsNamingTheStepAndTheOpAndKeepsTheParameters) {
  // Three linear layers and SGD at lr 0.2: a matmul overflows in epoch 3.
  auto setup = SetUpTraining(DLC_SOURCE_DIR "/tests/lit/train/Inputs/diverging.dl", {});
  ASSERT_TRUE(setup.ok()) << setup.status();
  auto data = LoadData(*setup, "data");
  ASSERT_TRUE(data.ok()) << data.status();
  absl::Status error;
  int64_t epoch = 1;
  for (; epoch <= setup->config.epochs; ++epoch) {
    auto stats = setup->trainer->TrainEpoch(*data, epoch);
    if (!stats.ok()) {
      error = stats.status();
      break;
    }
  }
  ASSERT_FALSE(error.ok()) << "training did not diverge";
  EXPECT_EQ(epoch, 3);
  const std::string message(error.message());
  EXPECT_TRUE(message.starts_with("epoch 3, step ")) << message;
  EXPECT_NE(message.find("the loss is NaN; the step was not applied. The first non-finite value is "
                         "produced by "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("diverging.dl:"), std::string::npos) << message;
  EXPECT_NE(message.find(" = matmul f32[32,"), std::string::npos) << message;
  for (const auto& [name, value] : setup->trainer->parameters()) {
    EXPECT_TRUE(AllFinite(value)) << name << " took the non-finite step's update";
  }
  for (const auto& [name, value] : setup->trainer->optimizer_state()) {
    EXPECT_TRUE(AllFinite(value)) << name << " took the non-finite step's update";
  }
}

}  // namespace
}  // namespace dlc::tools
