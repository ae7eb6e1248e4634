// matmul, conv2d and the convolution's two adjoints: the result is zeroed,
// then products are accumulated. The innermost loop runs over the output
// columns / channels, which are contiguous in memory: that is the loop the
// vectorization schedule picks.
#include "ir/window.h"
#include "passes/to_loops/conv_tiled.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;

// Result rows per chunk and reduction steps per block of a matrix product.
struct CacheBlocks {
  int64_t rows = 1, reduction = 1;
};

// For a transposed left operand (k rows of m floats): blocks of at most 16
// rows of it (few enough streams for the prefetchers) that together fit in
// half of L2, and result rows in 8 chunks or more. Nothing to block when a
// fits in L2 anyway.
CacheBlocks MatMulBlocks(int64_t m, int64_t k, int64_t l2_bytes) {
  if (m * k * 4 <= l2_bytes / 2) return CacheBlocks{m, k};  // no blocks
  auto largest_divisor = [](int64_t n, int64_t at_most) {
    int64_t best = 1;
    for (int64_t d = 1; d <= std::min(n, at_most); ++d) {
      if (n % d == 0) best = d;
    }
    return best;
  };
  const int64_t reduction =
      largest_divisor(k, std::max<int64_t>(1, std::min<int64_t>(16, l2_bytes / 2 / (m * 4))));
  const int64_t rows = largest_divisor(m, std::max<int64_t>(8, m / 8));
  return CacheBlocks{rows, reduction};
}

// out[..., i, j] += op(a)[..., i, k] * op(b)[..., k, j], loops batch,
// i-chunk, k-block, i, k, j (MatMulBlocks; one chunk and one block unless
// a is transposed and large).
absl::Status MatMul(OpLowering& op) {
  const Shape& as = op.in_type(0).shape;
  const Shape& bs = op.in_type(1).shape;
  const Shape& out = op.out_type().shape;
  const bool ta = AttrBool(op.node().attrs, "transpose_a");
  const bool tb = AttrBool(op.node().attrs, "transpose_b");
  const size_t r = out.size();
  const int64_t k_extent = as[r - (ta ? 2 : 1)];
  // A transposed b would be read across its rows in the innermost loop (a
  // gather per vector): copy it transposed once, then read it along rows.
  BufferId b_buffer = op.in[1];
  Shape b_shape = bs;
  if (tb) {
    std::swap(b_shape[r - 2], b_shape[r - 1]);
    b_buffer = op.Temp(op.elem(), b_shape, "b_transposed");
    op.Emit(op.b.Nest(b_shape, [&](std::span<const ExprId> c) {
      std::vector<ExprId> from(c.begin(), c.end());
      std::swap(from[r - 2], from[r - 1]);
      return std::vector<StmtId>{op.b.Store(b_buffer, op.b.FlatIndex(c, b_shape),
                                            op.b.Load(op.in[1], op.b.FlatIndex(from, bs)))};
    }));
  }
  op.Fill(op.out, out, op.Zero(op.elem()));
  // A transposed a is read down its columns: for each block of rows of the
  // result, the reduction walks every row of a, a stream per row that the
  // caches and prefetchers cannot follow once a is larger than L2. Then
  // the reduction runs in blocks of a few rows of a (each stays in cache
  // while every result row sums its part), inside chunks of result rows
  // (so threads still split the work). Each element still adds its terms
  // in order.
  const CacheBlocks blocks =
      ta ? MatMulBlocks(out[r - 2], k_extent, op.l2_bytes()) : CacheBlocks{out[r - 2], k_extent};
  const bool blocked = blocks.rows < out[r - 2] || blocks.reduction < k_extent;
  // The register tile: `pixels` result rows x vectors of result columns
  // (conv_tiles.h), the reduction innermost around it; register
  // accumulation turns the tile's loops into accumulators.
  if (!op.register_tiles()) {
    // The plain nest: batch..., [row chunk, k block,] i, k, j.
    Shape loops(out.begin(), out.end() - 2);
    if (blocked) {
      loops.push_back(out[r - 2] / blocks.rows);
      loops.push_back(k_extent / blocks.reduction);
    }
    loops.push_back(blocks.rows);
    loops.push_back(blocks.reduction);
    loops.push_back(out[r - 1]);
    op.Emit(op.b.Nest(loops, [&](std::span<const ExprId> v) {
      std::vector<ExprId> batch(v.begin(), v.begin() + (r - 2));
      const size_t at = blocked ? r : r - 2;
      ExprId i = blocked ? op.b.Add(op.b.Mul(v[r - 2], blocks.rows), v[at]) : v[at];
      ExprId k = blocked ? op.b.Add(op.b.Mul(v[r - 1], blocks.reduction), v[at + 1]) : v[at + 1];
      auto coords = [&](ExprId row, ExprId col) {
        std::vector<ExprId> c = batch;
        c.push_back(row);
        c.push_back(col);
        return c;
      };
      ExprId a = op.b.Load(op.in[0], op.b.FlatIndex(ta ? coords(k, i) : coords(i, k), as));
      ExprId b = op.b.Load(b_buffer, op.b.FlatIndex(coords(k, v[at + 2]), b_shape));
      return std::vector<StmtId>{
          Accumulate(op, op.out, op.b.FlatIndex(coords(i, v[at + 2]), out), a, b)};
    }));
    return absl::OkStatus();
  }
  const PixelTile tile = ChoosePixelTile(blocks.rows, out[r - 1], op.budget());
  const ChannelSplit& ch = tile.channels;
  const int64_t full = blocks.rows / tile.pixels, tail = blocks.rows % tile.pixels;
  const Shape batch_shape(out.begin(), out.end() - 2);
  auto nest = [&](std::span<const ExprId> batch) {
    auto coords = [&](ExprId row, ExprId col) {
      std::vector<ExprId> c(batch.begin(), batch.end());
      c.push_back(row);
      c.push_back(col);
      return c;
    };
    // Rows [i0, i0 + pixels) x the columns, summing k over [k0, k0 + reduction).
    auto run = [&](ExprId i0, int64_t pixels, ExprId k0) {
      return Loop(op, ch.blocks, [&](ExprId jb) {
        return std::vector<StmtId>{Loop(op, blocks.reduction, [&](ExprId kin) {
          return std::vector<StmtId>{Loop(op, pixels, [&](ExprId ii) {
            return std::vector<StmtId>{Loop(op, ch.vectors, [&](ExprId jv) {
              return std::vector<StmtId>{Loop(op, ch.lanes, [&](ExprId jl) {
                ExprId i = op.b.Add(i0, ii);
                ExprId k = op.b.Add(k0, kin);
                ExprId j = op.b.Add(
                    op.b.Add(op.b.Mul(jb, ch.vectors * ch.lanes), op.b.Mul(jv, ch.lanes)), jl);
                ExprId a =
                    op.b.Load(op.in[0], op.b.FlatIndex(ta ? coords(k, i) : coords(i, k), as));
                ExprId b = op.b.Load(b_buffer, op.b.FlatIndex(coords(k, j), b_shape));
                return std::vector<StmtId>{
                    Accumulate(op, op.out, op.b.FlatIndex(coords(i, j), out), a, b)};
              })};
            })};
          })};
        })};
      });
    };
    // The rows of one chunk, with k from k0.
    auto rows = [&](ExprId chunk_row0, ExprId k0) {
      std::vector<StmtId> stmts;
      if (full > 0) {
        stmts.push_back(Loop(op, full, [&](ExprId ib) {
          return std::vector<StmtId>{
              run(op.b.Add(chunk_row0, op.b.Mul(ib, tile.pixels)), tile.pixels, k0)};
        }));
      }
      if (tail > 0) stmts.push_back(run(op.b.AddConst(chunk_row0, full * tile.pixels), tail, k0));
      return stmts;
    };
    if (!blocked) return rows(op.b.Index(0), op.b.Index(0));
    return std::vector<StmtId>{Loop(op, out[r - 2] / blocks.rows, [&](ExprId chunk) {
      return std::vector<StmtId>{Loop(op, k_extent / blocks.reduction, [&](ExprId kb) {
        return rows(op.b.Mul(chunk, blocks.rows), op.b.Mul(kb, blocks.reduction));
      })};
    })};
  };
  op.Emit(op.b.Nest(batch_shape, nest));
  return absl::OkStatus();
}

absl::StatusOr<ConvShapes> Geometry(OpLowering& op, const Shape& x, const Shape& w,
                                    const Shape& y) {
  auto win = WindowOf(op.node().attrs, x, w);
  if (!win.ok()) return win.status();
  return ConvShapes{x, w, y, *win};
}

// Every (n, oh, ow, kh, kw) with the input position it reads, guarded to
// the image; `inner` gets (n, oh, ow, kh, kw, ih, iw) and returns the
// statements for the channel loops.
using ConvInner = std::function<std::vector<StmtId>(std::span<const ExprId>, ExprId ih, ExprId iw)>;

std::vector<StmtId> ConvNest(OpLowering& op, const ConvShapes& g, const ConvInner& inner) {
  const Window2D& w = g.win;
  return op.b.Nest({g.y[0], g.y[1], g.y[2], g.w[0], g.w[1]}, [&](std::span<const ExprId> v) {
    ExprId ih = op.b.AddConst(op.b.Add(op.b.Mul(v[1], w.stride_h), op.b.Mul(v[3], w.dilation_h)),
                              -w.pad_top);
    ExprId iw = op.b.AddConst(op.b.Add(op.b.Mul(v[2], w.stride_w), op.b.Mul(v[4], w.dilation_w)),
                              -w.pad_left);
    std::vector<StmtId> body = inner(v, ih, iw);
    // Padding reads as zero: skip positions outside the image (the guard is
    // dropped when the geometry makes it always true).
    const bool may_leave = w.pad_top > 0 || w.pad_bottom > 0 || w.pad_left > 0 || w.pad_right > 0;
    if (!may_leave) return body;
    return std::vector<StmtId>{
        op.b.If(op.b.And(op.b.InRange(ih, g.x[1]), op.b.InRange(iw, g.x[2])), std::move(body))};
  });
}

// y[n,oh,ow,o] += x[n,ih,iw,c] * w[kh,kw,c,o]
absl::Status Conv2D(OpLowering& op) {
  auto g = Geometry(op, op.in_type(0).shape, op.in_type(1).shape, op.out_type().shape);
  if (!g.ok()) return g.status();
  if (op.register_tiles() && TiledConvApplies(g->win)) return TiledConv2D(op, *g);
  op.Fill(op.out, g->y, op.Zero(op.elem()));
  op.Emit(ConvNest(op, *g, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    return op.b.Nest({g->w[2], g->w[3]}, [&](std::span<const ExprId> co) {
      ExprId x =
          op.b.Load(op.in[0], op.b.FlatIndex(std::vector<ExprId>{v[0], ih, iw, co[0]}, g->x));
      ExprId w =
          op.b.Load(op.in[1], op.b.FlatIndex(std::vector<ExprId>{v[3], v[4], co[0], co[1]}, g->w));
      ExprId at = op.b.FlatIndex(std::vector<ExprId>{v[0], v[1], v[2], co[1]}, g->y);
      return std::vector<StmtId>{Accumulate(op, op.out, at, x, w)};
    });
  }));
  return absl::OkStatus();
}

// dx[n,ih,iw,c] += dy[n,oh,ow,o] * w[kh,kw,c,o], the output channels o
// summed inside the input channels c (the contiguous, vectorized loop) from
// a copy of w with c innermost, so that loads along c are contiguous.
absl::Status BackpropInput(OpLowering& op) {
  const Shape x = AttrInts(op.node().attrs, "input_shape");
  auto g = Geometry(op, x, op.in_type(1).shape, op.in_type(0).shape);
  if (!g.ok()) return g.status();
  if (op.register_tiles() && TiledConvApplies(g->win)) return TiledBackpropInput(op, *g);
  const Shape wt_shape = {g->w[0], g->w[1], g->w[3], g->w[2]};  // kh, kw, o, c
  const BufferId wt = op.Temp(op.elem(), wt_shape, "w_transposed");
  op.Emit(op.b.Nest(wt_shape, [&](std::span<const ExprId> c) {
    ExprId from = op.b.FlatIndex(std::vector<ExprId>{c[0], c[1], c[3], c[2]}, g->w);
    return std::vector<StmtId>{
        op.b.Store(wt, op.b.FlatIndex(c, wt_shape), op.b.Load(op.in[1], from))};
  }));
  op.Fill(op.out, x, op.Zero(op.elem()));
  op.Emit(ConvNest(op, *g, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    return op.b.Nest({g->w[3], g->w[2]}, [&](std::span<const ExprId> oc) {
      ExprId dy =
          op.b.Load(op.in[0], op.b.FlatIndex(std::vector<ExprId>{v[0], v[1], v[2], oc[0]}, g->y));
      ExprId w =
          op.b.Load(wt, op.b.FlatIndex(std::vector<ExprId>{v[3], v[4], oc[0], oc[1]}, wt_shape));
      ExprId at = op.b.FlatIndex(std::vector<ExprId>{v[0], ih, iw, oc[1]}, x);
      return std::vector<StmtId>{Accumulate(op, op.out, at, dy, w)};
    });
  }));
  return absl::OkStatus();
}

// dw[kh,kw,c,o] += x[n,ih,iw,c] * dy[n,oh,ow,o]
absl::Status BackpropFilter(OpLowering& op) {
  const Shape w = AttrInts(op.node().attrs, "filter_shape");
  auto g = Geometry(op, op.in_type(0).shape, w, op.in_type(1).shape);
  if (!g.ok()) return g.status();
  if (op.register_tiles() && TiledConvApplies(g->win)) return TiledBackpropFilter(op, *g);
  op.Fill(op.out, w, op.Zero(op.elem()));
  op.Emit(ConvNest(op, *g, [&](std::span<const ExprId> v, ExprId ih, ExprId iw) {
    return op.b.Nest({g->w[2], g->w[3]}, [&](std::span<const ExprId> co) {
      ExprId x =
          op.b.Load(op.in[0], op.b.FlatIndex(std::vector<ExprId>{v[0], ih, iw, co[0]}, g->x));
      ExprId dy =
          op.b.Load(op.in[1], op.b.FlatIndex(std::vector<ExprId>{v[0], v[1], v[2], co[1]}, g->y));
      ExprId at = op.b.FlatIndex(std::vector<ExprId>{v[3], v[4], co[0], co[1]}, w);
      return std::vector<StmtId>{Accumulate(op, op.out, at, x, dy)};
    });
  }));
  return absl::OkStatus();
}

}  // namespace

namespace {

// Whether a convolution node over input `x` with filter `w` (the node's
// window attributes) lowers to the register-tiled microkernels.
bool Tiled(const Node& node, const Shape& x, const Shape& w, const LowerOptions& options) {
  if (x.size() != 4 || w.size() != 4) return false;
  auto win = WindowOf(node.attrs, x, w);
  return options.register_tiles && win.ok() && TiledConvApplies(*win) && IsFloat(node.type.dtype);
}

}  // namespace

bool Conv2DTakesEpilogue(const Graph& graph, ValueId id, const LowerOptions& options) {
  const Node& node = graph.node(id);
  return Tiled(node, graph.type(node.operands[0]).shape, graph.type(node.operands[1]).shape,
               options);
}

bool BackpropFilterIsTiled(const Graph& graph, ValueId id, const LowerOptions& options) {
  const Node& node = graph.node(id);
  return Tiled(node, graph.type(node.operands[0]).shape, AttrInts(node.attrs, "filter_shape"),
               options);
}

bool BackpropInputIsTiled(const Graph& graph, ValueId id, const LowerOptions& options) {
  const Node& node = graph.node(id);
  return Tiled(node, AttrInts(node.attrs, "input_shape"), graph.type(node.operands[1]).shape,
               options);
}

absl::Status LowerLinear(OpLowering& op) {
  switch (op.node().op) {
    case OpKind::kMatMul: return MatMul(op);
    case OpKind::kConv2D: return Conv2D(op);
    case OpKind::kConv2DBackpropInput: return BackpropInput(op);
    case OpKind::kConv2DBackpropFilter: return BackpropFilter(op);
    default: return absl::InternalError(StrCat(op.Describe(), " is not a linear op"));
  }
}

}  // namespace dlc::to_loops
