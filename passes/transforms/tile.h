// Tiling a band of perfectly nested loops: each loop split (split.h) into
// a loop over tiles and a loop within a tile, and the loops within a tile
// moved inside all the loops over tiles by interchanges (interchange.h):
//   for i in 0..I { for j in 0..J { S } }      sizes {a, b}
// becomes
//   for it in 0..I/a { for jt in 0..J/b { for ii in 0..a { for ji in 0..b { S } } }
//                      for jr in 0..J%b { for ii in 0..a { S } } }
//   for ir in 0..I%a { for j in 0..J { S } }
// Loop k is split, then its loop within a tile is moved inward past the
// loops after it and the loops within a tile made before it. So the
// remainder of loop k (a copy made at its split, right after it) holds loops
// k+1.. untiled around the loops within a tile of loops 0..k-1. Legal when
// every interchange on the way is (see interchange.h).
#ifndef DLC_PASSES_TRANSFORMS_TILE_H_
#define DLC_PASSES_TRANSFORMS_TILE_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"

namespace dlc::transforms {

struct TiledLoops {
  std::vector<loops::StmtId> tiles;       // the given loops, now over tiles, outermost first
  std::vector<loops::StmtId> points;      // new: the loops within a tile, in the same order
  std::vector<loops::StmtId> remainders;  // new: the remainder loops made, in the order made
};

// Tiles `band` (serial loops, each the only statement of the one before,
// outermost first) by `sizes` (one per loop, 1 <= size <= its extent). On
// an error the program is unchanged.
absl::StatusOr<TiledLoops> Tile(loops::LoopProgram& program, std::span<const loops::StmtId> band,
                                std::span<const int64_t> sizes);

}  // namespace dlc::transforms

#endif  // DLC_PASSES_TRANSFORMS_TILE_H_
