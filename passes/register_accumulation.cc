#include "passes/register_accumulation.h"

#include <vector>

#include "ir/loops/loop_builder.h"
#include "ir/str_cat.h"
#include "passes/loop_analysis.h"

namespace dlc {
namespace {

using loops::BufferId;
using loops::Expr;
using loops::ExprId;
using loops::ExprKind;
using loops::LoopKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

bool ReadsVar(const LoopProgram& p, ExprId id, VarId var) {
  if (id < 0) return false;
  const Expr& e = p.expr(id);
  if (e.kind == ExprKind::kVar && e.var == var) return true;
  return ReadsVar(p, e.a, var) || ReadsVar(p, e.b, var) || ReadsVar(p, e.c, var);
}

bool ReadsBuffer(const LoopProgram& p, ExprId id, BufferId buffer) {
  if (id < 0) return false;
  const Expr& e = p.expr(id);
  if (e.kind == ExprKind::kLoad && e.buffer == buffer) return true;
  return ReadsBuffer(p, e.a, buffer) || ReadsBuffer(p, e.b, buffer) || ReadsBuffer(p, e.c, buffer);
}

// Whether two expressions compute the same value (the same tree).
bool SameExpr(const LoopProgram& p, ExprId a, ExprId b) {
  if (a == b) return true;
  if (a < 0 || b < 0) return false;
  const Expr& x = p.expr(a);
  const Expr& y = p.expr(b);
  return x.kind == y.kind && x.type == y.type && x.value == y.value && x.bits == y.bits &&
         x.var == y.var && x.buffer == y.buffer && x.unary == y.unary && x.binary == y.binary &&
         x.compare == y.compare && SameExpr(p, x.a, y.a) && SameExpr(p, x.b, y.b) &&
         SameExpr(p, x.c, y.c);
}

// Whether every load of `buffer` in `id` reads element `index`.
bool ReadsOnlyAt(const LoopProgram& p, ExprId id, BufferId buffer, ExprId index) {
  if (id < 0) return true;
  const Expr& e = p.expr(id);
  if (e.kind == ExprKind::kLoad && e.buffer == buffer) return SameExpr(p, e.a, index);
  return ReadsOnlyAt(p, e.a, buffer, index) && ReadsOnlyAt(p, e.b, buffer, index) &&
         ReadsOnlyAt(p, e.c, buffer, index);
}

// `id` with every load of `buffer` replaced by a load of `local`.
ExprId ReplaceLoads(loops::LoopBuilder& b, ExprId id, BufferId buffer, BufferId local) {
  if (id < 0) return id;
  const Expr e = b.expr(id);  // a copy: building may move the arena
  if (e.kind == ExprKind::kLoad && e.buffer == buffer) return b.Load(local, b.Index(0));
  const ExprId a = ReplaceLoads(b, e.a, buffer, local);
  const ExprId c1 = ReplaceLoads(b, e.b, buffer, local);
  const ExprId c2 = ReplaceLoads(b, e.c, buffer, local);
  if (a == e.a && c1 == e.b && c2 == e.c) return id;
  Expr copy = e;
  copy.a = a;
  copy.b = c1;
  copy.c = c2;
  b.program().exprs.push_back(copy);
  return static_cast<ExprId>(b.program().exprs.size() - 1);
}

class Rewriter {
 public:
  Rewriter(LoopProgram& p, int vector_bytes) : p_(p), b_(p), vector_bytes_(vector_bytes) {}

  int rewritten() const { return rewritten_; }

  void Visit(std::vector<StmtId>& body) {
    for (size_t i = 0; i < body.size(); ++i) {
      if (TryRewrite(body[i])) continue;  // nothing more to do below it
      const StmtKind kind = p_.stmt(body[i]).kind;
      if (kind == StmtKind::kFor || kind == StmtKind::kIf) {
        std::vector<StmtId> children = p_.stmt(body[i]).body;
        Visit(children);
        p_.stmts[body[i]].body = std::move(children);
      }
    }
  }

 private:
  // `slot` as the outermost reduction loop r1 of the pattern; on success
  // `slot` becomes the moved loop v.
  bool TryRewrite(StmtId& slot) {
    // r1 .. rk, then v: a perfect nest of serial loops ending in one store.
    std::vector<StmtId> chain;
    StmtId id = slot;
    while (p_.stmt(id).kind == StmtKind::kFor && p_.stmt(id).loop == LoopKind::kSerial) {
      chain.push_back(id);
      const Stmt& s = p_.stmt(id);
      if (s.body.size() != 1) return false;
      id = s.body[0];
    }
    if (chain.size() < 2 || p_.stmt(id).kind != StmtKind::kStore) return false;
    const StmtId v = chain.back();
    chain.pop_back();
    const Stmt store = p_.stmt(id);
    const BufferId buffer = store.buffer;
    if (p_.buffer(buffer).kind == loops::BufferKind::kLocal) return false;
    for (StmtId r : chain) {
      if (ReadsVar(p_, store.index, p_.stmt(r).var)) return false;
    }
    if (ReadsBuffer(p_, store.index, buffer) || !ReadsBuffer(p_, store.value, buffer) ||
        !ReadsOnlyAt(p_, store.value, buffer, store.index)) {
      return false;
    }
    if (!IterationsIndependent(p_, v)) return false;

    loops::Buffer acc;
    acc.name = StrCat(p_.buffer(buffer).name, ".acc");
    acc.type = p_.buffer(buffer).type;
    acc.kind = loops::BufferKind::kLocal;
    const BufferId local = b_.AddBuffer(acc);
    const ExprId value = ReplaceLoads(b_, store.value, buffer, local);

    const StmtId init = b_.Store(local, b_.Index(0), b_.Load(buffer, store.index));
    const StmtId update = b_.Store(local, b_.Index(0), value);
    const StmtId write_back = b_.Store(buffer, store.index, b_.Load(local, b_.Index(0)));
    p_.stmts[chain.back()].body = {update};
    p_.stmts[v].body = {init, chain.front(), write_back};
    const int lanes = static_cast<int>(vector_bytes_ / loops::TypeSize(acc.type));
    if (vector_bytes_ > 0 && lanes >= 2 && p_.stmt(v).extent >= 4) {
      p_.stmts[v].loop = LoopKind::kVectorized;
      p_.stmts[v].width = std::min(lanes, 64);
    }
    slot = v;
    ++rewritten_;
    return true;
  }

  LoopProgram& p_;
  loops::LoopBuilder b_;
  int vector_bytes_;
  int rewritten_ = 0;
};

}  // namespace

int AccumulateInRegisters(LoopProgram& program, int vector_bytes) {
  Rewriter rewriter(program, vector_bytes);
  for (loops::Kernel& kernel : program.kernels) rewriter.Visit(kernel.body);
  return rewriter.rewritten();
}

}  // namespace dlc
