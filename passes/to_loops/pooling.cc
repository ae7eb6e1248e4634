// Pooling and its gradients. Padded positions take no part: maxpool skips
// them, avgpool divides by the number of real elements in each window.
#include "ir/window.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;
using loops::CompareOp;

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
  return op.b.Nest(
      {x[0], w.out_h, w.out_w, w.kernel_h, w.kernel_w}, [&](std::span<const ExprId> v) {
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

// Per window and channel of x, the running maximum (`best`) and its place
// in the window (`where`, kh * KW + kw; -1 while none), found with selects,
// not branches, so it runs in SIMD lanes and keeps them in registers. The
// first maximum wins, or the first NaN: the interpreter's left fold.
// `maybe_none`: `where` may still be -1 (padding); otherwise the scan
// started at place 0 and takes every element of the window (StartWindow).
std::vector<StmtId> TakeIfBetter(OpLowering& op, BufferId best, BufferId where, ExprId at,
                                 ExprId value, ExprId place, bool maybe_none = true) {
  ExprId current = op.b.Load(best, at);
  ExprId found = op.b.Load(where, at);
  // value > current, or value is NaN, while current is no NaN:
  // !(value <= current) & (current == current).
  ExprId take =
      op.b.Binary(BinaryOp::kAnd,
                  op.b.Unary(loops::UnaryOp::kNot, op.b.Compare(CompareOp::kLe, value, current)),
                  op.b.Compare(CompareOp::kEq, current, current));
  if (maybe_none) {
    take = op.b.Binary(BinaryOp::kOr,
                       op.b.Compare(CompareOp::kLt, found, op.b.Const(0, Type::kI32)), take);
  }
  // `where` first: `take` reads `best`. Re-evaluated for the second
  // store, `take` is unchanged but for a first element of -inf, where
  // keeping best (-inf) is the same as taking it.
  return {op.b.Store(where, at, op.b.Select(take, place, found)),
          op.b.Store(best, at, op.b.Select(take, value, current))};
}

// Starts the scan of a window with no padding, which then takes every
// element: from -inf at place 0, as if from its first element (the first
// element is taken unless it is -inf, where keeping place 0 is the same).
// Constants, so that register accumulation starts its running values from
// them instead of reloading what was just stored.
std::vector<StmtId> StartWindow(OpLowering& op, BufferId best, BufferId where, ExprId at) {
  const Type type = op.b.program().buffer(best).type;
  return {op.b.Store(best, at, op.b.Const(-INFINITY, type)),
          op.b.Store(where, at, op.b.Const(0, Type::kI32))};
}

// best and where (both of the pool's output shape) for every window:
// filled, then one pass over the windows. Any windows: overlapping, padded.
void WindowMaxima(OpLowering& op, const Shape& x, const Window2D& w, BufferId best,
                  BufferId where) {
  const Shape y = {x[0], w.out_h, w.out_w, x[3]};
  op.Fill(best, y, op.b.Const(-INFINITY, loops::TypeOf(op.in_type(0).dtype)));
  op.Fill(where, y, op.b.Const(-1, Type::kI32));
  op.Emit(WindowNest(op, x, w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId place = op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(v[3], w.kernel_w), v[4]));
    ExprId value = op.b.Load(op.in[0], XAt(op, x, v[0], ih, iw, v[5]));
    return TakeIfBetter(op, best, where, XAt(op, y, v[0], v[1], v[2], v[5]), value, place);
  }));
}

// Disjoint windows, window by window: `done(n, oh, ow, best, where, slot)`
// emits what follows each window's scan, with its maximum and place per
// channel in `best` and `where` at slot(c) (a per-image scratch that
// register accumulation keeps in registers).
std::vector<StmtId> ForEachWindowMaximum(
    OpLowering& op, BufferId x_buffer, const Shape& x, const Window2D& w,
    const std::function<std::vector<StmtId>(ExprId n, ExprId oh, ExprId ow, BufferId best,
                                            BufferId where,
                                            const std::function<ExprId(ExprId)>& slot)>& done) {
  const Type t = loops::TypeOf(op.graph.type(op.node().operands[0]).dtype);
  const Shape scratch = {x[0], x[3]};  // per image, so images run in parallel
  BufferId best = op.Temp(t, scratch, "best");
  BufferId where = op.Temp(Type::kI32, scratch, "argmax");
  return op.b.Nest({x[0], w.out_h, w.out_w}, [&](std::span<const ExprId> v) {
    const ExprId n = v[0], oh = v[1], ow = v[2];
    std::function<ExprId(ExprId)> slot = [&, n](ExprId c) {
      return op.b.FlatIndex(std::vector<ExprId>{n, c}, scratch);
    };
    // Disjoint windows have no padding: each starts at a real element.
    std::vector<StmtId> stmts = op.b.Nest({x[3]}, [&](std::span<const ExprId> c) {
      return StartWindow(op, best, where, slot(c[0]));
    });
    for (StmtId s : op.b.Nest({w.kernel_h, w.kernel_w, x[3]}, [&](std::span<const ExprId> k) {
           ExprId ih = op.b.Add(op.b.Mul(oh, w.stride_h), k[0]);
           ExprId iw = op.b.Add(op.b.Mul(ow, w.stride_w), k[1]);
           ExprId value = op.b.Load(x_buffer, XAt(op, x, n, ih, iw, k[2]));
           ExprId place = op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(k[0], w.kernel_w), k[1]));
           return TakeIfBetter(op, best, where, slot(k[2]), value, place, /*maybe_none=*/false);
         })) {
      stmts.push_back(s);
    }
    for (StmtId s : done(n, oh, ow, best, where, slot)) stmts.push_back(s);
    return stmts;
  });
}

// maxpool2d, with maxpool2d_argmax of the same x as a sibling (one scan
// finds both): op.out gets the maxima, op.sibling_out their places.
absl::Status MaxPool(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.out_type().shape;
  auto w = WindowOf(op.node().attrs, x);
  if (!w.ok()) return w.status();
  const bool argmax = op.sibling >= 0;
  if (argmax && DisjointWindows(*w)) {
    op.Emit(ForEachWindowMaximum(
        op, op.in[0], x, *w,
        [&](ExprId n, ExprId oh, ExprId ow, BufferId best, BufferId where, const auto& slot) {
          return op.b.Nest({x[3]}, [&](std::span<const ExprId> c) {
            ExprId at = XAt(op, y, n, oh, ow, c[0]);
            return std::vector<StmtId>{
                op.b.Store(op.out, at, op.b.Load(best, slot(c[0]))),
                op.b.Store(op.sibling_out, at, op.b.Load(where, slot(c[0])))};
          });
        }));
    return absl::OkStatus();
  }
  if (argmax) {
    WindowMaxima(op, x, *w, op.out, op.sibling_out);
    return absl::OkStatus();
  }
  op.Fill(op.out, y, op.b.Const(-INFINITY, op.elem()));
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId at = XAt(op, y, v[0], v[1], v[2], v[5]);
    ExprId value = op.b.Load(op.in[0], XAt(op, x, v[0], ih, iw, v[5]));
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(BinaryOp::kMax, op.b.Load(op.out, at), value))};
  }));
  return absl::OkStatus();
}

// maxpool2d_argmax on its own: the same scan, the maxima in a temp.
absl::Status MaxPoolArgmax(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.out_type().shape;
  auto w = WindowOf(op.node().attrs, x);
  if (!w.ok()) return w.status();
  const Type t = loops::TypeOf(op.in_type(0).dtype);
  if (DisjointWindows(*w)) {
    op.Emit(ForEachWindowMaximum(
        op, op.in[0], x, *w,
        [&](ExprId n, ExprId oh, ExprId ow, BufferId, BufferId where, const auto& slot) {
          return op.b.Nest({x[3]}, [&](std::span<const ExprId> c) {
            return std::vector<StmtId>{
                op.b.Store(op.out, XAt(op, y, n, oh, ow, c[0]), op.b.Load(where, slot(c[0])))};
          });
        }));
    return absl::OkStatus();
  }
  WindowMaxima(op, x, *w, op.Temp(t, y, "best"), op.out);
  return absl::OkStatus();
}

absl::Status AvgPool(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.out_type().shape;
  auto w = WindowOf(op.node().attrs, x);
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
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Select(nonempty, mean, op.Zero(op.elem())))};
  }));
  return absl::OkStatus();
}

// Disjoint windows, one image: each window's gradient (dy_at, at pooled
// coordinates) to the element `where` names, 0 to the window's others and
// to elements in no window (the last rows and columns): every element of
// the image once, through `store(ih, iw, c, value)`. The channels are the
// innermost loop (SIMD lanes), or with `channels_outermost` the pooled
// columns are (for a planar `store` and few channels).
using GradientAt =
    std::function<absl::StatusOr<ExprId>(std::span<const ExprId>, std::vector<StmtId>&)>;
std::vector<StmtId> RouteImage(OpLowering& op, const Shape& x, const Window2D& w, ExprId n,
                               const GradientAt& dy_at, BufferId where, bool check_places,
                               const ImageStore& store, absl::Status& status,
                               bool channels_outermost = false) {
  const Shape y = {x[0], w.out_h, w.out_w, x[3]};
  const Type t = loops::TypeOf(op.graph.type(op.id).dtype);
  // A place in the window (no padding: never -1).
  auto check = [&](ExprId ph, ExprId pw, ExprId c) {
    ExprId k = op.b.Cast(Type::kI64, op.b.Load(where, XAt(op, y, n, ph, pw, c)));
    return std::vector<StmtId>{
        op.b.Check(op.b.InRange(k, w.kernel_h * w.kernel_w),
                   StrCat(op.Describe(), ": an argmax is not a place in its window"))};
  };
  auto route = [&](ExprId ph, ExprId pw, ExprId kh, ExprId kw, ExprId c) {
    ExprId at = XAt(op, y, n, ph, pw, c);
    ExprId place = op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(kh, w.kernel_w), kw));
    ExprId mine = op.b.Compare(CompareOp::kEq, op.b.Load(where, at), place);
    ExprId ih = op.b.Add(op.b.Mul(ph, w.stride_h), kh);
    ExprId iw = op.b.Add(op.b.Mul(pw, w.stride_w), kw);
    std::vector<StmtId> stmts;
    absl::StatusOr<ExprId> gradient = dy_at(std::vector<ExprId>{n, ph, pw, c}, stmts);
    if (!gradient.ok()) {
      status = gradient.status();
      return stmts;
    }
    for (StmtId s : store(ih, iw, c, op.b.Select(mine, *gradient, op.b.Const(0, t))))
      stmts.push_back(s);
    return stmts;
  };
  // Per window row (and channel): the checks, then the routing.
  auto window_row = [&](std::span<const ExprId> outer) {
    std::vector<StmtId> stmts;
    auto append = [&](std::vector<StmtId> more) {
      stmts.insert(stmts.end(), more.begin(), more.end());
    };
    if (channels_outermost) {
      // One pass over the row's windows routes to every place of each, so
      // the window's gradient and place are loaded (gathered) once.
      const ExprId c = outer[0], ph = outer[1];
      if (check_places)
        append(
            op.b.Nest({w.out_w}, [&](std::span<const ExprId> pw) { return check(ph, pw[0], c); }));
      append(op.b.Nest({w.out_w}, [&](std::span<const ExprId> pw) {
        std::vector<StmtId> stores;
        for (int64_t kh = 0; kh < w.kernel_h; ++kh) {
          for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
            for (StmtId s : route(ph, pw[0], op.b.Index(kh), op.b.Index(kw), c))
              stores.push_back(s);
          }
        }
        return stores;
      }));
    } else {
      const ExprId ph = outer[0], pw = outer[1];
      if (check_places)
        append(op.b.Nest({x[3]}, [&](std::span<const ExprId> c) { return check(ph, pw, c[0]); }));
      append(op.b.Nest({w.kernel_h, w.kernel_w, x[3]},
                       [&](std::span<const ExprId> k) { return route(ph, pw, k[0], k[1], k[2]); }));
    }
    return stmts;
  };
  std::vector<StmtId> body =
      op.b.Nest(channels_outermost ? Shape{x[3], w.out_h} : Shape{w.out_h, w.out_w}, window_row);
  const int64_t covered_h = w.out_h * w.stride_h, covered_w = w.out_w * w.stride_w;
  auto zeros = [&](int64_t row0, int64_t rows, int64_t col0, int64_t cols) {
    if (rows <= 0 || cols <= 0) return;
    const Shape order = channels_outermost ? Shape{x[3], rows, cols} : Shape{rows, cols, x[3]};
    for (StmtId s : op.b.Nest(order, [&](std::span<const ExprId> e) {
           const ExprId c = channels_outermost ? e[0] : e[2];
           const ExprId row = channels_outermost ? e[1] : e[0],
                        col = channels_outermost ? e[2] : e[1];
           return store(op.b.AddConst(row, row0), op.b.AddConst(col, col0), c, op.b.Const(0, t));
         })) {
      body.push_back(s);
    }
  };
  zeros(0, covered_h, covered_w, x[2] - covered_w);
  zeros(covered_h, x[1] - covered_h, 0, x[2]);
  return body;
}

// Routes each window's gradient dy to the element `where` names (kh * KW +
// kw in the window; -1: none): windows that do not overlap write each
// input element at most once, so every element takes its window's
// gradient or 0 directly; overlapping windows add theirs up, one window
// at a time. `where` comes from a scan of x (maxpool2d_grad) or from the
// forward pass (maxpool2d_scatter), whose places are checked. dy_at gives
// the gradient at pooled coordinates (appending any checks it needs).
absl::Status RouteGradient(OpLowering& op, const Shape& x, const Window2D& w,
                           const GradientAt& dy_at, BufferId where, bool check_places) {
  const Shape y = {x[0], w.out_h, w.out_w, x[3]};
  absl::Status status;
  // dy at `coords`, its checks appended to `stmts`.
  auto dy = [&](std::vector<ExprId> coords, std::vector<StmtId>& stmts) {
    absl::StatusOr<ExprId> value = dy_at(coords, stmts);
    if (!value.ok()) {
      status = value.status();
      return op.Zero(op.elem());
    }
    return *value;
  };
  const Type t = op.elem();
  const int64_t places = w.kernel_h * w.kernel_w;
  auto place_of = [&](ExprId at) {
    ExprId k = op.b.Cast(Type::kI64, op.b.Load(where, at));
    std::vector<StmtId> checks;
    if (check_places) {
      // -1 (a window of padding only) or a place in the window.
      checks.push_back(
          op.b.Check(op.b.InRange(op.b.AddConst(k, 1), places + 1),
                     StrCat(op.Describe(), ": an argmax is not a place in its window")));
    }
    return std::make_pair(k, checks);
  };
  if (DisjointWindows(w)) {
    // Window by window, each element written once through StoreResult (so
    // an epilogue, the ReLU mask, applies as they are written).
    auto store = [&](ExprId n, ExprId ih, ExprId iw, ExprId c, ExprId value) {
      absl::StatusOr<std::vector<StmtId>> stmts =
          op.StoreResult(std::vector<ExprId>{n, ih, iw, c}, value);
      if (!stmts.ok()) status = stmts.status();
      return stmts.ok() ? *stmts : std::vector<StmtId>{};
    };
    op.Emit(op.b.Nest({x[0]}, [&](std::span<const ExprId> image) {
      const ExprId n = image[0];
      return RouteImage(
          op, x, w, n, dy_at, where, check_places,
          [&](ExprId ih, ExprId iw, ExprId c, ExprId value) { return store(n, ih, iw, c, value); },
          status);
    }));
    return status;
  }
  op.Fill(op.out, x, op.Zero(t));
  op.Emit(op.b.Nest(y, [&](std::span<const ExprId> c) {
    ExprId at = op.b.FlatIndex(c, y);
    auto [k, stmts] = place_of(at);
    ExprId ih = op.b.AddConst(op.b.Add(op.b.Mul(c[1], w.stride_h),
                                       op.b.Binary(BinaryOp::kDiv, k, op.b.Index(w.kernel_w))),
                              -w.pad_top);
    ExprId iw = op.b.AddConst(op.b.Add(op.b.Mul(c[2], w.stride_w),
                                       op.b.Binary(BinaryOp::kRem, k, op.b.Index(w.kernel_w))),
                              -w.pad_left);
    ExprId target = XAt(op, x, c[0], ih, iw, c[3]);
    ExprId sum =
        op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, target), dy({c.begin(), c.end()}, stmts));
    ExprId inside = op.b.Binary(BinaryOp::kAnd, op.b.InRange(ih, x[1]), op.b.InRange(iw, x[2]));
    if (check_places) {
      stmts.push_back(op.b.Check(
          op.b.Binary(BinaryOp::kOr, op.b.Compare(CompareOp::kLt, k, op.b.Index(0)), inside),
          StrCat(op.Describe(), ": an argmax names a padded place")));
    }
    ExprId found = op.b.Compare(CompareOp::kGe, k, op.b.Index(0));
    stmts.push_back(op.b.If(found, {op.b.If(inside, {op.b.Store(op.out, target, sum)})}));
    return stmts;
  }));
  return status;
}

// maxpool2d_grad(x, dy): each window's gradient goes to its first maximum
// (the first NaN, if any), found by the same scan as the forward maxpool.
// Disjoint windows find it and route the gradient window by window, while
// the window is in L1; others scan all windows first.
absl::Status MaxPoolGrad(OpLowering& op) {
  const Shape& x = op.in_type(0).shape;
  const Shape& y = op.in_type(1).shape;
  auto w = WindowOf(op.node().attrs, x);
  if (!w.ok()) return w.status();
  const Type t = op.elem();
  if (DisjointWindows(*w)) {
    absl::Status status;
    op.Emit(ForEachWindowMaximum(
        op, op.in[0], x, *w,
        [&](ExprId n, ExprId oh, ExprId ow, BufferId, BufferId where, const auto& slot) {
          return op.b.Nest({w->kernel_h, w->kernel_w, x[3]}, [&](std::span<const ExprId> k) {
            ExprId ih = op.b.Add(op.b.Mul(oh, w->stride_h), k[0]);
            ExprId iw = op.b.Add(op.b.Mul(ow, w->stride_w), k[1]);
            ExprId place = op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(k[0], w->kernel_w), k[1]));
            ExprId mine = op.b.Compare(CompareOp::kEq, op.b.Load(where, slot(k[2])), place);
            ExprId dy = op.b.Load(op.in[1], XAt(op, y, n, oh, ow, k[2]));
            absl::StatusOr<std::vector<StmtId>> store = op.StoreResult(
                std::vector<ExprId>{n, ih, iw, k[2]}, op.b.Select(mine, dy, op.Zero(t)));
            if (!store.ok()) status = store.status();
            return store.ok() ? *store : std::vector<StmtId>{};
          });
        }));
    // Elements in no window take a gradient of 0 (through the epilogue too).
    const int64_t covered_h = w->out_h * w->stride_h, covered_w = w->out_w * w->stride_w;
    auto zeros = [&](int64_t row0, int64_t rows, int64_t col0, int64_t cols) {
      if (rows <= 0 || cols <= 0) return;
      op.Emit(op.b.Nest({x[0], rows, cols, x[3]}, [&](std::span<const ExprId> e) {
        absl::StatusOr<std::vector<StmtId>> store = op.StoreResult(
            std::vector<ExprId>{e[0], op.b.AddConst(e[1], row0), op.b.AddConst(e[2], col0), e[3]},
            op.Zero(t));
        if (!store.ok()) status = store.status();
        return store.ok() ? *store : std::vector<StmtId>{};
      }));
    };
    zeros(0, covered_h, covered_w, x[2] - covered_w);
    zeros(covered_h, x[1] - covered_h, 0, x[2]);
    return status;
  }
  BufferId best = op.Temp(t, y, "best");
  BufferId where = op.Temp(Type::kI32, y, "argmax");
  WindowMaxima(op, x, *w, best, where);
  auto dy_at = [&](std::span<const ExprId> coords, std::vector<StmtId>&) -> absl::StatusOr<ExprId> {
    return op.b.Load(op.in[1], op.b.FlatIndex(coords, y));
  };
  return RouteGradient(op, x, *w, dy_at, where, /*check_places=*/false);
}

// Whether a scatter's argmax comes from a maxpool2d_argmax of the same
// window, which only yields places in the window: then they need no check.
bool ArgmaxIsTrusted(const OpLowering& op) {
  const Node& argmax = op.graph.node(op.node().operands[1]);
  if (argmax.op != OpKind::kMaxPool2DArgmax || !SamePoolWindow(argmax.attrs, op.node().attrs))
    return false;
  return op.graph.type(argmax.operands[0]).shape == op.out_type().shape;
}

// maxpool2d_scatter(dy, argmax): the routing half of maxpool2d_grad.
absl::Status MaxPoolScatter(OpLowering& op) {
  const Shape& x = op.out_type().shape;
  auto w = WindowOf(op.node().attrs, x);
  if (!w.ok()) return w.status();
  // The gradient may be an elementwise value computed here (the ReLU mask
  // that move-pool-masks put on it).
  auto dy_at = [&](std::span<const ExprId> coords, std::vector<StmtId>& checks) {
    return OperandValueAt(op, 0, coords, checks);
  };
  return RouteGradient(op, x, *w, dy_at, op.in[1], !ArgmaxIsTrusted(op));
}

// Each window's gradient, divided by its number of real elements, is added
// to each of them.
absl::Status AvgPoolGrad(OpLowering& op) {
  const Shape x = AttrInts(op.node().attrs, "input_shape");
  const Shape& y = op.in_type(0).shape;
  auto w = WindowOf(op.node().attrs, x);
  if (!w.ok()) return w.status();
  op.Fill(op.out, x, op.Zero(op.elem()));
  op.Emit(WindowNest(op, x, *w, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    ExprId count = op.b.Cast(op.elem(), WindowCount(op, x, *w, v[1], v[2]));
    ExprId share =
        op.b.Binary(BinaryOp::kDiv, op.b.Load(op.in[0], XAt(op, y, v[0], v[1], v[2], v[5])), count);
    ExprId at = XAt(op, x, v[0], ih, iw, v[5]);
    return std::vector<StmtId>{
        op.b.Store(op.out, at, op.b.Binary(BinaryOp::kAdd, op.b.Load(op.out, at), share))};
  }));
  return absl::OkStatus();
}

}  // namespace

PoolScratch MakePoolScratch(OpLowering& op, const Shape& band_shape, bool planar) {
  // Per image, so images run in parallel; a slot per channel, or planar
  // per pooled column.
  const int64_t slots = planar ? op.graph.type(op.pool).shape[2] : band_shape[3];
  const Shape scratch = {band_shape[0], slots};
  return {op.Temp(loops::TypeOf(op.graph.type(op.pool).dtype), scratch, "pool_best"),
          op.Temp(Type::kI32, scratch, "pool_argmax"), planar};
}

std::vector<StmtId> PoolBandRow(OpLowering& op, const PoolScratch& pool_scratch, BufferId band,
                                const Shape& band_shape, int64_t kernel_w, ExprId n, ExprId ph) {
  const Shape& y = op.graph.type(op.pool).shape;
  const int64_t kernel_h = band_shape[1], channels = band_shape[3];
  const bool planar = pool_scratch.planar;
  const Shape stored =
      planar ? Shape{band_shape[0], kernel_h, channels, band_shape[2]} : band_shape;
  auto band_at = [&](ExprId row, ExprId column, ExprId c) {
    const std::vector<ExprId> at =
        planar ? std::vector<ExprId>{n, row, c, column} : std::vector<ExprId>{n, row, column, c};
    return op.b.Load(band, op.b.FlatIndex(at, stored));
  };
  const BufferId best = pool_scratch.best, where = pool_scratch.where;
  // Channels last: the pooled columns outside, the channels in the slot
  // loop; planar: the channels outside, the pooled columns in the slot loop.
  // The slot loop is innermost (register accumulation keeps the running
  // maxima in registers, the schedule runs it in SIMD lanes).
  const int64_t outer = planar ? channels : y[2], inner = planar ? y[2] : channels;
  const Shape scratch = {band_shape[0], inner};
  return op.b.Nest({outer}, [&](std::span<const ExprId> o) {
    // `make(pw, c, slot)` at each slot.
    auto over_slots = [&](const std::function<std::vector<StmtId>(ExprId, ExprId, ExprId)>& make) {
      return op.b.Nest({inner}, [&](std::span<const ExprId> i) {
        ExprId pw = planar ? i[0] : o[0], c = planar ? o[0] : i[0];
        return make(pw, c, op.b.FlatIndex(std::vector<ExprId>{n, i[0]}, scratch));
      });
    };
    std::vector<StmtId> stmts =
        over_slots([&](ExprId, ExprId, ExprId slot) { return StartWindow(op, best, where, slot); });
    // The pooled value and place are stored with every step of the scan:
    // register accumulation keeps them in registers too, so they are
    // stored once, straight from the registers (a separate pass would
    // reload the running maxima just written, a store-forwarding stall
    // for masked vectors).
    for (StmtId s : op.b.Nest({kernel_h, kernel_w}, [&](std::span<const ExprId> k) {
           return over_slots([&](ExprId pw, ExprId c, ExprId slot) {
             ExprId value = band_at(k[0], op.b.Add(op.b.Mul(pw, kernel_w), k[1]), c);
             ExprId place = op.b.Cast(Type::kI32, op.b.Add(op.b.Mul(k[0], kernel_w), k[1]));
             std::vector<StmtId> out =
                 TakeIfBetter(op, best, where, slot, value, place, /*maybe_none=*/false);
             ExprId at = XAt(op, y, n, ph, pw, c);
             out.push_back(op.b.Store(op.pool_out, at, op.b.Load(best, slot)));
             if (op.pool_argmax_out >= 0)
               out.push_back(op.b.Store(op.pool_argmax_out, at, op.b.Load(where, slot)));
             return out;
           });
         })) {
      stmts.push_back(s);
    }
    return stmts;
  });
}

ValueId FusiblePool(const Graph& graph, const Fusion& fusion, ValueId conv,
                    const std::vector<ValueId>& outputs) {
  const ValueId value = fusion.epilogue[conv] >= 0 ? fusion.epilogue[conv] : conv;
  for (ValueId out : outputs) {
    if (out == value) return -1;  // the full-size value is wanted
  }
  ValueId pool = -1;
  std::vector<ValueId> argmaxes;
  for (ValueId u = 0; u < graph.size(); ++u) {
    const Node& node = graph.node(u);
    for (ValueId operand : node.operands) {
      if (operand != value) continue;
      if (node.op == OpKind::kMaxPool2D && pool < 0) {
        pool = u;
      } else if (node.op == OpKind::kMaxPool2DArgmax) {
        argmaxes.push_back(u);
      } else {
        return -1;  // another use needs the full-size value
      }
    }
  }
  if (pool < 0 || !IsFloat(graph.type(pool).dtype)) return -1;
  // Every argmax must be the pool's sibling (computed with it).
  for (ValueId a : argmaxes) {
    if (fusion.sibling[pool] != a) return -1;
  }
  absl::StatusOr<Window2D> w = WindowOf(graph.node(pool).attrs, graph.type(value).shape);
  return w.ok() && DisjointWindows(*w) ? pool : -1;
}

bool ScatterIsPerImage(const Graph& graph, ValueId scatter) {
  const Node& node = graph.node(scatter);
  absl::StatusOr<Window2D> w = WindowOf(node.attrs, node.type.shape);
  return node.op == OpKind::kMaxPool2DScatter && w.ok() && DisjointWindows(*w) &&
         IsFloat(node.type.dtype);
}

std::vector<StmtId> ScatterImage(OpLowering& consumer, ValueId scatter, ExprId n,
                                 const ImageStore& store, absl::Status& status, bool planar_store) {
  OpLowering op{consumer.b,      consumer.graph,        scatter,         -1, {}, {},
                consumer.fusion, consumer.value_buffer, consumer.options};
  for (ValueId operand : op.node().operands) op.in.push_back((*op.value_buffer)[operand]);
  const Shape& x = op.out_type().shape;
  absl::StatusOr<Window2D> w = WindowOf(op.node().attrs, x);
  if (!w.ok()) {
    status = w.status();
    return {};
  }
  auto dy_at = [&](std::span<const ExprId> coords, std::vector<StmtId>& checks) {
    return OperandValueAt(op, 0, coords, checks);
  };
  // Into a planar image, the pooled columns in the lanes when they are more
  // than the channels: loads of the pooled gradient gather, but the stores
  // (at the window's stride) need no scatter.
  const bool channels_outermost = planar_store && x[3] < w->out_w;
  return RouteImage(op, x, *w, n, dy_at, op.in[1], !ArgmaxIsTrusted(op), store, status,
                    channels_outermost);
}

bool MaxPoolGradTakesEpilogue(const Graph& graph, ValueId id) {
  // maxpool2d_grad and maxpool2d_scatter: their result has the input's shape.
  const Node& node = graph.node(id);
  const Shape& x = node.type.shape;
  absl::StatusOr<Window2D> w = WindowOf(node.attrs, x);
  return w.ok() && DisjointWindows(*w) && IsFloat(node.type.dtype);
}

absl::Status LowerPooling(OpLowering& op) {
  switch (op.node().op) {
    case OpKind::kMaxPool2D: return MaxPool(op);
    case OpKind::kAvgPool2D: return AvgPool(op);
    case OpKind::kMaxPool2DGrad: return MaxPoolGrad(op);
    case OpKind::kAvgPool2DGrad: return AvgPoolGrad(op);
    case OpKind::kMaxPool2DArgmax: return MaxPoolArgmax(op);
    case OpKind::kMaxPool2DScatter: return MaxPoolScatter(op);
    default: return absl::InternalError(StrCat(op.Describe(), " is not pooling"));
  }
}

}  // namespace dlc::to_loops
