// Shared by the ONNX export tests: reading an exported onnx.ModelProto, and random weights and
// inputs for the graphs exported.
#ifndef DLC_TESTS_ONNX_EXPORT_TEST_UTIL_H_
#define DLC_TESTS_ONNX_EXPORT_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/tensor.h"
#include "onnx/onnx_pb.h"

namespace dlc::onnx_test {

// The model's nodes' op types, in order.
std::vector<std::string> OpTypes(const onnx::ModelProto& model);
// Node `index` of the main graph (an empty node when there is none).
const onnx::NodeProto& OnnxNode(const onnx::ModelProto& model, int index);
// Attribute values of a node (0 / empty when absent).
int64_t AttrI(const onnx::NodeProto& node, const std::string& name);
float AttrF(const onnx::NodeProto& node, const std::string& name);
std::vector<int64_t> AttrInts(const onnx::NodeProto& node, const std::string& name);
// The dims of initializer `name`; {-1} when there is no such initializer.
std::vector<int64_t> InitializerDims(const onnx::ModelProto& model, const std::string& name);
// Dimension 0 of an input or output is the symbolic batch, the others sizes.
bool HasBatchDim(const onnx::ValueInfoProto& value);

// Every parameter of `graph`, uniform in [-1, 1) from `seed` (biases too,
// so that a bias in the wrong place shows).
std::map<std::string, Tensor> RandomWeights(const Graph& graph, uint64_t seed);
// A tensor of `type`: f32 uniform in [low, high), u8 any byte.
Tensor RandomInput(const TensorType& type, double low, double high, uint64_t seed);

}  // namespace dlc::onnx_test

#endif  // DLC_TESTS_ONNX_EXPORT_TEST_UTIL_H_
