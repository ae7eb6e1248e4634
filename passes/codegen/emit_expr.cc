// Expressions. Every operation is written once for scalars and vectors:
// IRBuilder and the intrinsics take either, so a vectorized body is the
// scalar body on <width x T> values. The corner cases follow the reference
// interpreters (ir/interpreter/scalar_ops.h, ir/convert.h) exactly; f32 exp
// and log, polynomials in vector registers (vector_math.h), agree with them
// to 2 ulp. No expression branches, they select.
#include <numeric>

#include "llvm/IR/Constants.h"
#include "llvm/IR/Intrinsics.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/llvm_types.h"
#include "passes/codegen/vector_math.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::codegen::internal {
namespace {

using loops::BinaryOp;
using loops::CompareOp;
using loops::ExprKind;
using loops::Type;
using loops::UnaryOp;

std::string_view UnaryOpName(UnaryOp op) {
  switch (op) {
    case UnaryOp::kNeg: return "neg";
    case UnaryOp::kExp: return "exp";
    case UnaryOp::kLog: return "log";
    case UnaryOp::kSqrt: return "sqrt";
    case UnaryOp::kAbs: return "abs";
    case UnaryOp::kFloor: return "floor";
    case UnaryOp::kNot: return "not";
  }
  return "?";
}

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "add";
    case BinaryOp::kSub: return "sub";
    case BinaryOp::kMul: return "mul";
    case BinaryOp::kDiv: return "div";
    case BinaryOp::kRem: return "rem";
    case BinaryOp::kMax: return "max";
    case BinaryOp::kMin: return "min";
    case BinaryOp::kPow: return "pow";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kXor: return "xor";
    case BinaryOp::kShl: return "shl";
    case BinaryOp::kShr: return "shr";
  }
  return "?";
}

// max and min as MaxOf/MinOf: a NaN operand wins (the first one if both
// are), otherwise `a < b ? b : a` (max) and `b < a ? b : a` (min), which
// also fixes the sign of a zero result. llvm.maximum would agree on NaN but
// not on max(-0, +0); these selects agree on both and lower to vmaxps /
// vminps plus one NaN fix-up.
llvm::Value* FloatMaxMin(llvm::IRBuilder<>& b, llvm::Value* x, llvm::Value* y, bool max) {
  llvm::Value* pick_y = max ? b.CreateFCmpOLT(x, y) : b.CreateFCmpOLT(y, x);
  llvm::Value* ordered = b.CreateSelect(pick_y, y, x);
  llvm::Value* with_y_nan = b.CreateSelect(b.CreateFCmpUNO(y, y), y, ordered);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, with_y_nan);
}

// Integer division and remainder without undefined behaviour: a zero
// divisor gives 0, and INT_MIN / -1 gives INT_MIN (remainder 0), as the
// interpreter defines them. The divisor is replaced by 1 where the hardware
// would trap, and the result fixed up by select.
llvm::Value* SafeDivRem(llvm::IRBuilder<>& b, llvm::Value* x, llvm::Value* y, bool is_signed,
                        bool remainder) {
  llvm::Type* type = x->getType();
  llvm::Value* zero = llvm::Constant::getNullValue(type);
  llvm::Value* by_zero = b.CreateICmpEQ(y, zero);
  llvm::Value* trap = by_zero;
  if (is_signed) {
    const unsigned bits = type->getScalarSizeInBits();
    llvm::Value* overflow = b.CreateAnd(
        b.CreateICmpEQ(x, llvm::ConstantInt::get(type, llvm::APInt::getSignedMinValue(bits))),
        b.CreateICmpEQ(y, llvm::Constant::getAllOnesValue(type)));
    trap = b.CreateOr(trap, overflow);
  }
  llvm::Value* divisor = b.CreateSelect(trap, llvm::ConstantInt::get(type, 1), y);
  llvm::Value* result = is_signed
                            ? (remainder ? b.CreateSRem(x, divisor) : b.CreateSDiv(x, divisor))
                            : (remainder ? b.CreateURem(x, divisor) : b.CreateUDiv(x, divisor));
  return b.CreateSelect(by_zero, zero, result);
}

// The values of an integer type, for saturating conversions.
struct IntRange {
  __int128 min;
  __int128 max;
};

IntRange RangeOf(Type type) {
  switch (type) {
    case Type::kI1: return {0, 1};
    case Type::kU8: return {0, 255};
    case Type::kI32: return {INT32_MIN, INT32_MAX};
    case Type::kI64: return {INT64_MIN, INT64_MAX};
    case Type::kU64: return {0, static_cast<__int128>(UINT64_MAX)};
    default: return {0, 0};
  }
}

// Integer to integer, like C++ when the value fits or the type widens
// (sign- or zero-extended by the source's signedness, so an i32 seed cast to
// u64 keeps its low 32 bits, as ir/random_hash.h needs); i64 <-> u64 keep the
// bits (hashing); narrowing saturates to the destination's range, as
// ConvertTo (the tensor cast op) does.
llvm::Value* CastInteger(llvm::IRBuilder<>& b, llvm::Value* x, Type from, Type to,
                         llvm::Type* to_type) {
  if ((from == Type::kI64 && to == Type::kU64) || (from == Type::kU64 && to == Type::kI64)) {
    return x;
  }
  const unsigned from_bits = x->getType()->getScalarSizeInBits();
  const unsigned to_bits = to_type->getScalarSizeInBits();
  const bool from_signed = loops::IsSignedType(from);
  if (to_bits > from_bits) return from_signed ? b.CreateSExt(x, to_type) : b.CreateZExt(x, to_type);
  const IntRange source = RangeOf(from);
  const IntRange target = RangeOf(to);
  llvm::Type* type = x->getType();
  if (target.min > source.min) {
    llvm::Value* low = llvm::ConstantInt::get(type, static_cast<uint64_t>(target.min), true);
    llvm::Value* below = from_signed ? b.CreateICmpSLT(x, low) : b.CreateICmpULT(x, low);
    x = b.CreateSelect(below, low, x);
  }
  if (target.max < source.max) {
    llvm::Value* high = llvm::ConstantInt::get(type, static_cast<uint64_t>(target.max));
    llvm::Value* above = from_signed ? b.CreateICmpSGT(x, high) : b.CreateICmpUGT(x, high);
    x = b.CreateSelect(above, high, x);
  }
  return b.CreateTrunc(x, to_type);
}

}  // namespace

absl::Status FunctionEmitter::Error(ExprId id, std::string_view message) const {
  if (id < 0) return absl::InvalidArgumentError(std::string(message));
  return absl::InvalidArgumentError(StrCat("expression #", id, ": ", message));
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitExpr(ExprId id) {
  if (id < 0 || id >= static_cast<ExprId>(program_.exprs.size())) {
    return absl::InvalidArgumentError(StrCat("expression #", id, " does not exist"));
  }
  absl::flat_hash_map<ExprId, LaneValue>& memo = at_first_lane_ ? first_lane_memo_ : memo_;
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  DLC_ASSIGN_OR_RETURN(LaneValue value, EmitExprUncached(id));
  memo.emplace(id, value);
  return value;
}

absl::Status FunctionEmitter::CheckOperand(ExprId id, Type type, ExprId user) const {
  if (id < 0 || id >= static_cast<ExprId>(program_.exprs.size())) {
    return Error(user, StrCat("operand #", id, " does not exist"));
  }
  const Type actual = program_.expr(id).type;
  if (actual != type) {
    return Error(user, StrCat("operand #", id, " is ", loops::TypeName(actual), ", expected ",
                              loops::TypeName(type)));
  }
  return absl::OkStatus();
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitOperand(ExprId id, Type type, ExprId user) {
  DLC_RETURN_IF_ERROR(CheckOperand(id, type, user));
  return EmitExpr(id);
}

absl::StatusOr<llvm::Value*> FunctionEmitter::EmitAtFirstLane(ExprId id) {
  const bool outer = at_first_lane_;
  at_first_lane_ = true;
  absl::StatusOr<LaneValue> value = EmitExpr(id);
  at_first_lane_ = outer;
  if (!value.ok()) return value.status();
  if (value->varying) return absl::InternalError("a first-lane value varies across lanes");
  return value->value;
}

llvm::Value* FunctionEmitter::LaneRamp() {
  std::vector<uint64_t> lanes(lanes_->width);
  std::iota(lanes.begin(), lanes.end(), 0);
  llvm::Value* base = b_.CreateVectorSplat(lanes_->width, var_value_[lanes_->var]);
  return b_.CreateAdd(base, llvm::ConstantDataVector::get(state_.context, lanes),
                      StrCat("i", lanes_->var, ".lanes"));
}

llvm::Value* FunctionEmitter::Widen(const LaneValue& v) {
  if (v.varying || !lanes_) return v.value;
  return b_.CreateVectorSplat(lanes_->width, v.value);
}

bool FunctionEmitter::Unify(std::initializer_list<LaneValue*> values) {
  bool any = false;
  for (const LaneValue* v : values) any = any || v->varying;
  if (!any) return false;
  for (LaneValue* v : values) {
    v->value = Widen(*v);
    v->varying = true;
  }
  return true;
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitExprUncached(ExprId id) {
  const Expr& e = program_.expr(id);
  switch (e.kind) {
    case ExprKind::kConst:
      return LaneValue{ScalarConstant(state_.context, e.type, e.value, e.bits), false};
    case ExprKind::kVar:
      if (e.var < 0 || e.var >= program_.num_vars || var_value_[e.var] == nullptr) {
        return Error(id, StrCat("loop variable i", e.var, " is used outside its loop"));
      }
      if (lanes_ && !at_first_lane_ && e.var == lanes_->var) return LaneValue{LaneRamp(), true};
      return LaneValue{var_value_[e.var], false};
    case ExprKind::kLoad: return EmitLoad(id, e);
    case ExprKind::kUnary: return EmitUnary(id, e);
    case ExprKind::kBinary: return EmitBinary(id, e);
    case ExprKind::kCompare: return EmitCompare(id, e);
    case ExprKind::kSelect: return EmitSelect(id, e);
    case ExprKind::kCast: return EmitCast(id, e);
  }
  return Error(id, "unknown expression kind");
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitUnary(ExprId id, const Expr& e) {
  DLC_ASSIGN_OR_RETURN(LaneValue a, EmitOperand(e.a, e.type, id));
  llvm::Value* x = a.value;
  const bool is_float = loops::IsFloatType(e.type);
  llvm::Value* result = nullptr;
  switch (e.unary) {
    case UnaryOp::kNeg: result = is_float ? b_.CreateFNeg(x) : b_.CreateNeg(x); break;
    case UnaryOp::kAbs:
      if (is_float) {
        result = b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x);
      } else if (loops::IsSignedType(e.type)) {
        // abs(INT_MIN) wraps to INT_MIN (is_int_min_poison = false).
        result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, x, b_.getFalse());
      } else {
        result = x;
      }
      break;
    case UnaryOp::kNot:
      if (!is_float) result = b_.CreateNot(x);
      break;
    // f32 exp and log in vector registers (vector_math.h); f64 calls libm.
    case UnaryOp::kExp:
      if (e.type == Type::kF32) {
        result = EmitExpF32(b_, x, state_.options.fuse_multiply_add);
      } else if (is_float) {
        result = b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp, x);
      }
      break;
    case UnaryOp::kLog:
      if (e.type == Type::kF32) {
        result = EmitLogF32(b_, x, state_.options.fuse_multiply_add);
      } else if (is_float) {
        result = b_.CreateUnaryIntrinsic(llvm::Intrinsic::log, x);
      }
      break;
    case UnaryOp::kSqrt:
      if (is_float) result = b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x);
      break;
    case UnaryOp::kFloor:
      if (is_float) result = b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, x);
      break;
  }
  if (result == nullptr) {
    return Error(id, StrCat(UnaryOpName(e.unary), " is not defined on ", loops::TypeName(e.type)));
  }
  return LaneValue{result, a.varying};
}

absl::StatusOr<std::optional<LaneValue>> FunctionEmitter::EmitFusedMultiplyAdd(ExprId id,
                                                                               const Expr& e) {
  auto is_f32_product = [&](ExprId k) {
    if (k < 0 || k >= static_cast<ExprId>(program_.exprs.size())) return false;
    const Expr& m = program_.expr(k);
    return m.kind == ExprKind::kBinary && m.binary == BinaryOp::kMul && m.type == Type::kF32;
  };
  // a*b + c, c + a*b, a*b - c = fma(a, b, -c), c - a*b = fma(-a, b, c).
  ExprId product, addend;
  bool negate_product = false, negate_addend = false;
  if (is_f32_product(e.a)) {
    product = e.a;
    addend = e.b;
    negate_addend = e.binary == BinaryOp::kSub;
  } else if (is_f32_product(e.b)) {
    product = e.b;
    addend = e.a;
    negate_product = e.binary == BinaryOp::kSub;
  } else {
    return std::optional<LaneValue>();
  }
  const Expr& m = program_.expr(product);
  DLC_ASSIGN_OR_RETURN(LaneValue x, EmitOperand(m.a, Type::kF32, product));
  DLC_ASSIGN_OR_RETURN(LaneValue y, EmitOperand(m.b, Type::kF32, product));
  DLC_ASSIGN_OR_RETURN(LaneValue z, EmitOperand(addend, Type::kF32, id));
  const bool varying = Unify({&x, &y, &z});
  if (negate_product) x.value = b_.CreateFNeg(x.value);
  if (negate_addend) z.value = b_.CreateFNeg(z.value);
  // fmuladd: one rounding where the target has FMA (vfmadd), a separate
  // multiply and add where it has not. Never reassociates.
  llvm::Value* result = b_.CreateIntrinsic(llvm::Intrinsic::fmuladd, {x.value->getType()},
                                           {x.value, y.value, z.value});
  return std::optional<LaneValue>(LaneValue{result, varying});
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitBinary(ExprId id, const Expr& e) {
  if (state_.options.fuse_multiply_add && e.type == Type::kF32 &&
      (e.binary == BinaryOp::kAdd || e.binary == BinaryOp::kSub)) {
    DLC_ASSIGN_OR_RETURN(std::optional<LaneValue> fused, EmitFusedMultiplyAdd(id, e));
    if (fused) return *fused;
  }
  DLC_ASSIGN_OR_RETURN(LaneValue a, EmitOperand(e.a, e.type, id));
  DLC_ASSIGN_OR_RETURN(LaneValue b, EmitOperand(e.b, e.type, id));
  const bool varying = Unify({&a, &b});
  llvm::Value* x = a.value;
  llvm::Value* y = b.value;
  llvm::Value* result = nullptr;
  if (loops::IsFloatType(e.type)) {
    switch (e.binary) {
      case BinaryOp::kAdd: result = b_.CreateFAdd(x, y); break;
      case BinaryOp::kSub: result = b_.CreateFSub(x, y); break;
      case BinaryOp::kMul: result = b_.CreateFMul(x, y); break;
      case BinaryOp::kDiv: result = b_.CreateFDiv(x, y); break;
      case BinaryOp::kMax: result = FloatMaxMin(b_, x, y, true); break;
      case BinaryOp::kMin: result = FloatMaxMin(b_, x, y, false); break;
      case BinaryOp::kPow: result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, x, y); break;
      default: break;  // rem and the bitwise ops are for integers
    }
  } else {
    const bool is_signed = loops::IsSignedType(e.type);
    switch (e.binary) {
      // No nsw/nuw flags: integer arithmetic wraps.
      case BinaryOp::kAdd: result = b_.CreateAdd(x, y); break;
      case BinaryOp::kSub: result = b_.CreateSub(x, y); break;
      case BinaryOp::kMul: result = b_.CreateMul(x, y); break;
      case BinaryOp::kDiv: result = SafeDivRem(b_, x, y, is_signed, false); break;
      case BinaryOp::kRem: result = SafeDivRem(b_, x, y, is_signed, true); break;
      case BinaryOp::kMax:
        result = b_.CreateSelect(is_signed ? b_.CreateICmpSLT(x, y) : b_.CreateICmpULT(x, y), y, x);
        break;
      case BinaryOp::kMin:
        result = b_.CreateSelect(is_signed ? b_.CreateICmpSLT(y, x) : b_.CreateICmpULT(y, x), y, x);
        break;
      case BinaryOp::kAnd: result = b_.CreateAnd(x, y); break;
      case BinaryOp::kOr: result = b_.CreateOr(x, y); break;
      case BinaryOp::kXor: result = b_.CreateXor(x, y); break;
      case BinaryOp::kShl:
      case BinaryOp::kShr: {
        // A shift by the bit width or more is poison in LLVM; the amount is
        // taken modulo the width, as x86 shift instructions do.
        const unsigned bits = x->getType()->getScalarSizeInBits();
        llvm::Value* amount = b_.CreateAnd(y, llvm::ConstantInt::get(y->getType(), bits - 1));
        if (e.binary == BinaryOp::kShl) {
          result = b_.CreateShl(x, amount);
        } else {
          result = is_signed ? b_.CreateAShr(x, amount) : b_.CreateLShr(x, amount);
        }
        break;
      }
      case BinaryOp::kPow: break;  // floats only
    }
  }
  if (result == nullptr) {
    return Error(id,
                 StrCat(BinaryOpName(e.binary), " is not defined on ", loops::TypeName(e.type)));
  }
  return LaneValue{result, varying};
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitCompare(ExprId id, const Expr& e) {
  if (e.type != Type::kI1) return Error(id, "a comparison must have type i1");
  if (e.a < 0 || e.a >= static_cast<ExprId>(program_.exprs.size())) {
    return Error(id, StrCat("operand #", e.a, " does not exist"));
  }
  const Type type = program_.expr(e.a).type;
  DLC_ASSIGN_OR_RETURN(LaneValue a, EmitOperand(e.a, type, id));
  DLC_ASSIGN_OR_RETURN(LaneValue b, EmitOperand(e.b, type, id));
  const bool varying = Unify({&a, &b});
  llvm::CmpInst::Predicate predicate;
  if (loops::IsFloatType(type)) {
    // As C++ compares: ordered, except that != holds when either is NaN.
    switch (e.compare) {
      case CompareOp::kEq: predicate = llvm::CmpInst::FCMP_OEQ; break;
      case CompareOp::kNe: predicate = llvm::CmpInst::FCMP_UNE; break;
      case CompareOp::kLt: predicate = llvm::CmpInst::FCMP_OLT; break;
      case CompareOp::kLe: predicate = llvm::CmpInst::FCMP_OLE; break;
      case CompareOp::kGt: predicate = llvm::CmpInst::FCMP_OGT; break;
      case CompareOp::kGe: predicate = llvm::CmpInst::FCMP_OGE; break;
      default: return Error(id, "unknown comparison");
    }
    return LaneValue{b_.CreateFCmp(predicate, a.value, b.value), varying};
  }
  const bool is_signed = loops::IsSignedType(type);
  switch (e.compare) {
    case CompareOp::kEq: predicate = llvm::CmpInst::ICMP_EQ; break;
    case CompareOp::kNe: predicate = llvm::CmpInst::ICMP_NE; break;
    case CompareOp::kLt:
      predicate = is_signed ? llvm::CmpInst::ICMP_SLT : llvm::CmpInst::ICMP_ULT;
      break;
    case CompareOp::kLe:
      predicate = is_signed ? llvm::CmpInst::ICMP_SLE : llvm::CmpInst::ICMP_ULE;
      break;
    case CompareOp::kGt:
      predicate = is_signed ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_UGT;
      break;
    case CompareOp::kGe:
      predicate = is_signed ? llvm::CmpInst::ICMP_SGE : llvm::CmpInst::ICMP_UGE;
      break;
    default: return Error(id, "unknown comparison");
  }
  return LaneValue{b_.CreateICmp(predicate, a.value, b.value), varying};
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitSelect(ExprId id, const Expr& e) {
  DLC_ASSIGN_OR_RETURN(LaneValue cond, EmitOperand(e.a, Type::kI1, id));
  DLC_ASSIGN_OR_RETURN(LaneValue a, EmitOperand(e.b, e.type, id));
  DLC_ASSIGN_OR_RETURN(LaneValue b, EmitOperand(e.c, e.type, id));
  // A uniform condition may pick between vectors; a varying one needs
  // vector branches.
  const bool varying = cond.varying ? Unify({&cond, &a, &b}) : Unify({&a, &b});
  return LaneValue{b_.CreateSelect(cond.value, a.value, b.value), varying};
}

absl::StatusOr<LaneValue> FunctionEmitter::EmitCast(ExprId id, const Expr& e) {
  if (e.a < 0 || e.a >= static_cast<ExprId>(program_.exprs.size())) {
    return Error(id, StrCat("operand #", e.a, " does not exist"));
  }
  const Type from = program_.expr(e.a).type;
  const Type to = e.type;
  DLC_ASSIGN_OR_RETURN(LaneValue a, EmitOperand(e.a, from, id));
  if (from == to) return a;
  llvm::Value* x = a.value;
  llvm::Type* to_type = TypeLike(ScalarType(state_.context, to), x);
  llvm::Value* result;
  if (to == Type::kI1) {  // x != 0; a NaN is true
    result = loops::IsFloatType(from)
                 ? b_.CreateFCmpUNE(x, llvm::Constant::getNullValue(x->getType()))
                 : b_.CreateICmpNE(x, llvm::Constant::getNullValue(x->getType()));
  } else if (loops::IsFloatType(from) && loops::IsFloatType(to)) {
    result = from == Type::kF32 ? b_.CreateFPExt(x, to_type) : b_.CreateFPTrunc(x, to_type);
  } else if (loops::IsFloatType(from)) {
    // Truncates toward zero, saturates at the type's limits, NaN gives 0.
    const llvm::Intrinsic::ID saturating =
        loops::IsSignedType(to) ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
    result = b_.CreateIntrinsic(saturating, {to_type, x->getType()}, {x});
  } else if (loops::IsFloatType(to)) {
    result = loops::IsSignedType(from) ? b_.CreateSIToFP(x, to_type) : b_.CreateUIToFP(x, to_type);
  } else {
    result = CastInteger(b_, x, from, to, to_type);
  }
  return LaneValue{result, a.varying};
}

}  // namespace dlc::codegen::internal
