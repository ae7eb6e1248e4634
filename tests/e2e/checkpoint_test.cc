// Reproducibility and checkpoints: the same seed gives bit-identical
// training; saved parameters load back and evaluate to the same numbers.
#include <cstring>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/safetensors.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

const std::string kCnn = DLC_SOURCE_DIR "/examples/mnist_cnn.dl";

TrainOverrides Small(int64_t seed) {
  TrainOverrides o;
  o.seed = seed;
  o.limit = 200;
  o.epochs = 2;
  return o;
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  return a.type() == b.type() && std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

std::vector<EpochStats> Train(TrainingSetup& setup) {
  auto data = LoadData(setup, "data");
  EXPECT_TRUE(data.ok()) << data.status();
  std::vector<EpochStats> stats;
  for (int64_t e = 1; e <= setup.config.epochs && data.ok(); ++e) {
    auto s = setup.trainer->TrainEpoch(*data, e);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) stats.push_back(*s);
  }
  return stats;
}

TEST(Reproducibility, SameSeedGivesIdenticalMetricsAndWeights) {
  auto a = SetUpTraining(kCnn, Small(4));
  auto b = SetUpTraining(kCnn, Small(4));
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<EpochStats> sa = Train(*a), sb = Train(*b);
  ASSERT_EQ(sa.size(), 2u);
  ASSERT_EQ(sb.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(sa[e].loss, sb[e].loss);
    EXPECT_EQ(sa[e].accuracy, sb[e].accuracy);
  }
  for (const auto& [name, value] : a->trainer->parameters()) {
    EXPECT_TRUE(SameBytes(value, b->trainer->parameters().at(name))) << name;
  }
}

TEST(Reproducibility, AnotherSeedGivesOtherWeights) {
  auto a = SetUpTraining(kCnn, Small(4));
  auto b = SetUpTraining(kCnn, Small(5));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(SameBytes(a->trainer->parameters().at("dense.kernel"),
                         b->trainer->parameters().at("dense.kernel")));
}

TEST(Checkpoint, SaveLoadEvalGivesTheSameNumbers) {
  const std::string path = ::testing::TempDir() + "/cnn_checkpoint.safetensors";
  auto trained = SetUpTraining(kCnn, Small(1));
  ASSERT_TRUE(trained.ok()) << trained.status();
  Train(*trained);
  ASSERT_TRUE(SaveCheckpoint(*trained, path, CurrentRunState(*trained, {}, 200)).ok());
  auto test = LoadData(*trained, "test");
  ASSERT_TRUE(test.ok());
  auto before = trained->trainer->Evaluate(*test);
  ASSERT_TRUE(before.ok());

  TrainOverrides load = Small(9);  // another seed: the weights must come from the file
  load.init = path;
  auto loaded = SetUpTraining(kCnn, load);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  auto after = loaded->trainer->Evaluate(*test);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(before->loss, after->loss);
  EXPECT_EQ(before->accuracy, after->accuracy);
  for (const auto& [name, value] : trained->trainer->optimizer_state()) {
    EXPECT_TRUE(SameBytes(value, loaded->trainer->optimizer_state().at(name))) << name;
  }

  auto file = ReadSafetensors(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->metadata.at("model"), "mnist_cnn");
  EXPECT_TRUE(file->tensors.contains("adam.m.conv2d.kernel"));
  EXPECT_TRUE(file->tensors.contains("adam.step"));
}

TEST(Checkpoint, ParametersOfAnotherModelAreRejectedNamingTheTensor) {
  const std::string path = ::testing::TempDir() + "/mlp_checkpoint.safetensors";
  TrainOverrides mlp_overrides = Small(0);
  mlp_overrides.epochs = 1;
  auto mlp = SetUpTraining(DLC_SOURCE_DIR "/examples/mnist_mlp.dl", mlp_overrides);
  ASSERT_TRUE(mlp.ok());
  ASSERT_TRUE(SaveCheckpoint(*mlp, path, CurrentRunState(*mlp, {}, 200)).ok());
  TrainOverrides load = Small(0);
  load.init = path;
  auto cnn = SetUpTraining(kCnn, load);
  ASSERT_FALSE(cnn.ok());
  // Each parameter of the CNN, then the MLP's optimizer state of the
  // CNN's names (optional, but of the wrong type).
  EXPECT_THAT(std::string(cnn.status().message()),
              ::testing::StartsWith(
                  "checkpoint " + path +
                  ": tensor conv2d.bias is missing (the model needs f32[32]); tensor conv2d.kernel "
                  "is missing (the model needs f32[3,3,1,32]); tensor dense.bias is f32[128], the "
                  "model needs f32[10]; tensor dense.kernel is f32[784,128], the model needs "
                  "f32[5408,10]; tensor adam.m.dense.bias is f32[128], the model needs f32[10]"));
}

// The CNN's own parameters with `name` replaced by `wrong`, saved, then
// loaded with --init: the error setting up training.
absl::Status InitWithOneTensorReplaced(const std::string& file, const std::string& name,
                                       Tensor wrong) {
  const std::string path = ::testing::TempDir() + "/" + file;
  auto cnn = SetUpTraining(kCnn, Small(0));
  if (!cnn.ok()) return cnn.status();
  Checkpoint checkpoint;
  checkpoint.tensors = cnn->trainer->parameters();
  checkpoint.tensors[name] = std::move(wrong);
  if (absl::Status written = WriteSafetensors(path, checkpoint); !written.ok()) return written;
  TrainOverrides load = Small(0);
  load.init = path;
  return SetUpTraining(kCnn, load).status();
}

TEST(Checkpoint, WrongShapeIsRejectedNamingTheTensor) {
  const absl::Status status = InitWithOneTensorReplaced("wrong_shape.safetensors", "dense.kernel",
                                                        Tensor(DType::kF32, {5408, 11}));
  EXPECT_EQ(status.message(), "checkpoint " + ::testing::TempDir() +
                                  "/wrong_shape.safetensors: tensor dense.kernel is f32[5408,11], "
                                  "the model needs f32[5408,10]");
}

TEST(Checkpoint, WrongDtypeIsRejectedNamingTheTensor) {
  const absl::Status status = InitWithOneTensorReplaced("wrong_dtype.safetensors", "conv2d.bias",
                                                        Tensor(DType::kF64, {32}));
  EXPECT_EQ(status.message(),
            "checkpoint " + ::testing::TempDir() +
                "/wrong_dtype.safetensors: tensor conv2d.bias is f64[32], the model "
                "needs f32[32]");
}

}  // namespace
}  // namespace dlc::tools
