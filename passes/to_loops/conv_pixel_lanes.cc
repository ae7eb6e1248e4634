// The pixel-lane microkernel: convolutions with fewer output channels than
// a vector has lanes (LeNet's 1 -> 6 convolution, the input gradient into
// 6 channels), where channel vectors would leave most lanes idle. A row's
// pixels run in the lanes instead; each channel's weight is broadcast:
//
//   for n { for row tile oh0 {
//     for kh, kw, c {                                  reduction
//       for r (rows), o (channels), pv (pixel vectors) {  the tile: one accumulator each
//         for pl (lanes) { t[n, r, o, pv*L + pl] += x[n, c, oh0 + r + kh, pv*L + pl + kw] * w[kh,
//         kw, c, o] } } }
//     for r, p, o { y[n, oh0 + r, p, o] = t[n, r, o, p] } } }   (through the epilogue, or a pool's
//     band)
//
// x is planar, so a lane's pixels are one (unaligned) vector load. Each
// accumulator adds its terms in the interpreter's order (kh, kw, c), so
// results are bit-identical to it. Rows of a tile whose taps read only the
// zero border share the tile's tap loop: those terms add exact zeros.
//
// The filter gradient of one input channel to few outputs runs the same
// way: each accumulator (a tap and an output channel) sums its lane's
// pixels, and the lanes are added at the end of each batch chunk, an order
// of additions other than the interpreter's (a stated tolerance).
#include "passes/to_loops/valid_conv.h"

namespace dlc::to_loops {
namespace {

// A pool fused into the convolution (Fusion::pool): its window.
IntList PoolWindow(const OpLowering& op, bool backwards) {
  if (op.pool < 0 || backwards) return {1, 1};
  return AttrInts(op.graph.node(op.pool).attrs, "window");
}

// The rows and columns the kernel computes: all of y, or those a fused
// pool's windows cover.
std::pair<int64_t, int64_t> ComputedExtent(const OpLowering& op, const Shape& ys, bool backwards) {
  if (op.pool < 0 || backwards) return {ys[1], ys[2]};
  const Shape& pooled = op.graph.type(op.pool).shape;
  const IntList window = PoolWindow(op, backwards);
  return {pooled[1] * window[0], pooled[2] * window[1]};
}

}  // namespace

std::optional<PixelLaneTile> PixelLanesFor(const OpLowering& op, const Shape& ys,
                                           int64_t in_channels, bool backwards, bool planar_input) {
  if (!planar_input || in_channels < 1) return std::nullopt;
  const auto [height, width] = ComputedExtent(op, ys, backwards);
  const bool pooled = op.pool >= 0 && !backwards;
  return ChoosePixelLaneTile(height, width, ys[3], pooled ? PoolWindow(op, backwards)[0] : 0,
                             op.budget());
}

absl::Status EmitPixelLaneConv(OpLowering& op, const ValidConv& conv, const PixelLaneTile& tile) {
  const Shape &ws = conv.ws, &ys = conv.ys;
  const int64_t channels = ys[3], width = tile.vectors * tile.lanes;
  const bool pooled = op.pool >= 0 && !conv.backwards;
  const int64_t height = ComputedExtent(op, ys, conv.backwards).first;
  // The scratch tile: per image (images run in parallel), a tile's rows,
  // each channel's pixels contiguous.
  const Shape tile_shape = {ys[0], tile.rows, channels, width};
  const BufferId scratch = op.Temp(op.elem(), tile_shape, "tile");
  // A pool's band: one tile's rows, planar as the tile (PoolBandRow reads
  // it so, the pooled columns in SIMD lanes).
  const Shape band_shape = {ys[0], tile.rows, width, channels};
  const BufferId band = pooled ? op.Temp(op.elem(), tile_shape, "band") : -1;
  const PoolScratch pool_scratch =
      pooled ? MakePoolScratch(op, band_shape, /*planar=*/true) : PoolScratch{-1, -1};
  const int64_t pool_w = PoolWindow(op, conv.backwards)[1];
  absl::Status status;
  ExprId x_image = -1;  // x's image for the image being emitted (ValidConv::slots)
  auto sum_at = [&](ExprId n, ExprId r, ExprId o, ExprId p) {
    return op.b.FlatIndex(std::vector<ExprId>{n, r, o, p}, tile_shape);
  };
  // The tile loops (rows, channels, pixel vectors, lanes) with `body` at each element.
  auto over_tile = [&](int64_t rows,
                       const std::function<std::vector<StmtId>(ExprId, ExprId, ExprId)>& body) {
    // In the scratch tile's order, so that each loop's iterations own a
    // band of it (loop_analysis.h's independence test).
    return Loop(op, rows, [&](ExprId r) {
      return std::vector<StmtId>{Loop(op, channels, [&](ExprId o) {
        return std::vector<StmtId>{Loop(op, tile.vectors, [&](ExprId pv) {
          return std::vector<StmtId>{Loop(op, tile.lanes, [&](ExprId pl) {
            return body(r, o, op.b.Add(op.b.Mul(pv, tile.lanes), pl));
          })};
        })};
      })};
    });
  };
  // `rows` output rows from oh0, summing taps [kh_range) along kh.
  auto row_tile = [&](ExprId n, ExprId oh0, int64_t rows, std::pair<int64_t, int64_t> kh_range,
                      std::optional<ExprId> pool_row) {
    std::vector<StmtId> stmts = {over_tile(rows, [&](ExprId r, ExprId o, ExprId p) {
      return std::vector<StmtId>{op.b.Store(scratch, sum_at(n, r, o, p), op.Zero(op.elem()))};
    })};
    if (kh_range.first < kh_range.second) {
      stmts.push_back(Loop(op, kh_range.second - kh_range.first, [&](ExprId kh_from_first) {
        ExprId kh = op.b.AddConst(kh_from_first, kh_range.first);
        return std::vector<StmtId>{Loop(op, ws[1], [&](ExprId kw) {
          return std::vector<StmtId>{Loop(op, ws[2], [&](ExprId c) {
            return std::vector<StmtId>{over_tile(rows, [&](ExprId r, ExprId o, ExprId p) {
              ExprId row = conv.backwards ? op.b.AddConst(op.b.Mul(kh, -1), ws[0] - 1) : kh;
              ExprId col = conv.backwards ? op.b.AddConst(op.b.Mul(kw, -1), ws[1] - 1) : kw;
              ExprId xv = op.b.Load(
                  conv.x,
                  conv.XIndex(op.b, x_image, op.b.Add(op.b.Add(oh0, r), row), op.b.Add(p, col), c));
              ExprId wv = op.b.Load(conv.w, op.b.FlatIndex(std::vector<ExprId>{kh, kw, c, o}, ws));
              return std::vector<StmtId>{Accumulate(op, scratch, sum_at(n, r, o, p), xv, wv)};
            })};
          })};
        })};
      }));
    }
    // The finished sums, stored once: into the pool's band in the tile's
    // (planar) order, or into y with the channels innermost, as y holds them.
    auto store_sum = [&](ExprId r, ExprId p, ExprId o) -> std::vector<StmtId> {
      ExprId sum = op.b.Load(scratch, sum_at(n, r, o, p));
      const std::vector<ExprId> coords = {n, op.b.Add(oh0, r), p, o};
      absl::StatusOr<std::vector<StmtId>> store;
      if (pooled) {
        std::vector<StmtId> out;
        absl::StatusOr<ExprId> value = op.ResultValue(coords, sum, out);
        if (value.ok()) {
          out.push_back(op.b.Store(band, sum_at(n, r, o, p), *value));
          store = std::move(out);
        } else {
          store = value.status();
        }
      } else {
        store = op.StoreResult(coords, sum);
      }
      if (!store.ok()) {
        status = store.status();
        return {};
      }
      return *store;
    };
    const Shape order = pooled ? Shape{rows, channels, width} : Shape{rows, width, channels};
    for (StmtId s : op.b.Nest(order, [&](std::span<const ExprId> i) {
           return pooled ? store_sum(i[0], i[2], i[1]) : store_sum(i[0], i[1], i[2]);
         })) {
      stmts.push_back(s);
    }
    if (pool_row) {
      for (StmtId s : PoolBandRow(op, pool_scratch, band, band_shape, pool_w, n, *pool_row))
        stmts.push_back(s);
    }
    return stmts;
  };
  // The row tiles, consecutive tiles with the same rows and taps in one loop.
  struct Segment {
    int64_t first_row, rows, tiles;
    std::pair<int64_t, int64_t> taps;
  };
  std::vector<Segment> segments;
  for (int64_t oh0 = 0; oh0 < height; oh0 += tile.rows) {
    const int64_t rows = std::min(tile.rows, height - oh0);
    std::pair<int64_t, int64_t> taps = {ws[0], 0};
    for (int64_t r = 0; r < rows; ++r) {
      const auto [first, last] = conv.LiveTaps(oh0 + r);
      if (first == last) continue;
      taps = {std::min(taps.first, first), std::max(taps.second, last)};
    }
    if (taps.first >= taps.second) taps = {0, 0};
    if (!segments.empty() && segments.back().rows == rows && segments.back().taps == taps) {
      ++segments.back().tiles;
    } else {
      segments.push_back(Segment{oh0, rows, 1, taps});
    }
  }
  op.Emit({conv.ForEachImage(op, [&](ExprId n, ExprId image) {
    x_image = image;
    std::vector<StmtId> body;
    for (const Segment& s : segments) {
      body.push_back(Loop(op, s.tiles, [&](ExprId t) {
        ExprId oh0 = op.b.AddConst(op.b.Mul(t, s.rows), s.first_row);
        std::optional<ExprId> pool_row;
        if (pooled) pool_row = op.b.AddConst(t, s.first_row / s.rows);
        return row_tile(n, oh0, s.rows, s.taps, pool_row);
      }));
    }
    return body;
  })});
  return status;
}

absl::Status EmitPixelLaneFilterGradient(OpLowering& op, BufferId x, const Shape& xs,
                                         const Shape& ws, const Shape& ys,
                                         const PixelLaneFilterTile& tile) {
  const int64_t lanes = tile.lanes, outputs = ws[3];
  const int64_t chunks = BatchChunks(ys[0]), per_chunk = ys[0] / chunks;
  const int64_t filter_size = NumElements(ws);
  // Each chunk's per-lane sums; then the chunk's sums, in its slice of a
  // partial buffer (or the result itself for one chunk).
  const Shape lane_shape = {chunks, filter_size, lanes};
  const BufferId lane_sums = op.Temp(op.elem(), lane_shape, "lane_sums");
  const BufferId target =
      chunks > 1 ? op.Temp(op.elem(), Shape{chunks, filter_size}, "chunks") : op.out;
  // dy of the chunk's current image, planar (chunk, O, OH, OW): a lane's
  // pixels contiguous. Computed by the per-image scatter, or copied.
  const Shape image_shape = {chunks, outputs, ys[1], ys[2]};
  const BufferId dy_image = op.Temp(op.elem(), image_shape, "dy_image");
  const ValueId dy_node = op.node().operands[1];
  const bool scattered = op.fusion != nullptr && op.fusion->per_image[dy_node];
  const bool bias = op.sibling >= 0;
  const Shape bias_lane_shape = {chunks, outputs, lanes};
  const BufferId bias_lanes = bias ? op.Temp(op.elem(), bias_lane_shape, "bias_lane_sums") : -1;
  const BufferId bias_target = !bias ? -1
                               : chunks > 1
                                   ? op.Temp(op.elem(), Shape{chunks, outputs}, "bias_chunks")
                                   : op.sibling_out;
  absl::Status status;
  auto dy_at = [&](ExprId chunk, ExprId o, ExprId oh, ExprId ow) {
    return op.b.Load(dy_image, op.b.FlatIndex(std::vector<ExprId>{chunk, o, oh, ow}, image_shape));
  };
  auto image = [&](ExprId chunk, ExprId n) {
    const ImageStore store = [&](ExprId ih, ExprId iw, ExprId c, ExprId value) {
      ExprId at = op.b.FlatIndex(std::vector<ExprId>{chunk, c, ih, iw}, image_shape);
      return std::vector<StmtId>{op.b.Store(dy_image, at, value)};
    };
    if (scattered) return ScatterImage(op, dy_node, n, store, status, /*planar_store=*/true);
    return op.b.Nest({outputs, ys[1], ys[2]}, [&](std::span<const ExprId> i) {
      return store(
          i[1], i[2], i[0],
          op.b.Load(op.in[1], op.b.FlatIndex(std::vector<ExprId>{n, i[1], i[2], i[0]}, ys)));
    });
  };
  // The pixel of lane l in row vector pv.
  auto pixel = [&](ExprId pv, ExprId l) { return op.b.Add(op.b.Mul(pv, lanes), l); };
  // Image n into the chunk's lane sums: taps outside the tile and output
  // blocks around the reduction over the image's pixels, the tile inside.
  auto filter_sums = [&](ExprId chunk, ExprId n) {
    return Loop(op, ws[0] / tile.taps_h, [&](ExprId kho) {
      return std::vector<StmtId>{Loop(op, ws[1] / tile.taps_w, [&](ExprId kwo) {
        return std::vector<StmtId>{Loop(op, outputs / tile.outputs, [&](ExprId ob) {
          return std::vector<StmtId>{Loop(op, ys[1], [&](ExprId oh) {
            return std::vector<StmtId>{Loop(op, tile.vectors, [&](ExprId pv) {
              return std::vector<StmtId>{Loop(op, tile.taps_h, [&](ExprId khi) {
                return std::vector<StmtId>{Loop(op, tile.taps_w, [&](ExprId kwi) {
                  return std::vector<StmtId>{Loop(op, tile.outputs, [&](ExprId oj) {
                    return std::vector<StmtId>{Loop(op, lanes, [&](ExprId l) {
                      ExprId kh = op.b.Add(op.b.Mul(kho, tile.taps_h), khi);
                      ExprId kw = op.b.Add(op.b.Mul(kwo, tile.taps_w), kwi);
                      ExprId o = op.b.Add(op.b.Mul(ob, tile.outputs), oj);
                      ExprId ow = pixel(pv, l);
                      ExprId c = op.b.Index(0);
                      ExprId xv = op.b.Load(
                          x,
                          op.b.FlatIndex(
                              std::vector<ExprId>{n, op.b.Add(oh, kh), op.b.Add(ow, kw), c}, xs));
                      ExprId w_at = op.b.FlatIndex(std::vector<ExprId>{kh, kw, c, o}, ws);
                      ExprId at = op.b.FlatIndex(std::vector<ExprId>{chunk, w_at, l}, lane_shape);
                      return std::vector<StmtId>{
                          Accumulate(op, lane_sums, at, xv, dy_at(chunk, o, oh, ow))};
                    })};
                  })};
                })};
              })};
            })};
          })};
        })};
      })};
    });
  };
  // Image n's dy into the chunk's bias lane sums, one accumulator per output.
  auto bias_sums = [&](ExprId chunk) {
    return op.b.Nest({ys[1], tile.vectors, outputs, lanes}, [&](std::span<const ExprId> i) {
      ExprId at = op.b.FlatIndex(std::vector<ExprId>{chunk, i[2], i[3]}, bias_lane_shape);
      ExprId sum = op.b.Binary(loops::BinaryOp::kAdd, op.b.Load(bias_lanes, at),
                               dy_at(chunk, i[2], i[0], pixel(i[1], i[3])));
      return std::vector<StmtId>{op.b.Store(bias_lanes, at, sum)};
    });
  };
  // `size` sums of `lanes` lanes each (slice `chunk` of `from`) into slice
  // `chunk` of `to` (its only slice for one chunk), lanes in order.
  auto add_lanes = [&](ExprId chunk, BufferId from, BufferId to, int64_t size) {
    ExprId first = op.b.Mul(chunk, chunks > 1 ? size : 0);
    std::vector<StmtId> stmts = {Loop(op, size, [&](ExprId e) {
      return std::vector<StmtId>{op.b.Store(to, op.b.Add(first, e), op.Zero(op.elem()))};
    })};
    stmts.push_back(Loop(op, lanes, [&](ExprId l) {
      return std::vector<StmtId>{Loop(op, size, [&](ExprId e) {
        ExprId at = op.b.Add(first, e);
        ExprId lane =
            op.b.Load(from, op.b.Add(op.b.Mul(op.b.Add(op.b.Mul(chunk, size), e), lanes), l));
        return std::vector<StmtId>{
            op.b.Store(to, at, op.b.Binary(loops::BinaryOp::kAdd, op.b.Load(to, at), lane))};
      })};
    }));
    return stmts;
  };
  op.Emit({Loop(op, chunks, [&](ExprId chunk) {
    std::vector<StmtId> body = {Loop(op, filter_size * lanes, [&](ExprId e) {
      return std::vector<StmtId>{op.b.Store(
          lane_sums, op.b.Add(op.b.Mul(chunk, filter_size * lanes), e), op.Zero(op.elem()))};
    })};
    if (bias) {
      body.push_back(Loop(op, outputs * lanes, [&](ExprId e) {
        return std::vector<StmtId>{op.b.Store(
            bias_lanes, op.b.Add(op.b.Mul(chunk, outputs * lanes), e), op.Zero(op.elem()))};
      }));
    }
    body.push_back(Loop(op, per_chunk, [&](ExprId ni) {
      ExprId n = op.b.Add(op.b.Mul(chunk, per_chunk), ni);
      std::vector<StmtId> stmts = image(chunk, n);
      stmts.push_back(filter_sums(chunk, n));
      if (bias) {
        for (StmtId s : bias_sums(chunk)) stmts.push_back(s);
      }
      return stmts;
    }));
    for (StmtId s : add_lanes(chunk, lane_sums, target, filter_size)) body.push_back(s);
    if (bias) {
      for (StmtId s : add_lanes(chunk, bias_lanes, bias_target, outputs)) body.push_back(s);
    }
    return body;
  })});
  if (chunks > 1) {
    AddChunksInOrder(op, target, op.out, chunks, filter_size);
    if (bias) AddChunksInOrder(op, bias_target, op.sibling_out, chunks, outputs);
  }
  return status;
}

}  // namespace dlc::to_loops
