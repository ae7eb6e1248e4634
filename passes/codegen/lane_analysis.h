// Internal to codegen: how expressions and statements vary across the lanes
// of a vectorized loop (lane k runs iteration base + k of loop variable
// `var`). The emitter uses it to pick vector loads over gathers and to see
// which loops it cannot vectorize exactly.
#ifndef DLC_PASSES_CODEGEN_LANE_ANALYSIS_H_
#define DLC_PASSES_CODEGEN_LANE_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <span>

#include "ir/loops/loop_ir.h"

namespace dlc::codegen::internal {

// Whether `expr` reads `var`, directly or in a load's index.
bool DependsOn(const loops::LoopProgram& program, loops::ExprId expr, loops::VarId var);

// The constant s with index(var + k) == index(var) + s * k for every lane k,
// when the i64 expression `index` is affine in `var` (sums, differences and
// constant multiples of `var` and of terms that do not vary): 1 for
// `base + var`, 0 for an index every lane shares. nullopt otherwise.
std::optional<int64_t> IndexStride(const loops::LoopProgram& program, loops::ExprId index,
                                   loops::VarId var);

// Whether `stmts` hold a kCheck (at any depth).
bool ContainsCheck(const loops::LoopProgram& program, std::span<const loops::StmtId> stmts);

// Whether a kCheck in `stmts` could pass in some lanes of a vectorized loop
// over `var` and fail in others: its condition depends on `var`, or it sits
// under a kIf whose condition does. Which check fails first then depends on
// the iteration order, so such a loop runs serially to report exactly the
// error the serial loop would.
bool HasLaneDependentCheck(const loops::LoopProgram& program, std::span<const loops::StmtId> stmts,
                           loops::VarId var);

}  // namespace dlc::codegen::internal

#endif  // DLC_PASSES_CODEGEN_LANE_ANALYSIS_H_
