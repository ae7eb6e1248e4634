// Shared by the ONNX import tests: the committed models and PyTorch's
// outputs for them, the bundled digits as the models' input, and running an
// imported model.
#ifndef DLC_TESTS_ONNX_ONNX_TEST_UTIL_H_
#define DLC_TESTS_ONNX_ONNX_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/onnx/import.h"
#include "ir/tensor.h"
#include "onnx/onnx_pb.h"
#include "runtime/executor.h"

namespace dlc::onnx_test {

// tests/onnx/models/NAME.
std::string ModelPath(const std::string& name);

// NAME.expected.txt: PyTorch's outputs on the first bundled test digits.
struct Expected {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;
};
Expected ReadExpected(const std::string& name);

// Test digits 0..n-1 as the imported models take them: f32 pixels 0..255, NHWC [n, 28, 28, 1].
Tensor Digits(int64_t n);

// The imported model's first output on `x` (a batch), run by `backend`.
absl::StatusOr<Tensor> Run(const onnx_import::ImportedModel& model, const Tensor& x,
                           Backend& backend);

// A model of one node for the per-op tests: inputs, initializers and the
// node are added by the test; opset 13 unless changed.
::onnx::ModelProto NewModel(int64_t opset = 13);
void AddInput(::onnx::GraphProto& g, const std::string& name, std::vector<int64_t> dims,
              int32_t type = ::onnx::TensorProto::FLOAT);
// An output of `rank` axes of unknown sizes (shape inference gives them).
void AddOutput(::onnx::GraphProto& g, const std::string& name, int rank);
void AddInitializer(::onnx::GraphProto& g, const std::string& name, std::vector<int64_t> dims,
                    std::vector<float> values);
::onnx::NodeProto* AddNode(::onnx::GraphProto& g, const std::string& op,
                           std::vector<std::string> inputs, std::vector<std::string> outputs,
                           const std::string& name = "");
void SetInts(::onnx::NodeProto* n, const std::string& name, std::vector<int64_t> values);
void SetInt(::onnx::NodeProto* n, const std::string& name, int64_t value);
void SetFloat(::onnx::NodeProto* n, const std::string& name, float value);
std::string Serialize(const ::onnx::ModelProto& model);

}  // namespace dlc::onnx_test

#endif  // DLC_TESTS_ONNX_ONNX_TEST_UTIL_H_
