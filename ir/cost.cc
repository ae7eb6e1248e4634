#include "ir/cost.h"

namespace dlc {

int64_t NodeFlops(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  const int64_t out = node.type.num_elements();
  auto in = [&](int i) { return graph.type(node.operands[i]).num_elements(); };
  switch (node.op) {
    case OpKind::kInput:
    case OpKind::kParameter:
    case OpKind::kConstant:
    case OpKind::kCast:
    case OpKind::kReshape:
    case OpKind::kFlatten:
    case OpKind::kTranspose:
    case OpKind::kBroadcast:
    case OpKind::kSlice:
    case OpKind::kConcat:
    case OpKind::kPad:
    case OpKind::kOneHot:
    case OpKind::kRandomUniform:
      return 0;
    case OpKind::kAdd:
    case OpKind::kSub:
    case OpKind::kMul:
    case OpKind::kDiv:
    case OpKind::kMax:
    case OpKind::kMin:
    case OpKind::kPow:
    case OpKind::kNeg:
    case OpKind::kExp:
    case OpKind::kLog:
    case OpKind::kSqrt:
    case OpKind::kRsqrt:
    case OpKind::kRelu:
    case OpKind::kSigmoid:
    case OpKind::kTanh:
    case OpKind::kCompare:
    case OpKind::kSelect:
      return out;
    case OpKind::kReduceSum:
    case OpKind::kReduceMax:
    case OpKind::kArgMax:
      return in(0);
    case OpKind::kReduceMean:
      return in(0) + out;  // the sum, then one division per result
    case OpKind::kMatMul: {
      const TensorType& a = graph.type(node.operands[0]);
      const int64_t k = AttrBool(node.attrs, "transpose_a") ? a.shape[a.rank() - 2]
                                                             : a.shape[a.rank() - 1];
      return 2 * out * k;
    }
    case OpKind::kConv2D: {
      const Shape& w = graph.type(node.operands[1]).shape;  // [kh, kw, c, o]
      return 2 * out * w[0] * w[1] * w[2];
    }
    case OpKind::kMaxPool2DScatter:
      return in(0);  // one add per dy element
    case OpKind::kMaxPool2DArgmax:
    case OpKind::kMaxPool2D:
    case OpKind::kAvgPool2D: {
      const IntList window = AttrInts(node.attrs, "window");
      return out * window[0] * window[1];
    }
    case OpKind::kConv2DBackpropInput: {
      // The forward conv's multiply-adds, run backwards: one per (dy element,
      // kh, kw, c).
      const Shape& w = graph.type(node.operands[1]).shape;  // [kh, kw, c, o]
      return 2 * in(0) * w[0] * w[1] * w[2];
    }
    case OpKind::kConv2DBackpropFilter: {
      // One multiply-add per (dy element, kh, kw, c), as in the forward conv.
      const IntList w = AttrInts(node.attrs, "filter_shape");  // [kh, kw, c, o]
      return w.size() == 4 ? 2 * in(1) * w[0] * w[1] * w[2] : 0;
    }
    case OpKind::kMaxPool2DGrad:
    case OpKind::kAvgPool2DGrad: {
      // The window size per output of the forward pool (one dy element).
      const IntList window = AttrInts(node.attrs, "window");
      const int64_t dy = in(node.op == OpKind::kMaxPool2DGrad ? 1 : 0);
      return window.size() == 2 ? dy * window[0] * window[1] : 0;
    }
    case OpKind::kSoftmax:
    case OpKind::kLogSoftmax:
      return 5 * out;  // max, subtract, exp, sum, divide (or log)
    case OpKind::kSoftmaxCrossEntropy:
      return 5 * in(0);
  }
  return 0;
}

int64_t GraphFlops(const Graph& graph) {
  int64_t total = 0;
  for (ValueId id = 0; id < graph.size(); ++id) total += NodeFlops(graph, id);
  return total;
}

bool IsContraction(OpKind op) {
  return op == OpKind::kMatMul || op == OpKind::kConv2D || op == OpKind::kConv2DBackpropInput ||
         op == OpKind::kConv2DBackpropFilter;
}

int64_t ContractionFlops(const Graph& graph) {
  int64_t total = 0;
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (IsContraction(graph.node(id).op)) total += NodeFlops(graph, id);
  }
  return total;
}

}  // namespace dlc
