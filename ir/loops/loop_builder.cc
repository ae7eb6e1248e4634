#include "ir/loops/loop_builder.h"

namespace dlc::loops {

BufferId LoopBuilder::AddBuffer(Buffer buffer) {
  p_.buffers.push_back(std::move(buffer));
  return static_cast<BufferId>(p_.buffers.size() - 1);
}

ExprId LoopBuilder::Push(Expr e) {
  p_.exprs.push_back(e);
  return static_cast<ExprId>(p_.exprs.size() - 1);
}

ExprId LoopBuilder::Const(double value, Type type) {
  Expr e;
  e.kind = ExprKind::kConst;
  e.type = type;
  e.value = value;
  // Only u64 constants read `bits`; converting a double outside [0, 2^64) is undefined.
  e.bits = value >= 0 && value < 0x1p64 ? static_cast<uint64_t>(value) : 0;
  return Push(e);
}

ExprId LoopBuilder::U64(uint64_t bits) {
  Expr e;
  e.kind = ExprKind::kConst;
  e.type = Type::kU64;
  e.bits = bits;
  e.value = static_cast<double>(bits);
  return Push(e);
}

ExprId LoopBuilder::Var(VarId var) {
  Expr e;
  e.kind = ExprKind::kVar;
  e.type = Type::kI64;
  e.var = var;
  return Push(e);
}

ExprId LoopBuilder::Load(BufferId buffer, ExprId index) {
  Expr e;
  e.kind = ExprKind::kLoad;
  e.type = p_.buffers[buffer].type;
  e.buffer = buffer;
  e.a = index;
  return Push(e);
}

ExprId LoopBuilder::Unary(UnaryOp op, ExprId a) {
  Expr e;
  e.kind = ExprKind::kUnary;
  e.type = expr(a).type;
  e.unary = op;
  e.a = a;
  return Push(e);
}

ExprId LoopBuilder::Binary(BinaryOp op, ExprId a, ExprId b) {
  Expr e;
  e.kind = ExprKind::kBinary;
  e.type = expr(a).type;
  e.binary = op;
  e.a = a;
  e.b = b;
  return Push(e);
}

ExprId LoopBuilder::Compare(CompareOp op, ExprId a, ExprId b) {
  Expr e;
  e.kind = ExprKind::kCompare;
  e.type = Type::kI1;
  e.compare = op;
  e.a = a;
  e.b = b;
  return Push(e);
}

ExprId LoopBuilder::Select(ExprId cond, ExprId a, ExprId b) {
  Expr e;
  e.kind = ExprKind::kSelect;
  e.type = expr(a).type;
  e.a = cond;
  e.b = a;
  e.c = b;
  return Push(e);
}

ExprId LoopBuilder::Cast(Type type, ExprId a) {
  if (expr(a).type == type) return a;
  Expr e;
  e.kind = ExprKind::kCast;
  e.type = type;
  e.a = a;
  return Push(e);
}

bool LoopBuilder::IsConst(ExprId id, double value) const {
  return expr(id).kind == ExprKind::kConst && expr(id).value == value;
}

ExprId LoopBuilder::Add(ExprId a, ExprId b) {
  if (IsConst(a, 0)) return b;
  if (IsConst(b, 0)) return a;
  if (expr(a).kind == ExprKind::kConst && expr(b).kind == ExprKind::kConst) {
    return Index(static_cast<int64_t>(expr(a).value) + static_cast<int64_t>(expr(b).value));
  }
  return Binary(BinaryOp::kAdd, a, b);
}

ExprId LoopBuilder::Mul(ExprId a, int64_t k) {
  if (k == 0) return Index(0);
  if (k == 1) return a;
  if (expr(a).kind == ExprKind::kConst) return Index(static_cast<int64_t>(expr(a).value) * k);
  return Binary(BinaryOp::kMul, a, Index(k));
}

ExprId LoopBuilder::AddConst(ExprId a, int64_t k) { return k == 0 ? a : Add(a, Index(k)); }

ExprId LoopBuilder::FlatIndex(std::span<const ExprId> coords, const Shape& shape) {
  ExprId index = Index(0);
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    // A dimension of size 1 contributes nothing whatever its coordinate.
    if (shape[i] != 1) index = Add(index, Mul(coords[i], stride));
    stride *= shape[i];
  }
  return index;
}

ExprId LoopBuilder::InRange(ExprId a, int64_t bound) {
  return And(Compare(CompareOp::kGe, a, Index(0)), Compare(CompareOp::kLt, a, Index(bound)));
}

ExprId LoopBuilder::And(ExprId a, ExprId b) { return Binary(BinaryOp::kAnd, a, b); }

StmtId LoopBuilder::For(VarId var, int64_t extent, std::vector<StmtId> body, LoopKind kind,
                        int width) {
  Stmt s;
  s.kind = StmtKind::kFor;
  s.var = var;
  s.extent = extent;
  s.body = std::move(body);
  s.loop = kind;
  s.width = width;
  p_.stmts.push_back(std::move(s));
  return static_cast<StmtId>(p_.stmts.size() - 1);
}

StmtId LoopBuilder::Store(BufferId buffer, ExprId index, ExprId value) {
  Stmt s;
  s.kind = StmtKind::kStore;
  s.buffer = buffer;
  s.index = index;
  s.value = value;
  p_.stmts.push_back(std::move(s));
  return static_cast<StmtId>(p_.stmts.size() - 1);
}

StmtId LoopBuilder::If(ExprId cond, std::vector<StmtId> body) {
  Stmt s;
  s.kind = StmtKind::kIf;
  s.cond = cond;
  s.body = std::move(body);
  p_.stmts.push_back(std::move(s));
  return static_cast<StmtId>(p_.stmts.size() - 1);
}

StmtId LoopBuilder::Check(ExprId cond, std::string message) {
  p_.errors.push_back(std::move(message));
  Stmt s;
  s.kind = StmtKind::kCheck;
  s.cond = cond;
  s.error = static_cast<int32_t>(p_.errors.size());
  p_.stmts.push_back(std::move(s));
  return static_cast<StmtId>(p_.stmts.size() - 1);
}

std::vector<StmtId> LoopBuilder::Nest(
    const Shape& shape, const std::function<std::vector<StmtId>(std::span<const ExprId>)>& body) {
  std::vector<VarId> vars;
  std::vector<ExprId> coords;
  for (size_t i = 0; i < shape.size(); ++i) {
    vars.push_back(NewVar());
    coords.push_back(Var(vars.back()));
  }
  std::vector<StmtId> stmts = body(coords);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    stmts = {For(vars[i], shape[i], std::move(stmts))};
  }
  return stmts;
}

void LoopBuilder::AddKernel(std::string name, std::vector<StmtId> body) {
  p_.kernels.push_back({std::move(name), std::move(body)});
}

}  // namespace dlc::loops
