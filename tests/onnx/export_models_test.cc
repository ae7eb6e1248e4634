// Whole models, as `dlc export` writes them: every example model and two
// small ones that use every layer (and so every op a predict graph of .dl
// layers holds), with non-trivial weights. ONNX Runtime runs each file on
// 16 bundled test digits and must agree with dlc's own prediction (the
// reference interpreter on the predict graph, which `dlc predict` and the
// JIT's parity tests share) within 1e-5.
#include <string>
#include <vector>

#include "frontend/lower.h"
#include "frontend/onnx/export.h"
#include "frontend/onnx/import.h"
#include "frontend/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "passes/training.h"
#include "runtime/idx.h"
#include "runtime/initializers.h"
#include "runtime/random.h"
#include "support/str_cat.h"
#include "tests/onnx/export_test_util.h"
#include "tests/onnx/ort_runner.h"

namespace dlc::onnx_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kBatch = 16;

// Dense and convolution layers with sigmoid, tanh, leaky_relu and
// softmax activations, with and without bias, strided, dilated and "same"
// windows, max and average pools (padded ones too), add of three values,
// concat, dropout (nothing in inference), the layer forms of every
// activation, and rescale with an offset.
constexpr char kLayersModel[] = R"(
model layers(x: u8[28, 28, 1]) {
  h = rescale(x, 1/127.5, offset=-1)
  h = conv2d(h, filters=4, kernel=5, strides=2, padding=same, activation=sigmoid)
  a = conv2d(h, filters=4, kernel=3, dilation=2, padding=same, activation=tanh, use_bias=false)
  b = avgpool2d(h, 3, strides=1, padding=same)
  c = maxpool2d(h, 3, strides=1, padding=same)
  h = leaky_relu(add(a, b, c), alpha=0.2)
  h = concat(h, a)
  h = maxpool2d(h, 2)
  h = dropout(h, rate=0.5)
  h = flatten(h)
  h = dense(h, 16, activation=leaky_relu)
  h = dense(h, 12, activation=tanh, use_bias=false)
  h = relu(tanh(sigmoid(h)))
  return dense(h, 10, activation=softmax)
}
)";

// A perceptron on u8[28, 28] (no channel axis): dense branches joined by
// add and concat, and a softmax layer at the end.
constexpr char kBranchesModel[] = R"(
model branches(x: u8[28, 28]) {
  h = flatten(rescale(x, 1/255))
  a = dense(h, 24, activation=relu)
  b = dense(h, 24, activation=sigmoid)
  h = concat(add(a, b), relu(b))
  return softmax(dense(h, 10))
}
)";

struct ModelCase {
  std::string name;
  std::string text;  // .dl source; empty: examples/<name>.dl
};

void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.name; }

// The model's predict graph at `batch`, as `dlc export` builds it.
absl::StatusOr<Graph> PredictGraph(const ModelCase& c, int64_t batch) {
  absl::StatusOr<dl::Program> program =
      c.text.empty() ? dl::ParseProgramFile(StrCat(DLC_SOURCE_DIR, "/examples/", c.name, ".dl"))
                     : dl::ParseProgramText(c.text, StrCat(c.name, ".dl"));
  if (!program.ok()) return program.status();
  absl::StatusOr<dl::LoweredModel> lowered =
      dl::LowerModel(*program, c.name, {.batch = batch, .training = false});
  if (!lowered.ok()) return lowered.status();
  return BuildPredict(lowered->graph, lowered->logits.value_or(lowered->graph.outputs[0]));
}

// The model's own initializers (Glorot, He), and biases drawn small rather
// than zero, so that each weight's place matters.
std::map<std::string, Tensor> Weights(const Graph& graph) {
  absl::StatusOr<Feeds> weights = InitializeParameters(graph, 7);
  EXPECT_TRUE(weights.ok()) << weights.status();
  Rng rng(11);
  for (auto& [name, tensor] : *weights) {
    if (tensor.shape().size() != 1) continue;
    for (int64_t i = 0; i < tensor.num_elements(); ++i) tensor.SetDouble(i, rng.Uniform(-0.2, 0.2));
  }
  return *weights;
}

// The first `n` bundled test digits in the model's input shape.
Tensor Digits(const TensorType& input, int64_t n) {
  absl::StatusOr<Tensor> images =
      ReadIdx(StrCat(DLC_SOURCE_DIR, "/examples/data/digits-test-images-idx3-ubyte.gz"));
  EXPECT_TRUE(images.ok()) << images.status();
  Shape shape = input.shape;
  shape[0] = n;
  Tensor digits(DType::kU8, shape);
  std::copy_n(images->raw_data(), digits.byte_size(), digits.raw_data());
  return digits;
}

// The file `dlc export` writes for `graph` (the model at batch 1).
absl::StatusOr<std::string> Export(const Graph& graph,
                                   const std::map<std::string, Tensor>& weights) {
  onnx_export::ExportOptions options;
  options.output_names = {"probabilities"};
  return onnx_export::ExportOnnx(graph, weights, options);
}

class ExportModel : public ::testing::TestWithParam<ModelCase> {};

TEST_P(ExportModel, OnnxRuntimeAgreesWithDlcPrediction) {
  const ModelCase& c = GetParam();
  // Written from the graph at batch 1, as `dlc export` does; run at 16.
  absl::StatusOr<Graph> graph = PredictGraph(c, 1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const std::map<std::string, Tensor> weights = Weights(*graph);
  absl::StatusOr<std::string> bytes = Export(*graph, weights);
  ASSERT_TRUE(bytes.ok()) << bytes.status();

  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_NO_THROW(onnx::checker::check_model(model));
  ASSERT_EQ(model.graph().input_size(), 1);
  EXPECT_EQ(model.graph().input(0).name(), "x");
  EXPECT_EQ(model.graph().input(0).type().tensor_type().elem_type(),
            onnx::TensorProto_DataType_UINT8);
  EXPECT_TRUE(HasBatchDim(model.graph().input(0)));
  ASSERT_EQ(model.graph().output_size(), 1);
  EXPECT_EQ(model.graph().output(0).name(), "probabilities");
  EXPECT_TRUE(HasBatchDim(model.graph().output(0)));
  // Every parameter is an initializer; each conv kernel in OIHW.
  for (ValueId p : graph->Parameters()) {
    const Node& node = graph->node(p);
    const Shape& s = node.type.shape;
    const bool conv = node.name.starts_with("conv2d") && node.name.ends_with(".kernel");
    const Shape expected = conv ? Shape{s[3], s[2], s[0], s[1]} : s;
    EXPECT_EQ(InitializerDims(model, node.name), expected) << node.name;
  }

  if (std::optional<std::string> why = OrtUnavailable()) GTEST_SKIP() << *why;
  absl::StatusOr<Graph> at16 = PredictGraph(c, kBatch);
  ASSERT_TRUE(at16.ok()) << at16.status();
  const Tensor digits = Digits(at16->type(at16->Inputs()[0]), kBatch);
  Feeds feeds = weights;
  feeds.emplace("x", digits);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(*at16, feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  absl::StatusOr<std::vector<Tensor>> actual = RunWithOrt(*bytes, digits);
  ASSERT_TRUE(actual.ok()) << actual.status();
  ASSERT_EQ(actual->size(), 1u);
  EXPECT_THAT((*actual)[0].shape(), ElementsAre(kBatch, 10));
  EXPECT_TRUE(AllClose((*actual)[0], (*expected)[0], 1e-5));
  // Not a degenerate case: the samples get different, unsaturated answers.
  const Tensor& p = (*expected)[0];
  double lowest_max = 1;
  for (int64_t row = 0; row < kBatch; ++row) {
    double best = 0;
    for (int64_t k = 0; k < 10; ++k) best = std::max(best, p.GetDouble(row * 10 + k));
    lowest_max = std::min(lowest_max, best);
  }
  EXPECT_LT(lowest_max, 0.99);
}

// What dlc exports, dlc imports back: the file's NHWC input and the
// Transposes around each Conv and pool become dlc's layers again, with no
// transpose left, and the imported model predicts what the original does, to
// the bit (the interpreter on both).
TEST_P(ExportModel, ImportsBackToTheSamePredictions) {
  const ModelCase& c = GetParam();
  absl::StatusOr<Graph> graph = PredictGraph(c, 1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const std::map<std::string, Tensor> weights = Weights(*graph);
  absl::StatusOr<std::string> bytes = Export(*graph, weights);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<onnx_import::ImportedModel> back =
      onnx_import::ImportOnnx(*bytes, StrCat(c.name, ".onnx"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_THAT(back->dl_text, Not(HasSubstr("transpose(")));
  EXPECT_THAT(back->dl_text, HasSubstr("(x: u8["));  // the pixels, in the .dl model's shape

  absl::StatusOr<Graph> original = PredictGraph(c, kBatch);
  ASSERT_TRUE(original.ok()) << original.status();
  absl::StatusOr<Graph> imported = PredictGraph(ModelCase{back->model_name, back->dl_text}, kBatch);
  ASSERT_TRUE(imported.ok()) << imported.status() << "\n" << back->dl_text;
  const Tensor digits = Digits(original->type(original->Inputs()[0]), kBatch);
  Feeds feeds = weights;
  feeds.emplace("x", digits);
  Feeds imported_feeds = back->weights;
  imported_feeds.emplace(imported->node(imported->Inputs()[0]).name, digits);
  absl::StatusOr<std::vector<Tensor>> expected = Interpret(*original, feeds);
  absl::StatusOr<std::vector<Tensor>> actual = Interpret(*imported, imported_feeds);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_TRUE(actual.ok()) << actual.status() << "\n" << back->dl_text;
  ASSERT_EQ((*actual)[0].type(), (*expected)[0].type());
  for (int64_t i = 0; i < (*expected)[0].num_elements(); ++i) {
    ASSERT_EQ((*actual)[0].GetDouble(i), (*expected)[0].GetDouble(i)) << "element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExportModel,
                         ::testing::Values(ModelCase{"mnist_mlp", ""}, ModelCase{"mnist_cnn", ""},
                                           ModelCase{"convnet", ""}, ModelCase{"lenet5", ""},
                                           ModelCase{"lenet5_relu", ""},
                                           ModelCase{"mnist_residual", ""},
                                           ModelCase{"layers", kLayersModel},
                                           ModelCase{"branches", kBranchesModel}),
                         [](const auto& info) { return info.param.name; });

// The seed CNN's file, node by node: what a reader of the model sees.
TEST(ExportModelNodes, MnistCnnIsCastScaleConvPoolFlattenGemmSoftmax) {
  absl::StatusOr<Graph> graph = PredictGraph({"mnist_cnn", ""}, 1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> bytes = onnx_export::ExportOnnx(*graph, Weights(*graph));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(*bytes));
  EXPECT_THAT(OpTypes(model),
              ElementsAre("Cast", "Mul", "Transpose", "Conv", "Transpose", "Relu", "Transpose",
                          "MaxPool", "Transpose", "Flatten", "Gemm", "Softmax"));
  EXPECT_THAT(OnnxNode(model, 3).input(),
              ElementsAre(::testing::_, "conv2d.kernel", "conv2d.bias"));
  EXPECT_THAT(OnnxNode(model, 10).input(), ElementsAre("flatten", "dense.kernel", "dense.bias"));
  EXPECT_THAT(InitializerDims(model, "conv2d.kernel"), ElementsAre(32, 1, 3, 3));
  EXPECT_THAT(InitializerDims(model, "dense.kernel"), ElementsAre(5408, 10));
  EXPECT_EQ(model.graph().initializer_size(), 5);  // 4 parameters and 1/255
}

}  // namespace
}  // namespace dlc::onnx_test
