// The loop IR's shared walks (ir/loops/loop_walk.h): order, stopping,
// shared subexpressions, buffers touched, rewriting in place, and ids out
// of range.
#include "ir/loops/loop_walk.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/loops/loop_builder.h"

namespace dlc::loops {
namespace {

using ::testing::ElementsAre;

BufferId AddF32(LoopBuilder& b, std::string name, BufferKind kind) {
  return b.AddBuffer(
      {.name = std::move(name), .type = Type::kF32, .shape = {8}, .kind = kind, .values = {}});
}

// for i0: { if (x[i0] > 0) { out[i0] = x[i0] + y[i0] }; for i1: t[i1] = out[i0] }
struct Nest {
  LoopProgram p;
  BufferId x, y, out, t;
  StmtId outer, guard, store, inner, inner_store;
};

void Build(Nest& n) {
  LoopBuilder b(n.p);
  n.x = AddF32(b, "x", BufferKind::kInput);
  n.y = AddF32(b, "y", BufferKind::kInput);
  n.out = AddF32(b, "out", BufferKind::kOutput);
  n.t = AddF32(b, "t", BufferKind::kTemp);
  const VarId i0 = b.NewVar(), i1 = b.NewVar();
  ExprId xi = b.Load(n.x, b.Var(i0));
  n.store = b.Store(n.out, b.Var(i0), b.Binary(BinaryOp::kAdd, xi, b.Load(n.y, b.Var(i0))));
  n.guard = b.If(b.Compare(CompareOp::kGt, xi, b.Const(0, Type::kF32)), {n.store});
  n.inner_store = b.Store(n.t, b.Var(i1), b.Load(n.out, b.Var(i0)));
  n.inner = b.For(i1, 8, {n.inner_store});
  n.outer = b.For(i0, 8, {n.guard, n.inner});
}

TEST(LoopWalk, StatementsParentsFirstAndTheWalkStops) {
  Nest n;
  Build(n);
  std::vector<StmtId> seen;
  EXPECT_TRUE(ForEachStmt(n.p, {&n.outer, 1}, [&](StmtId id, const Stmt&) {
    seen.push_back(id);
    return true;
  }));
  EXPECT_THAT(seen, ElementsAre(n.outer, n.guard, n.store, n.inner, n.inner_store));
  seen.clear();
  EXPECT_FALSE(ForEachStmt(n.p, {&n.outer, 1}, [&](StmtId id, const Stmt& s) {
    seen.push_back(id);
    return s.kind != StmtKind::kIf;
  }));
  EXPECT_THAT(seen, ElementsAre(n.outer, n.guard));
}

TEST(LoopWalk, AnyStatementAndAnyExpression) {
  Nest n;
  Build(n);
  EXPECT_TRUE(AnyStmt(n.p, {&n.outer, 1}, [](const Stmt& s) { return s.kind == StmtKind::kIf; }));
  EXPECT_FALSE(
      AnyStmt(n.p, {&n.outer, 1}, [](const Stmt& s) { return s.kind == StmtKind::kCheck; }));
  const Stmt& store = n.p.stmt(n.store);
  auto loads = [&](BufferId buffer) {
    return AnyExpr(n.p, store.value,
                   [&](const Expr& e) { return e.kind == ExprKind::kLoad && e.buffer == buffer; });
  };
  EXPECT_TRUE(loads(n.x));
  EXPECT_TRUE(loads(n.y));
  EXPECT_FALSE(loads(n.t));
  EXPECT_THAT(StmtOperands(store), ElementsAre(store.index, store.value));
  EXPECT_THAT(StmtOperands(n.p.stmt(n.guard)), ElementsAre(n.p.stmt(n.guard).cond));
}

TEST(LoopWalk, BuffersTouchedInWalkOrderEachOnce) {
  Nest n;
  Build(n);
  // The guard reads x; its store writes out and reads x, y; the inner
  // store writes t and reads out.
  EXPECT_THAT(BuffersTouched(n.p, {&n.outer, 1}), ElementsAre(n.x, n.out, n.y, n.t));
  EXPECT_THAT(BuffersTouched(n.p, {&n.inner, 1}), ElementsAre(n.t, n.out));
}

// e_{k+1} = e_k + e_k, 40 times: 2^40 paths, 42 distinct expressions.
TEST(LoopWalk, ASharedSubexpressionIsWalkedOnce) {
  LoopProgram p;
  LoopBuilder b(p);
  const BufferId x = AddF32(b, "x", BufferKind::kInput);
  ExprId e = b.Load(x, b.Index(0));
  for (int k = 0; k < 40; ++k) e = b.Binary(BinaryOp::kAdd, e, e);
  int visits = 0;
  ForEachExpr(p, e, [&](ExprId, const Expr&) {
    ++visits;
    return true;
  });
  EXPECT_EQ(visits, 42);  // 40 additions, the load, its index
}

TEST(LoopWalk, RewriteReplacesEveryExpressionInPlace) {
  Nest n;
  Build(n);
  LoopBuilder b(n.p);
  const ExprId zero = b.Index(0);
  const size_t stmts = n.p.stmts.size();
  // Every index becomes 0; values and conditions stay.
  RewriteStmtExprs(n.p, n.outer,
                   [&](ExprId e) { return n.p.expr(e).type == Type::kI64 ? zero : e; });
  EXPECT_EQ(n.p.stmts.size(), stmts);  // the statements keep their ids
  EXPECT_EQ(n.p.stmt(n.store).index, zero);
  EXPECT_EQ(n.p.stmt(n.inner_store).index, zero);
  EXPECT_EQ(n.p.stmt(n.store).buffer, n.out);
  EXPECT_NE(n.p.stmt(n.guard).cond, zero);
}

TEST(LoopWalk, IdsOutOfRangeAreSkipped) {
  Nest n;
  Build(n);
  const std::vector<StmtId> stmts = {-1, n.inner, 1000};
  EXPECT_THAT(BuffersTouched(n.p, stmts), ElementsAre(n.t, n.out));
  EXPECT_FALSE(AnyExpr(n.p, 12345, [](const Expr&) { return true; }));
  RewriteStmtExprs(n.p, 999, [](ExprId e) { return e; });  // nothing to do, no crash
}

}  // namespace
}  // namespace dlc::loops
