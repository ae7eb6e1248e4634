#include "ir/cost.h"

namespace dlc {

namespace {

// Ops whose cost depends on more than their family: contractions, windows,
// the softmax family.
int64_t OpFlops(const Graph& graph, const Node& node) {
  const int64_t out = node.type.num_elements();
  auto in = [&](int i) { return graph.type(node.operands[i]).num_elements(); };
  switch (node.op) {
    case OpKind::kMatMul: {
      const TensorType& a = graph.type(node.operands[0]);
      const int64_t k =
          AttrBool(node.attrs, "transpose_a") ? a.shape[a.rank() - 2] : a.shape[a.rank() - 1];
      return 2 * out * k;
    }
    case OpKind::kConv2D: {
      const Shape& w = graph.type(node.operands[1]).shape;  // [kh, kw, c, o]
      return 2 * out * w[0] * w[1] * w[2];
    }
    case OpKind::kMaxPool2DScatter: return in(0);  // one add per dy element
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
    case OpKind::kLogSoftmax: return 5 * out;  // max, subtract, exp, sum, divide (or log)
    case OpKind::kSoftmaxCrossEntropy: return 5 * in(0);
    default: return 0;  // one_hot: data movement
  }
}

}  // namespace

int64_t NodeFlops(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  switch (CategoryOf(node.op)) {
    case OpCategory::kSource:
    case OpCategory::kDataMovement:
    case OpCategory::kRandom: return 0;
    case OpCategory::kElementwise:
      // One per result element; a conversion is no arithmetic.
      return node.op == OpKind::kCast ? 0 : node.type.num_elements();
    case OpCategory::kReduction: {
      const int64_t in = graph.type(node.operands[0]).num_elements();
      // reduce_mean: the sum, then one division per result.
      return node.op == OpKind::kReduceMean ? in + node.type.num_elements() : in;
    }
    case OpCategory::kContraction:
    case OpCategory::kWindow:
    case OpCategory::kSoftmaxFamily: return OpFlops(graph, node);
  }
  return 0;
}

int64_t GraphFlops(const Graph& graph) {
  int64_t total = 0;
  for (ValueId id = 0; id < graph.size(); ++id) total += NodeFlops(graph, id);
  return total;
}

bool IsContraction(OpKind op) { return CategoryOf(op) == OpCategory::kContraction; }

int64_t ContractionFlops(const Graph& graph) {
  int64_t total = 0;
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (IsContraction(graph.node(id).op)) total += NodeFlops(graph, id);
  }
  return total;
}

}  // namespace dlc
