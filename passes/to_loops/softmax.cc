// softmax, log_softmax, softmax_cross_entropy and one_hot, computed as the
// interpreter does: per row, the maximum m and s = sum exp(x - m), then
//   log_softmax = x - m - log(s), softmax = exp(log_softmax),
//   cross-entropy = mean over rows of m + log(s) - x[label].
#include "ir/shape_util.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;
using loops::CompareOp;
using loops::UnaryOp;

// Per-row statistics along `axis` of a value of `shape` in `x`: fills
// `max` and `log_sum` (both of the reduced shape). Rows side by side in
// the innermost loop (AlongAxis), so that they run in SIMD lanes.
void RowStatistics(OpLowering& op, BufferId x, const Shape& shape, int64_t axis, BufferId max,
                   BufferId log_sum) {
  const Shape rows = ReducedShape(shape, {axis}, false);
  const Type t = op.elem();
  op.Fill(max, rows, op.b.Const(-INFINITY, t));
  op.Emit(AlongAxis(op, shape, axis, [&](const AxisElement& e) {
    ExprId v = op.b.Load(x, e.flat);
    return std::vector<StmtId>{
        op.b.Store(max, e.reduced, op.b.Binary(BinaryOp::kMax, op.b.Load(max, e.reduced), v))};
  }));
  op.Fill(log_sum, rows, op.Zero(t));
  op.Emit(AlongAxis(op, shape, axis, [&](const AxisElement& e) {
    ExprId v = op.b.Load(x, e.flat);
    ExprId p = op.b.Unary(UnaryOp::kExp, op.b.Binary(BinaryOp::kSub, v, op.b.Load(max, e.reduced)));
    return std::vector<StmtId>{op.b.Store(
        log_sum, e.reduced, op.b.Binary(BinaryOp::kAdd, op.b.Load(log_sum, e.reduced), p))};
  }));
  op.Emit(op.b.Nest(rows, [&](std::span<const ExprId> c) {
    ExprId at = op.b.FlatIndex(c, rows);
    return std::vector<StmtId>{
        op.b.Store(log_sum, at, op.b.Unary(UnaryOp::kLog, op.b.Load(log_sum, at)))};
  }));
}

absl::Status Softmax(OpLowering& op, bool take_log) {
  const Shape& shape = op.out_type().shape;
  const int64_t axis = *NormalizeAxis(AttrInt(op.node().attrs, "axis"), op.out_type().rank());
  const Shape rows = ReducedShape(shape, {axis}, false);
  BufferId max = op.Temp(op.elem(), rows, "max");
  BufferId log_sum = op.Temp(op.elem(), rows, "log_sum");
  RowStatistics(op, op.in[0], shape, axis, max, log_sum);
  op.Emit(op.b.Nest(shape, [&](std::span<const ExprId> c) {
    std::vector<ExprId> r;
    for (size_t i = 0; i < c.size(); ++i) {
      if (static_cast<int64_t>(i) != axis) r.push_back(c[i]);
    }
    ExprId row = op.b.FlatIndex(r, rows);
    ExprId at = op.b.FlatIndex(c, shape);
    ExprId log_p = op.b.Binary(
        BinaryOp::kSub, op.b.Binary(BinaryOp::kSub, op.b.Load(op.in[0], at), op.b.Load(max, row)),
        op.b.Load(log_sum, row));
    return std::vector<StmtId>{
        op.b.Store(op.out, at, take_log ? log_p : op.b.Unary(UnaryOp::kExp, log_p))};
  }));
  return absl::OkStatus();
}

absl::Status CrossEntropy(OpLowering& op) {
  const Shape& shape = op.in_type(0).shape;  // [batch, classes]
  const int64_t batch = shape[0], classes = shape[1];
  const Type t = op.elem();
  BufferId max = op.Temp(t, {batch}, "max");
  BufferId log_sum = op.Temp(t, {batch}, "log_sum");
  RowStatistics(op, op.in[0], shape, 1, max, log_sum);
  op.Fill(op.out, {}, op.Zero(t));
  op.Emit(op.b.Nest({batch}, [&](std::span<const ExprId> n) {
    ExprId label = op.b.Cast(Type::kI64, op.b.Load(op.in[1], n[0]));
    ExprId valid = op.b.InRange(label, classes);
    ExprId picked = op.b.Load(op.in[0], op.b.Add(op.b.Mul(n[0], classes), label));
    ExprId row_loss = op.b.Binary(
        BinaryOp::kSub, op.b.Binary(BinaryOp::kAdd, op.b.Load(max, n[0]), op.b.Load(log_sum, n[0])),
        picked);
    return std::vector<StmtId>{
        op.b.Check(valid, StrCat(op.Describe(), ": a label is outside [0, ", classes, ")")),
        op.b.If(valid, {op.b.Store(op.out, op.b.Index(0),
                                   op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, op.b.Index(0)),
                                               row_loss))})};
  }));
  op.Emit({op.b.Store(op.out, op.b.Index(0),
                      op.b.Binary(BinaryOp::kDiv, op.b.Load(op.out, op.b.Index(0)),
                                  op.b.Const(static_cast<double>(batch), t)))});
  return absl::OkStatus();
}

// one_hot: 1 where the class is the label; an out-of-range label gives a
// row of zeros.
absl::Status OneHot(OpLowering& op) {
  const Shape& shape = op.out_type().shape;
  const Shape& labels = op.in_type(0).shape;
  op.Emit(op.b.Nest(shape, [&](std::span<const ExprId> c) {
    ExprId label =
        op.b.Cast(Type::kI64, op.b.Load(op.in[0], op.b.FlatIndex(c.first(labels.size()), labels)));
    ExprId hit = op.b.Compare(CompareOp::kEq, label, c.back());
    return std::vector<StmtId>{
        op.b.Store(op.out, op.b.FlatIndex(c, shape),
                   op.b.Select(hit, op.b.Const(1, op.elem()), op.Zero(op.elem())))};
  }));
  return absl::OkStatus();
}

}  // namespace

absl::Status LowerSoftmaxFamily(OpLowering& op) {
  switch (op.node().op) {
    case OpKind::kSoftmax: return Softmax(op, false);
    case OpKind::kLogSoftmax: return Softmax(op, true);
    case OpKind::kSoftmaxCrossEntropy: return CrossEntropy(op);
    case OpKind::kOneHot: return OneHot(op);
    default: return absl::InternalError(StrCat(op.Describe(), " is not in the softmax family"));
  }
}

}  // namespace dlc::to_loops
