#include "passes/codegen/lane_analysis.h"

#include "absl/container/flat_hash_map.h"
#include "ir/loops/loop_walk.h"

namespace dlc::codegen::internal {
namespace {

using loops::BinaryOp;
using loops::Expr;
using loops::ExprId;
using loops::ExprKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

bool ValidExpr(const LoopProgram& program, ExprId id) {
  return id >= 0 && id < static_cast<ExprId>(program.exprs.size());
}

// Expressions are DAGs (the builder shares subexpressions), so the walk
// remembers what it has seen.
bool DependsOnMemo(const LoopProgram& program, ExprId id, VarId var,
                   absl::flat_hash_map<ExprId, bool>& seen) {
  if (!ValidExpr(program, id)) return false;
  if (auto it = seen.find(id); it != seen.end()) return it->second;
  const Expr& e = program.expr(id);
  bool depends = e.kind == ExprKind::kVar ? e.var == var
                                          : DependsOnMemo(program, e.a, var, seen) ||
                                                DependsOnMemo(program, e.b, var, seen) ||
                                                DependsOnMemo(program, e.c, var, seen);
  seen.emplace(id, depends);
  return depends;
}

std::optional<int64_t> ConstantIndex(const LoopProgram& program, ExprId id) {
  const Expr& e = program.expr(id);
  if (e.kind != ExprKind::kConst || e.type != loops::Type::kI64) return std::nullopt;
  return static_cast<int64_t>(e.value);
}

std::optional<int64_t> Stride(const LoopProgram& program, ExprId id, VarId var) {
  if (!ValidExpr(program, id)) return std::nullopt;
  const Expr& e = program.expr(id);
  if (e.kind == ExprKind::kVar) return e.var == var ? 1 : 0;
  if (e.kind == ExprKind::kBinary && e.type == loops::Type::kI64) {
    switch (e.binary) {
      case BinaryOp::kAdd:
      case BinaryOp::kSub: {
        std::optional<int64_t> a = Stride(program, e.a, var);
        std::optional<int64_t> b = Stride(program, e.b, var);
        int64_t sum;
        if (!a || !b) return std::nullopt;
        if (e.binary == BinaryOp::kAdd ? __builtin_add_overflow(*a, *b, &sum)
                                       : __builtin_sub_overflow(*a, *b, &sum)) {
          return std::nullopt;
        }
        return sum;
      }
      case BinaryOp::kMul: {
        std::optional<int64_t> a = Stride(program, e.a, var);
        std::optional<int64_t> b = Stride(program, e.b, var);
        if (!a || !b) return std::nullopt;
        if (*a == 0 && *b == 0) return 0;
        // var * k or k * var with a constant k; anything else is not affine.
        std::optional<int64_t> k =
            *b == 0 ? ConstantIndex(program, e.b) : ConstantIndex(program, e.a);
        if (!k) return std::nullopt;
        int64_t product;
        if (__builtin_mul_overflow(*a == 0 ? *b : *a, *k, &product)) return std::nullopt;
        return product;
      }
      default: break;
    }
  }
  // Everything else (loads, casts, divisions, ...) is affine only by not
  // varying at all.
  if (DependsOn(program, id, var)) return std::nullopt;
  return 0;
}

bool HasLaneDependentCheckUnder(const LoopProgram& program, std::span<const StmtId> stmts,
                                VarId var, bool under_varying_if) {
  for (StmtId id : stmts) {
    if (id < 0 || id >= static_cast<StmtId>(program.stmts.size())) continue;
    const Stmt& s = program.stmt(id);
    switch (s.kind) {
      case StmtKind::kCheck:
        if (under_varying_if || DependsOn(program, s.cond, var)) return true;
        break;
      case StmtKind::kIf:
        if (HasLaneDependentCheckUnder(program, s.body, var,
                                       under_varying_if || DependsOn(program, s.cond, var))) {
          return true;
        }
        break;
      case StmtKind::kFor:
        if (HasLaneDependentCheckUnder(program, s.body, var, under_varying_if)) return true;
        break;
      case StmtKind::kStore: break;
    }
  }
  return false;
}

}  // namespace

bool DependsOn(const LoopProgram& program, ExprId expr, VarId var) {
  absl::flat_hash_map<ExprId, bool> seen;
  return DependsOnMemo(program, expr, var, seen);
}

std::optional<int64_t> IndexStride(const LoopProgram& program, ExprId index, VarId var) {
  return Stride(program, index, var);
}

bool ContainsCheck(const LoopProgram& program, std::span<const StmtId> stmts) {
  return loops::AnyStmt(program, stmts, [](const Stmt& s) { return s.kind == StmtKind::kCheck; });
}

bool HasLaneDependentCheck(const LoopProgram& program, std::span<const StmtId> stmts, VarId var) {
  return HasLaneDependentCheckUnder(program, stmts, var, false);
}

}  // namespace dlc::codegen::internal
