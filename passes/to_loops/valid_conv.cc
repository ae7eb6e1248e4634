#include "passes/to_loops/valid_conv.h"

#include <algorithm>

namespace dlc::to_loops {

ExprId ValidConv::XIndex(loops::LoopBuilder& b, ExprId n, ExprId h, ExprId w, ExprId c) const {
  if (x_planar) return b.FlatIndex(std::vector<ExprId>{n, c, h, w}, Shape{xs[0], xs[3], xs[1], xs[2]});
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
  return first < last ? std::pair<int64_t, int64_t>{first, last} : std::pair<int64_t, int64_t>{0, 0};
}

}  // namespace dlc::to_loops
