#include "passes/register_blocking.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "ir/loops/loop_builder.h"
#include "ir/str_cat.h"
#include "passes/loop_analysis.h"
#include "passes/loop_rewrite.h"

namespace dlc {
namespace {

using loops::BufferId;
using loops::ExprId;
using loops::LoopKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

class Blocker {
 public:
  Blocker(LoopProgram& p, std::set<StmtId> accumulations, int factor, int max_accumulators)
      : p_(p), b_(p), accumulations_(std::move(accumulations)), factor_(factor),
        max_accumulators_(max_accumulators) {}

  int blocked() const { return blocked_; }

  void Visit(std::vector<StmtId>& body) {
    for (size_t i = 0; i < body.size(); ++i) {
      if (std::optional<StmtId> rest = TryBlock(body[i])) {
        body.insert(body.begin() + static_cast<std::ptrdiff_t>(++i), *rest);
        continue;
      }
      const StmtKind kind = p_.stmt(body[i]).kind;
      if (kind == StmtKind::kFor || kind == StmtKind::kIf) {
        std::vector<StmtId> children = p_.stmt(body[i]).body;
        Visit(children);
        p_.stmts[body[i]].body = std::move(children);
      }
    }
  }

 private:
  StmtId CopyStore(StmtId id, const Renaming& r) {
    const Stmt s = p_.stmt(id);
    return b_.Store(r.Buffer(s.buffer), RewriteExpr(b_, s.index, r), RewriteExpr(b_, s.value, r));
  }

  // Blocks loop `o` if its body is one accumulation; returns the remainder
  // loop to place after it, if there is one.
  std::optional<StmtId> TryBlock(StmtId o) {
    const Stmt& outer = p_.stmt(o);
    if (outer.kind != StmtKind::kFor || outer.loop != LoopKind::kSerial || outer.extent < 2 ||
        outer.body.size() != 1 || !accumulations_.contains(outer.body[0]) ||
        !IterationsIndependent(p_, o)) {
      return std::nullopt;
    }
    const StmtId v = outer.body[0];
    const VarId o_var = outer.var;
    const int64_t extent = outer.extent;
    // v's body: m initialisations, the reduction nest, m write-backs.
    const std::vector<StmtId> parts = p_.stmt(v).body;
    const size_t m = (parts.size() - 1) / 2;
    if (2 * static_cast<int64_t>(m) > max_accumulators_) return std::nullopt;
    // `factor_` accumulators in all: fewer copies when each has several.
    const int64_t factor =
        std::min<int64_t>(std::max<int64_t>(2, factor_ / static_cast<int64_t>(m)), extent);
    const int64_t main = extent / factor, rest = extent % factor;
    // The reduction nest, its loops and guards from the outside in; the
    // updates are the body of the innermost.
    std::vector<StmtId> nest = {parts[m]};
    for (;;) {
      const Stmt& s = p_.stmt(nest.back());
      if (s.body.size() != 1) break;
      const StmtKind next = p_.stmt(s.body[0]).kind;
      if (next != StmtKind::kFor && next != StmtKind::kIf) break;
      nest.push_back(s.body[0]);
    }
    const std::vector<StmtId> updates = p_.stmt(nest.back()).body;
    for (StmtId update : updates) {
      // Guarded per element choice (unrolled guards): not blocked.
      if (p_.stmt(update).kind != StmtKind::kStore) return std::nullopt;
    }

    // The remainder first, from the loop as it is.
    std::optional<StmtId> remainder;
    if (rest > 0) {
      const VarId r_var = b_.NewVar();
      Renaming shift;
      shift.vars[o_var] = b_.AddConst(b_.Var(r_var), main * factor);
      remainder = b_.For(r_var, rest, {CloneStmt(b_, v, shift)});
    }

    // Guards that read o (a padded window's edge moves with the output
    // position) differ between the copies: each copy's updates get their own.
    std::vector<ExprId> moved_guards;
    for (size_t k = 1; k < nest.size(); ++k) {
      const Stmt& guard = p_.stmt(nest[k]);
      if (guard.kind != StmtKind::kIf || !ReadsVar(p_, guard.cond, o_var)) continue;
      moved_guards.push_back(guard.cond);
      p_.stmts[nest[k - 1]].body = guard.body;  // the guard leaves the nest
      nest.erase(nest.begin() + static_cast<std::ptrdiff_t>(k--));
    }
    const StmtId innermost = nest.back();

    const VarId block = b_.NewVar();
    std::vector<StmtId> inits, new_updates, write_backs;
    for (int64_t u = 0; u < factor; ++u) {
      Renaming copy;
      copy.vars[o_var] = b_.AddConst(b_.Mul(b_.Var(block), factor), u);
      if (u > 0) {
        for (size_t k = 0; k < m; ++k) {
          const BufferId local = p_.stmt(parts[k]).buffer;
          loops::Buffer fresh = p_.buffer(local);
          fresh.name = StrCat(fresh.name, ".", u);
          copy.buffers[local] = b_.AddBuffer(fresh);
        }
      }
      for (size_t k = 0; k < m; ++k) {
        inits.push_back(CopyStore(parts[k], copy));
        write_backs.push_back(CopyStore(parts[m + 1 + k], copy));
      }
      std::vector<StmtId> mine;
      for (StmtId update : updates) mine.push_back(CopyStore(update, copy));
      if (moved_guards.empty()) {
        new_updates.insert(new_updates.end(), mine.begin(), mine.end());
      } else {
        ExprId cond = RewriteExpr(b_, moved_guards[0], copy);
        for (size_t k = 1; k < moved_guards.size(); ++k) {
          cond = b_.And(cond, RewriteExpr(b_, moved_guards[k], copy));
        }
        new_updates.push_back(b_.If(cond, mine));
      }
    }
    p_.stmts[innermost].body = new_updates;
    std::vector<StmtId> body = inits;
    body.push_back(parts[m]);
    body.insert(body.end(), write_backs.begin(), write_backs.end());
    p_.stmts[v].body = body;
    p_.stmts[o].var = block;
    p_.stmts[o].extent = main;
    ++blocked_;
    return remainder;
  }

  LoopProgram& p_;
  loops::LoopBuilder b_;
  std::set<StmtId> accumulations_;
  int factor_;
  int max_accumulators_;
  int blocked_ = 0;
};

}  // namespace

int BlockAccumulations(LoopProgram& program, std::span<const StmtId> accumulations, int factor,
                       int max_accumulators) {
  if (factor < 2 || accumulations.empty()) return 0;
  Blocker blocker(program, std::set<StmtId>(accumulations.begin(), accumulations.end()), factor,
                  max_accumulators);
  for (loops::Kernel& kernel : program.kernels) blocker.Visit(kernel.body);
  return blocker.blocked();
}

}  // namespace dlc
