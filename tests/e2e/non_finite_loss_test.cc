// A step whose loss is not finite stops training: the error names the epoch,
// the step and the first op that produced a NaN or infinity, and the step's
// update is not applied (the parameters stay finite, as before it).
#include <algorithm>
#include <limits>

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

TEST(NonFiniteUpdate, AFiniteLossWithANonFiniteUpdateIsNotApplied) {
  // lr * weight_decay overflows f32: the first step's loss is finite, its
  // new kernels are not.
  auto setup =
      SetUpTraining(DLC_SOURCE_DIR "/tests/lit/adversarial/Inputs/overflowing_update.dl", {});
  ASSERT_TRUE(setup.ok()) << setup.status();
  auto data = LoadData(*setup, "data");
  ASSERT_TRUE(data.ok()) << data.status();
  const NamedTensors before = setup->trainer->parameters();
  auto stats = setup->trainer->TrainEpoch(*data, 1);
  ASSERT_FALSE(stats.ok()) << "the non-finite update was applied";
  const std::string message(stats.status().message());
  EXPECT_TRUE(message.starts_with("epoch 1, step 1: the update makes parameter dense")) << message;
  EXPECT_NE(message.find("; the step was not applied. The first non-finite value is produced by "),
            std::string::npos)
      << message;
  for (const auto& [name, value] : setup->trainer->parameters()) {
    EXPECT_TRUE(AllFinite(value)) << name << " took the non-finite step's update";
    EXPECT_EQ(value.values<float>().size(), before.at(name).values<float>().size());
    EXPECT_TRUE(std::ranges::equal(value.values<float>(), before.at(name).values<float>()))
        << name << " changed";
  }
  // A checkpoint holding such values is refused, naming the tensor.
  NamedTensors poisoned = before;
  Tensor& kernel = poisoned.at("dense.kernel");
  kernel.values<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  const absl::Status loaded = setup->trainer->LoadParameters(poisoned, "p.st");
  EXPECT_EQ(
      std::string(loaded.message()),
      "p.st: tensor dense.kernel holds NaN at element 5 of f32[784,16]: the run that saved it "
      "diverged; these values cannot be used");
}

}  // namespace
}  // namespace dlc::tools
