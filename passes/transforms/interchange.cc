#include "passes/transforms/interchange.h"

#include "passes/loop_analysis.h"
#include "passes/loop_nest.h"
#include "passes/transforms/loop_checks.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::transforms {

using loops::StmtId;

namespace {

// Puts `inner` (the only statement of `outer`, which sits at `place`)
// around `outer`.
void Swap(loops::LoopProgram& p, const StmtPlace& place, StmtId outer, StmtId inner) {
  ListAt(p, place)[place.index] = inner;
  p.stmts[outer].body = p.stmt(inner).body;
  p.stmts[inner].body = {outer};
}

}  // namespace

absl::StatusOr<StmtId> Interchange(loops::LoopProgram& p, StmtId outer, StmtId inner) {
  DLC_ASSIGN_OR_RETURN(const StmtPlace place, SerialLoop(p, outer));
  DLC_RETURN_IF_ERROR(SerialLoop(p, inner).status());
  if (p.stmt(outer).body != std::vector<StmtId>{inner}) {
    return absl::FailedPreconditionError(
        StrCat(Describe(p, outer), " and ", Describe(p, inner), " are not perfectly nested (",
               Describe(p, inner), " is not the only statement of ", Describe(p, outer), ")"));
  }
  if (HoldsCheck(p, outer)) {
    return absl::FailedPreconditionError(StrCat("interchanging ", Describe(p, outer), " and ",
                                                Describe(p, inner),
                                                " would reorder the checks inside them"));
  }
  const bool keeps_order = IterationsIndependent(p, outer) ||
                           ConflictsAgreeOn(p, outer, p.stmt(outer).var) ||
                           ConflictsAgreeOn(p, outer, p.stmt(inner).var);
  Swap(p, place, outer, inner);
  if (keeps_order || IterationsIndependent(p, inner)) return inner;
  Swap(p, place, inner, outer);
  return absl::FailedPreconditionError(
      StrCat("interchanging ", Describe(p, outer), " and ", Describe(p, inner),
             " would reorder iterations that touch the same elements (a dependence, or a sum "
             "whose terms would be added in another order)"));
}

}  // namespace dlc::transforms
