#include "ir/loops/loop_ir.h"

namespace dlc::loops {

Type TypeOf(DType dtype) {
  switch (dtype) {
    case DType::kF32: return Type::kF32;
    case DType::kF64: return Type::kF64;
    case DType::kI32: return Type::kI32;
    case DType::kU8: return Type::kU8;
    case DType::kI1: return Type::kI1;
  }
  return Type::kF32;
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kF32: return "f32";
    case Type::kF64: return "f64";
    case Type::kI32: return "i32";
    case Type::kU8: return "u8";
    case Type::kI1: return "i1";
    case Type::kI64: return "i64";
    case Type::kU64: return "u64";
  }
  return "?";
}

int64_t TypeSize(Type type) {
  switch (type) {
    case Type::kF32:
    case Type::kI32: return 4;
    case Type::kF64:
    case Type::kI64:
    case Type::kU64: return 8;
    case Type::kU8:
    case Type::kI1: return 1;
  }
  return 1;
}

bool IsFloatType(Type type) { return type == Type::kF32 || type == Type::kF64; }
bool IsSignedType(Type type) { return type == Type::kI32 || type == Type::kI64; }

std::vector<ExprId> ExprOperands(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kConst:
    case ExprKind::kVar: return {};
    case ExprKind::kLoad:
    case ExprKind::kUnary:
    case ExprKind::kCast: return {e.a};
    case ExprKind::kBinary:
    case ExprKind::kCompare: return {e.a, e.b};
    case ExprKind::kSelect: return {e.a, e.b, e.c};
  }
  return {};
}

bool SameExpr(const LoopProgram& p, ExprId x, ExprId y) {
  if (x == y) return true;
  if (x < 0 || y < 0) return false;
  const Expr& a = p.expr(x);
  const Expr& b = p.expr(y);
  if (a.kind != b.kind || a.type != b.type) return false;
  switch (a.kind) {
    case ExprKind::kConst: return a.type == Type::kU64 ? a.bits == b.bits : a.value == b.value;
    case ExprKind::kVar: return a.var == b.var;
    case ExprKind::kLoad: return a.buffer == b.buffer && SameExpr(p, a.a, b.a);
    case ExprKind::kUnary: return a.unary == b.unary && SameExpr(p, a.a, b.a);
    case ExprKind::kBinary:
      return a.binary == b.binary && SameExpr(p, a.a, b.a) && SameExpr(p, a.b, b.b);
    case ExprKind::kCompare:
      return a.compare == b.compare && SameExpr(p, a.a, b.a) && SameExpr(p, a.b, b.b);
    case ExprKind::kSelect:
      return SameExpr(p, a.a, b.a) && SameExpr(p, a.b, b.b) && SameExpr(p, a.c, b.c);
    case ExprKind::kCast: return SameExpr(p, a.a, b.a);
  }
  return false;
}

}  // namespace dlc::loops
