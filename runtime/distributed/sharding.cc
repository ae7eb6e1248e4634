#include "runtime/distributed/sharding.h"

#include <algorithm>

namespace dlc::distributed {

Slice SliceOf(int64_t total, int rank, int ranks) {
  const int64_t base = total / ranks, extra = total % ranks;
  const int64_t r = rank;
  return {r * base + std::min(r, extra), base + (r < extra ? 1 : 0)};
}

}  // namespace dlc::distributed
