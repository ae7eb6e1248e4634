#include "tests/onnx/export_test_util.h"

#include "runtime/random.h"

namespace dlc::onnx_test {
namespace {

const onnx::AttributeProto* FindAttr(const onnx::NodeProto& node, const std::string& name) {
  for (const onnx::AttributeProto& attr : node.attribute()) {
    if (attr.name() == name) return &attr;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> OpTypes(const onnx::ModelProto& model) {
  std::vector<std::string> types;
  for (const onnx::NodeProto& node : model.graph().node()) types.push_back(node.op_type());
  return types;
}

const onnx::NodeProto& OnnxNode(const onnx::ModelProto& model, int index) {
  static const onnx::NodeProto* empty = new onnx::NodeProto();
  if (index < 0 || index >= model.graph().node_size()) return *empty;
  return model.graph().node(index);
}

int64_t AttrI(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* attr = FindAttr(node, name);
  return attr != nullptr ? attr->i() : 0;
}

float AttrF(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* attr = FindAttr(node, name);
  return attr != nullptr ? attr->f() : 0;
}

std::vector<int64_t> AttrInts(const onnx::NodeProto& node, const std::string& name) {
  const onnx::AttributeProto* attr = FindAttr(node, name);
  if (attr == nullptr) return {};
  return {attr->ints().begin(), attr->ints().end()};
}

std::vector<int64_t> InitializerDims(const onnx::ModelProto& model, const std::string& name) {
  for (const onnx::TensorProto& tensor : model.graph().initializer()) {
    if (tensor.name() == name) return {tensor.dims().begin(), tensor.dims().end()};
  }
  return {-1};
}

bool HasBatchDim(const onnx::ValueInfoProto& value) {
  const onnx::TensorShapeProto& shape = value.type().tensor_type().shape();
  if (shape.dim_size() == 0 || shape.dim(0).dim_param() != "batch") return false;
  for (int d = 1; d < shape.dim_size(); ++d) {
    if (!shape.dim(d).has_dim_value()) return false;
  }
  return true;
}

std::map<std::string, Tensor> RandomWeights(const Graph& graph, uint64_t seed) {
  std::map<std::string, Tensor> weights;
  Rng rng(seed);
  for (ValueId id : graph.Parameters()) {
    Tensor tensor(graph.type(id));
    for (int64_t i = 0; i < tensor.num_elements(); ++i) tensor.SetDouble(i, rng.Uniform(-1, 1));
    weights.emplace(graph.node(id).name, std::move(tensor));
  }
  return weights;
}

Tensor RandomInput(const TensorType& type, double low, double high, uint64_t seed) {
  Rng rng(seed, /*stream=*/1);
  Tensor tensor(type);
  for (int64_t i = 0; i < tensor.num_elements(); ++i) {
    tensor.SetDouble(
        i, type.dtype == DType::kU8 ? static_cast<double>(rng.Below(256)) : rng.Uniform(low, high));
  }
  return tensor;
}

}  // namespace dlc::onnx_test
