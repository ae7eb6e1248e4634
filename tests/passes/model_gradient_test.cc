// Whole-model gradient checks: each example model, lowered at a small batch
// and converted to f64, with the cross-entropy loss; autodiff's gradient of
// every parameter against central finite differences.
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "passes/precision.h"
#include "runtime/initializers.h"
#include "runtime/random.h"
#include "tests/passes/gradient_check.h"

namespace dlc {
namespace {

// The model's forward graph in f64 with %labels and the loss as output 0.
absl::StatusOr<Graph> ModelWithLoss(const std::string& file, bool training) {
  auto program = dl::ParseProgramFile(std::string(DLC_SOURCE_DIR "/examples/") + file);
  if (!program.ok()) return program.status();
  auto lowered = dl::LowerModel(*program, program->models[0].name, {/*batch=*/3, training});
  if (!lowered.ok()) return lowered.status();
  const ValueId logits = lowered->logits.value_or(lowered->graph.outputs[0]);
  Graph graph = lowered->graph;
  graph.outputs.clear();
  GraphBuilder b(std::move(graph));
  auto labels = b.Input("labels", {DType::kU8, {3}});
  if (!labels.ok()) return labels.status();
  auto loss = b.Add(OpKind::kSoftmaxCrossEntropy, {logits, *labels}, {}, "loss");
  if (!loss.ok()) return loss.status();
  auto built = std::move(b).Build({*loss});
  if (!built.ok()) return built.status();
  return ConvertFloatPrecision(*built, DType::kF64);
}

void ExpectModelGradients(const std::string& file, bool training) {
  auto graph = ModelWithLoss(file, training);
  ASSERT_TRUE(graph.ok()) << graph.status();
  // Pixels 0..255 and labels 0..9 (both u8). Parameters as training starts
  // (Glorot), so the loss is of order 1 and finite differences are accurate;
  // biases, zero at the start, get small values so they matter too.
  Feeds feeds = testing::MakeFeeds(*graph, /*seed=*/7, /*int_range=*/256);
  auto params = InitializeParameters(*graph, /*seed=*/7);
  ASSERT_TRUE(params.ok()) << params.status();
  Rng rng(3);
  for (auto& [name, value] : *params) {
    for (int64_t i = 0; i < value.num_elements(); ++i) {
      value.SetDouble(i, value.GetDouble(i) + rng.Uniform(-0.05, 0.05));
    }
    feeds[name] = value;
  }
  auto& labels = feeds.at("labels");
  for (int64_t i = 0; i < labels.num_elements(); ++i) labels.SetDouble(i, (i * 7 + 3) % 10);
  if (auto key = feeds.find("rng_key"); key != feeds.end()) {
    key->second = Tensor::FromVector<int32_t>(DType::kI32, {2}, std::vector<int32_t>{5, 11});
  }
  auto result = testing::CheckGradients(*graph, feeds);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(result->max_relative_error, 1e-6) << result->worst;
  EXPECT_GT(result->probes, 50);
}

TEST(ModelGradients, MnistMlp) { ExpectModelGradients("mnist_mlp.dl", false); }
TEST(ModelGradients, MnistCnn) { ExpectModelGradients("mnist_cnn.dl", false); }
TEST(ModelGradients, Lenet5) { ExpectModelGradients("lenet5.dl", false); }
TEST(ModelGradients, ResidualWithDropoutActive) { ExpectModelGradients("mnist_residual.dl", true); }

}  // namespace
}  // namespace dlc
