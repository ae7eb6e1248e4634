// Imported PyTorch models predict what PyTorch predicts: the committed
// models (scripts/make_onnx_test_models.py) on bundled test digits, through
// the reference interpreter and the JIT, against PyTorch's outputs.
#include <cmath>

#include "gtest/gtest.h"
#include "runtime/executor.h"
#include "runtime/jit/jit_backend.h"
#include "support/str_cat.h"
#include "tests/onnx/onnx_test_util.h"

namespace dlc::onnx_test {
namespace {

void ExpectMatchesPyTorch(const std::string& name, Backend& backend) {
  const Expected expected = ReadExpected(name);
  ASSERT_GT(expected.rows, 0) << name;
  ASSERT_EQ(static_cast<int64_t>(expected.values.size()), expected.rows * expected.cols);
  absl::StatusOr<onnx_import::ImportedModel> model =
      onnx_import::ImportOnnxFile(ModelPath(StrCat(name, ".onnx")));
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<Tensor> y = Run(*model, Digits(expected.rows), backend);
  ASSERT_TRUE(y.ok()) << y.status() << "\n" << model->dl_text;
  ASSERT_EQ(y->shape(), (Shape{expected.rows, expected.cols}));
  double worst = 0;
  for (int64_t i = 0; i < y->num_elements(); ++i) {
    const double want = expected.values[i];
    const double error = std::abs(y->GetDouble(i) - want) / std::max(1.0, std::abs(want));
    worst = std::max(worst, error);
    ASSERT_LE(error, 1e-5) << name << " output " << i << ": dlc " << y->GetDouble(i) << ", PyTorch "
                           << want;
  }
  ::testing::Test::RecordProperty(StrCat(name, "_worst_error"), StrCat(worst));
}

class PyTorchParity : public ::testing::TestWithParam<std::string> {};

TEST_P(PyTorchParity, InterpreterMatchesPyTorch) {
  auto backend = MakeInterpreterBackend();
  ExpectMatchesPyTorch(GetParam(), *backend);
}

TEST_P(PyTorchParity, JitMatchesPyTorch) {
  auto backend = jit::MakeJitBackend();
  ASSERT_TRUE(backend.ok()) << backend.status();
  ExpectMatchesPyTorch(GetParam(), **backend);
}

INSTANTIATE_TEST_SUITE_P(Models, PyTorchParity,
                         ::testing::Values("mlp", "cnn", "ops_opset11", "ops_opset13",
                                           "ops_opset17"));

}  // namespace
}  // namespace dlc::onnx_test
