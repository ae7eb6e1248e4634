// The round trip: a model PyTorch exported (tests/onnx/models, made by
// scripts/make_onnx_test_models.py) is imported, exported back by dlc, and
// run by ONNX Runtime. The file ONNX Runtime runs must give what dlc's own
// prediction gives, and what PyTorch gave for the original (through a
// softmax where PyTorch's model ends in logits), within 1e-5.
#include <cmath>
#include <string>
#include <vector>

#include "frontend/lower.h"
#include "frontend/onnx/export.h"
#include "frontend/onnx/import.h"
#include "frontend/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/interpreter.h"
#include "passes/training.h"
#include "support/str_cat.h"
#include "tests/onnx/onnx_test_util.h"
#include "tests/onnx/ort_runner.h"

namespace dlc::onnx_test {
namespace {

constexpr int64_t kDigits = 8;  // the rows of NAME.expected.txt

// The imported model's predict graph at `batch`, as `dlc export` builds it.
absl::StatusOr<Graph> PredictGraph(const onnx_import::ImportedModel& model, int64_t batch) {
  absl::StatusOr<dl::Program> program = dl::ParseProgramText(model.dl_text, "imported.dl");
  if (!program.ok()) return program.status();
  absl::StatusOr<dl::LoweredModel> lowered =
      dl::LowerModel(*program, model.model_name, {.batch = batch, .training = false});
  if (!lowered.ok()) return lowered.status();
  return BuildPredict(lowered->graph, lowered->logits.value_or(lowered->graph.outputs[0]));
}

// Row-wise softmax of PyTorch's logits, in double precision.
std::vector<double> Softmax(const Expected& logits) {
  std::vector<double> p(logits.values.size());
  for (int64_t r = 0; r < logits.rows; ++r) {
    const double* row = &logits.values[r * logits.cols];
    double top = row[0], sum = 0;
    for (int64_t k = 0; k < logits.cols; ++k) top = std::max(top, row[k]);
    for (int64_t k = 0; k < logits.cols; ++k) sum += std::exp(row[k] - top);
    for (int64_t k = 0; k < logits.cols; ++k) p[r * logits.cols + k] = std::exp(row[k] - top) / sum;
  }
  return p;
}

struct PyTorchModel {
  std::string name;
  bool ends_in_logits;  // else PyTorch's model ends with its own softmax
};

class RoundTrip : public ::testing::TestWithParam<PyTorchModel> {};

TEST_P(RoundTrip, OnnxRuntimeAgreesWithDlcAndPyTorch) {
  const std::string& name = GetParam().name;
  absl::StatusOr<onnx_import::ImportedModel> model =
      onnx_import::ImportOnnxFile(ModelPath(StrCat(name, ".onnx")));
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<Graph> graph = PredictGraph(*model, 1);
  ASSERT_TRUE(graph.ok()) << graph.status();
  onnx_export::ExportOptions options;
  options.output_names = {"probabilities"};
  absl::StatusOr<std::string> bytes = onnx_export::ExportOnnx(*graph, model->weights, options);
  ASSERT_TRUE(bytes.ok()) << bytes.status();

  if (std::optional<std::string> why = OrtUnavailable()) GTEST_SKIP() << *why;
  const Tensor digits = Digits(kDigits);
  absl::StatusOr<std::vector<Tensor>> ort = RunWithOrt(*bytes, digits);
  ASSERT_TRUE(ort.ok()) << ort.status();
  ASSERT_EQ(ort->size(), 1u);
  const Tensor& p = (*ort)[0];
  ASSERT_THAT(p.shape(), ::testing::ElementsAre(kDigits, 10));

  absl::StatusOr<Graph> at_batch = PredictGraph(*model, kDigits);
  ASSERT_TRUE(at_batch.ok()) << at_batch.status();
  Feeds feeds = model->weights;
  feeds.emplace(at_batch->node(at_batch->Inputs()[0]).name, digits);
  absl::StatusOr<std::vector<Tensor>> dlc = Interpret(*at_batch, feeds);
  ASSERT_TRUE(dlc.ok()) << dlc.status();

  const Expected expected = ReadExpected(name);
  const std::vector<double> torch = GetParam().ends_in_logits ? Softmax(expected) : expected.values;
  ASSERT_EQ(static_cast<int64_t>(torch.size()), p.num_elements());
  for (int64_t i = 0; i < p.num_elements(); ++i) {
    EXPECT_NEAR(p.GetDouble(i), (*dlc)[0].GetDouble(i), 1e-5) << "dlc, element " << i;
    EXPECT_NEAR(p.GetDouble(i), torch[i], 1e-5) << "PyTorch, element " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorchModels, RoundTrip,
                         ::testing::Values(PyTorchModel{"mlp", false}, PyTorchModel{"cnn", true}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dlc::onnx_test
