// Stride-1 convolutions as register-tiled microkernels. Each of the three
// convolutions (forward, input gradient, filter gradient) is emitted with
// its loops in the order that register accumulation turns into a tile of
// accumulators (conv_tiles.h chooses the tile):
//
//   forward:  for n, oh, ob { for owb { for kh, kw, c {        reduction
//               for owj (pixels), oj (vectors) {               the tile: one accumulator each
//                 for ol (lanes) { y[..] += x[..] * w[..] } } } } }
//
//   filter gradient, batch split into fixed chunks (one per thread):
//             for chunk { for n in chunk, [kh, kw], cb, ob { for oh, ow {   reduction
//               for [kh, kw], cj (inputs), oj (vectors) {      the tile
//                 for ol { dw[chunk][..] += x[..] * dy[..] } } } } }
//             dw = sum of the chunks' partial gradients, in chunk order
//
//   input gradient: the forward microkernel over the output gradient,
//             padded with zeros by kh-1 / kw-1, with the filter's channels
//             swapped (w'[kh, kw, o, c] = w[kh, kw, c, o]) and each tap
//             reading the gradient at (ih + KH-1-kh, iw + KW-1-kw): a true
//             convolution, taps in the interpreter's order.
//
// Every accumulator adds its terms in the order the reference interpreter
// does (the filter gradient within a chunk), so results are bit-identical
// to it except where the batch is split: there the chunks' sums are added
// at the end (a stated tolerance in the parity tests). Padding becomes an
// explicit zero border (a padded copy), whose terms add exact zeros; rows
// that would read only the border skip those taps, and so do the pixels
// of a tile at a known column (with enough channels per tap to pay for it).
// The input gradient pads each image (or computes it, from a per-image
// scatter) right before its tiles.
//
// With an epilogue (op_lowering.h) the forward tile sums into a per-image
// scratch tile and stores the consumer's value; with a pool the rows come
// in bands of the pool's height, each band's values kept in a small buffer
// (in L1) and pooled as soon as it is complete; with a sibling the filter
// gradient also sums dy into the bias gradient, chunk by chunk.
#include "passes/to_loops/conv_tiled.h"

#include "passes/to_loops/valid_conv.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;

// The output channel of a split: block * vectors * lanes + vector * lanes + lane.
ExprId Channel(OpLowering& op, const ChannelSplit& s, ExprId block, ExprId vector, ExprId lane) {
  return op.b.Add(op.b.Add(op.b.Mul(block, s.vectors * s.lanes), op.b.Mul(vector, s.lanes)), lane);
}

// The border of image n of dst (NHWC, shape d) around an interior of
// shape s placed at row `top`, column `left`: zeros, each element once.
std::vector<StmtId> ZeroBorder(OpLowering& op, ExprId n, BufferId dst, const Shape& d,
                               const Shape& s, int64_t top, int64_t left) {
  const ExprId zero = op.Zero(op.elem());
  const int64_t bottom = d[1] - top - s[1], right = d[2] - left - s[2];
  std::vector<StmtId> out;
  // Rows [row0, row0 + rows) of columns [col0, col0 + cols) become zero.
  auto zeros = [&](int64_t row0, int64_t rows, int64_t col0, int64_t cols) {
    if (rows <= 0 || cols <= 0) return;
    out.push_back(Loop(op, rows, [&](ExprId i) {
      return std::vector<StmtId>{Loop(op, cols * d[3], [&](ExprId jc) {
        // Columns and channels are contiguous: one flat loop over both.
        ExprId base = op.b.FlatIndex(
            std::vector<ExprId>{n, op.b.AddConst(i, row0), op.b.Index(col0), op.b.Index(0)}, d);
        return std::vector<StmtId>{op.b.Store(dst, op.b.Add(base, jc), zero)};
      })};
    }));
  };
  zeros(0, top, 0, d[2]);
  zeros(top, s[1], 0, left);
  zeros(top, s[1], left + s[2], right);
  zeros(top + s[1], bottom, 0, d[2]);
  return out;
}

// Image n of dst = image n of src (shape s) placed at (top, left), zeros
// around it. Writes every element of the image exactly once.
std::vector<StmtId> CopyPaddedImage(OpLowering& op, ExprId n, BufferId src, const Shape& s,
                                    BufferId dst, const Shape& d, int64_t top, int64_t left) {
  std::vector<StmtId> out = ZeroBorder(op, n, dst, d, s, top, left);
  out.push_back(Loop(op, s[1], [&](ExprId i) {
    return std::vector<StmtId>{Loop(op, s[2] * s[3], [&](ExprId jc) {
      ExprId from =
          op.b.Add(op.b.FlatIndex(std::vector<ExprId>{n, i, op.b.Index(0), op.b.Index(0)}, s), jc);
      ExprId to = op.b.Add(
          op.b.FlatIndex(
              std::vector<ExprId>{n, op.b.AddConst(i, top), op.b.Index(left), op.b.Index(0)}, d),
          jc);
      return std::vector<StmtId>{op.b.Store(dst, to, op.b.Load(src, from))};
    })};
  }));
  return out;
}

// dst = src placed at (top, left) with zeros around it, every image.
void CopyPadded(OpLowering& op, BufferId src, const Shape& s, BufferId dst, const Shape& d,
                int64_t top, int64_t left) {
  op.Emit({Loop(op, s[0],
                [&](ExprId n) { return CopyPaddedImage(op, n, src, s, dst, d, top, left); })});
}

// Image `image` of dst (shape d: (images, H, W, C), or planar (images, C,
// H, W)) all zeros: the border an interior written image by image leaves.
std::vector<StmtId> ZeroImage(OpLowering& op, ExprId image, BufferId dst, const Shape& d) {
  return {Loop(op, d[1] * d[2] * d[3], [&](ExprId e) {
    ExprId at = op.b.Add(op.b.Mul(image, d[1] * d[2] * d[3]), e);
    return std::vector<StmtId>{op.b.Store(dst, at, op.Zero(op.elem()))};
  })};
}

// The interior of image `image` of dst (shape d, `planar` or channels
// last) = batch image n of shape s (NHWC) placed at (top, left): from op's
// operand 0, or computed by the per-image scatter `scatter` (>= 0).
std::vector<StmtId> PadInterior(OpLowering& op, ExprId n, ExprId image, ValueId scatter,
                                const Shape& s, BufferId dst, const Shape& d, bool planar,
                                int64_t top, int64_t left, absl::Status& status) {
  auto store = [&](ExprId ih, ExprId iw, ExprId c, ExprId value) {
    ExprId row = op.b.AddConst(ih, top), col = op.b.AddConst(iw, left);
    ExprId at = op.b.FlatIndex(
        planar ? std::vector<ExprId>{image, c, row, col} : std::vector<ExprId>{image, row, col, c},
        d);
    return std::vector<StmtId>{op.b.Store(dst, at, value)};
  };
  if (scatter >= 0) return ScatterImage(op, scatter, n, store, status, planar);
  if (!planar) {  // rows of contiguous columns and channels
    return {Loop(op, s[1], [&](ExprId i) {
      return std::vector<StmtId>{Loop(op, s[2] * s[3], [&](ExprId jc) {
        ExprId from = op.b.Add(
            op.b.FlatIndex(std::vector<ExprId>{n, i, op.b.Index(0), op.b.Index(0)}, s), jc);
        ExprId to = op.b.Add(op.b.FlatIndex(std::vector<ExprId>{image, op.b.AddConst(i, top),
                                                                op.b.Index(left), op.b.Index(0)},
                                            d),
                             jc);
        return std::vector<StmtId>{op.b.Store(dst, to, op.b.Load(op.in[0], from))};
      })};
    })};
  }
  return op.b.Nest({s[1], s[2], s[3]}, [&](std::span<const ExprId> i) {
    return store(i[0], i[1], i[2],
                 op.b.Load(op.in[0], op.b.FlatIndex(std::vector<ExprId>{n, i[0], i[1], i[2]}, s)));
  });
}

// op's result = conv (valid_conv.h): the forward microkernel, or for few
// output channels the pixel-lane one.
//
// Only rows conv.live_rows of x may hold nonzeros (a zero border): each
// output row sums only the taps that read them, so rows near the border
// run a shorter tap loop (the skipped terms would add exact zeros). Rows
// with the same taps share one loop.
//
// Each tile sums into a small per-image scratch tile that register
// accumulation keeps in registers (its zeroing becomes the accumulators'
// start), then stores op's result once through StoreResult, so an epilogue
// (op_lowering.h) runs on the finished sums and y is never zeroed first or
// reloaded. `conv.image_prologue` runs before an image's tiles.
absl::Status EmitValidConv(OpLowering& op, const ValidConv& conv) {
  if (auto lanes = PixelLanesFor(op, conv.ys, conv.ws[2], conv.backwards,
                                 conv.x_planar || conv.ws[2] == 1)) {
    return EmitPixelLaneConv(op, conv, *lanes);
  }
  const BufferId x = conv.x, w = conv.w;
  const Shape &ws = conv.ws, &ys = conv.ys;
  const bool backwards = conv.backwards;
  const std::pair<int64_t, int64_t> live_cols = conv.live_cols;
  // With a pool (Fusion::pool), rows come in bands of the pool window's
  // height and only the columns its windows cover are computed.
  const bool pooled = op.pool >= 0 && !backwards;
  const IntList pool_window =
      pooled ? AttrInts(op.graph.node(op.pool).attrs, "window") : IntList{1, 1};
  const int64_t band_rows = pool_window[0];
  const Shape& pooled_shape = pooled ? op.graph.type(op.pool).shape : ys;
  const int64_t width = pooled ? pooled_shape[2] * pool_window[1] : ys[2];
  const PixelTile tile = ChoosePixelTile(width, ys[3], op.budget());
  const ChannelSplit& ch = tile.channels;
  const int64_t full = width / tile.pixels, tail = width % tile.pixels;
  auto taps = [&](int64_t oh) { return conv.LiveTaps(oh); };
  ExprId x_image = -1;  // x's image for the image being emitted (ValidConv::slots)
  const Shape tile_shape = {ys[0], tile.pixels, ch.vectors * ch.lanes};
  const BufferId scratch = op.Temp(op.elem(), tile_shape, "tile");
  // A pool's band: the rows of one pooled row, per image, in L1.
  const Shape band_shape = {ys[0], band_rows, width, ys[3]};
  const BufferId band = pooled ? op.Temp(op.elem(), band_shape, "band") : -1;
  const PoolScratch pool_scratch = pooled ? MakePoolScratch(op, band_shape) : PoolScratch{-1, -1};
  absl::Status status;
  // The tile loops (pixels, vectors, lanes) with `body` at each element.
  auto over_tile = [&](int64_t pixels,
                       const std::function<std::vector<StmtId>(ExprId, ExprId, ExprId)>& body) {
    return Loop(op, pixels, [&](ExprId owj) {
      return std::vector<StmtId>{Loop(op, ch.vectors, [&](ExprId oj) {
        return std::vector<StmtId>{
            Loop(op, ch.lanes, [&](ExprId ol) { return body(owj, oj, ol); })};
      })};
    });
  };
  // One run of `pixels` output pixels of row oh starting at column ow0
  // (row `band_row` of the pool's band).
  // A tile at a known column ow0: for each tap column, the pixels
  // [first, last) of the tile whose input column is live; nullopt when
  // every pixel is for every tap (nothing to skip), or when the channels
  // summed per tap are too few to pay for a tile's accumulators going
  // through memory between taps.
  constexpr int64_t kMinChannelsToSkipTaps = 32;
  auto live_pixels =
      [&](std::optional<int64_t> ow0,
          int64_t pixels) -> std::optional<std::vector<std::pair<int64_t, int64_t>>> {
    if (!ow0 || ws[2] < kMinChannelsToSkipTaps) return std::nullopt;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    bool skips = false;
    for (int64_t kw = 0; kw < ws[1]; ++kw) {
      const int64_t col = *ow0 + (backwards ? ws[1] - 1 - kw : kw);
      const int64_t first = std::clamp<int64_t>(live_cols.first - col, 0, pixels);
      const int64_t last = std::clamp<int64_t>(live_cols.second - col, first, pixels);
      skips |= first > 0 || last < pixels;
      ranges.emplace_back(first, last);
    }
    if (!skips) return std::nullopt;
    return ranges;
  };
  auto run = [&](ExprId n, ExprId oh, ExprId ob, ExprId ow0, int64_t pixels,
                 std::pair<int64_t, int64_t> kh_range, int64_t band_row,
                 std::optional<int64_t> ow0_known = std::nullopt) {
    // Where the sum of tile element (owj, oj, ol) goes.
    auto sum_at = [&](ExprId owj, ExprId oj, ExprId ol) {
      return std::make_pair(
          scratch, op.b.FlatIndex(std::vector<ExprId>{n, owj, op.b.Add(op.b.Mul(oj, ch.lanes), ol)},
                                  tile_shape));
    };
    std::vector<StmtId> stmts = {over_tile(pixels, [&](ExprId owj, ExprId oj, ExprId ol) {
      auto [buffer, at] = sum_at(owj, oj, ol);
      return std::vector<StmtId>{op.b.Store(buffer, at, op.Zero(op.elem()))};
    })};
    // The products of tap (kh, kw), channel c, for tile pixels
    // [first, first + count).
    auto products = [&](ExprId kh, ExprId kw, ExprId c, int64_t first, int64_t count) {
      return Loop(op, count, [&](ExprId j) {
        ExprId owj = op.b.AddConst(j, first);
        return std::vector<StmtId>{Loop(op, ch.vectors, [&](ExprId oj) {
          return std::vector<StmtId>{Loop(op, ch.lanes, [&](ExprId ol) {
            ExprId ow = op.b.Add(ow0, owj);
            ExprId o = Channel(op, ch, ob, oj, ol);
            ExprId row = backwards ? op.b.AddConst(op.b.Mul(kh, -1), ws[0] - 1) : kh;
            ExprId col = backwards ? op.b.AddConst(op.b.Mul(kw, -1), ws[1] - 1) : kw;
            ExprId xv =
                op.b.Load(x, conv.XIndex(op.b, x_image, op.b.Add(oh, row), op.b.Add(ow, col), c));
            ExprId wv = op.b.Load(w, op.b.FlatIndex(std::vector<ExprId>{kh, kw, c, o}, ws));
            auto [buffer, at] = sum_at(owj, oj, ol);
            return std::vector<StmtId>{Accumulate(op, buffer, at, xv, wv)};
          })};
        })};
      });
    };
    if (auto ranges = live_pixels(ow0_known, pixels); ranges && kh_range.first < kh_range.second) {
      // Pixels near a zero border skip the taps that would read it: one
      // nest per tap (in the interpreter's order), each over the pixels
      // whose input is live there.
      for (int64_t kh = kh_range.first; kh < kh_range.second; ++kh) {
        for (int64_t kw = 0; kw < ws[1]; ++kw) {
          const auto [first, last] = (*ranges)[kw];
          if (first == last) continue;
          stmts.push_back(Loop(op, ws[2], [&](ExprId c) {
            return std::vector<StmtId>{
                products(op.b.Index(kh), op.b.Index(kw), c, first, last - first)};
          }));
        }
      }
    } else if (kh_range.first < kh_range.second) {
      stmts.push_back(Loop(op, kh_range.second - kh_range.first, [&](ExprId kh_from_first) {
        ExprId kh = op.b.AddConst(kh_from_first, kh_range.first);
        return std::vector<StmtId>{Loop(op, ws[1], [&](ExprId kw) {
          return std::vector<StmtId>{Loop(op, ws[2], [&](ExprId c) {
            return std::vector<StmtId>{products(kh, kw, c, 0, pixels)};
          })};
        })};
      }));
    }
    // The finished sums, stored once (through an epilogue, or into the
    // pool's band).
    stmts.push_back(over_tile(pixels, [&](ExprId owj, ExprId oj, ExprId ol) {
      auto [buffer, at] = sum_at(owj, oj, ol);
      ExprId o = Channel(op, ch, ob, oj, ol);
      ExprId ow = op.b.Add(ow0, owj);
      const std::vector<ExprId> coords = {n, oh, ow, o};
      absl::StatusOr<std::vector<StmtId>> store;
      if (pooled) {
        std::vector<StmtId> out;
        absl::StatusOr<ExprId> value = op.ResultValue(coords, op.b.Load(buffer, at), out);
        if (value.ok()) {
          ExprId in_band =
              op.b.FlatIndex(std::vector<ExprId>{n, op.b.Index(band_row), ow, o}, band_shape);
          out.push_back(op.b.Store(band, in_band, *value));
          store = std::move(out);
        } else {
          store = value.status();
        }
      } else {
        store = op.StoreResult(coords, op.b.Load(buffer, at));
      }
      if (!store.ok()) {
        status = store.status();
        return std::vector<StmtId>{};
      }
      return *store;
    }));
    return stmts;
  };
  // The row blocks and column tiles of output row oh.
  auto row = [&](ExprId n, ExprId oh, std::pair<int64_t, int64_t> kh_range, int64_t band_row) {
    return Loop(op, ch.blocks, [&](ExprId ob) {
      std::vector<StmtId> body;
      if (full > 0) {
        body.push_back(Loop(op, full, [&](ExprId owb) {
          return run(n, oh, ob, op.b.Mul(owb, tile.pixels), tile.pixels, kh_range, band_row,
                     full == 1 ? std::optional<int64_t>(0) : std::nullopt);
        }));
      }
      if (tail > 0) {
        for (StmtId t : run(n, oh, ob, op.b.Index(full * tile.pixels), tail, kh_range, band_row,
                            full * tile.pixels)) {
          body.push_back(t);
        }
      }
      return body;
    });
  };
  // Runs of output rows (pooled: of bands) with the same taps in each row.
  const int64_t groups = pooled ? pooled_shape[1] : ys[1];
  auto group_taps = [&](int64_t g) {
    std::vector<std::pair<int64_t, int64_t>> t;
    for (int64_t r = 0; r < band_rows; ++r) t.push_back(taps(g * band_rows + r));
    return t;
  };
  std::vector<std::pair<int64_t, int64_t>> segments;  // first group, groups
  for (int64_t g = 0; g < groups; ++g) {
    if (g > 0 && group_taps(g) == group_taps(segments.back().first)) {
      ++segments.back().second;
    } else {
      segments.emplace_back(g, 1);
    }
  }
  op.Emit({conv.ForEachImage(op, [&](ExprId n, ExprId image) {
    x_image = image;
    std::vector<StmtId> rows;
    for (const auto& [first_group, count] : segments) {
      const std::vector<std::pair<int64_t, int64_t>> kh_ranges = group_taps(first_group);
      rows.push_back(Loop(op, count, [&](ExprId g) {
        ExprId group = op.b.AddConst(g, first_group);
        std::vector<StmtId> body;
        for (int64_t r = 0; r < band_rows; ++r) {
          body.push_back(row(n, op.b.AddConst(op.b.Mul(group, band_rows), r), kh_ranges[r], r));
        }
        if (pooled) {
          for (StmtId s : PoolBandRow(op, pool_scratch, band, band_shape, pool_window[1], n, group))
            body.push_back(s);
        }
        return body;
      }));
    }
    return rows;
  })});
  return status;
}

// x padded by the window's padding (itself when there is none).
std::pair<BufferId, Shape> PaddedInput(OpLowering& op, BufferId x, const Shape& xs,
                                       const Window2D& w) {
  if (w.pad_top == 0 && w.pad_bottom == 0 && w.pad_left == 0 && w.pad_right == 0) return {x, xs};
  const Shape padded = {xs[0], xs[1] + w.pad_top + w.pad_bottom, xs[2] + w.pad_left + w.pad_right,
                        xs[3]};
  const BufferId buffer = op.Temp(op.elem(), padded, "padded");
  CopyPadded(op, x, xs, buffer, padded, w.pad_top, w.pad_left);
  return {buffer, padded};
}

}  // namespace

bool TiledConvApplies(const Window2D& w) {
  return w.stride_h == 1 && w.stride_w == 1 && w.dilation_h == 1 && w.dilation_w == 1 &&
         w.pad_top < w.kernel_h && w.pad_bottom < w.kernel_h && w.pad_left < w.kernel_w &&
         w.pad_right < w.kernel_w;
}

absl::Status TiledConv2D(OpLowering& op, const ConvShapes& g) {
  const auto [x, xs] = PaddedInput(op, op.in[0], g.x, g.win);
  return EmitValidConv(op, ValidConv{.x = x,
                                     .xs = xs,
                                     .w = op.in[1],
                                     .ws = g.w,
                                     .ys = g.y,
                                     .live_rows = {g.win.pad_top, g.win.pad_top + g.x[1]},
                                     .live_cols = {g.win.pad_left, g.win.pad_left + g.x[2]},
                                     .image_prologue = nullptr,
                                     .slots = 0,
                                     .chunk_prologue = nullptr});
}

absl::Status TiledBackpropInput(OpLowering& op, const ConvShapes& g) {
  const Window2D& win = g.win;
  // dy with a border: dx[ih] sums dy[ih - kh + pad_top] over kh, that is
  // dy_padded[ih + kh'] for kh' = KH-1-kh, with dy placed at KH-1-pad_top.
  // Each image is padded right before its convolution, while it is in
  // cache; a per-image scatter (Fusion::per_image) computes the image's dy
  // straight into the padded buffer. The batch runs as fixed chunks of
  // images (BatchChunks), each reusing one padded image: it stays in cache,
  // and its border is zeroed once per chunk. For few input channels (a
  // pixel-lane microkernel) the padded images are planar: (O, H, W).
  const int64_t chunks = BatchChunks(g.y[0]);
  const int64_t images = chunks > 1 ? chunks : g.y[0];
  const Shape padded = {images, g.x[1] + g.w[0] - 1, g.x[2] + g.w[1] - 1, g.y[3]};
  const bool planar =
      PixelLanesFor(op, g.x, g.y[3], /*backwards=*/true, /*planar_input=*/true).has_value();
  const Shape stored = planar ? Shape{padded[0], padded[3], padded[1], padded[2]} : padded;
  const BufferId dy = op.Temp(op.elem(), stored, "dy_padded");
  const int64_t top = g.w[0] - 1 - win.pad_top, left = g.w[1] - 1 - win.pad_left;
  const ValueId dy_node = op.node().operands[0];
  const ValueId scatter = op.fusion != nullptr && op.fusion->per_image[dy_node] ? dy_node : -1;
  absl::Status status;
  // The zeros around an image: the whole planar image (its border is most
  // of a small image's rows), or the channels-last border.
  auto zeros = [&](ExprId image) {
    return planar ? ZeroImage(op, image, dy, stored)
                  : ZeroBorder(op, image, dy, padded, g.y, top, left);
  };
  auto pad_image = [&](ExprId n, ExprId image) {
    std::vector<StmtId> stmts = chunks > 1 ? std::vector<StmtId>{} : zeros(image);
    for (StmtId t : PadInterior(op, n, image, scatter, g.y, dy, stored, planar, top, left, status))
      stmts.push_back(t);
    return stmts;
  };
  // The filter with its channels swapped, (kh, kw, o, c), so that a tap's
  // weights for consecutive input channels are contiguous.
  const Shape swapped_shape = {g.w[0], g.w[1], g.w[3], g.w[2]};
  const BufferId swapped = op.Temp(op.elem(), swapped_shape, "w_transposed");
  op.Emit(op.b.Nest(swapped_shape, [&](std::span<const ExprId> c) {
    ExprId from = op.b.FlatIndex(std::vector<ExprId>{c[0], c[1], c[3], c[2]}, g.w);
    return std::vector<StmtId>{
        op.b.Store(swapped, op.b.FlatIndex(c, swapped_shape), op.b.Load(op.in[1], from))};
  }));
  DLC_RETURN_IF_ERROR(EmitValidConv(op, ValidConv{.x = dy,
                                                  .xs = padded,
                                                  .x_planar = planar,
                                                  .w = swapped,
                                                  .ws = swapped_shape,
                                                  .ys = g.x,
                                                  .backwards = true,
                                                  .live_rows = {top, top + g.y[1]},
                                                  .live_cols = {left, left + g.y[2]},
                                                  .image_prologue = pad_image,
                                                  .slots = chunks > 1 ? chunks : 0,
                                                  .chunk_prologue = zeros}));
  return status;
}

absl::Status TiledBackpropFilter(OpLowering& op, const ConvShapes& g) {
  const auto [x, xs] = PaddedInput(op, op.in[0], g.x, g.win);
  const Shape& ws = g.w;
  const Shape& ys = g.y;
  if (auto lanes = ChoosePixelLaneFilterTile(ws[0], ws[1], ws[2], ws[3], ys[2], op.budget())) {
    return EmitPixelLaneFilterGradient(op, x, xs, ws, ys, *lanes);
  }
  const FilterTile tile = ChooseFilterTile(ws[0], ws[1], ws[2], ws[3], op.budget());
  const ChannelSplit& ch = tile.channels;
  const int64_t chunks = BatchChunks(ys[0]);
  const int64_t per_chunk = ys[0] / chunks;
  // With several chunks each sums into its own slice of a partial buffer.
  const Shape partial_shape = {chunks, ws[0], ws[1], ws[2], ws[3]};
  const BufferId target = chunks > 1 ? op.Temp(op.elem(), partial_shape, "chunks") : op.out;
  const int64_t filter_size = NumElements(ws);
  // A per-image scatter (Fusion::per_image) as dy: each chunk computes its
  // current image's dy into its own slice of a small buffer, then reads it
  // from cache.
  const ValueId dy_node = op.node().operands[1];
  const bool scattered = op.fusion != nullptr && op.fusion->per_image[dy_node];
  const Shape image_shape = {chunks, ys[1], ys[2], ys[3]};
  const BufferId dy_image = scattered ? op.Temp(op.elem(), image_shape, "dy_image") : -1;
  absl::Status status;
  // dy at (n, oh, ow, o): n is image ni of `chunk`.
  auto dy_at = [&](ExprId chunk, ExprId n, ExprId oh, ExprId ow, ExprId o) {
    if (scattered)
      return op.b.Load(dy_image,
                       op.b.FlatIndex(std::vector<ExprId>{chunk, oh, ow, o}, image_shape));
    return op.b.Load(op.in[1], op.b.FlatIndex(std::vector<ExprId>{n, oh, ow, o}, ys));
  };
  auto scatter_image = [&](ExprId chunk, ExprId n) {
    return ScatterImage(
        op, dy_node, n,
        [&](ExprId ih, ExprId iw, ExprId c, ExprId value) {
          ExprId at = op.b.FlatIndex(std::vector<ExprId>{chunk, ih, iw, c}, image_shape);
          return std::vector<StmtId>{op.b.Store(dy_image, at, value)};
        },
        status);
  };
  // The sibling bias gradient (op_lowering.h): the sum of dy over the
  // batch and the pixels, per chunk right after the chunk's filter sums,
  // while that part of dy is still in cache; bias[chunk][o] += dy.
  const bool bias = op.sibling >= 0;
  const int64_t outputs = ws[3];
  const BufferId bias_target = !bias ? -1
                               : chunks > 1
                                   ? op.Temp(op.elem(), Shape{chunks, outputs}, "bias_chunks")
                                   : op.sibling_out;
  // `count` images of the chunk into the bias gradient. The channels split
  // as the tile's (blocks of vectors of lanes), the vectors innermost but
  // for the lanes: register accumulation keeps one sum per vector, side by
  // side, instead of one long chain of dependent adds.
  auto bias_sums = [&](ExprId chunk, int64_t count, const std::function<ExprId(ExprId)>& image) {
    return std::vector<StmtId>{Loop(op, ch.blocks, [&](ExprId ob) {
      return op.b.Nest({count, ys[1], ys[2], ch.vectors, ch.lanes}, [&](std::span<const ExprId> v) {
        ExprId o = Channel(op, ch, ob, v[3], v[4]);
        ExprId dy = dy_at(chunk, image(v[0]), v[1], v[2], o);
        ExprId at = op.b.Add(op.b.Mul(chunk, chunks > 1 ? outputs : 0), o);
        return std::vector<StmtId>{op.b.Store(
            bias_target, at, op.b.Binary(BinaryOp::kAdd, op.b.Load(bias_target, at), dy))};
      });
    })};
  };

  auto nest = [&](ExprId chunk) {
    // Taps outside the tile are loops around the reduction; inside it, they
    // choose accumulators.
    const int64_t outer_h = ws[0] / tile.taps_h, outer_w = ws[1] / tile.taps_w;
    return Loop(op, per_chunk, [&](ExprId ni) {
      ExprId n = op.b.Add(op.b.Mul(chunk, per_chunk), ni);
      std::vector<StmtId> image = scattered ? scatter_image(chunk, n) : std::vector<StmtId>{};
      image.push_back(Loop(op, outer_h, [&](ExprId kho) {
        return std::vector<StmtId>{Loop(op, outer_w, [&](ExprId kwo) {
          return std::vector<StmtId>{Loop(op, ws[2] / tile.inputs, [&](ExprId cb) {
            return std::vector<StmtId>{Loop(op, ch.blocks, [&](ExprId ob) {
              return std::vector<StmtId>{Loop(op, ys[1], [&](ExprId oh) {
                return std::vector<StmtId>{Loop(op, ys[2], [&](ExprId ow) {
                  return std::vector<StmtId>{Loop(op, tile.taps_h, [&](ExprId khi) {
                    return std::vector<StmtId>{Loop(op, tile.taps_w, [&](ExprId kwi) {
                      return std::vector<StmtId>{Loop(op, tile.inputs, [&](ExprId cj) {
                        return std::vector<StmtId>{Loop(op, ch.vectors, [&](ExprId oj) {
                          return std::vector<StmtId>{Loop(op, ch.lanes, [&](ExprId ol) {
                            ExprId kh = op.b.Add(op.b.Mul(kho, tile.taps_h), khi);
                            ExprId kw = op.b.Add(op.b.Mul(kwo, tile.taps_w), kwi);
                            ExprId c = op.b.Add(op.b.Mul(cb, tile.inputs), cj);
                            ExprId o = Channel(op, ch, ob, oj, ol);
                            ExprId xv = op.b.Load(
                                x, op.b.FlatIndex(std::vector<ExprId>{n, op.b.Add(oh, kh),
                                                                      op.b.Add(ow, kw), c},
                                                  xs));
                            ExprId dyv = dy_at(chunk, n, oh, ow, o);
                            ExprId at =
                                op.b.Add(op.b.Mul(chunk, chunks > 1 ? filter_size : 0),
                                         op.b.FlatIndex(std::vector<ExprId>{kh, kw, c, o}, ws));
                            return std::vector<StmtId>{Accumulate(op, target, at, xv, dyv)};
                          })};
                        })};
                      })};
                    })};
                  })};
                })};
              })};
            })};
          })};
        })};
      }));
      // With dy an image at a time, its bias sums too (the same order of
      // additions: images, then rows, then columns).
      if (scattered && bias) {
        for (StmtId t : bias_sums(chunk, 1, [&](ExprId) { return n; })) image.push_back(t);
      }
      return image;
    });
  };
  auto bias_nest = [&](ExprId chunk) {
    if (scattered) return std::vector<StmtId>{};  // summed image by image
    return bias_sums(chunk, per_chunk,
                     [&](ExprId ni) { return op.b.Add(op.b.Mul(chunk, per_chunk), ni); });
  };
  if (chunks == 1) {
    op.Fill(op.out, ws, op.Zero(op.elem()));
    if (bias) op.Fill(op.sibling_out, Shape{outputs}, op.Zero(op.elem()));
    op.Emit({nest(op.b.Index(0))});
    if (bias) op.Emit(bias_nest(op.b.Index(0)));
    return status;
  }
  // Each chunk zeroes and fills its own slices (the chunk loop runs in
  // parallel), then the slices are added in chunk order.
  op.Emit({Loop(op, chunks, [&](ExprId chunk) {
    std::vector<StmtId> body = {Loop(op, filter_size, [&](ExprId e) {
      return std::vector<StmtId>{
          op.b.Store(target, op.b.Add(op.b.Mul(chunk, filter_size), e), op.Zero(op.elem()))};
    })};
    if (bias) {
      body.push_back(Loop(op, outputs, [&](ExprId o) {
        return std::vector<StmtId>{
            op.b.Store(bias_target, op.b.Add(op.b.Mul(chunk, outputs), o), op.Zero(op.elem()))};
      }));
    }
    body.push_back(nest(chunk));
    if (bias) {
      for (StmtId t : bias_nest(chunk)) body.push_back(t);
    }
    return body;
  })});
  AddChunksInOrder(op, target, op.out, chunks, filter_size);
  if (bias) AddChunksInOrder(op, bias_target, op.sibling_out, chunks, outputs);
  return status;
}

void AddChunksInOrder(OpLowering& op, BufferId partial, BufferId result, int64_t chunks,
                      int64_t size) {
  op.Fill(result, Shape{size}, op.Zero(op.elem()));
  op.Emit({Loop(op, chunks, [&](ExprId chunk) {
    return std::vector<StmtId>{Loop(op, size, [&](ExprId e) {
      ExprId part = op.b.Load(partial, op.b.Add(op.b.Mul(chunk, size), e));
      return std::vector<StmtId>{
          op.b.Store(result, e, op.b.Binary(BinaryOp::kAdd, op.b.Load(result, e), part))};
    })};
  })});
}

}  // namespace dlc::to_loops
