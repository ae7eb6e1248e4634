// ONNX export: a tensor-IR inference graph (dlc's predict function) and its
// trained weights as an ONNX model (opset 13) that ONNX Runtime and other
// ONNX tools run.
//
// The model is faithful to the graph, op by op, in dlc's NHWC layout: each
// convolution and pooling window is wrapped in Transposes to and from ONNX's
// NCHW (runtimes fold consecutive pairs away). Weights become initializers in
// ONNX's layouts: a convolution filter HWIO -> OIHW, a dense kernel stays
// [in, out] as Gemm's B, and a bias that follows a matmul or convolution
// becomes Gemm's C or Conv's B. Dimension 0 of every input and output is the
// batch, symbolic in the file (dim_param "batch"), so the model takes any
// batch size whatever the batch the graph was lowered at.
//
// Every produced model has passed onnx::checker and strict shape inference,
// which must agree with the graph's output types. An op that cannot be
// mapped is an error naming the op and value; nothing is written silently
// wrong.
#ifndef DLC_FRONTEND_ONNX_EXPORT_H_
#define DLC_FRONTEND_ONNX_EXPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/tensor.h"

namespace dlc::onnx_export {

// The opset the exporter writes (Debian's libonnx 1.12 knows up to 17).
inline constexpr int64_t kOpsetVersion = 13;
// The symbolic name of dimension 0 of inputs and outputs.
inline constexpr char kBatchDim[] = "batch";

struct ExportOptions {
  // Names of the graph's outputs in the file, in order; empty: the IR
  // values' names. (`dlc export` names the predict output "probabilities".)
  std::vector<std::string> output_names;
  // Written into the model's doc_string, e.g. which .dl file it came from.
  std::string doc;
};

// The graph as a serialized onnx.ModelProto, checked. `weights` holds a
// tensor of exactly the parameter's type for every parameter the outputs
// depend on (extra tensors, e.g. optimizer state, are ignored). Nodes that
// no output depends on are left out; every graph input stays an input.
absl::StatusOr<std::string> ExportOnnx(const Graph& graph,
                                       const std::map<std::string, Tensor>& weights,
                                       const ExportOptions& options = {});

}  // namespace dlc::onnx_export

#endif  // DLC_FRONTEND_ONNX_EXPORT_H_
