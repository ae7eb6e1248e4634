// Reading an ONNX model for import: the protobuf parsed by libonnx, checked
// (opset, graph structure, onnx::checker), shapes inferred by ONNX's shape
// inference, and the constant tensors (initializers) read. Every failure is
// an absl::Status naming the file; nothing here throws or aborts.
#ifndef DLC_FRONTEND_ONNX_ONNX_MODEL_H_
#define DLC_FRONTEND_ONNX_ONNX_MODEL_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "onnx/onnx_pb.h"

namespace dlc::onnx_import {

// The opsets of the default domain the importer reads (Debian's libonnx 1.12 knows up to 17).
inline constexpr int64_t kMinOpset = 11;
inline constexpr int64_t kMaxOpset = 17;

// A tensor known at import time (an initializer or a Constant), its values
// widened to double: f32, f64 and integers up to 2^53 are exact.
struct ConstTensor {
  std::vector<int64_t> dims;
  std::vector<double> values;
  int32_t data_type = 1;  // onnx::TensorProto::DataType

  int64_t size() const { return static_cast<int64_t>(values.size()); }
};

// A tensor proto's values. Errors ("initializer fc.weight: dims [10,784]
// need 7840 values, the tensor holds 7839") start with `what`.
absl::StatusOr<ConstTensor> ReadTensor(const ::onnx::TensorProto& tensor, std::string_view what);

struct OnnxModel {
  std::string source;  // the file, for messages
  ::onnx::ModelProto proto;
  int64_t opset = 0;  // of the default domain
  // Graph nodes in an order where every node follows the nodes it reads (ONNX
  // requires this order in the file; a cycle is an error).
  std::vector<int> order;
  std::map<std::string, ConstTensor> initializers;
  // ONNX shapes from the graph and shape inference: -1 for a dimension
  // without a fixed size (the batch).
  std::map<std::string, std::vector<int64_t>> shapes;
  std::map<std::string, int32_t> elem_types;

  const ::onnx::GraphProto& graph() const { return proto.graph(); }
};

// Parses and checks a serialized ModelProto read from `source`.
absl::StatusOr<OnnxModel> ReadOnnxModel(std::string_view bytes, std::string_view source);

// A readable name of an ONNX data type ("FLOAT", "INT64").
std::string DataTypeName(int32_t data_type);

}  // namespace dlc::onnx_import

#endif  // DLC_FRONTEND_ONNX_ONNX_MODEL_H_
