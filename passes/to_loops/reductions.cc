// Reductions: the result is initialised with the reduction's identity, then
// one nest over the input folds every element into its result element (in
// row-major order, as the interpreter folds).
#include <cmath>
#include <limits>

#include "ir/shape_util.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

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
// NaN wins (as in numpy and the interpreter). From the lowest value at
// place 0, each element is taken when it is more (or a NaN) while the best
// so far is no NaN; an element equal to the lowest, not taken, leaves the
// same best and place as taking it would. Selects, not branches, so that
// results side by side (AlongAxis) run in SIMD lanes.
absl::Status ArgMax(OpLowering& op) {
  const Shape& in = op.in_type(0).shape;
  const int64_t axis = *NormalizeAxis(AttrInt(op.node().attrs, "axis"), op.in_type(0).rank());
  const Type t = loops::TypeOf(op.in_type(0).dtype);
  // keepdims only inserts a size-1 axis: the flat positions are the same.
  const Shape kept = ReducedShape(in, {axis}, /*keepdims=*/false);
  BufferId best = op.Temp(t, kept, "best");
  op.Fill(best, kept, op.b.Const(Lowest(t), t));
  op.Fill(op.out, kept, op.b.Const(0, Type::kI32));
  op.Emit(AlongAxis(op, in, axis, [&](const AxisElement& e) {
    ExprId x = op.b.Load(op.in[0], e.flat);
    ExprId current = op.b.Load(best, e.reduced);
    ExprId take = op.b.Binary(
        BinaryOp::kAnd, op.b.Unary(loops::UnaryOp::kNot, op.b.Compare(CompareOp::kLe, x, current)),
        op.b.Compare(CompareOp::kEq, current, current));
    // The place first: `take` reads `best`.
    return std::vector<StmtId>{
        op.b.Store(op.out, e.reduced,
                   op.b.Select(take, op.b.Cast(Type::kI32, e.k), op.b.Load(op.out, e.reduced))),
        op.b.Store(best, e.reduced, op.b.Select(take, x, current))};
  }));
  return absl::OkStatus();
}

}  // namespace

absl::Status LowerReduction(OpLowering& op) {
  if (op.node().op == OpKind::kArgMax) return ArgMax(op);
  return Reduce(op);
}

}  // namespace dlc::to_loops
