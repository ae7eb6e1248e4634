// The exporter's driver: checks the graph and weights, names the values,
// writes inputs, initializers, nodes (ops.cc) and outputs, then has the
// ONNX library check the result (check.cc).
#include "frontend/onnx/export.h"

#include <exception>
#include <limits>
#include <set>

#include "frontend/onnx/check.h"
#include "frontend/onnx/emitter.h"
#include "frontend/onnx/tensor_proto.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::onnx_export {
namespace {

// The nodes the outputs depend on.
std::vector<bool> LiveNodes(const Graph& graph) {
  std::vector<bool> live(graph.nodes.size(), false);
  for (ValueId out : graph.outputs) live[out] = true;
  for (ValueId id = graph.size() - 1; id >= 0; --id) {
    if (!live[id]) continue;
    for (ValueId operand : graph.node(id).operands) live[operand] = true;
  }
  return live;
}

// Every input and output has dimension 0, the batch, of one size.
absl::Status CheckBatchDims(const Graph& graph) {
  const std::vector<ValueId> inputs = graph.Inputs();
  if (inputs.empty()) return absl::InvalidArgumentError("the graph has no input");
  const int64_t batch = graph.type(inputs[0]).rank() > 0 ? graph.type(inputs[0]).shape[0] : -1;
  auto check = [&](ValueId id, std::string_view what) -> absl::Status {
    const TensorType& t = graph.type(id);
    if (t.rank() == 0 || t.shape[0] != batch) {
      return absl::InvalidArgumentError(
          StrCat(what, " %", graph.node(id).name, " is ", t.ToString(), ": ONNX export needs ",
                 "dimension 0 of every input and output to be the batch (",
                 batch < 0 ? "the first input has none" : StrCat(batch, " here"), ")"));
    }
    return absl::OkStatus();
  };
  for (ValueId id : inputs) DLC_RETURN_IF_ERROR(check(id, "input"));
  for (ValueId id : graph.outputs) DLC_RETURN_IF_ERROR(check(id, "output"));
  return absl::OkStatus();
}

// The ONNX name of every value: outputs take the requested names (an
// output that is a source, or named twice, is renamed by an Identity
// node later), other values their IR names, unless an output took it.
absl::StatusOr<std::vector<std::string>> ValueNames(const Graph& graph,
                                                    const std::vector<std::string>& output_names) {
  std::set<std::string> reserved;
  for (const std::string& name : output_names) {
    if (name.empty()) return absl::InvalidArgumentError("an output name is empty");
    if (!reserved.insert(name).second) {
      return absl::InvalidArgumentError(StrCat("two outputs are both named ", name));
    }
  }
  std::set<std::string> taken = reserved;
  std::vector<std::string> names(graph.nodes.size());
  std::set<ValueId> named_outputs;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const ValueId id = graph.outputs[i];
    if (CategoryOf(graph.node(id).op) == OpCategory::kSource) continue;
    if (named_outputs.insert(id).second) names[id] = output_names[i];
  }
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!names[id].empty()) continue;
    const std::string& base = graph.node(id).name;
    std::string name = base;
    for (int k = 1; taken.contains(name); ++k) name = StrCat(base, ".", k);
    taken.insert(name);
    names[id] = name;
  }
  return names;
}

// A constant's value as a tensor (a single value fills the whole shape).
Tensor ConstantTensor(const Node& node) {
  Tensor tensor(node.type);
  const FloatList values = AttrFloats(node.attrs, "value");
  for (int64_t i = 0; i < tensor.num_elements(); ++i) {
    tensor.SetDouble(i, values.size() == 1 ? values[0] : values[static_cast<size_t>(i)]);
  }
  return tensor;
}

absl::Status AddInitializers(const Graph& graph, const std::vector<bool>& live,
                             const std::map<std::string, Tensor>& weights, const Emitter& emitter,
                             onnx::GraphProto& out) {
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (!live[id]) continue;
    if (node.op == OpKind::kConstant) {
      ToTensorProto(ConstantTensor(node), emitter.Name(id), out.add_initializer());
    } else if (node.op == OpKind::kParameter) {
      auto it = weights.find(node.name);
      if (it == weights.end()) {
        return absl::NotFoundError(
            StrCat("no weights for parameter ", node.name, " (", node.type.ToString(), ")"));
      }
      if (it->second.type() != node.type) {
        return absl::InvalidArgumentError(StrCat("the weights for parameter ", node.name, " are ",
                                                 it->second.type().ToString(), ", the model needs ",
                                                 node.type.ToString()));
      }
      // A convolution filter: dlc's HWIO as ONNX's OIHW.
      const Tensor& value = it->second;
      ToTensorProto(emitter.IsConvFilterOnly(id) ? Permuted(value, {3, 2, 0, 1}) : value,
                    emitter.Name(id), out.add_initializer());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<onnx::ModelProto> BuildModel(const Graph& graph,
                                            const std::map<std::string, Tensor>& weights,
                                            const ExportOptions& options) {
  if (graph.outputs.empty()) return absl::InvalidArgumentError("the graph has no output");
  std::vector<std::string> output_names = options.output_names;
  if (output_names.empty()) {
    for (ValueId id : graph.outputs) output_names.push_back(graph.node(id).name);
  }
  if (output_names.size() != graph.outputs.size()) {
    return absl::InvalidArgumentError(
        StrCat(output_names.size(), " output names for ", graph.outputs.size(), " outputs"));
  }
  DLC_RETURN_IF_ERROR(CheckBatchDims(graph));

  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("dlc");
  model.set_doc_string(options.doc);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpsetVersion);
  onnx::GraphProto& out = *model.mutable_graph();
  out.set_name(graph.name);

  const std::vector<bool> live = LiveNodes(graph);
  DLC_ASSIGN_OR_RETURN(std::vector<std::string> names, ValueNames(graph, output_names));
  Emitter emitter(graph, live, names, out);

  for (ValueId id : graph.Inputs()) {
    onnx::ValueInfoProto* input = out.add_input();
    input->set_name(emitter.Name(id));
    SetValueType(graph.type(id), kBatchDim, input);
  }
  DLC_RETURN_IF_ERROR(AddInitializers(graph, live, weights, emitter, out));
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!live[id] || CategoryOf(graph.node(id).op) == OpCategory::kSource) continue;
    if (emitter.IsFolded(id)) continue;
    DLC_RETURN_IF_ERROR(EmitNode(emitter, id));
  }
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const ValueId id = graph.outputs[i];
    if (emitter.Name(id) != output_names[i]) {
      emitter.AddNode("Identity", {emitter.Name(id)}, {output_names[i]});
    }
    onnx::ValueInfoProto* output = out.add_output();
    output->set_name(output_names[i]);
    SetValueType(graph.type(id), kBatchDim, output);
  }
  return model;
}

}  // namespace

absl::StatusOr<std::string> ExportOnnx(const Graph& graph,
                                       const std::map<std::string, Tensor>& weights,
                                       const ExportOptions& options) {
  // The ONNX and protobuf libraries report errors by exception.
  try {
    DLC_ASSIGN_OR_RETURN(onnx::ModelProto model, BuildModel(graph, weights, options));
    DLC_RETURN_IF_ERROR(CheckOnnxModel(model));
    // One protobuf message holds at most 2 GiB; bigger models would need
    // ONNX's external data, which this exporter does not write.
    if (model.ByteSizeLong() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      return absl::ResourceExhaustedError(
          StrCat("the model is ", model.ByteSizeLong(),
                 " bytes; an ONNX file holds at most 2 GiB "
                 "without external data, which dlc does not write"));
    }
    std::string bytes;
    if (!model.SerializeToString(&bytes)) {
      return absl::InternalError("protobuf could not serialize the ONNX model");
    }
    return bytes;
  } catch (const std::exception& e) {
    return absl::InternalError(StrCat("ONNX export failed: ", e.what()));
  }
}

}  // namespace dlc::onnx_export
