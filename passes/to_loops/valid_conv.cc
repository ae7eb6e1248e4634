#include "passes/to_loops/valid_conv.h"

#include <algorithm>

namespace dlc::to_loops {

ExprId ValidConv::XIndex(loops::LoopBuilder& b, ExprId n, ExprId h, ExprId w, ExprId c) const {
  if (x_planar)
    return b.FlatIndex(std::vector<ExprId>{n, c, h, w}, Shape{xs[0], xs[3], xs[1], xs[2]});
  return b.FlatIndex(std::vector<ExprId>{n, h, w, c}, xs);
}

std::pair<int64_t, int64_t> ValidConv::LiveTaps(int64_t oh) const {
  int64_t first = ws[0], last = 0;  // the rows a tap reads move monotonically
  for (int64_t kh = 0; kh < ws[0]; ++kh) {
    const int64_t row = oh + (backwards ? ws[0] - 1 - kh : kh);
    if (row >= live_rows.first && row < live_rows.second) {
      first = std::min(first, kh);
      last = kh + 1;
    }
  }
  return first < last ? std::pair<int64_t, int64_t>{first, last}
                      : std::pair<int64_t, int64_t>{0, 0};
}

StmtId ValidConv::ForEachImage(
    OpLowering& op,
    const std::function<std::vector<StmtId>(ExprId n, ExprId x_image)>& body) const {
  auto image = [&](ExprId n, ExprId x_image) {
    std::vector<StmtId> stmts = image_prologue ? image_prologue(n, x_image) : std::vector<StmtId>{};
    for (StmtId s : body(n, x_image)) stmts.push_back(s);
    return stmts;
  };
  if (slots <= 0) return Loop(op, ys[0], [&](ExprId n) { return image(n, n); });
  const int64_t per_slot = ys[0] / slots;
  return Loop(op, slots, [&](ExprId slot) {
    std::vector<StmtId> stmts = chunk_prologue ? chunk_prologue(slot) : std::vector<StmtId>{};
    stmts.push_back(Loop(op, per_slot, [&](ExprId i) {
      return image(op.b.Add(op.b.Mul(slot, per_slot), i), slot);
    }));
    return stmts;
  });
}

}  // namespace dlc::to_loops
