// The seed pages' experiment, end to end: the MLP and the CNN trained on
// the first 1,000 bundled training digits for 5 epochs (batch 32, Adam
// 0.001) reach the seed pages' training accuracy, averaged over seeds 0-2.
#include <cstdio>

#include "gtest/gtest.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

struct Run {
  std::vector<EpochStats> epochs;
  EvalStats test;
};

Run TrainSeedSetup(const std::string& model_file, int64_t seed) {
  TrainOverrides o;
  o.seed = seed;
  auto setup = SetUpTraining(std::string(DLC_SOURCE_DIR "/examples/") + model_file, o);
  EXPECT_TRUE(setup.ok()) << setup.status();
  if (!setup.ok()) return {};
  // The experiment as the seed pages ran it (and as the example files say).
  EXPECT_EQ(setup->config.batch, 32);
  EXPECT_EQ(setup->config.epochs, 5);
  EXPECT_EQ(setup->config.data->limit, 1000);
  EXPECT_EQ(setup->config.optimizer.lr, 0.001);
  auto data = LoadData(*setup, "data");
  auto test = LoadData(*setup, "test");
  EXPECT_TRUE(data.ok() && test.ok());
  if (!data.ok() || !test.ok()) return {};
  Run run;
  for (int64_t epoch = 1; epoch <= setup->config.epochs; ++epoch) {
    auto stats = setup->trainer->TrainEpoch(*data, epoch);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (!stats.ok()) return run;
    run.epochs.push_back(*stats);
  }
  auto eval = setup->trainer->Evaluate(*test);
  EXPECT_TRUE(eval.ok()) << eval.status();
  if (eval.ok()) run.test = *eval;
  return run;
}

void ExpectSeedAccuracy(const std::string& model_file, double min_mean_accuracy) {
  double accuracy_sum = 0;
  for (int64_t seed : {0, 1, 2}) {
    Run run = TrainSeedSetup(model_file, seed);
    ASSERT_EQ(run.epochs.size(), 5u);
    for (size_t e = 0; e < run.epochs.size(); ++e) {
      std::printf("%s seed %lld epoch %zu: loss %.4f accuracy %.4f\n", model_file.c_str(),
                  static_cast<long long>(seed), e + 1, run.epochs[e].loss, run.epochs[e].accuracy);
      EXPECT_EQ(run.epochs[e].samples, 1000);  // the short last batch (8) is trained too
      if (e > 0) EXPECT_LT(run.epochs[e].loss, run.epochs[e - 1].loss) << "epoch " << e + 1;
    }
    std::printf("%s seed %lld: test accuracy %.4f on %lld digits\n", model_file.c_str(),
                static_cast<long long>(seed), run.test.accuracy,
                static_cast<long long>(run.test.samples));
    EXPECT_EQ(run.test.samples, 2000);
    accuracy_sum += run.epochs.back().accuracy;
  }
  EXPECT_GE(accuracy_sum / 3, min_mean_accuracy);
}

TEST(SeedReproduction, MlpReaches93PercentTrainingAccuracy) {
  ExpectSeedAccuracy("mnist_mlp.dl", 0.93);
}

// The seed pages' 0.92. The example starts its convolution from He's
// initialisation (see examples/mnist_cnn.dl): with Keras's Glorot default
// the same run reaches 0.917, with He's 0.96.
TEST(SeedReproduction, CnnReaches92PercentTrainingAccuracy) {
  ExpectSeedAccuracy("mnist_cnn.dl", 0.92);
}

}  // namespace
}  // namespace dlc::tools
