#include "passes/transforms/loop_checks.h"

#include "ir/loops/loop_printer.h"
#include "passes/loop_rewrite.h"
#include "support/str_cat.h"

namespace dlc::transforms {

using loops::LoopProgram;
using loops::StmtId;
using loops::StmtKind;

std::string Describe(const LoopProgram& p, StmtId id) {
  if (id < 0 || id >= static_cast<StmtId>(p.stmts.size())) return StrCat("statement ", id);
  const loops::Stmt& s = p.stmt(id);
  switch (s.kind) {
    case StmtKind::kFor: return StrCat("loop ", loops::LoopVarName(s.var));
    case StmtKind::kStore: return StrCat("statement ", id, " (a store)");
    case StmtKind::kIf: return StrCat("statement ", id, " (a guard)");
    case StmtKind::kCheck: return StrCat("statement ", id, " (a check)");
  }
  return StrCat("statement ", id);
}

absl::StatusOr<StmtPlace> SerialLoop(const LoopProgram& p, StmtId id) {
  if (id < 0 || id >= static_cast<StmtId>(p.stmts.size())) {
    return absl::InvalidArgumentError(
        StrCat("statement ", id, " does not exist (the program has ", p.stmts.size(), ")"));
  }
  if (p.stmt(id).kind != StmtKind::kFor) {
    return absl::InvalidArgumentError(StrCat(Describe(p, id), " is not a loop"));
  }
  std::optional<StmtPlace> place = FindStmt(p, id);
  if (!place) return absl::InvalidArgumentError(StrCat(Describe(p, id), " is in no kernel"));
  if (p.stmt(id).loop != loops::LoopKind::kSerial) {
    return absl::FailedPreconditionError(
        StrCat(Describe(p, id), " is ", loops::LoopKindName(p.stmt(id).loop),
               ": loop transformations take serial loops (they run before the schedule)"));
  }
  return *place;
}

absl::Status CheckFactor(const LoopProgram& p, StmtId loop, int64_t factor) {
  if (factor < 1) {
    return absl::InvalidArgumentError(
        StrCat("factor ", factor, " for ", Describe(p, loop), ": a factor is at least 1"));
  }
  if (factor > p.stmt(loop).extent) {
    return absl::InvalidArgumentError(StrCat("factor ", factor, " for ", Describe(p, loop),
                                             ", which has ", p.stmt(loop).extent, " iterations"));
  }
  return absl::OkStatus();
}

StmtId CopyOfIterations(loops::LoopBuilder& b, StmtId loop, int64_t start, int64_t count) {
  const loops::VarId var = b.NewVar();
  Renaming shift;
  shift.vars[b.program().stmt(loop).var] = b.AddConst(b.Var(var), start);
  std::vector<StmtId> body = b.program().stmt(loop).body;
  for (StmtId& s : body) s = CloneStmt(b, s, shift);
  return b.For(var, count, std::move(body));
}

}  // namespace dlc::transforms
