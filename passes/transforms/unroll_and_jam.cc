#include "passes/transforms/unroll_and_jam.h"

#include <algorithm>
#include <vector>

#include "ir/loops/loop_builder.h"
#include "passes/loop_analysis.h"
#include "passes/loop_nest.h"
#include "passes/loop_rewrite.h"
#include "passes/transforms/loop_checks.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::transforms {
namespace {

using loops::BufferId;
using loops::ExprId;
using loops::LoopProgram;
using loops::StmtId;
using loops::StmtKind;

// A guard in `id` or below whose condition loads one of `written`, if any.
std::optional<StmtId> GuardReading(const LoopProgram& p, StmtId id,
                                   const std::vector<BufferId>& written) {
  const loops::Stmt& s = p.stmt(id);
  if (s.kind == StmtKind::kIf) {
    for (BufferId buffer : written) {
      if (ReadsBuffer(p, s.cond, buffer)) return id;
    }
  }
  for (StmtId child : s.body) {
    if (auto found = GuardReading(p, child, written)) return found;
  }
  return std::nullopt;
}

class Jammer {
 public:
  Jammer(LoopProgram& p, loops::VarId var, std::vector<Renaming> copies)
      : p_(p), b_(p), var_(var), copies_(std::move(copies)) {}

  // `list` (statements of the loop's body, or below) with the copies
  // jammed; `pending` are the conditions of guards on o moved down so far.
  std::vector<StmtId> Jam(const std::vector<StmtId>& list, const std::vector<ExprId>& pending) {
    std::vector<StmtId> out, run;
    for (StmtId id : list) {
      const loops::Stmt s = p_.stmt(id);  // a copy: Flush grows the arena
      if (s.kind == StmtKind::kStore) {
        run.push_back(id);
        continue;
      }
      Flush(run, pending, out);
      const std::vector<StmtId>& body = s.body;
      if (s.kind == StmtKind::kIf && ReadsVar(p_, s.cond, var_)) {
        std::vector<ExprId> inner = pending;
        inner.push_back(s.cond);
        const std::vector<StmtId> jammed = Jam(body, inner);
        out.insert(out.end(), jammed.begin(), jammed.end());
        continue;
      }
      // A loop, or a guard every copy agrees on: one for all copies.
      std::vector<StmtId> jammed = Jam(body, pending);
      p_.stmts[id].body = std::move(jammed);
      out.push_back(id);
    }
    Flush(run, pending, out);
    return out;
  }

 private:
  // Each copy's version of the statements in `run` (stores), under the
  // moved guards, one copy after another.
  void Flush(std::vector<StmtId>& run, const std::vector<ExprId>& pending,
             std::vector<StmtId>& out) {
    if (run.empty()) return;
    for (const Renaming& copy : copies_) {
      std::vector<StmtId> mine;
      for (StmtId id : run) {
        const loops::Stmt s = p_.stmt(id);
        mine.push_back(b_.Store(copy.Buffer(s.buffer), RewriteExpr(b_, s.index, copy),
                                RewriteExpr(b_, s.value, copy)));
      }
      if (pending.empty()) {
        out.insert(out.end(), mine.begin(), mine.end());
        continue;
      }
      ExprId cond = RewriteExpr(b_, pending[0], copy);
      for (size_t k = 1; k < pending.size(); ++k)
        cond = b_.And(cond, RewriteExpr(b_, pending[k], copy));
      out.push_back(b_.If(cond, mine));
    }
    run.clear();
  }

  LoopProgram& p_;
  loops::LoopBuilder b_;
  loops::VarId var_;
  std::vector<Renaming> copies_;
};

}  // namespace

absl::StatusOr<UnrolledAndJammed> UnrollAndJam(LoopProgram& p, StmtId loop, int64_t factor) {
  DLC_ASSIGN_OR_RETURN(const StmtPlace place, SerialLoop(p, loop));
  DLC_RETURN_IF_ERROR(CheckFactor(p, loop, factor));
  if (HoldsCheck(p, loop)) {
    return absl::FailedPreconditionError(
        StrCat("unroll-and-jam of ", Describe(p, loop), " would reorder the checks inside it"));
  }
  if (!IterationsIndependent(p, loop)) {
    return absl::FailedPreconditionError(
        StrCat("unroll-and-jam of ", Describe(p, loop),
               " would run iterations side by side that touch the same elements"));
  }
  const std::vector<BufferId> written = BuffersWritten(p, loop);
  if (std::optional<StmtId> guard = GuardReading(p, loop, written)) {
    return absl::FailedPreconditionError(StrCat("unroll-and-jam of ", Describe(p, loop), ": ",
                                                Describe(p, *guard),
                                                " reads a buffer the loop writes"));
  }

  loops::LoopBuilder b(p);
  const loops::VarId var = p.stmt(loop).var;
  const int64_t extent = p.stmt(loop).extent;
  const int64_t blocks = extent / factor, rest = extent % factor;
  UnrolledAndJammed result{.loop = loop};
  // The remainder copies the body before it is jammed.
  if (rest > 0) result.remainder = CopyOfIterations(b, loop, blocks * factor, rest);
  const loops::VarId block = b.NewVar();
  std::vector<Renaming> copies(static_cast<size_t>(factor));
  for (int64_t u = 0; u < factor; ++u) {
    Renaming& copy = copies[static_cast<size_t>(u)];
    copy.vars[var] = b.AddConst(b.Mul(b.Var(block), factor), u);
    if (u == 0) continue;
    for (BufferId buffer : written) {
      if (p.buffer(buffer).kind != loops::BufferKind::kLocal) continue;
      // The loop's iterations are independent, so a local it writes is
      // each iteration's own: each copy needs one.
      loops::Buffer fresh = p.buffer(buffer);
      fresh.name = StrCat(fresh.name, ".", u);
      copy.buffers[buffer] = b.AddBuffer(fresh);
    }
  }
  Jammer jammer(p, var, std::move(copies));
  std::vector<StmtId> body = jammer.Jam(p.stmt(loop).body, {});
  p.stmts[loop].var = block;
  p.stmts[loop].extent = blocks;
  p.stmts[loop].body = std::move(body);
  if (result.remainder >= 0) {
    std::vector<StmtId>& list = ListAt(p, place);
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(place.index) + 1, result.remainder);
  }
  return result;
}

}  // namespace dlc::transforms
