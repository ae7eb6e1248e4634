// Copying loop-IR expressions and statements with some loop variables and
// buffers replaced: what loop transformations (unrolling, blocking) need.
// Expressions are shared and immutable, so a rewrite copies only the parts
// that change.
#ifndef DLC_PASSES_LOOP_REWRITE_H_
#define DLC_PASSES_LOOP_REWRITE_H_

#include <functional>
#include <map>

#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_ir.h"

namespace dlc {

struct Renaming {
  std::map<loops::VarId, loops::ExprId> vars;          // a variable's uses become this
  std::map<loops::BufferId, loops::BufferId> buffers;  // loads and stores go here instead

  loops::BufferId Buffer(loops::BufferId id) const {
    auto it = buffers.find(id);
    return it == buffers.end() ? id : it->second;
  }
};

// `id` with the renaming applied.
loops::ExprId RewriteExpr(loops::LoopBuilder& b, loops::ExprId id, const Renaming& renaming);

// `id` with every load of a buffer in `loads` replaced by the expression
// that buffer maps to (the load's index dropped): a local that stands for
// an element, a packed copy. The parts that do not change are shared.
loops::ExprId ReplaceLoads(loops::LoopBuilder& b, loops::ExprId id,
                           const std::map<loops::BufferId, loops::ExprId>& loads);

// A deep copy of statement `id` with the renaming applied; its loops get
// fresh variables (a variable belongs to one loop). To rename in place,
// loops::RewriteStmtExprs(p, id, [&](ExprId e) { return RewriteExpr(b, e,
// renaming); }) (ir/loops/loop_walk.h; stores keep their buffers).
loops::StmtId CloneStmt(loops::LoopBuilder& b, loops::StmtId id, Renaming renaming);

// Vectorized loop `v` (extent a multiple of its width) as a parallel loop
// over its vector steps around a loop of one vector step: the same
// iterations in SIMD lanes, split across threads. Returns the new parallel
// loop, which takes v's place.
loops::StmtId SplitVectorStepsAcrossThreads(loops::LoopBuilder& b, loops::StmtId v);

}  // namespace dlc

#endif  // DLC_PASSES_LOOP_REWRITE_H_
