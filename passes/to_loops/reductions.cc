// Reductions: the result is initialised with the reduction's identity, then
// one nest over the input folds every element into its result element (in
// row-major order, as the interpreter folds).
#include <cmath>
#include <limits>

#include "ir/shape_util.h"
#include "ir/str_cat.h"
#include "passes/to_loops/op_lowering.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;
using loops::CompareOp;

// The result's coordinates for an input element: reduced axes dropped (or
// kept as 0 with keepdims).
std::vector<ExprId> ResultCoords(OpLowering& op, std::span<const ExprId> c, const IntList& axes,
                                 bool keepdims) {
  std::vector<ExprId> out;
  for (size_t i = 0; i < c.size(); ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) != axes.end();
    if (!reduced) {
      out.push_back(c[i]);
    } else if (keepdims) {
      out.push_back(op.b.Index(0));
    }
  }
  return out;
}

double Lowest(Type t) {
  if (loops::IsFloatType(t)) return -std::numeric_limits<double>::infinity();
  if (t == Type::kI32) return std::numeric_limits<int32_t>::lowest();
  return 0;  // u8
}

absl::Status Reduce(OpLowering& op) {
  const Shape& in = op.in_type(0).shape;
  const Shape& out = op.out_type().shape;
  const IntList axes = *NormalizeAxes(AttrInts(op.node().attrs, "axes"), op.in_type(0).rank());
  const bool keepdims = AttrBool(op.node().attrs, "keepdims");
  const bool is_max = op.node().op == OpKind::kReduceMax;
  op.Fill(op.out, out, op.b.Const(is_max ? Lowest(op.elem()) : 0, op.elem()));
  op.Emit(op.b.Nest(in, [&](std::span<const ExprId> c) {
    ExprId at = op.b.FlatIndex(ResultCoords(op, c, axes, keepdims), out);
    ExprId x = op.b.Load(op.in[0], op.b.FlatIndex(c, in));
    ExprId acc = op.b.Load(op.out, at);
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(is_max ? BinaryOp::kMax : BinaryOp::kAdd, acc, x))};
  }));
  if (op.node().op == OpKind::kReduceMean) {
    int64_t count = 1;
    for (int64_t axis : axes) count *= in[axis];
    ExprId divisor = op.b.Const(static_cast<double>(count), op.elem());
    op.Emit(op.b.Nest(out, [&](std::span<const ExprId> c) {
      ExprId at = op.b.FlatIndex(c, out);
      return std::vector<StmtId>{
          op.b.Store(op.out, at, op.b.Binary(BinaryOp::kDiv, op.b.Load(op.out, at), divisor))};
    }));
  }
  return absl::OkStatus();
}

// argmax: the first maximum; a NaN counts as the largest value, so the first
// NaN wins (as in numpy and the interpreter).
absl::Status ArgMax(OpLowering& op) {
  const Shape& in = op.in_type(0).shape;
  const int64_t axis = *NormalizeAxis(AttrInt(op.node().attrs, "axis"), op.in_type(0).rank());
  const bool keepdims = AttrBool(op.node().attrs, "keepdims");
  const Type t = loops::TypeOf(op.in_type(0).dtype);
  Shape kept = ReducedShape(in, {axis}, /*keepdims=*/false);
  BufferId best = op.Temp(t, kept, "best");
  // Visit the reduced axis innermost so each result's candidates come in order.
  Shape order;
  for (int64_t i = 0; i < static_cast<int64_t>(in.size()); ++i) {
    if (i != axis) order.push_back(in[i]);
  }
  order.push_back(in[axis]);
  op.Emit(op.b.Nest(order, [&](std::span<const ExprId> v) {
    std::vector<ExprId> c(in.size());
    for (int64_t i = 0, j = 0; i < static_cast<int64_t>(in.size()); ++i) {
      c[i] = i == axis ? v.back() : v[j++];
    }
    ExprId result_at = op.b.FlatIndex(v.first(v.size() - 1), kept);
    ExprId x = op.b.Load(op.in[0], op.b.FlatIndex(c, in));
    ExprId current = op.b.Load(best, result_at);
    ExprId first = op.b.Compare(CompareOp::kEq, v.back(), op.b.Index(0));
    ExprId current_not_nan = op.b.Compare(CompareOp::kEq, current, current);
    ExprId better = op.b.Binary(BinaryOp::kOr, op.b.Compare(CompareOp::kGt, x, current),
                                op.b.Compare(CompareOp::kNe, x, x));
    ExprId take = op.b.Binary(BinaryOp::kOr, first, op.b.Binary(BinaryOp::kAnd, current_not_nan, better));
    // keepdims only inserts a size-1 axis: the flat positions are the same.
    (void)keepdims;
    return std::vector<StmtId>{op.b.If(
        take, {op.b.Store(best, result_at, x),
               op.b.Store(op.out, result_at, op.b.Cast(Type::kI32, v.back()))})};
  }));
  return absl::OkStatus();
}

}  // namespace

absl::Status LowerReduction(OpLowering& op) {
  if (op.node().op == OpKind::kArgMax) return ArgMax(op);
  return Reduce(op);
}

}  // namespace dlc::to_loops
