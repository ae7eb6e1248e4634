#include "passes/transforms/tile.h"

#include "passes/transforms/interchange.h"
#include "passes/transforms/loop_checks.h"
#include "passes/transforms/split.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::transforms {

absl::StatusOr<TiledLoops> Tile(loops::LoopProgram& program, std::span<const loops::StmtId> band,
                                std::span<const int64_t> sizes) {
  if (band.empty() || band.size() != sizes.size()) {
    return absl::InvalidArgumentError(StrCat("tiling takes one size per loop (", band.size(),
                                             " loops, ", sizes.size(), " sizes)"));
  }
  for (size_t k = 0; k < band.size(); ++k) {
    DLC_RETURN_IF_ERROR(SerialLoop(program, band[k]).status());
    DLC_RETURN_IF_ERROR(CheckFactor(program, band[k], sizes[k]));
    if (k > 0 && program.stmt(band[k - 1]).body != std::vector<loops::StmtId>{band[k]}) {
      return absl::FailedPreconditionError(
          StrCat(Describe(program, band[k]), " is not the only statement of ",
                 Describe(program, band[k - 1]), ": the loops to tile must be perfectly nested"));
    }
  }
  // Splits and interchanges on a copy: an interchange refused half way
  // leaves the program as it was.
  loops::LoopProgram p = program;
  TiledLoops result;
  for (size_t k = 0; k < band.size(); ++k) {
    DLC_ASSIGN_OR_RETURN(const SplitLoops split, Split(p, band[k], sizes[k]));
    result.tiles.push_back(split.outer);
    if (split.remainder >= 0) result.remainders.push_back(split.remainder);
    // Inward past the loops after it, then past the tile loops before it.
    std::vector<loops::StmtId> past(band.begin() + static_cast<std::ptrdiff_t>(k) + 1, band.end());
    past.insert(past.end(), result.points.begin(), result.points.end());
    for (loops::StmtId next : past) {
      if (absl::StatusOr<loops::StmtId> moved = Interchange(p, split.inner, next); !moved.ok()) {
        return absl::Status(moved.status().code(), StrCat("tiling: ", moved.status().message()));
      }
    }
    result.points.push_back(split.inner);
  }
  program = std::move(p);
  return result;
}

}  // namespace dlc::transforms
