// The gradient rule of every differentiable op, top to bottom. Each takes
// dy (the gradient of the loss with respect to the op's result y) and
// returns the op's contribution to each operand's gradient, as IR ops.
// Notation in comments: y = f(a, b), dy = dL/dy, da = dL/da.
#include "passes/vjp_rules.h"

#include "ir/enum_attrs.h"
#include "ir/shape_util.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {

// ---- VjpContext -----------------------------------------------------------

namespace {

// "<y>.vjp<k>" for the next k whose name is free: differentiating a graph
// that already holds y's gradient ops (second order) must not reuse them.
std::string NextVjpName(const GraphBuilder& builder, ValueId y, int& count) {
  std::string name;
  do {
    name = StrCat(builder.node(y).name, ".vjp", ++count);
  } while (builder.graph().Find(name).has_value());
  return name;
}

}  // namespace

absl::StatusOr<ValueId> VjpContext::Op(OpKind op, std::vector<ValueId> operands, Attributes attrs) {
  SourceLoc loc = builder_.node(y_).loc;  // a copy: Add may move the nodes
  return builder_.Add(op, std::move(operands), std::move(attrs), NextVjpName(builder_, y_, count_),
                      std::move(loc));
}

absl::StatusOr<ValueId> VjpContext::NamedOp(std::string_view role, OpKind op,
                                            std::vector<ValueId> operands, Attributes attrs) {
  std::string name = StrCat(builder_.node(y_).name, ".", role);
  if (builder_.HasValue(name)) name = NextVjpName(builder_, y_, count_);
  SourceLoc loc = builder_.node(y_).loc;  // a copy: Add may move the nodes
  return builder_.Add(op, std::move(operands), std::move(attrs), std::move(name), std::move(loc));
}

absl::StatusOr<ValueId> VjpContext::Scalar(double value, DType dtype) {
  return builder_.Scalar(dtype, value, NextVjpName(builder_, y_, count_));
}

absl::StatusOr<ValueId> VjpContext::SumToShape(ValueId g, const Shape& shape) {
  const Shape from = type(g).shape;
  if (from == shape) return g;
  const int64_t extra = static_cast<int64_t>(from.size()) - static_cast<int64_t>(shape.size());
  IntList axes;
  for (int64_t i = 0; i < static_cast<int64_t>(from.size()); ++i) {
    if (i < extra || (shape[i - extra] == 1 && from[i] != 1)) axes.push_back(i);
  }
  ValueId summed = g;
  if (!axes.empty()) {
    DLC_ASSIGN_OR_RETURN(summed, Op(OpKind::kReduceSum, {g}, {{"axes", axes}}));
  }
  if (type(summed).shape == shape) return summed;
  return Op(OpKind::kReshape, {summed}, {{"shape", IntList(shape)}});
}

namespace {

using Ctx = VjpContext;
constexpr std::optional<ValueId> kNone = std::nullopt;

// By value: every op a rule adds may move the graph's nodes, so a reference
// into them must not be held across Ctx::Op.
DType DTypeOf(Ctx& c, ValueId v) { return c.type(v).dtype; }
Shape ShapeOf(Ctx& c, ValueId v) { return c.type(v).shape; }

// select(mask, x, 0): x where the mask holds, else zero.
absl::StatusOr<ValueId> Where(Ctx& c, ValueId mask, ValueId x) {
  DLC_ASSIGN_OR_RETURN(ValueId zero, c.Scalar(0, DTypeOf(c, x)));
  return c.Op(OpKind::kSelect, {mask, x, zero});
}
absl::StatusOr<ValueId> WhereNot(Ctx& c, ValueId mask, ValueId x) {
  DLC_ASSIGN_OR_RETURN(ValueId zero, c.Scalar(0, DTypeOf(c, x)));
  return c.Op(OpKind::kSelect, {mask, zero, x});
}

absl::StatusOr<ValueId> Compare(Ctx& c, ValueId a, ValueId b, Predicate predicate) {
  return c.Op(OpKind::kCompare, {a, b}, {{"predicate", EnumAttr(predicate)}});
}

absl::StatusOr<ValueId> MulScalar(Ctx& c, ValueId x, double factor) {
  DLC_ASSIGN_OR_RETURN(ValueId k, c.Scalar(factor, DTypeOf(c, x)));
  return c.Op(OpKind::kMul, {x, k});
}

// A reduction's result (or its gradient) with the reduced axes kept as 1,
// so that it broadcasts against the reduction's input.
absl::StatusOr<ValueId> KeepDims(Ctx& c, ValueId v, const Shape& input, const IntList& axes) {
  Shape kept = ReducedShape(input, axes, /*keepdims=*/true);
  if (ShapeOf(c, v) == kept) return v;
  return c.Op(OpKind::kReshape, {v}, {{"shape", IntList(kept)}});
}

IntList Axes(Ctx& c) {
  const Node& n = c.node();
  return *NormalizeAxes(AttrInts(n.attrs, "axes"), c.type(n.operands[0]).rank());
}

// ---- elementwise ----------------------------------------------------------

// y = a + b: da = dy, db = dy (summed back over broadcast axes).
absl::StatusOr<Contributions> AddVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy, ShapeOf(c, c.operand(0))));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(dy, ShapeOf(c, c.operand(1))));
  return Contributions{da, db};
}

// y = a - b: da = dy, db = -dy.
absl::StatusOr<Contributions> SubVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy, ShapeOf(c, c.operand(0))));
  DLC_ASSIGN_OR_RETURN(ValueId neg, c.Op(OpKind::kNeg, {dy}));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(neg, ShapeOf(c, c.operand(1))));
  return Contributions{da, db};
}

// y = a * b: da = dy * b, db = dy * a.
absl::StatusOr<Contributions> MulVjp(Ctx& c, ValueId dy) {
  const ValueId a = c.operand(0), b = c.operand(1);
  DLC_ASSIGN_OR_RETURN(ValueId dy_b, c.Op(OpKind::kMul, {dy, b}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy_b, ShapeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId dy_a, c.Op(OpKind::kMul, {dy, a}));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(dy_a, ShapeOf(c, b)));
  return Contributions{da, db};
}

// y = a / b: da = dy / b, db = -dy * a / b^2 = -dy * y / b.
absl::StatusOr<Contributions> DivVjp(Ctx& c, ValueId dy) {
  const ValueId a = c.operand(0), b = c.operand(1);
  DLC_ASSIGN_OR_RETURN(ValueId dy_over_b, c.Op(OpKind::kDiv, {dy, b}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy_over_b, ShapeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId t, c.Op(OpKind::kMul, {dy_over_b, c.y()}));
  DLC_ASSIGN_OR_RETURN(ValueId neg, c.Op(OpKind::kNeg, {t}));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(neg, ShapeOf(c, b)));
  return Contributions{da, db};
}

// y = max(a, b): dy goes to a where a >= b (ties: to a only), else to b.
// y = min(a, b): likewise with a <= b.
absl::StatusOr<Contributions> MaxMinVjp(Ctx& c, ValueId dy, Predicate predicate) {
  const ValueId a = c.operand(0), b = c.operand(1);
  DLC_ASSIGN_OR_RETURN(ValueId a_wins, Compare(c, a, b, predicate));
  DLC_ASSIGN_OR_RETURN(ValueId to_a, Where(c, a_wins, dy));
  DLC_ASSIGN_OR_RETURN(ValueId to_b, WhereNot(c, a_wins, dy));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(to_a, ShapeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(to_b, ShapeOf(c, b)));
  return Contributions{da, db};
}
absl::StatusOr<Contributions> MaxVjp(Ctx& c, ValueId dy) {
  return MaxMinVjp(c, dy, Predicate::kGe);
}
absl::StatusOr<Contributions> MinVjp(Ctx& c, ValueId dy) {
  return MaxMinVjp(c, dy, Predicate::kLe);
}

// y = a^b: da = dy * b * a^(b-1); db = dy * y * log(a), taken as 0 where a <= 0.
absl::StatusOr<Contributions> PowVjp(Ctx& c, ValueId dy) {
  const ValueId a = c.operand(0), b = c.operand(1);
  DLC_ASSIGN_OR_RETURN(ValueId one, c.Scalar(1, DTypeOf(c, b)));
  DLC_ASSIGN_OR_RETURN(ValueId b_minus_1, c.Op(OpKind::kSub, {b, one}));
  DLC_ASSIGN_OR_RETURN(ValueId a_pow, c.Op(OpKind::kPow, {a, b_minus_1}));
  DLC_ASSIGN_OR_RETURN(ValueId slope, c.Op(OpKind::kMul, {b, a_pow}));
  DLC_ASSIGN_OR_RETURN(ValueId dy_slope, c.Op(OpKind::kMul, {dy, slope}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy_slope, ShapeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId zero, c.Scalar(0, DTypeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId positive, Compare(c, a, zero, Predicate::kGt));
  DLC_ASSIGN_OR_RETURN(ValueId log_a, c.Op(OpKind::kLog, {a}));
  DLC_ASSIGN_OR_RETURN(ValueId safe_log, Where(c, positive, log_a));
  DLC_ASSIGN_OR_RETURN(ValueId y_log, c.Op(OpKind::kMul, {c.y(), safe_log}));
  DLC_ASSIGN_OR_RETURN(ValueId dy_y_log, c.Op(OpKind::kMul, {dy, y_log}));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(dy_y_log, ShapeOf(c, b)));
  return Contributions{da, db};
}

// y = -a: da = -dy.
absl::StatusOr<Contributions> NegVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kNeg, {dy}));
  return Contributions{da};
}

// y = exp(a): da = dy * y.
absl::StatusOr<Contributions> ExpVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kMul, {dy, c.y()}));
  return Contributions{da};
}

// y = log(a): da = dy / a.
absl::StatusOr<Contributions> LogVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kDiv, {dy, c.operand(0)}));
  return Contributions{da};
}

// y = sqrt(a): da = dy / (2 y).
absl::StatusOr<Contributions> SqrtVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId half, MulScalar(c, dy, 0.5));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kDiv, {half, c.y()}));
  return Contributions{da};
}

// y = a^(-1/2): da = -dy / 2 * a^(-3/2) = -dy * y / (2 a).
absl::StatusOr<Contributions> RsqrtVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId dy_y, c.Op(OpKind::kMul, {dy, c.y()}));
  DLC_ASSIGN_OR_RETURN(ValueId scaled, MulScalar(c, dy_y, -0.5));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kDiv, {scaled, c.operand(0)}));
  return Contributions{da};
}

// y = max(a, 0): da = dy where a > 0 (the kink at 0 gets 0, as in TensorFlow).
absl::StatusOr<Contributions> ReluVjp(Ctx& c, ValueId dy) {
  // y > 0 exactly where a > 0 (NaN in neither). Testing y, which the next
  // layer keeps anyway, leaves a with one use: the compiler can fuse it away.
  DLC_ASSIGN_OR_RETURN(ValueId zero, c.Scalar(0, DTypeOf(c, c.y())));
  DLC_ASSIGN_OR_RETURN(ValueId positive, Compare(c, c.y(), zero, Predicate::kGt));
  DLC_ASSIGN_OR_RETURN(ValueId da, Where(c, positive, dy));
  return Contributions{da};
}

// y = leaky_relu(a): da = dy where a > 0, else alpha dy (the kink at 0
// gets alpha, as in TensorFlow).
absl::StatusOr<Contributions> LeakyReluVjp(Ctx& c, ValueId dy) {
  const double alpha = AttrFloat(c.node().attrs, "alpha");
  // With alpha >= 0, y > 0 exactly where a > 0: testing y leaves a to be
  // fused away, as for relu. A negative alpha makes y > 0 for a < 0.
  const ValueId tested = alpha >= 0 ? c.y() : c.operand(0);
  DLC_ASSIGN_OR_RETURN(ValueId zero, c.Scalar(0, DTypeOf(c, tested)));
  DLC_ASSIGN_OR_RETURN(ValueId positive, Compare(c, tested, zero, Predicate::kGt));
  DLC_ASSIGN_OR_RETURN(ValueId scaled, MulScalar(c, dy, alpha));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kSelect, {positive, dy, scaled}));
  return Contributions{da};
}

// y = sigmoid(a): da = dy * y * (1 - y).
absl::StatusOr<Contributions> SigmoidVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId one, c.Scalar(1, DTypeOf(c, c.y())));
  DLC_ASSIGN_OR_RETURN(ValueId one_minus_y, c.Op(OpKind::kSub, {one, c.y()}));
  DLC_ASSIGN_OR_RETURN(ValueId slope, c.Op(OpKind::kMul, {c.y(), one_minus_y}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kMul, {dy, slope}));
  return Contributions{da};
}

// y = tanh(a): da = dy * (1 - y^2).
absl::StatusOr<Contributions> TanhVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId one, c.Scalar(1, DTypeOf(c, c.y())));
  DLC_ASSIGN_OR_RETURN(ValueId y2, c.Op(OpKind::kMul, {c.y(), c.y()}));
  DLC_ASSIGN_OR_RETURN(ValueId slope, c.Op(OpKind::kSub, {one, y2}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kMul, {dy, slope}));
  return Contributions{da};
}

// y = select(cond, a, b): dy goes to a where cond holds, else to b.
absl::StatusOr<Contributions> SelectVjp(Ctx& c, ValueId dy) {
  const ValueId cond = c.operand(0), a = c.operand(1), b = c.operand(2);
  DLC_ASSIGN_OR_RETURN(ValueId to_a, Where(c, cond, dy));
  DLC_ASSIGN_OR_RETURN(ValueId to_b, WhereNot(c, cond, dy));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(to_a, ShapeOf(c, a)));
  DLC_ASSIGN_OR_RETURN(ValueId db, c.SumToShape(to_b, ShapeOf(c, b)));
  return Contributions{kNone, da, db};
}

// y = cast(a): between float types the gradient is cast back; anything
// involving an integer type has no gradient.
absl::StatusOr<Contributions> CastVjp(Ctx& c, ValueId dy) {
  const DType from = DTypeOf(c, c.operand(0));
  if (!IsFloat(from)) return Contributions{kNone};
  if (from == DTypeOf(c, dy)) return Contributions{dy};
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kCast, {dy}, {{"to", from}}));
  return Contributions{da};
}

// ---- data movement --------------------------------------------------------

// reshape, flatten: the gradient takes the operand's shape back.
absl::StatusOr<Contributions> ReshapeVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(
      ValueId da, c.Op(OpKind::kReshape, {dy}, {{"shape", IntList(ShapeOf(c, c.operand(0)))}}));
  return Contributions{da};
}

// y = transpose(a, perm): da = transpose(dy, inverse of perm).
absl::StatusOr<Contributions> TransposeVjp(Ctx& c, ValueId dy) {
  const IntList perm = AttrInts(c.node().attrs, "perm");
  IntList inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kTranspose, {dy}, {{"perm", inverse}}));
  return Contributions{da};
}

// y = broadcast(a): da sums dy over the broadcast axes.
absl::StatusOr<Contributions> BroadcastVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(ValueId da, c.SumToShape(dy, ShapeOf(c, c.operand(0))));
  return Contributions{da};
}

// y = slice(a): da is dy placed back where it came from, zeros elsewhere:
// pad dy with zeros before, after and (for strides) between elements.
absl::StatusOr<Contributions> SliceVjp(Ctx& c, ValueId dy) {
  const Shape in = ShapeOf(c, c.operand(0));
  const Shape out = ShapeOf(c, dy);
  const IntList start = AttrInts(c.node().attrs, "start");
  IntList stride = AttrInts(c.node().attrs, "stride");
  if (stride.empty()) stride.assign(in.size(), 1);
  IntList low(in.size()), high(in.size()), interior(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const int64_t end = out[i] == 0 ? start[i] : start[i] + (out[i] - 1) * stride[i] + 1;
    low[i] = start[i];
    high[i] = in[i] - end;
    interior[i] = stride[i] - 1;
  }
  DLC_ASSIGN_OR_RETURN(
      ValueId da, c.Op(OpKind::kPad, {dy}, {{"low", low}, {"high", high}, {"interior", interior}}));
  return Contributions{da};
}

// y = concat(a1, ..., an): each ai's gradient is its slice of dy.
absl::StatusOr<Contributions> ConcatVjp(Ctx& c, ValueId dy) {
  const Shape out = ShapeOf(c, dy);
  DLC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(AttrInt(c.node().attrs, "axis"),
                                                   static_cast<int64_t>(out.size())));
  Contributions result;
  int64_t offset = 0;
  const std::vector<ValueId> operands = c.node().operands;  // a copy: Op adds nodes
  for (ValueId a : operands) {
    IntList start(out.size(), 0), limit(out.begin(), out.end());
    start[axis] = offset;
    limit[axis] = offset + ShapeOf(c, a)[axis];
    offset = limit[axis];
    DLC_ASSIGN_OR_RETURN(ValueId da,
                         c.Op(OpKind::kSlice, {dy}, {{"start", start}, {"limit", limit}}));
    result.push_back(da);
  }
  return result;
}

// y = pad(a): da is the part of dy that came from a (skipping interior padding).
absl::StatusOr<Contributions> PadVjp(Ctx& c, ValueId dy) {
  const Shape in = ShapeOf(c, c.operand(0));
  const IntList low = AttrInts(c.node().attrs, "low");
  IntList interior = AttrInts(c.node().attrs, "interior");
  if (interior.empty()) interior.assign(in.size(), 0);
  IntList start(in.size()), limit(in.size()), stride(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    start[i] = low[i];
    stride[i] = interior[i] + 1;
    limit[i] = in[i] == 0 ? low[i] : low[i] + (in[i] - 1) * stride[i] + 1;
  }
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kSlice, {dy},
                                        {{"start", start}, {"limit", limit}, {"stride", stride}}));
  return Contributions{da};
}

// ---- reductions -----------------------------------------------------------

// y = sum(a, axes): every element of a gets its sum's gradient.
absl::StatusOr<Contributions> ReduceSumVjp(Ctx& c, ValueId dy) {
  const Shape in = ShapeOf(c, c.operand(0));
  DLC_ASSIGN_OR_RETURN(ValueId kept, KeepDims(c, dy, in, Axes(c)));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kBroadcast, {kept}, {{"shape", IntList(in)}}));
  return Contributions{da};
}

// y = mean(a, axes): as sum, divided by the number of elements averaged.
absl::StatusOr<Contributions> ReduceMeanVjp(Ctx& c, ValueId dy) {
  const Shape in = ShapeOf(c, c.operand(0));
  int64_t count = 1;
  for (int64_t axis : Axes(c)) count *= in[axis];
  DLC_ASSIGN_OR_RETURN(ValueId kept, KeepDims(c, dy, in, Axes(c)));
  DLC_ASSIGN_OR_RETURN(ValueId scaled, MulScalar(c, kept, 1.0 / static_cast<double>(count)));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kBroadcast, {scaled}, {{"shape", IntList(in)}}));
  return Contributions{da};
}

// y = max(a, axes): the gradient goes to the maximal elements, split equally
// among ties (as TensorFlow does).
absl::StatusOr<Contributions> ReduceMaxVjp(Ctx& c, ValueId dy) {
  const ValueId a = c.operand(0);
  const Shape in = ShapeOf(c, a);
  const IntList axes = Axes(c);
  DLC_ASSIGN_OR_RETURN(ValueId y_kept, KeepDims(c, c.y(), in, axes));
  DLC_ASSIGN_OR_RETURN(ValueId is_max, Compare(c, a, y_kept, Predicate::kEq));
  DLC_ASSIGN_OR_RETURN(ValueId ones, c.Op(OpKind::kCast, {is_max}, {{"to", DTypeOf(c, a)}}));
  DLC_ASSIGN_OR_RETURN(ValueId ties,
                       c.Op(OpKind::kReduceSum, {ones}, {{"axes", axes}, {"keepdims", true}}));
  DLC_ASSIGN_OR_RETURN(ValueId dy_kept, KeepDims(c, dy, in, axes));
  DLC_ASSIGN_OR_RETURN(ValueId share, c.Op(OpKind::kDiv, {dy_kept, ties}));
  DLC_ASSIGN_OR_RETURN(ValueId spread, c.Op(OpKind::kMul, {ones, share}));
  return Contributions{spread};
}

// ---- linear algebra and neural-network ops --------------------------------

// y = op(a) · op(b), op = optional transpose of the last two axes:
//   plain:   da = dy·bᵀ   db = aᵀ·dy
//   aᵀ·b:    da = b·dyᵀ   db = a·dy
//   a·bᵀ:    da = dy·b    db = dyᵀ·a
//   aᵀ·bᵀ:   da = bᵀ·dyᵀ  db = dyᵀ·aᵀ
absl::StatusOr<Contributions> MatMulVjp(Ctx& c, ValueId dy) {
  const ValueId a = c.operand(0), b = c.operand(1);
  const bool ta = AttrBool(c.node().attrs, "transpose_a");
  const bool tb = AttrBool(c.node().attrs, "transpose_b");
  // Builds a product only for an operand that needs its gradient.
  auto matmul = [&](ValueId x, ValueId z, bool tx, bool tz) -> absl::StatusOr<ValueId> {
    return c.Op(OpKind::kMatMul, {x, z}, {{"transpose_a", tx}, {"transpose_b", tz}});
  };
  auto lazy = [&](int operand, ValueId x, ValueId z, bool tx, bool tz) -> absl::StatusOr<ValueId> {
    if (!c.needs(operand)) return ValueId{-1};
    return matmul(x, z, tx, tz);
  };
  absl::StatusOr<ValueId> da, db;
  if (!ta && !tb) {
    da = lazy(0, dy, b, false, true);
    db = lazy(1, a, dy, true, false);
  } else if (ta && !tb) {
    da = lazy(0, b, dy, false, true);
    db = lazy(1, a, dy, false, false);
  } else if (!ta && tb) {
    da = lazy(0, dy, b, false, false);
    db = lazy(1, dy, a, true, false);
  } else {
    da = lazy(0, b, dy, true, true);
    db = lazy(1, dy, a, true, true);
  }
  Contributions result(2);
  if (c.needs(0)) {
    DLC_RETURN_IF_ERROR(da.status());
    result[0] = *da;
  }
  if (c.needs(1)) {
    DLC_RETURN_IF_ERROR(db.status());
    result[1] = *db;
  }
  return result;
}

// y = conv2d(x, w): dx and dw by the two adjoint convolutions.
absl::StatusOr<Contributions> Conv2DVjp(Ctx& c, ValueId dy) {
  const ValueId x = c.operand(0), w = c.operand(1);
  DLC_ASSIGN_OR_RETURN(Attributes dx_attrs, c.ForwardAttrs(OpKind::kConv2DBackpropInput));
  DLC_ASSIGN_OR_RETURN(Attributes dw_attrs, c.ForwardAttrs(OpKind::kConv2DBackpropFilter));
  dx_attrs.emplace("input_shape", IntList(ShapeOf(c, x)));
  dw_attrs.emplace("filter_shape", IntList(ShapeOf(c, w)));
  Contributions result(2);
  if (c.needs(0)) {
    DLC_ASSIGN_OR_RETURN(result[0], c.Op(OpKind::kConv2DBackpropInput, {dy, w}, dx_attrs));
  }
  if (c.needs(1)) {
    DLC_ASSIGN_OR_RETURN(result[1], c.Op(OpKind::kConv2DBackpropFilter, {x, dy}, dw_attrs));
  }
  return result;
}

// y = maxpool2d(x): each window's gradient goes to its first maximum. The
// forward records where that is (an i32 per output, the size of y), so the
// backward needs neither x nor a search: the full-size x need not outlive
// the forward pass.
absl::StatusOr<Contributions> MaxPoolVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(Attributes argmax_attrs, c.ForwardAttrs(OpKind::kMaxPool2DArgmax));
  DLC_ASSIGN_OR_RETURN(ValueId argmax, c.NamedOp("argmax", OpKind::kMaxPool2DArgmax, {c.operand(0)},
                                                 std::move(argmax_attrs)));
  DLC_ASSIGN_OR_RETURN(Attributes attrs, c.ForwardAttrs(OpKind::kMaxPool2DScatter));
  attrs.emplace("input_shape", IntList(ShapeOf(c, c.operand(0))));
  DLC_ASSIGN_OR_RETURN(ValueId dx, c.Op(OpKind::kMaxPool2DScatter, {dy, argmax}, std::move(attrs)));
  return Contributions{dx};
}

// y = avgpool2d(x): each window's gradient is shared by its elements.
absl::StatusOr<Contributions> AvgPoolVjp(Ctx& c, ValueId dy) {
  DLC_ASSIGN_OR_RETURN(Attributes attrs, c.ForwardAttrs(OpKind::kAvgPool2DGrad));
  attrs.emplace("input_shape", IntList(ShapeOf(c, c.operand(0))));
  DLC_ASSIGN_OR_RETURN(ValueId dx, c.Op(OpKind::kAvgPool2DGrad, {dy}, std::move(attrs)));
  return Contributions{dx};
}

// y = softmax(a): da = y * (dy - sum(dy * y)) along the axis.
absl::StatusOr<Contributions> SoftmaxVjp(Ctx& c, ValueId dy) {
  const int64_t axis = AttrInt(c.node().attrs, "axis");
  DLC_ASSIGN_OR_RETURN(ValueId dy_y, c.Op(OpKind::kMul, {dy, c.y()}));
  DLC_ASSIGN_OR_RETURN(
      ValueId sum, c.Op(OpKind::kReduceSum, {dy_y}, {{"axes", IntList{axis}}, {"keepdims", true}}));
  DLC_ASSIGN_OR_RETURN(ValueId centered, c.Op(OpKind::kSub, {dy, sum}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kMul, {c.y(), centered}));
  return Contributions{da};
}

// y = log_softmax(a): da = dy - exp(y) * sum(dy) along the axis.
absl::StatusOr<Contributions> LogSoftmaxVjp(Ctx& c, ValueId dy) {
  const int64_t axis = AttrInt(c.node().attrs, "axis");
  DLC_ASSIGN_OR_RETURN(
      ValueId sum, c.Op(OpKind::kReduceSum, {dy}, {{"axes", IntList{axis}}, {"keepdims", true}}));
  DLC_ASSIGN_OR_RETURN(ValueId p, c.Op(OpKind::kExp, {c.y()}));
  DLC_ASSIGN_OR_RETURN(ValueId p_sum, c.Op(OpKind::kMul, {p, sum}));
  DLC_ASSIGN_OR_RETURN(ValueId da, c.Op(OpKind::kSub, {dy, p_sum}));
  return Contributions{da};
}

// y = mean over the batch of -log softmax(logits)[label]:
// dlogits = (softmax(logits) - one_hot(labels)) * dy / batch.
absl::StatusOr<Contributions> SoftmaxCrossEntropyVjp(Ctx& c, ValueId dy) {
  const ValueId logits = c.operand(0), labels = c.operand(1);
  const Shape shape = ShapeOf(c, logits);
  const DType dtype = DTypeOf(c, logits);
  DLC_ASSIGN_OR_RETURN(ValueId p, c.Op(OpKind::kSoftmax, {logits}, {{"axis", int64_t{-1}}}));
  DLC_ASSIGN_OR_RETURN(ValueId target,
                       c.Op(OpKind::kOneHot, {labels}, {{"depth", shape[1]}, {"dtype", dtype}}));
  DLC_ASSIGN_OR_RETURN(ValueId error, c.Op(OpKind::kSub, {p, target}));
  DLC_ASSIGN_OR_RETURN(ValueId scale, MulScalar(c, dy, 1.0 / static_cast<double>(shape[0])));
  DLC_ASSIGN_OR_RETURN(ValueId dlogits, c.Op(OpKind::kMul, {error, scale}));
  return Contributions{dlogits, kNone};
}

// Ops whose results are never differentiated (integer or boolean results,
// random numbers) need no rule; ops listed here have one.
struct RuleEntry {
  OpKind op;
  VjpRule rule;
};

constexpr RuleEntry kRules[] = {
    {OpKind::kAdd, AddVjp},
    {OpKind::kSub, SubVjp},
    {OpKind::kMul, MulVjp},
    {OpKind::kDiv, DivVjp},
    {OpKind::kMax, MaxVjp},
    {OpKind::kMin, MinVjp},
    {OpKind::kPow, PowVjp},
    {OpKind::kNeg, NegVjp},
    {OpKind::kExp, ExpVjp},
    {OpKind::kLog, LogVjp},
    {OpKind::kSqrt, SqrtVjp},
    {OpKind::kRsqrt, RsqrtVjp},
    {OpKind::kRelu, ReluVjp},
    {OpKind::kLeakyRelu, LeakyReluVjp},
    {OpKind::kSigmoid, SigmoidVjp},
    {OpKind::kTanh, TanhVjp},
    {OpKind::kSelect, SelectVjp},
    {OpKind::kCast, CastVjp},
    {OpKind::kReshape, ReshapeVjp},
    {OpKind::kFlatten, ReshapeVjp},
    {OpKind::kTranspose, TransposeVjp},
    {OpKind::kBroadcast, BroadcastVjp},
    {OpKind::kSlice, SliceVjp},
    {OpKind::kConcat, ConcatVjp},
    {OpKind::kPad, PadVjp},
    {OpKind::kReduceSum, ReduceSumVjp},
    {OpKind::kReduceMean, ReduceMeanVjp},
    {OpKind::kReduceMax, ReduceMaxVjp},
    {OpKind::kMatMul, MatMulVjp},
    {OpKind::kConv2D, Conv2DVjp},
    {OpKind::kMaxPool2D, MaxPoolVjp},
    {OpKind::kAvgPool2D, AvgPoolVjp},
    {OpKind::kSoftmax, SoftmaxVjp},
    {OpKind::kLogSoftmax, LogSoftmaxVjp},
    {OpKind::kSoftmaxCrossEntropy, SoftmaxCrossEntropyVjp},
};

}  // namespace

VjpRule FindVjpRule(OpKind op) {
  for (const RuleEntry& entry : kRules) {
    if (entry.op == op) return entry.rule;
  }
  return nullptr;
}

}  // namespace dlc
