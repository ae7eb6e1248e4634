#include "passes/transforms/split.h"

#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_walk.h"
#include "passes/loop_rewrite.h"
#include "passes/transforms/loop_checks.h"
#include "support/status_macros.h"

namespace dlc::transforms {

absl::StatusOr<SplitLoops> Split(loops::LoopProgram& p, loops::StmtId loop, int64_t factor) {
  DLC_ASSIGN_OR_RETURN(const StmtPlace place, SerialLoop(p, loop));
  DLC_RETURN_IF_ERROR(CheckFactor(p, loop, factor));
  loops::LoopBuilder b(p);
  const int64_t extent = p.stmt(loop).extent;
  const int64_t blocks = extent / factor, rest = extent % factor;
  SplitLoops result{.outer = loop};
  // The remainder copies the body before the body is rewritten.
  if (rest > 0) result.remainder = CopyOfIterations(b, loop, blocks * factor, rest);
  const loops::VarId outer = b.NewVar(), inner = b.NewVar();
  Renaming split;
  split.vars[p.stmt(loop).var] = b.Add(b.Mul(b.Var(outer), factor), b.Var(inner));
  for (loops::StmtId s : p.stmt(loop).body) {
    loops::RewriteStmtExprs(p, s, [&](loops::ExprId e) { return RewriteExpr(b, e, split); });
  }
  result.inner = b.For(inner, factor, p.stmt(loop).body);
  p.stmts[loop].var = outer;
  p.stmts[loop].extent = blocks;
  p.stmts[loop].body = {result.inner};
  if (result.remainder >= 0) {
    std::vector<loops::StmtId>& list = ListAt(p, place);
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(place.index) + 1, result.remainder);
  }
  return result;
}

}  // namespace dlc::transforms
