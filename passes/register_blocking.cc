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
using loops::LoopKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

class Blocker {
 public:
  Blocker(LoopProgram& p, std::set<StmtId> accumulations, int factor)
      : p_(p), b_(p), accumulations_(std::move(accumulations)), factor_(factor) {}

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
    // `factor_` accumulators in all: fewer copies when each has several.
    const int64_t factor =
        std::min<int64_t>(std::max<int64_t>(2, factor_ / static_cast<int64_t>(m)), extent);
    const int64_t main = extent / factor, rest = extent % factor;

    // The remainder first, from the loop as it is.
    std::optional<StmtId> remainder;
    if (rest > 0) {
      const VarId r_var = b_.NewVar();
      Renaming shift;
      shift.vars[o_var] = b_.AddConst(b_.Var(r_var), main * factor);
      remainder = b_.For(r_var, rest, {CloneStmt(b_, v, shift)});
    }

    StmtId innermost = parts[m];
    while (p_.stmt(innermost).body.size() == 1 && p_.stmt(p_.stmt(innermost).body[0]).kind == StmtKind::kFor) {
      innermost = p_.stmt(innermost).body[0];
    }
    const std::vector<StmtId> updates = p_.stmt(innermost).body;
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
      for (StmtId update : updates) new_updates.push_back(CopyStore(update, copy));
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
  int blocked_ = 0;
};

}  // namespace

int BlockAccumulations(LoopProgram& program, std::span<const StmtId> accumulations, int factor) {
  if (factor < 2 || accumulations.empty()) return 0;
  Blocker blocker(program, std::set<StmtId>(accumulations.begin(), accumulations.end()), factor);
  for (loops::Kernel& kernel : program.kernels) blocker.Visit(kernel.body);
  return blocker.blocked();
}

}  // namespace dlc
