// Each tensor-IR op the exporter maps, and how: one ONNX node (or a
// Transpose-wrapped one for NHWC windows) per IR node, faithful to dlc's
// semantics. An op or attribute value whose meaning ONNX would change is
// refused with the reason, never approximated.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "frontend/onnx/emitter.h"
#include "frontend/onnx/tensor_proto.h"
#include "ir/enum_attrs.h"
#include "ir/window.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::onnx_export {
namespace {

// NHWC <-> NCHW, as Transpose perms.
const std::vector<int64_t> kToNCHW = {0, 3, 1, 2};
const std::vector<int64_t> kToNHWC = {0, 2, 3, 1};

std::vector<std::string> OperandNames(const Emitter& e, ValueId id) {
  std::vector<std::string> names;
  for (ValueId operand : e.node(id).operands) names.push_back(e.Name(operand));
  return names;
}

absl::Status Simple(Emitter& e, ValueId id, std::string_view op_type) {
  e.AddNode(op_type, OperandNames(e, id), {e.Name(id)});
  return absl::OkStatus();
}

// An axis attribute in [0, rank).
int64_t NormalizedAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// The add that is the only reader of `id` and adds a vector of `channels`
// values along the last axis (a layer's bias), when there is one: its
// value and the bias.
struct BiasAdd {
  ValueId add = -1;
  ValueId bias = -1;
};
std::optional<BiasAdd> FindBiasAdd(const Emitter& e, ValueId id, int64_t channels) {
  if (!e.HasSingleUser(id)) return std::nullopt;
  const ValueId add = e.Users(id)[0];
  const Node& n = e.node(add);
  if (n.op != OpKind::kAdd || n.operands[0] == n.operands[1]) return std::nullopt;
  const ValueId bias = n.operands[0] == id ? n.operands[1] : n.operands[0];
  const TensorType& t = e.type(bias);
  if (t.dtype != e.type(id).dtype || t.shape != Shape{channels} || n.type != e.type(id)) {
    return std::nullopt;
  }
  return BiasAdd{add, bias};
}

absl::Status EmitCast(Emitter& e, ValueId id) {
  const DType from = e.type(e.node(id).operands[0]).dtype;
  const DType to = e.type(id).dtype;
  // dlc saturates floats cast to integers and maps NaN to 0; ONNX leaves
  // out-of-range results undefined.
  if (IsFloat(from) && !IsFloat(to)) {
    return e.Unsupported(id, StrCat("a cast from ", DTypeName(from), " to ", DTypeName(to),
                                    " saturates in dlc, and ONNX's Cast leaves values out of "
                                    "range undefined"));
  }
  SetAttr(e.AddNode("Cast", OperandNames(e, id), {e.Name(id)}), "to",
          static_cast<int64_t>(OnnxDType(to)));
  return absl::OkStatus();
}

absl::Status EmitDiv(Emitter& e, ValueId id) {
  if (!IsFloat(e.type(id).dtype)) {
    return e.Unsupported(id, "integer division by zero is an error in dlc and undefined in ONNX");
  }
  return Simple(e, id, "Div");
}

absl::Status EmitLeakyRelu(Emitter& e, ValueId id) {
  SetAttr(e.AddNode("LeakyRelu", OperandNames(e, id), {e.Name(id)}), "alpha",
          static_cast<float>(AttrFloat(e.node(id).attrs, "alpha")));
  return absl::OkStatus();
}

absl::Status EmitSoftmax(Emitter& e, ValueId id, std::string_view op_type) {
  // Opset 13's Softmax and LogSoftmax normalize along one axis, as dlc's.
  SetAttr(e.AddNode(op_type, OperandNames(e, id), {e.Name(id)}), "axis",
          NormalizedAxis(AttrInt(e.node(id).attrs, "axis"), e.type(id).rank()));
  return absl::OkStatus();
}

absl::Status EmitFlatten(Emitter& e, ValueId id) {
  const Node& n = e.node(id);
  const int64_t axis = NormalizedAxis(AttrInt(n.attrs, "axis"), e.type(n.operands[0]).rank());
  if (axis == 0) return e.Unsupported(id, "flatten at axis 0 folds the batch into one row");
  SetAttr(e.AddNode("Flatten", OperandNames(e, id), {e.Name(id)}), "axis", axis);
  return absl::OkStatus();
}

absl::Status EmitConcat(Emitter& e, ValueId id) {
  const int64_t axis = NormalizedAxis(AttrInt(e.node(id).attrs, "axis"), e.type(id).rank());
  if (axis == 0) return e.Unsupported(id, "concat along axis 0 joins batches");
  SetAttr(e.AddNode("Concat", OperandNames(e, id), {e.Name(id)}), "axis", axis);
  return absl::OkStatus();
}

absl::Status EmitTranspose(Emitter& e, ValueId id) {
  const IntList perm = AttrInts(e.node(id).attrs, "perm");
  if (perm.empty() || perm[0] != 0) return e.Unsupported(id, "the transpose moves the batch axis");
  SetAttr(e.AddNode("Transpose", OperandNames(e, id), {e.Name(id)}), "perm", perm);
  return absl::OkStatus();
}

// A dense layer's matmul (and the bias add after it) as one Gemm; a
// batched matmul as MatMul.
absl::Status EmitMatMul(Emitter& e, ValueId id) {
  const Node& n = e.node(id);
  const bool ta = AttrBool(n.attrs, "transpose_a");
  const bool tb = AttrBool(n.attrs, "transpose_b");
  if (e.type(id).rank() != 2) {
    if (ta || tb) return e.Unsupported(id, "a batched matmul with transposed operands");
    return Simple(e, id, "MatMul");
  }
  std::vector<std::string> inputs = OperandNames(e, id);
  ValueId result = id;
  if (std::optional<BiasAdd> bias = FindBiasAdd(e, id, e.type(id).shape[1])) {
    inputs.push_back(e.Name(bias->bias));
    e.Fold(bias->add);
    result = bias->add;
  }
  onnx::NodeProto& gemm = e.AddNode("Gemm", inputs, {e.Name(result)});
  if (ta) SetAttr(gemm, "transA", int64_t{1});
  if (tb) SetAttr(gemm, "transB", int64_t{1});
  return absl::OkStatus();
}

// ONNX pads: [top, left, bottom, right].
std::vector<int64_t> Pads(const Window2D& w) {
  return {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right};
}

// `op` on NCHW between two Transposes, reading `x` (NHWC) and writing the
// ONNX name of `result` (NHWC). Returns the node to add attributes to.
onnx::NodeProto& EmitNCHW(Emitter& e, std::string_view op_type, ValueId x,
                          std::vector<std::string> more_inputs, ValueId result) {
  const std::string& name = e.Name(result);
  const std::string in = e.FreshName(StrCat(name, ".nchw_input"));
  const std::string out = e.FreshName(StrCat(name, ".nchw"));
  SetAttr(e.AddNode("Transpose", {e.Name(x)}, {in}), "perm", kToNCHW);
  more_inputs.insert(more_inputs.begin(), in);
  onnx::NodeProto& node = e.AddNode(op_type, more_inputs, {out});
  SetAttr(e.AddNode("Transpose", {out}, {name}), "perm", kToNHWC);
  return node;
}

absl::Status EmitConv2D(Emitter& e, ValueId id) {
  const Node& n = e.node(id);
  const ValueId x = n.operands[0];
  const ValueId filter = n.operands[1];
  DLC_ASSIGN_OR_RETURN(Window2D w, WindowOf(n.attrs, e.type(x).shape, e.type(filter).shape));
  std::vector<std::string> inputs = {e.FilterOIHW(filter)};
  ValueId result = id;
  if (std::optional<BiasAdd> bias = FindBiasAdd(e, id, e.type(id).shape[3])) {
    inputs.push_back(e.Name(bias->bias));
    e.Fold(bias->add);
    result = bias->add;
  }
  onnx::NodeProto& conv = EmitNCHW(e, "Conv", x, inputs, result);
  SetAttr(conv, "kernel_shape", std::vector<int64_t>{w.kernel_h, w.kernel_w});
  SetAttr(conv, "strides", std::vector<int64_t>{w.stride_h, w.stride_w});
  SetAttr(conv, "dilations", std::vector<int64_t>{w.dilation_h, w.dilation_w});
  SetAttr(conv, "pads", Pads(w));
  return absl::OkStatus();
}

absl::Status EmitPool(Emitter& e, ValueId id) {
  const Node& n = e.node(id);
  const ValueId x = n.operands[0];
  DLC_ASSIGN_OR_RETURN(Window2D w, WindowOf(n.attrs, e.type(x).shape));
  // A window of padding only is -inf (max) or 0 (average) in dlc; ONNX
  // leaves it undefined.
  if (std::max(w.pad_top, w.pad_bottom) >= w.kernel_h ||
      std::max(w.pad_left, w.pad_right) >= w.kernel_w) {
    return e.Unsupported(id, StrCat("padding ", AttributeToString(Pads(w)),
                                    " as large as the window leaves windows with no element"));
  }
  const bool is_max = n.op == OpKind::kMaxPool2D;
  onnx::NodeProto& pool = EmitNCHW(e, is_max ? "MaxPool" : "AveragePool", x, {}, id);
  SetAttr(pool, "kernel_shape", std::vector<int64_t>{w.kernel_h, w.kernel_w});
  SetAttr(pool, "strides", std::vector<int64_t>{w.stride_h, w.stride_w});
  SetAttr(pool, "pads", Pads(w));
  // dlc averages over the window's real elements, as Keras (and ONNX's
  // default, stated here for readers).
  if (!is_max) SetAttr(pool, "count_include_pad", int64_t{0});
  return absl::OkStatus();
}

}  // namespace

absl::Status EmitNode(Emitter& e, ValueId id) {
  switch (e.node(id).op) {
    case OpKind::kAdd: return Simple(e, id, "Add");
    case OpKind::kSub: return Simple(e, id, "Sub");
    case OpKind::kMul: return Simple(e, id, "Mul");
    case OpKind::kDiv: return EmitDiv(e, id);
    case OpKind::kNeg: return Simple(e, id, "Neg");
    case OpKind::kExp: return Simple(e, id, "Exp");
    case OpKind::kLog: return Simple(e, id, "Log");
    case OpKind::kSqrt: return Simple(e, id, "Sqrt");
    case OpKind::kRelu: return Simple(e, id, "Relu");
    case OpKind::kSigmoid: return Simple(e, id, "Sigmoid");
    case OpKind::kTanh: return Simple(e, id, "Tanh");
    case OpKind::kLeakyRelu: return EmitLeakyRelu(e, id);
    case OpKind::kCast: return EmitCast(e, id);
    case OpKind::kFlatten: return EmitFlatten(e, id);
    case OpKind::kTranspose: return EmitTranspose(e, id);
    case OpKind::kConcat: return EmitConcat(e, id);
    case OpKind::kSoftmax: return EmitSoftmax(e, id, "Softmax");
    case OpKind::kLogSoftmax: return EmitSoftmax(e, id, "LogSoftmax");
    case OpKind::kMatMul: return EmitMatMul(e, id);
    case OpKind::kConv2D: return EmitConv2D(e, id);
    case OpKind::kMaxPool2D:
    case OpKind::kAvgPool2D: return EmitPool(e, id);
    default: return e.Unsupported(id, "the exporter has no ONNX mapping for this op");
  }
}

}  // namespace dlc::onnx_export
