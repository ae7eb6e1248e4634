// Op-by-op conversion of a checked ONNX graph (onnx_model.h) into the
// statements of a .dl model: each ONNX node becomes a dlc layer call (a Conv
// and the Relu after it become one conv2d(..., activation=relu)), NCHW
// values become NHWC, and the weights are rearranged for dlc's layers.
// Every node that cannot be converted is reported, not only the first.
#ifndef DLC_FRONTEND_ONNX_CONVERT_H_
#define DLC_FRONTEND_ONNX_CONVERT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/onnx/onnx_model.h"
#include "ir/tensor.h"

namespace dlc::onnx_import {

struct Statement {
  std::string text;     // "conv2d = conv2d(x, filters=32, kernel=3, name=\"conv2d\")"
  std::string comment;  // the ONNX nodes it comes from
};

struct ConvertedGraph {
  std::vector<std::string> inputs;  // "x: f32[28, 28, 1]"
  std::vector<std::string> input_notes;
  std::vector<Statement> statements;
  std::vector<std::string> results;
  // The parameters' values, by the names dlc gives them ("conv2d.kernel").
  std::map<std::string, Tensor> weights;
};

// InvalidArgument listing every unsupported node (name, op type, what would
// be needed) when any is.
absl::StatusOr<ConvertedGraph> ConvertGraph(const OnnxModel& model);

}  // namespace dlc::onnx_import

#endif  // DLC_FRONTEND_ONNX_CONVERT_H_
