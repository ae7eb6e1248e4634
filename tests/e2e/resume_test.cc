// Stopping and resuming: a run stopped (between epochs or in the middle of
// one), saved, and resumed from the file ends bit-identical to a run that
// never stopped — parameters, optimizer state and every epoch's numbers.
// The residual example has dropout, so its masks must continue exactly too.
#include <cstring>

#include "gtest/gtest.h"
#include "runtime/safetensors.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

const std::string kResidual = DLC_SOURCE_DIR "/examples/mnist_residual.dl";

TrainOverrides RunFor(int64_t epochs) {
  TrainOverrides o;
  o.seed = 7;
  o.limit = 100;  // 4 steps an epoch: 3 of 32, 1 of 4
  o.epochs = epochs;
  o.threads = 2;
  return o;
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.type() == b.type() && std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

// Trains from the setup's position until `stop_after_steps` steps (counted
// over the whole run) have run, or to the end; returns the finished epochs.
std::vector<EpochStats> TrainUntil(TrainingSetup& setup, int64_t stop_after_steps = -1) {
  auto data = LoadData(setup, "data");
  EXPECT_TRUE(data.ok()) << data.status();
  std::vector<EpochStats> done = setup.resumed ? setup.resumed->epochs : std::vector<EpochStats>{};
  int64_t steps = 0;
  const StopRequested stop = [&] { return stop_after_steps >= 0 && steps >= stop_after_steps; };
  const ProgressCallback count = [&](const StepProgress&) { ++steps; };
  for (int64_t e = static_cast<int64_t>(done.size()) + 1; e <= setup.config.epochs && data.ok();
       ++e) {
    auto stats = setup.trainer->TrainEpoch(*data, e, count, stop);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (!stats.ok() || stats->interrupted) break;
    done.push_back(*stats);
  }
  return done;
}

void ExpectSameRun(const TrainingSetup& a, const std::vector<EpochStats>& epochs_a,
                   const TrainingSetup& b, const std::vector<EpochStats>& epochs_b) {
  ASSERT_EQ(epochs_a.size(), epochs_b.size());
  for (size_t i = 0; i < epochs_a.size(); ++i) {
    EXPECT_EQ(epochs_a[i].loss, epochs_b[i].loss) << "epoch " << i + 1;
    EXPECT_EQ(epochs_a[i].accuracy, epochs_b[i].accuracy) << "epoch " << i + 1;
    EXPECT_EQ(epochs_a[i].samples, epochs_b[i].samples) << "epoch " << i + 1;
    EXPECT_EQ(epochs_a[i].steps, epochs_b[i].steps) << "epoch " << i + 1;
  }
  for (const auto& [name, value] : a.trainer->parameters()) {
    EXPECT_TRUE(SameBytes(value, b.trainer->parameters().at(name))) << name;
  }
  for (const auto& [name, value] : a.trainer->optimizer_state()) {
    EXPECT_TRUE(SameBytes(value, b.trainer->optimizer_state().at(name))) << name;
  }
}

// Stops the run after `steps` steps, saves it, resumes it from the file and
// finishes; compares with an uninterrupted run.
void CheckResumeAfter(int64_t steps, const std::string& file) {
  auto whole = SetUpTraining(kResidual, RunFor(3));
  ASSERT_TRUE(whole.ok()) << whole.status();
  const std::vector<EpochStats> uninterrupted = TrainUntil(*whole);
  ASSERT_EQ(uninterrupted.size(), 3u);

  auto first = SetUpTraining(kResidual, RunFor(3));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::vector<EpochStats> before = TrainUntil(*first, steps);
  const std::string path = ::testing::TempDir() + "/" + file;
  ASSERT_TRUE(SaveCheckpoint(*first, path, CurrentRunState(*first, before, 100)).ok());

  TrainOverrides resume;  // no seed, batch or epochs given: all come from the file
  resume.resume = path;
  resume.threads = 2;
  auto second = SetUpTraining(kResidual, resume);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->config.seed, 7u);
  EXPECT_EQ(second->config.epochs, 3);
  ASSERT_TRUE(second->resumed.has_value());
  EXPECT_EQ(second->resumed->epochs_done(), static_cast<int64_t>(before.size()));
  const std::vector<EpochStats> after = TrainUntil(*second);
  ExpectSameRun(*whole, uninterrupted, *second, after);
}

TEST(Resume, BetweenEpochsEndsBitIdentical) { CheckResumeAfter(4, "between_epochs.safetensors"); }

TEST(Resume, InTheMiddleOfAnEpochEndsBitIdentical) {
  // Step 6 of 12: epoch 2 stopped after its second step.
  CheckResumeAfter(6, "mid_epoch.safetensors");
}

TEST(Resume, StoppedEpochRecordsWhereItStopped) {
  auto setup = SetUpTraining(kResidual, RunFor(1));
  ASSERT_TRUE(setup.ok()) << setup.status();
  TrainUntil(*setup, 3);
  const std::optional<PartialEpoch>& partial = setup->trainer->partial_epoch();
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->epoch, 1);
  EXPECT_EQ(partial->steps, 3);
  EXPECT_EQ(partial->samples, 96);
}

TEST(Resume, ContradictingFlagsAndOtherModelsAreRejected) {
  auto setup = SetUpTraining(kResidual, RunFor(2));
  ASSERT_TRUE(setup.ok()) << setup.status();
  const std::vector<EpochStats> done = TrainUntil(*setup, 2);
  const std::string path = ::testing::TempDir() + "/contradict.safetensors";
  ASSERT_TRUE(SaveCheckpoint(*setup, path, CurrentRunState(*setup, done, 100)).ok());

  TrainOverrides other_seed;
  other_seed.resume = path;
  other_seed.seed = 8;
  auto a = SetUpTraining(kResidual, other_seed);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(
      a.status().message(),
      "--seed=8 contradicts the resumed run's seed 7 (" + path +
          "); leave it out to continue the run, or start a new run from those weights with --init");

  TrainOverrides other_lr;
  other_lr.resume = path;
  other_lr.lr = 0.01;
  auto b = SetUpTraining(kResidual, other_lr);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("a resumed run keeps its optimizer"), std::string::npos)
      << b.status();

  TrainOverrides other_model;
  other_model.resume = path;
  auto c = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_cnn.dl", other_model);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            path + " is a checkpoint of model 'mnist_residual', not of 'mnist_cnn'");

  TrainOverrides both;
  both.resume = path;
  both.init = path;
  EXPECT_FALSE(SetUpTraining(kResidual, both).ok());
}

TEST(Resume, AFinishedRunAsksForMoreEpochs) {
  auto setup = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", RunFor(1));
  ASSERT_TRUE(setup.ok()) << setup.status();
  const std::vector<EpochStats> done = TrainUntil(*setup);
  const std::string path = ::testing::TempDir() + "/finished.safetensors";
  ASSERT_TRUE(SaveCheckpoint(*setup, path, CurrentRunState(*setup, done, 100)).ok());
  TrainOverrides resume;
  resume.resume = path;
  auto again = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", resume);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(
      again.status().message(),
      path +
          " has already trained 1 epoch, and this run's total is 1: ask for more with --epochs=N");
  resume.epochs = 2;
  EXPECT_TRUE(SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", resume).ok());
}

TEST(Resume, ACheckpointWithoutRunStateCannotBeResumed) {
  auto setup = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", RunFor(1));
  ASSERT_TRUE(setup.ok()) << setup.status();
  Checkpoint weights_only;
  weights_only.tensors = setup->trainer->parameters();
  weights_only.metadata = {{"model", "mnist_mlp"}};
  const std::string path = ::testing::TempDir() + "/weights_only.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, weights_only).ok());
  TrainOverrides resume;
  resume.resume = path;
  auto loaded = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", resume);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            path +
                " has no 'seed' in its metadata: it was not saved by dlc train, so it can start "
                "a new run (--init) but not continue one (--resume)");
}

}  // namespace
}  // namespace dlc::tools
