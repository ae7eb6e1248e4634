// Pooling and its gradients. Padded positions take no part: maxpool skips
// them, avgpool divides by the number of real elements in each window.
#include "ir/str_cat.h"
#include "ir/window.h"
#include "passes/to_loops/op_lowering.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;
using loops::CompareOp;

absl::StatusOr<Window2D> PoolWindow(const Node& node, const Shape& x) {
  const Attributes& attrs = node.attrs;
  const IntList window = AttrInts(attrs, "window");
  auto padding = attrs.find("padding");
  return ResolveWindow2D(x[1], x[2], window[0], window[1], AttrInts(attrs, "strides"), {1, 1},
                         padding == attrs.end() ? Attribute(std::string("valid")) : padding->second);
}

bool Padded(const Window2D& w) {
  return w.pad_top > 0 || w.pad_bottom > 0 || w.pad_left > 0 || w.pad_right > 0;
}

// Windows side by side, unpadded: every element in at most one (those in
// none are the last rows and columns, when the size is no multiple).
bool DisjointWindows(const Window2D& w) {
  return !Padded(w) && w.stride_h == w.kernel_h && w.stride_w == w.kernel_w;
}

// Loops n, oh, ow, kh, kw, c over the windows of `x` (NHWC); `inner` gets
// those variables and the input position (ih, iw), guarded to the image.
std::vector<StmtId> WindowNest(
    OpLowering& op, const Shape& x, const Window2D& w,
    const std::function<std::vector<StmtId>(std::span<const ExprId>, ExprId, ExprId)>& inner) {
  return op.b.Nest({x[0], w.out_h, w.out_w, w.kernel_h, w.kernel_w}, [&](std::span<const ExprId> v) {
    ExprId ih = op.b.AddConst(op.b.Add(op.b.Mul(v[1], w.stride_h), v[3]), -w.pad_top);
    ExprId iw = op.b.AddConst(op.b.Add(op.b.Mul(v[2], w.stride_w), v[4]), -w.pad_left);
    std::vector<StmtId> body = op.b.Nest({x[3]}, [&](std::span<const ExprId> c) {
      std::vector<ExprId> all(v.begin(), v.end());
      all.push_back(c[0]);
      return inner(all, ih, iw);
    });
    if (!Padded(w)) return body;
    return std::vector<StmtId>{
        op.b.If(op.b.And(op.b.InRange(ih, x[1]), op.b.InRange(iw, x[2])), std::move(body))};
  });
}

// The number of real (unpadded) elements in window (oh, ow): the product
// of the valid rows and columns, as an i64 expression.
ExprId WindowCount(OpLowering& op, const Shape& x, const Window2D& w, ExprId oh, ExprId ow) {
  auto extent = [&](ExprId o, int64_t stride, int64_t pad, int64_t kernel, int64_t size) {
    ExprId begin = op.b.AddConst(op.b.Mul(o, stride), -pad);
    ExprId end = op.b.AddConst(begin, kernel);
    ExprId lo = op.b.Binary(BinaryOp::kMax, begin, op.b.Index(0));
    ExprId hi = op.b.Binary(BinaryOp::kMin, end, op.b.Index(size));
    return op.b.Binary(BinaryOp::kMax, op.b.Binary(BinaryOp::kSub, hi, lo), op.b.Index(0));
  };
  if (!Padded(w)) return op.b.Index(w.kernel_h * w.kernel_w);
  return op.b.Binary(BinaryOp::kMul, extent(oh, w.stride_h, w.pad_top, w.kernel_h, x[1]),
                     extent(ow, w.stride_w, w.pad_left, w.kernel_w, x[2]));
}

ExprId XAt(OpLowering& op, const Shape& x, ExprId n, ExprId h, ExprId w, ExprId c) {
  return op.b.FlatIndex(std::vector<ExprId>{n, h, w, c}, x);
}

absl::Status MaxPool(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.out_type().shape;
  auto w = PoolWindow(op.node(), x);
  if (!w.ok()) return w.status();
  op.Fill(op.out, y, op.b.Const(-INFINITY, op.elem()));
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId at = XAt(op, y, v[0], v[1], v[2], v[5]);
    ExprId value = op.b.Load(op.in[0], XAt(op, x, v[0], ih, iw, v[5]));
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(BinaryOp::kMax, op.b.Load(op.out, at), value))};
  }));
  return absl::OkStatus();
}

absl::Status AvgPool(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.out_type().shape;
  auto w = PoolWindow(op.node(), x);
  if (!w.ok()) return w.status();
  op.Fill(op.out, y, op.Zero(op.elem()));
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId at = XAt(op, y, v[0], v[1], v[2], v[5]);
    ExprId value = op.b.Load(op.in[0], XAt(op, x, v[0], ih, iw, v[5]));
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, at), value))};
  }));
  op.Emit(op.b.Nest(y, [&](std::span<const ExprId> c) {
    ExprId count = WindowCount(op, x, *w, c[1], c[2]);
    ExprId at = op.b.FlatIndex(c, y);
    ExprId mean = op.b.Binary(BinaryOp::kDiv, op.b.Load(op.out, at), op.b.Cast(op.elem(), count));
    // A window of padding only averages nothing: 0, as in the interpreter.
    ExprId nonempty = op.b.Compare(CompareOp::kGt, count, op.b.Index(0));
    return std::vector<StmtId>{op.b.Store(op.out, at, op.b.Select(nonempty, mean, op.Zero(op.elem())))};
  }));
  return absl::OkStatus();
}

// Each window's gradient goes to its first maximum (the first NaN, if any),
// found by the same scan order as the forward maxpool. A first pass finds,
// per window and channel, that element's place in the window (kh * KW + kw;
// -1 for a window of padding only) with selects, not branches, so it runs
// in SIMD lanes and keeps its running maximum in registers. The second
// pass routes the gradient: windows that do not overlap write each input
// element at most once, so every element takes its window's gradient or 0
// directly; overlapping windows add theirs up, one window at a time.
//
// Disjoint windows take both passes window by window instead
// (MaxPoolGradByWindow): the window's argmax in registers, then its
// elements written at once, while they are still in L1.
absl::Status MaxPoolGradByWindow(OpLowering& op, const Window2D& w);

absl::Status MaxPoolGrad(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.in_type(1).shape;
  auto w = PoolWindow(op.node(), x);
  if (!w.ok()) return w.status();
  if (DisjointWindows(*w)) return MaxPoolGradByWindow(op, *w);
  const Type t = op.elem();
  BufferId best = op.Temp(t, y, "best");
  BufferId where = op.Temp(Type::kI32, y, "argmax");
  op.Fill(best, y, op.b.Const(-INFINITY, t));
  op.Fill(where, y, op.b.Const(-1, Type::kI32));
  auto place = [&](std::span<const ExprId> v) {
    return op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(v[3], w->kernel_w), v[4]));
  };
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId at = XAt(op, y, v[0], v[1], v[2], v[5]);
    ExprId value = op.b.Load(op.in[0], XAt(op, x, v[0], ih, iw, v[5]));
    ExprId current = op.b.Load(best, at);
    ExprId found = op.b.Load(where, at);
    ExprId none_yet = op.b.Compare(CompareOp::kLt, found, op.b.Const(0, Type::kI32));
    ExprId current_not_nan = op.b.Compare(CompareOp::kEq, current, current);
    ExprId better = op.b.Binary(BinaryOp::kOr, op.b.Compare(CompareOp::kGt, value, current),
                                op.b.Compare(CompareOp::kNe, value, value));
    ExprId take = op.b.Binary(BinaryOp::kOr, none_yet, op.b.Binary(BinaryOp::kAnd, current_not_nan, better));
    // `where` first: `take` reads `best`. Re-evaluated for the second
    // store, `take` is unchanged but for a first element of -inf, where
    // keeping best (-inf) is the same as taking it.
    return std::vector<StmtId>{op.b.Store(where, at, op.b.Select(take, place(v), found)),
                               op.b.Store(best, at, op.b.Select(take, value, current))};
  }));

  const bool overlapping = w->stride_h < w->kernel_h || w->stride_w < w->kernel_w;
  if (!overlapping) {
    // Each element lies in at most one window; elements in none get 0.
    op.Fill(op.out, x, op.Zero(t));
    op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
      ExprId at = XAt(op, y, v[0], v[1], v[2], v[5]);
      ExprId mine = op.b.Compare(CompareOp::kEq, op.b.Load(where, at), place(v));
      ExprId grad = op.b.Select(mine, op.b.Load(op.in[1], at), op.Zero(t));
      return std::vector<StmtId>{op.b.Store(op.out, XAt(op, x, v[0], ih, iw, v[5]), grad)};
    }));
    return absl::OkStatus();
  }
  op.Fill(op.out, x, op.Zero(t));
  op.Emit(op.b.Nest(y, [&](std::span<const ExprId> c) {
    ExprId at = op.b.FlatIndex(c, y);
    ExprId k = op.b.Cast(Type::kI64, op.b.Load(where, at));
    ExprId ih = op.b.AddConst(op.b.Add(op.b.Mul(c[1], w->stride_h),
                                       op.b.Binary(BinaryOp::kDiv, k, op.b.Index(w->kernel_w))),
                              -w->pad_top);
    ExprId iw = op.b.AddConst(op.b.Add(op.b.Mul(c[2], w->stride_w),
                                       op.b.Binary(BinaryOp::kRem, k, op.b.Index(w->kernel_w))),
                              -w->pad_left);
    ExprId target = XAt(op, x, c[0], ih, iw, c[3]);
    ExprId sum = op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, target), op.b.Load(op.in[1], at));
    ExprId found = op.b.Compare(CompareOp::kGe, k, op.b.Index(0));
    return std::vector<StmtId>{op.b.If(
        found, {op.b.If(op.b.InRange(target, NumElements(x)), {op.b.Store(op.out, target, sum)})})};
  }));
  return absl::OkStatus();
}


// Disjoint windows: per image, window by window, the running
// maximum and its place for all channels (kept in registers: register
// accumulation makes the small per-image scratch a pair of locals), then
// the window's elements, each written once through StoreResult (so an
// epilogue, the ReLU mask, applies as they are written). Same scan order,
// same first maximum as the two-pass form.
absl::Status MaxPoolGradByWindow(OpLowering& op, const Window2D& w) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.in_type(1).shape;
  const Type t = op.elem();
  const Shape scratch = {x[0], x[3]};  // per image, so images run in parallel
  BufferId best = op.Temp(t, scratch, "best");
  BufferId where = op.Temp(Type::kI32, scratch, "argmax");
  absl::Status status;
  // One window (n, oh, ow): its argmax, then its elements.
  auto window = [&](ExprId n, ExprId oh, ExprId ow) {
    auto place = [&](ExprId kh, ExprId kw) {
      return op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(kh, w.kernel_w), kw));
    };
    auto slot = [&](ExprId c) { return op.b.FlatIndex(std::vector<ExprId>{n, c}, scratch); };
    std::vector<StmtId> stmts = op.b.Nest({x[3]}, [&](std::span<const ExprId> c) {
      return std::vector<StmtId>{op.b.Store(best, slot(c[0]), op.b.Const(-INFINITY, t)),
                                 op.b.Store(where, slot(c[0]), op.b.Const(-1, Type::kI32))};
    });
    for (StmtId s : op.b.Nest({w.kernel_h, w.kernel_w, x[3]}, [&](std::span<const ExprId> k) {
           ExprId ih = op.b.Add(op.b.Mul(oh, w.stride_h), k[0]);
           ExprId iw = op.b.Add(op.b.Mul(ow, w.stride_w), k[1]);
           ExprId value = op.b.Load(op.in[0], XAt(op, x, n, ih, iw, k[2]));
           ExprId current = op.b.Load(best, slot(k[2]));
           ExprId found = op.b.Load(where, slot(k[2]));
           ExprId none_yet = op.b.Compare(CompareOp::kLt, found, op.b.Const(0, Type::kI32));
           ExprId current_not_nan = op.b.Compare(CompareOp::kEq, current, current);
           ExprId better = op.b.Binary(BinaryOp::kOr, op.b.Compare(CompareOp::kGt, value, current),
                                       op.b.Compare(CompareOp::kNe, value, value));
           ExprId take = op.b.Binary(BinaryOp::kOr, none_yet,
                                     op.b.Binary(BinaryOp::kAnd, current_not_nan, better));
           return std::vector<StmtId>{
               op.b.Store(where, slot(k[2]), op.b.Select(take, place(k[0], k[1]), found)),
               op.b.Store(best, slot(k[2]), op.b.Select(take, value, current))};
         })) {
      stmts.push_back(s);
    }
    for (StmtId s : op.b.Nest({w.kernel_h, w.kernel_w, x[3]}, [&](std::span<const ExprId> k) {
           ExprId ih = op.b.Add(op.b.Mul(oh, w.stride_h), k[0]);
           ExprId iw = op.b.Add(op.b.Mul(ow, w.stride_w), k[1]);
           ExprId mine = op.b.Compare(CompareOp::kEq, op.b.Load(where, slot(k[2])), place(k[0], k[1]));
           ExprId dy = op.b.Load(op.in[1], XAt(op, y, n, oh, ow, k[2]));
           absl::StatusOr<std::vector<StmtId>> store = op.StoreResult(
               std::vector<ExprId>{n, ih, iw, k[2]}, op.b.Select(mine, dy, op.Zero(t)));
           if (!store.ok()) status = store.status();
           return store.ok() ? *store : std::vector<StmtId>{};
         })) {
      stmts.push_back(s);
    }
    return stmts;
  };
  // Elements in no window take a gradient of 0 (through the epilogue too).
  auto zeros = [&](ExprId n, int64_t row0, int64_t rows, int64_t col0, int64_t cols) {
    if (rows <= 0 || cols <= 0) return std::vector<StmtId>{};
    return op.b.Nest({rows, cols, x[3]}, [&](std::span<const ExprId> e) {
      absl::StatusOr<std::vector<StmtId>> store = op.StoreResult(
          std::vector<ExprId>{n, op.b.AddConst(e[0], row0), op.b.AddConst(e[1], col0), e[2]}, op.Zero(t));
      if (!store.ok()) status = store.status();
      return store.ok() ? *store : std::vector<StmtId>{};
    });
  };
  const int64_t covered_h = w.out_h * w.stride_h, covered_w = w.out_w * w.stride_w;
  op.Emit(op.b.Nest({x[0]}, [&](std::span<const ExprId> image) {
    std::vector<StmtId> body = op.b.Nest({w.out_h, w.out_w}, [&](std::span<const ExprId> win) {
      return window(image[0], win[0], win[1]);
    });
    for (StmtId z : zeros(image[0], 0, covered_h, covered_w, x[2] - covered_w)) body.push_back(z);
    for (StmtId z : zeros(image[0], covered_h, x[1] - covered_h, 0, x[2])) body.push_back(z);
    return body;
  }));
  return status;
}

// Each window's gradient, divided by its number of real elements, is added
// to each of them.
absl::Status AvgPoolGrad(OpLowering& op) {
  const Shape x = AttrInts(op.node().attrs, "input_shape");
  const Shape& y = op.in_type(0).shape;
  auto w = PoolWindow(op.node(), x);
  if (!w.ok()) return w.status();
  op.Fill(op.out, x, op.Zero(op.elem()));
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId count = op.b.Cast(op.elem(), WindowCount(op, x, *w, v[1], v[2]));
    ExprId share = op.b.Binary(BinaryOp::kDiv, op.b.Load(op.in[0], XAt(op, y, v[0], v[1], v[2], v[5])), count);
    ExprId at = XAt(op, x, v[0], ih, iw, v[5]);
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, at), share))};
  }));
  return absl::OkStatus();
}

}  // namespace

bool MaxPoolGradTakesEpilogue(const Graph& graph, ValueId id) {
  const Node& node = graph.node(id);
  const Shape& x = node.type.shape;
  absl::StatusOr<Window2D> w = PoolWindow(node, x);
  return w.ok() && DisjointWindows(*w) && IsFloat(node.type.dtype);
}

absl::Status LowerPooling(OpLowering& op) {
  switch (op.node().op) {
    case OpKind::kMaxPool2D: return MaxPool(op);
    case OpKind::kAvgPool2D: return AvgPool(op);
    case OpKind::kMaxPool2DGrad: return MaxPoolGrad(op);
    case OpKind::kAvgPool2DGrad: return AvgPoolGrad(op);
    default: return absl::InternalError(StrCat(op.Describe(), " is not pooling"));
  }
}

}  // namespace dlc::to_loops
