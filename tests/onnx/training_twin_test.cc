// Training an imported model is training its .dl twin: tests/onnx/models/
// cnn.onnx is examples/mnist_cnn.dl made in PyTorch (same layers, same
// parameter names). Started from the same weights (the ONNX file's), with
// the same data, seed and epochs, `dlc train cnn.onnx` and `dlc train
// mnist_cnn.dl --init=<its weights>` must reach the same losses and
// accuracies: both lower to the same training step (the .dl twin casts u8
// pixels in the graph, the import's f32 input gets them converted on the
// way in: the same values).
#include <unistd.h>

#include <filesystem>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"
#include "runtime/safetensors.h"
#include "support/str_cat.h"
#include "tests/onnx/onnx_test_util.h"
#include "tools/flags.h"
#include "tools/training_setup.h"

namespace dlc::onnx_test {
namespace {

struct TrainingRun {
  std::vector<EpochStats> epochs;
  EvalStats test;
};

TrainingRun Train(const std::string& path, const std::string& init) {
  tools::TrainOverrides overrides;
  overrides.epochs = 2;
  overrides.limit = 500;
  overrides.seed = 1;
  overrides.threads = 1;
  overrides.init = init;
  absl::StatusOr<tools::TrainingSetup> setup = tools::SetUpTraining(path, overrides);
  EXPECT_TRUE(setup.ok()) << setup.status();
  if (!setup.ok()) return {};
  absl::StatusOr<LabeledImages> data = tools::LoadData(*setup, "data");
  absl::StatusOr<LabeledImages> test = tools::LoadData(*setup, "test");
  EXPECT_TRUE(data.ok() && test.ok()) << data.status() << test.status();
  if (!data.ok() || !test.ok()) return {};
  TrainingRun run;
  for (int64_t epoch = 1; epoch <= 2; ++epoch) {
    absl::StatusOr<EpochStats> stats = setup->trainer->TrainEpoch(*data, epoch);
    EXPECT_TRUE(stats.ok()) << stats.status();
    if (stats.ok()) run.epochs.push_back(*stats);
  }
  absl::StatusOr<EvalStats> eval = setup->trainer->Evaluate(*test);
  EXPECT_TRUE(eval.ok()) << eval.status();
  if (eval.ok()) run.test = *eval;
  return run;
}

TEST(TrainingTwin, ImportedCnnTrainsLikeMnistCnnFromTheSameWeights) {
  const std::string data = StrCat(DLC_SOURCE_DIR, "/examples/data/");
  absl::SetFlag(&FLAGS_data, StrCat(data, "digits-train-images-idx3-ubyte.gz,", data,
                                    "digits-train-labels-idx1-ubyte.gz"));
  absl::SetFlag(&FLAGS_test, StrCat(data, "digits-test-images-idx3-ubyte.gz,", data,
                                    "digits-test-labels-idx1-ubyte.gz"));
  const TrainingRun imported = Train(ModelPath("cnn.onnx"), "");
  absl::SetFlag(&FLAGS_data, "");
  absl::SetFlag(&FLAGS_test, "");

  // The twin starts from the ONNX model's weights, as dlc import writes them.
  absl::StatusOr<onnx_import::ImportedModel> model =
      onnx_import::ImportOnnxFile(ModelPath("cnn.onnx"));
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string weights =
      (std::filesystem::temp_directory_path() / StrCat("cnn_twin.", ::getpid(), ".safetensors"))
          .string();
  Checkpoint checkpoint;
  checkpoint.tensors = model->weights;
  ASSERT_TRUE(WriteSafetensors(weights, checkpoint).ok());
  const TrainingRun twin = Train(StrCat(DLC_SOURCE_DIR, "/examples/mnist_cnn.dl"), weights);
  std::filesystem::remove(weights);

  ASSERT_EQ(imported.epochs.size(), 2u);
  ASSERT_EQ(twin.epochs.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_NEAR(imported.epochs[e].loss, twin.epochs[e].loss, 1e-6) << "epoch " << e + 1;
    EXPECT_EQ(imported.epochs[e].accuracy, twin.epochs[e].accuracy) << "epoch " << e + 1;
  }
  EXPECT_NEAR(imported.test.loss, twin.test.loss, 1e-6);
  EXPECT_EQ(imported.test.accuracy, twin.test.accuracy);
  // And it learns: from PyTorch's random start to well above chance in 2 short epochs.
  EXPECT_GT(imported.test.accuracy, 0.75);
}

}  // namespace
}  // namespace dlc::onnx_test
