// How data-parallel training splits work over ranks: a global batch into
// per-rank shards, and a gradient buffer into per-rank chunks for the
// reduction. Both use one rule, so every rank computes the same split
// without talking: the first `total % ranks` ranks get one element more
// than the others, and rank r's part starts after those of ranks 0..r-1.
#ifndef DLC_RUNTIME_DISTRIBUTED_SHARDING_H_
#define DLC_RUNTIME_DISTRIBUTED_SHARDING_H_

#include <cstdint>

namespace dlc::distributed {

struct Slice {
  int64_t begin = 0;
  int64_t size = 0;  // may be 0: a batch smaller than the number of ranks
};

// Rank `rank`'s part of `total` items split over `ranks` ranks.
Slice SliceOf(int64_t total, int rank, int ranks);

}  // namespace dlc::distributed

#endif  // DLC_RUNTIME_DISTRIBUTED_SHARDING_H_
