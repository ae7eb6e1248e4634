// What the op mappings (ops.cc) share while the exporter (export.cc) writes
// one graph: the ONNX name of every IR value, who uses each value, fresh
// names, node and attribute builders, and which values a mapping has
// folded into another's node (a bias add into Gemm or Conv).
#ifndef DLC_FRONTEND_ONNX_EMITTER_H_
#define DLC_FRONTEND_ONNX_EMITTER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph.h"
#include "onnx/onnx_pb.h"

namespace dlc::onnx_export {

class Emitter {
 public:
  // `live`: the nodes the outputs depend on; `names`: each value's ONNX name.
  Emitter(const Graph& graph, std::vector<bool> live, std::vector<std::string> names,
          onnx::GraphProto& out);

  const Graph& graph() const { return graph_; }
  const Node& node(ValueId id) const { return graph_.node(id); }
  const TensorType& type(ValueId id) const { return graph_.type(id); }
  const std::string& Name(ValueId id) const { return names_[id]; }

  // The live nodes that read `id` (once per operand slot), in graph order.
  const std::vector<ValueId>& Users(ValueId id) const { return users_[id]; }
  bool IsOutput(ValueId id) const;
  // `id` is read by exactly one node and is no graph output.
  bool HasSingleUser(ValueId id) const;

  // A name no IR value and no earlier fresh name has: `base`, or
  // `base` with a number.
  std::string FreshName(std::string_view base);

  onnx::NodeProto& AddNode(std::string_view op_type, const std::vector<std::string>& inputs,
                           const std::vector<std::string>& outputs);

  // `id` is computed by another value's node (already emitted or being
  // emitted); it gets no node of its own.
  void Fold(ValueId id) { folded_.insert(id); }
  bool IsFolded(ValueId id) const { return folded_.contains(id); }

  // Whether every use of parameter `id` is as a conv2d filter, so that its
  // initializer is stored in ONNX's OIHW layout rather than dlc's HWIO.
  bool IsConvFilterOnly(ValueId id) const;
  // The ONNX name of filter `id` in OIHW: the initializer itself when
  // IsConvFilterOnly, else a Transpose of it (made once).
  std::string FilterOIHW(ValueId id);

  // The error for a value this exporter cannot write: names the op, the
  // value and where it came from.
  absl::Status Unsupported(ValueId id, std::string_view why) const;

 private:
  const Graph& graph_;
  std::vector<bool> live_;
  std::vector<std::string> names_;
  std::vector<std::vector<ValueId>> users_;
  std::set<std::string> taken_;
  std::set<ValueId> folded_;
  std::map<ValueId, std::string> filters_;
  onnx::GraphProto& out_;
};

// Attributes of a node under construction.
void SetAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void SetAttr(onnx::NodeProto& node, const std::string& name, float value);
void SetAttr(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);

// Emits the ONNX nodes of live, non-source node `id` (ops.cc).
absl::Status EmitNode(Emitter& emitter, ValueId id);

}  // namespace dlc::onnx_export

#endif  // DLC_FRONTEND_ONNX_EMITTER_H_
