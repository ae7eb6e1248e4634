#include "frontend/onnx/onnx_model.h"

#include <climits>
#include <cstring>
#include <exception>
#include <queue>
#include <set>

#include "absl/strings/str_join.h"
#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::onnx_import {
namespace {

using ::onnx::TensorProto;

// Tensors beyond this many values are surely not a model for dlc to import
// (and their size must not overflow).
constexpr int64_t kMaxTensorValues = int64_t{1} << 31;

template <typename T>
void AppendRaw(const std::string& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));  // ONNX stores little-endian
    out.push_back(static_cast<double>(v));
  }
}

std::string DimsText(const std::vector<int64_t>& dims) {
  return StrCat("[", absl::StrJoin(dims, ","), "]");
}

std::string NodeLabel(const ::onnx::NodeProto& node, int index) {
  const std::string name = node.name().empty() ? StrCat("#", index) : StrCat("'", node.name(), "'");
  return StrCat(name, " (", node.op_type(), ")");
}

// ONNX requires nodes in topological order; a graph that is not (a cycle, or a
// value read before any node makes it) is reported in words, each node named.
absl::StatusOr<std::vector<int>> TopologicalOrder(const ::onnx::GraphProto& graph,
                                                  std::string_view source) {
  std::set<std::string> given;
  for (const auto& input : graph.input()) given.insert(input.name());
  for (const auto& init : graph.initializer()) given.insert(init.name());
  std::map<std::string, int> producer;
  std::vector<std::string> problems;
  for (int i = 0; i < graph.node_size(); ++i) {
    for (const std::string& out : graph.node(i).output()) {
      if (out.empty()) continue;
      auto [it, inserted] = producer.emplace(out, i);
      if (!inserted || given.contains(out)) {
        problems.push_back(StrCat(
            "value '", out, "' is written by node ", NodeLabel(graph.node(i), i), " and also by ",
            inserted ? "the graph's inputs or initializers"
                     : StrCat("node ", NodeLabel(graph.node(it->second), it->second))));
      }
    }
  }
  std::vector<std::vector<int>> users(graph.node_size());
  std::vector<int> waiting(graph.node_size(), 0);
  for (int i = 0; i < graph.node_size(); ++i) {
    std::set<int> deps;
    for (const std::string& in : graph.node(i).input()) {
      if (in.empty() || given.contains(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        problems.push_back(StrCat("node ", NodeLabel(graph.node(i), i), " reads '", in,
                                  "', which no node, graph input or initializer defines"));
        continue;
      }
      deps.insert(it->second);
    }
    for (int d : deps) users[d].push_back(i);
    waiting[i] = static_cast<int>(deps.size());
  }
  for (const auto& out : graph.output()) {
    if (!given.contains(out.name()) && !producer.contains(out.name())) {
      problems.push_back(StrCat("graph output '", out.name(), "' is not computed by any node"));
    }
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(
        StrCat(source, ": the ONNX graph is malformed:\n  ", absl::StrJoin(problems, "\n  ")));
  }
  // The lowest index first: a file already in order keeps its order.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < graph.node_size(); ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[i]) {
      if (--waiting[u] == 0) ready.push(u);
    }
  }
  if (static_cast<int>(order.size()) != graph.node_size()) {
    std::vector<std::string> stuck;
    for (int i = 0; i < graph.node_size(); ++i) {
      if (waiting[i] > 0) stuck.push_back(NodeLabel(graph.node(i), i));
    }
    return absl::InvalidArgumentError(
        StrCat(source, ": the ONNX graph has a cycle: nodes ", absl::StrJoin(stuck, ", "),
               " each wait for another's output (an ONNX graph must be acyclic)"));
  }
  return order;
}

void ReadShapes(const ::onnx::ValueInfoProto& info, OnnxModel& model) {
  if (!info.type().has_tensor_type()) return;
  const auto& tensor = info.type().tensor_type();
  model.elem_types[info.name()] = tensor.elem_type();
  if (!tensor.has_shape()) return;
  std::vector<int64_t> dims;
  for (const auto& dim : tensor.shape().dim()) {
    dims.push_back(dim.has_dim_value() && dim.dim_value() > 0 ? dim.dim_value() : -1);
  }
  model.shapes[info.name()] = std::move(dims);
}

// Window attributes ONNX's own shape inference divides by: Debian's
// libonnx 1.12 crashes (SIGFPE) on a stride or group of 0 instead of
// reporting it, so they are checked here first, in subgraphs too.
absl::Status CheckWindowAttributes(const ::onnx::GraphProto& graph, std::string_view source) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const ::onnx::NodeProto& node = graph.node(i);
    for (const ::onnx::AttributeProto& attr : node.attribute()) {
      const std::string& name = attr.name();
      if (name == "strides" || name == "dilations" || name == "kernel_shape") {
        for (int64_t v : attr.ints()) {
          if (v < 1) {
            return absl::InvalidArgumentError(StrCat(source, ": node ", NodeLabel(node, i), ": ",
                                                     name, " must be >= 1, got ", v));
          }
        }
      } else if (name == "group" && attr.i() < 1) {
        return absl::InvalidArgumentError(
            StrCat(source, ": node ", NodeLabel(node, i), ": group must be >= 1, got ", attr.i()));
      }
      if (attr.has_g()) DLC_RETURN_IF_ERROR(CheckWindowAttributes(attr.g(), source));
      for (const ::onnx::GraphProto& g : attr.graphs()) {
        DLC_RETURN_IF_ERROR(CheckWindowAttributes(g, source));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string DataTypeName(int32_t data_type) {
  if (TensorProto::DataType_IsValid(data_type)) {
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(data_type));
  }
  return StrCat("type ", data_type);
}

absl::StatusOr<ConstTensor> ReadTensor(const TensorProto& tensor, std::string_view what) {
  ConstTensor out;
  out.data_type = tensor.data_type();
  int64_t n = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || d > kMaxTensorValues || (d > 0 && n > kMaxTensorValues / d)) {
      return absl::InvalidArgumentError(
          StrCat(what, ": dims [", absl::StrJoin(tensor.dims(), ","),
                 "] are negative or hold more values than dlc imports (2^31)"));
    }
    n *= d;
    out.dims.push_back(d);
  }
  if (tensor.data_location() == TensorProto::EXTERNAL || tensor.external_data_size() > 0) {
    return absl::InvalidArgumentError(
        StrCat(what,
               ": its data is stored in an external file, which dlc does not read "
               "(save the model with its weights inside)"));
  }
  const std::string& raw = tensor.raw_data();
  size_t element = 0;
  int64_t typed = 0;
  switch (tensor.data_type()) {
    case TensorProto::FLOAT:
      element = 4;
      typed = tensor.float_data_size();
      if (tensor.has_raw_data()) AppendRaw<float>(raw, out.values);
      for (float v : tensor.float_data()) out.values.push_back(v);
      break;
    case TensorProto::DOUBLE:
      element = 8;
      typed = tensor.double_data_size();
      if (tensor.has_raw_data()) AppendRaw<double>(raw, out.values);
      for (double v : tensor.double_data()) out.values.push_back(v);
      break;
    case TensorProto::INT64:
      element = 8;
      typed = tensor.int64_data_size();
      if (tensor.has_raw_data()) AppendRaw<int64_t>(raw, out.values);
      for (int64_t v : tensor.int64_data()) out.values.push_back(static_cast<double>(v));
      break;
    case TensorProto::INT32:
      element = 4;
      typed = tensor.int32_data_size();
      if (tensor.has_raw_data()) AppendRaw<int32_t>(raw, out.values);
      for (int32_t v : tensor.int32_data()) out.values.push_back(v);
      break;
    default:
      return absl::InvalidArgumentError(
          StrCat(what, " is of type ", DataTypeName(tensor.data_type()),
                 "; dlc reads FLOAT, DOUBLE, INT64 and INT32 tensors"));
  }
  const int64_t held = tensor.has_raw_data() ? static_cast<int64_t>(raw.size() / element) : typed;
  if (held != n || (tensor.has_raw_data() && raw.size() % element != 0) ||
      (tensor.has_raw_data() && typed > 0)) {
    return absl::InvalidArgumentError(
        StrCat(what, ": dims ", DimsText(out.dims), " need ", n, " values, the tensor holds ",
               tensor.has_raw_data()
                   ? StrCat(raw.size(), " bytes of raw data (", DataTypeName(tensor.data_type()),
                            ": ", element, " bytes each)")
                   : StrCat(typed)));
  }
  return out;
}

absl::StatusOr<OnnxModel> ReadOnnxModel(std::string_view bytes, std::string_view source) {
  OnnxModel model;
  model.source = std::string(source);
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(StrCat(source, ": larger than 2 GiB, more than dlc imports"));
  }
  if (!model.proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(StrCat(
        source, ": not an ONNX model (its protobuf does not parse; is the file truncated?)"));
  }
  if (model.proto.ir_version() <= 0 || !model.proto.has_graph()) {
    return absl::InvalidArgumentError(StrCat(
        source, ": not an ONNX model (no IR version or no graph; is it empty or truncated?)"));
  }
  bool found = false;
  for (const auto& opset : model.proto.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      model.opset = opset.version();
      found = true;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError(
        StrCat(source, ": the model imports no opset of the default ONNX domain"));
  }
  if (model.opset < kMinOpset || model.opset > kMaxOpset) {
    return absl::InvalidArgumentError(
        StrCat(source, ": ONNX opset ", model.opset, " is not supported: dlc imports opsets ",
               kMinOpset, " to ", kMaxOpset,
               " (re-export the model, e.g. torch.onnx.export(..., opset_version=13))"));
  }
  absl::StatusOr<std::vector<int>> order = TopologicalOrder(model.graph(), source);
  if (!order.ok()) return order.status();
  model.order = *std::move(order);
  // Before the checker: its message for a tensor of the wrong size names no sizes.
  for (const auto& init : model.graph().initializer()) {
    absl::StatusOr<ConstTensor> tensor = ReadTensor(init, StrCat("initializer ", init.name()));
    if (!tensor.ok())
      return absl::InvalidArgumentError(StrCat(source, ": ", tensor.status().message()));
    model.initializers[init.name()] = *std::move(tensor);
  }
  // libonnx reports problems by exceptions: each becomes a status here.
  try {
    ::onnx::checker::check_model(model.proto);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        StrCat(source, ": ONNX's checker rejects the model: ", e.what()));
  }
  if (model.graph().sparse_initializer_size() > 0) {
    return absl::InvalidArgumentError(
        StrCat(source, ": sparse initializers are not supported (store them dense)"));
  }
  DLC_RETURN_IF_ERROR(CheckWindowAttributes(model.graph(), source));
  try {
    ::onnx::shape_inference::InferShapes(model.proto, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(/*check_type=*/true,
                                                                       /*strict_mode=*/1));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        StrCat(source, ": ONNX's shape inference fails on the model: ", e.what()));
  }
  for (const auto& info : model.graph().input()) ReadShapes(info, model);
  for (const auto& info : model.graph().value_info()) ReadShapes(info, model);
  for (const auto& info : model.graph().output()) ReadShapes(info, model);
  return model;
}

}  // namespace dlc::onnx_import
