// Running an exported model with ONNX Runtime, the independent
// implementation the export tests check dlc's numbers against: a node
// subprocess (tests/onnx/ort/run_model.js) on the npm package
// onnxruntime-node, which scripts/setup_ort.sh installs.
#ifndef DLC_TESTS_ONNX_ORT_RUNNER_H_
#define DLC_TESTS_ONNX_ORT_RUNNER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ir/tensor.h"

namespace dlc::onnx_test {

// Why ONNX Runtime cannot run here (no node, or the package is not
// installed), or nullopt when it can.
std::optional<std::string> OrtUnavailable();

// Runs the serialized model `model` on its single input `input` and
// returns its outputs in order. Errors carry the runner's message.
absl::StatusOr<std::vector<Tensor>> RunWithOrt(const std::string& model, const Tensor& input);

// Tensors `actual` and `expected` agree elementwise within `tolerance`,
// relative to max(1, |expected|); else a message naming the first place
// they differ and the largest difference.
::testing::AssertionResult AllClose(const Tensor& actual, const Tensor& expected, double tolerance);

}  // namespace dlc::onnx_test

#endif  // DLC_TESTS_ONNX_ORT_RUNNER_H_
