#include "ir/loops/loop_interpreter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

#include "ir/convert.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::loops {
namespace {

// ---- scalars ----------------------------------------------------------------

// One value: the bytes of its C++ representation (float, double, int32_t,
// uint8_t for u8 and i1, int64_t, uint64_t) in the low bytes of `raw`, the
// same bytes a buffer element holds.
struct Scalar {
  uint64_t raw = 0;
};

template <typename T>
T Get(Scalar s) {
  T v;
  std::memcpy(&v, &s.raw, sizeof(T));
  return v;
}

template <typename T>
Scalar Make(T v) {
  Scalar s;
  std::memcpy(&s.raw, &v, sizeof(T));
  return s;
}

template <typename T>
struct Tag {
  using type = T;
};

// Calls fn(Tag<T>{}) with the C++ type that stores `type`.
template <typename Fn>
decltype(auto) Dispatch(Type type, Fn&& fn) {
  switch (type) {
    case Type::kF32: return fn(Tag<float>{});
    case Type::kF64: return fn(Tag<double>{});
    case Type::kI32: return fn(Tag<int32_t>{});
    case Type::kU8:
    case Type::kI1: return fn(Tag<uint8_t>{});
    case Type::kI64: return fn(Tag<int64_t>{});
    case Type::kU64: return fn(Tag<uint64_t>{});
  }
  return fn(Tag<uint8_t>{});
}

// ---- arithmetic -------------------------------------------------------------

template <typename T>
T Wrap(auto value) {  // modulo 2^bits, through the unsigned type
  return static_cast<T>(static_cast<std::make_unsigned_t<T>>(value));
}

template <typename T>
T MaxOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return a < b ? b : a;
}

template <typename T>
T MinOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
    if (std::isnan(b)) return b;
  }
  return b < a ? b : a;
}

template <typename T>
T BinaryOf(BinaryOp op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::kAdd: return a + b;
      case BinaryOp::kSub: return a - b;
      case BinaryOp::kMul: return a * b;
      case BinaryOp::kDiv: return a / b;
      case BinaryOp::kMax: return MaxOf(a, b);
      case BinaryOp::kMin: return MinOf(a, b);
      case BinaryOp::kPow: return std::pow(a, b);
      default: return std::numeric_limits<T>::quiet_NaN();  // rejected by the verifier
    }
  } else {
    using U = std::make_unsigned_t<T>;
    constexpr uint64_t kMask = sizeof(T) * 8 - 1;
    const int amount = static_cast<int>(static_cast<uint64_t>(b) & kMask);
    constexpr bool kSigned = std::is_signed_v<T>;
    switch (op) {
      case BinaryOp::kAdd: return Wrap<T>(static_cast<U>(a) + static_cast<U>(b));
      case BinaryOp::kSub: return Wrap<T>(static_cast<U>(a) - static_cast<U>(b));
      case BinaryOp::kMul: return Wrap<T>(static_cast<U>(a) * static_cast<U>(b));
      case BinaryOp::kDiv:
        if (b == 0) return 0;
        if (kSigned && a == std::numeric_limits<T>::min() && b == static_cast<T>(-1)) return a;
        return static_cast<T>(a / b);
      case BinaryOp::kRem:
        if (b == 0) return 0;
        if (kSigned && a == std::numeric_limits<T>::min() && b == static_cast<T>(-1)) return 0;
        return static_cast<T>(a % b);
      case BinaryOp::kMax: return MaxOf(a, b);
      case BinaryOp::kMin: return MinOf(a, b);
      case BinaryOp::kAnd: return static_cast<T>(a & b);
      case BinaryOp::kOr: return static_cast<T>(a | b);
      case BinaryOp::kXor: return static_cast<T>(a ^ b);
      case BinaryOp::kShl: return Wrap<T>(static_cast<U>(a) << amount);
      // Arithmetic when signed.
      case BinaryOp::kShr: return static_cast<T>(a >> amount);
      // pow: rejected by the verifier.
      default: return 0;
    }
  }
}

template <typename T>
T UnaryOf(UnaryOp op, T a) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::kNeg: return -a;
      case UnaryOp::kExp: return std::exp(a);
      case UnaryOp::kLog: return std::log(a);
      case UnaryOp::kSqrt: return std::sqrt(a);
      case UnaryOp::kAbs: return std::fabs(a);
      case UnaryOp::kFloor: return std::floor(a);
      default: return std::numeric_limits<T>::quiet_NaN();  // rejected by the verifier
    }
  } else {
    using U = std::make_unsigned_t<T>;
    switch (op) {
      case UnaryOp::kNeg: return Wrap<T>(U{0} - static_cast<U>(a));
      case UnaryOp::kAbs:
        if constexpr (std::is_signed_v<T>) {
          return a < 0 ? Wrap<T>(U{0} - static_cast<U>(a)) : a;
        }
        return a;
      case UnaryOp::kNot: return static_cast<T>(~a);
      default: return a;  // float functions: rejected by the verifier
    }
  }
}

template <typename T>
bool CompareOf(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::kEq: return a == b;
    case CompareOp::kNe: return a != b;
    case CompareOp::kLt: return a < b;
    case CompareOp::kLe: return a <= b;
    case CompareOp::kGt: return a > b;
    case CompareOp::kGe: return a >= b;
  }
  return false;
}

// Float to a 64-bit integer: truncates, saturates, NaN is 0.
int64_t FloatToI64(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 0x1p63) return std::numeric_limits<int64_t>::max();
  if (d <= -0x1p63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

uint64_t FloatToU64(double d) {
  if (std::isnan(d) || d <= 0) return 0;
  if (d >= 0x1p64) return std::numeric_limits<uint64_t>::max();
  return static_cast<uint64_t>(d);
}

Scalar Convert(Scalar v, Type from, Type to) {
  if (from == to) return v;
  if (to == Type::kI1) {
    const bool nonzero = Dispatch(from, [&](auto tag) {
      using T = typename decltype(tag)::type;
      return Get<T>(v) != T{0};
    });
    return Make<uint8_t>(nonzero ? 1 : 0);
  }
  if (IsFloatType(from)) {
    const double d = from == Type::kF32 ? static_cast<double>(Get<float>(v)) : Get<double>(v);
    switch (to) {
      case Type::kF32: return Make<float>(static_cast<float>(d));
      case Type::kF64: return Make<double>(d);
      case Type::kI32: return Make<int32_t>(ConvertTo<int32_t>(d, DType::kI32));
      case Type::kU8: return Make<uint8_t>(ConvertTo<uint8_t>(d, DType::kU8));
      case Type::kI64: return Make<int64_t>(FloatToI64(d));
      case Type::kU64: return Make<uint64_t>(FloatToU64(d));
      case Type::kI1: break;
    }
    return v;
  }
  if (from == Type::kU64) {
    const uint64_t u = Get<uint64_t>(v);
    switch (to) {
      case Type::kF32: return Make<float>(static_cast<float>(u));
      case Type::kF64: return Make<double>(static_cast<double>(u));
      case Type::kI32: return Make<int32_t>(static_cast<int32_t>(std::min<uint64_t>(u, INT32_MAX)));
      case Type::kU8: return Make<uint8_t>(static_cast<uint8_t>(std::min<uint64_t>(u, 255)));
      case Type::kI64: return Make<int64_t>(static_cast<int64_t>(u));  // the same bits
      default: break;
    }
    return v;
  }
  // i32, u8, i1, i64: through their exact int64_t value.
  const int64_t x = from == Type::kI32   ? Get<int32_t>(v)
                    : from == Type::kI64 ? Get<int64_t>(v)
                                         : static_cast<int64_t>(Get<uint8_t>(v));
  switch (to) {
    case Type::kF32: return Make<float>(static_cast<float>(x));
    case Type::kF64: return Make<double>(static_cast<double>(x));
    case Type::kI32:
      return Make<int32_t>(static_cast<int32_t>(std::clamp<int64_t>(x, INT32_MIN, INT32_MAX)));
    case Type::kU8: return Make<uint8_t>(static_cast<uint8_t>(std::clamp<int64_t>(x, 0, 255)));
    case Type::kI64: return Make<int64_t>(x);
    case Type::kU64: return Make<uint64_t>(static_cast<uint64_t>(x));  // two's complement
    case Type::kI1: break;
  }
  return v;
}

Scalar ConstScalar(const Expr& e) {
  switch (e.type) {
    case Type::kF32: return Make<float>(static_cast<float>(e.value));
    case Type::kF64: return Make<double>(e.value);
    case Type::kU64: return Make<uint64_t>(e.bits);
    default:
      // Verified integral and within the type.
      return Convert(Make<double>(e.value), Type::kF64, e.type);
  }
}

// ---- the machine ------------------------------------------------------------

using Bytes = std::vector<std::byte, AlignedAllocator<std::byte, 64>>;

class Machine {
 public:
  explicit Machine(const LoopProgram& p)
      : p_(p),
        vars_(static_cast<size_t>(p.num_vars), 0),
        consts_(p.exprs.size()),
        shared_(p.exprs.size(), 0),
        memo_stamp_(p.exprs.size(), 0),
        memo_(p.exprs.size()) {
    // An expression several others use is evaluated once per statement
    // execution (hashing code reuses values; as a tree it grows
    // exponentially).
    std::vector<uint8_t> users(p.exprs.size(), 0);
    for (size_t id = 0; id < p.exprs.size(); ++id) {
      const Expr& e = p.exprs[id];
      if (e.kind == ExprKind::kConst) {
        consts_[id] = ConstScalar(e);
        continue;
      }
      if (e.kind == ExprKind::kVar) continue;
      for (ExprId operand : {e.a, e.b, e.c}) {
        if (operand >= 0 && static_cast<size_t>(operand) < id && users[operand] < 2) {
          ++users[operand];
        }
      }
    }
    for (size_t id = 0; id < p.exprs.size(); ++id) {
      const ExprKind kind = p.exprs[id].kind;
      shared_[id] = users[id] >= 2 && kind != ExprKind::kConst && kind != ExprKind::kVar;
    }
  }

  absl::StatusOr<std::vector<Tensor>> Run(std::span<const Tensor* const> inputs) {
    DLC_RETURN_IF_ERROR(Bind(inputs));
    for (const Kernel& kernel : p_.kernels) {
      kernel_ = &kernel;
      DLC_RETURN_IF_ERROR(ExecBody(kernel.body));
    }
    return std::move(outputs_);
  }

 private:
  // Points every buffer at its memory.
  absl::Status Bind(std::span<const Tensor* const> inputs) {
    base_.assign(p_.buffers.size(), nullptr);
    size_t num_inputs = 0;
    for (BufferId id : p_.arguments) num_inputs += p_.buffer(id).kind == BufferKind::kInput;
    if (inputs.size() != num_inputs) {
      return absl::InvalidArgumentError(
          StrCat(p_.name, " takes ", num_inputs, " inputs, got ", inputs.size()));
    }
    size_t next_input = 0;
    for (BufferId id : p_.arguments) {
      const Buffer& b = p_.buffer(id);
      const TensorType type{DTypeOf(b.type), b.shape};
      if (b.kind == BufferKind::kInput) {
        const size_t i = next_input++;
        const Tensor* t = inputs[i];
        if (t == nullptr) {
          return absl::InvalidArgumentError(
              StrCat("input ", i, " (", LoopBufferRef(p_, id), ") is missing"));
        }
        if (t->type() != type) {
          return absl::InvalidArgumentError(StrCat("input ", i, " (", LoopBufferRef(p_, id),
                                                   ") must be ", type.ToString(), ", got ",
                                                   t->type().ToString()));
        }
        // Never written: the verifier rejects stores to inputs.
        base_[id] = const_cast<std::byte*>(t->raw_data());
      } else {
        outputs_.emplace_back(type);
        Tensor& out = outputs_.back();
        std::fill(out.raw_data(), out.raw_data() + out.byte_size(), kPoison);
      }
    }
    // Outputs were all created above, so their data no longer moves.
    size_t next_output = 0;
    for (BufferId id : p_.arguments) {
      if (p_.buffer(id).kind == BufferKind::kOutput) base_[id] = outputs_[next_output++].raw_data();
    }
    workspace_.assign(static_cast<size_t>(p_.workspace_bytes), kPoison);
    for (BufferId id = 0; id < static_cast<BufferId>(p_.buffers.size()); ++id) {
      const Buffer& b = p_.buffer(id);
      const size_t bytes = static_cast<size_t>(b.num_elements() * TypeSize(b.type));
      if (b.kind == BufferKind::kLocal) {
        // Lanes and threads run one after another here: one copy will do.
        base_[id] = unplanned_.emplace_back(bytes, kPoison).data();
      } else if (b.kind == BufferKind::kTemp) {
        if (b.offset >= 0) {
          base_[id] = workspace_.data() + b.offset;
        } else {
          Bytes& own = unplanned_.emplace_back(bytes, kPoison);
          base_[id] = own.data();
        }
      } else if (b.kind == BufferKind::kConstant) {
        Bytes& data = constants_.emplace_back(bytes);
        for (int64_t i = 0; i < b.num_elements(); ++i) {
          const double value = b.values.size() == 1 ? b.values[0] : b.values[i];
          const Scalar s = Convert(Make<double>(value), Type::kF64, b.type);
          std::memcpy(data.data() + i * TypeSize(b.type), &s.raw, TypeSize(b.type));
        }
        base_[id] = data.data();
      }
    }
    return absl::OkStatus();
  }

  static DType DTypeOf(Type type) {
    switch (type) {
      case Type::kF64: return DType::kF64;
      case Type::kI32: return DType::kI32;
      case Type::kU8: return DType::kU8;
      case Type::kI1: return DType::kI1;
      default: return DType::kF32;  // i64/u64 arguments are rejected by the verifier
    }
  }

  absl::Status ExecBody(const std::vector<StmtId>& body) {
    for (StmtId id : body) DLC_RETURN_IF_ERROR(Exec(id));
    return absl::OkStatus();
  }

  absl::Status Exec(StmtId id) {
    const Stmt& s = p_.stmt(id);
    switch (s.kind) {
      case StmtKind::kFor:
        for (int64_t i = 0; i < s.extent; ++i) {
          vars_[s.var] = i;
          DLC_RETURN_IF_ERROR(ExecBody(s.body));
        }
        return absl::OkStatus();
      case StmtKind::kStore: {
        ++stamp_;
        const int64_t index = Get<int64_t>(Eval(s.index));
        const Scalar value = Eval(s.value);
        if (!error_.ok()) return error_;
        const Buffer& b = p_.buffer(s.buffer);
        if (index < 0 || index >= b.num_elements()) return OutOfBounds("store to", s.buffer, index);
        const int64_t size = TypeSize(b.type);
        std::memcpy(base_[s.buffer] + index * size, &value.raw, size);
        return absl::OkStatus();
      }
      case StmtKind::kIf: {
        ++stamp_;
        const bool taken = Get<uint8_t>(Eval(s.cond)) != 0;
        if (!error_.ok()) return error_;
        return taken ? ExecBody(s.body) : absl::OkStatus();
      }
      case StmtKind::kCheck: {
        ++stamp_;
        const bool holds = Get<uint8_t>(Eval(s.cond)) != 0;
        if (!error_.ok()) return error_;
        if (!holds) return absl::InvalidArgumentError(p_.errors[s.error - 1]);
        return absl::OkStatus();
      }
    }
    return absl::InternalError(StrCat("statement #", id, " has an invalid kind"));
  }

  absl::Status OutOfBounds(std::string_view what, BufferId buffer, int64_t index) {
    // Unreachable for a verified program; kept so a gap in the verifier's
    // proof is an error, not a stray write.
    return absl::InternalError(StrCat("kernel ", kernel_->name, ": ", what, " ",
                                      LoopBufferRef(p_, buffer), " at index ", index,
                                      " outside [0, ", p_.buffer(buffer).num_elements(), ")"));
  }

  Scalar Eval(ExprId id) {
    if (!shared_[id]) return Compute(id);
    if (memo_stamp_[id] != stamp_) {
      memo_[id] = Compute(id);
      memo_stamp_[id] = stamp_;
    }
    return memo_[id];
  }

  Scalar Compute(ExprId id) {
    const Expr& e = p_.expr(id);
    switch (e.kind) {
      case ExprKind::kConst: return consts_[id];
      case ExprKind::kVar: return Make<int64_t>(vars_[e.var]);
      case ExprKind::kLoad: {
        const int64_t index = Get<int64_t>(Eval(e.a));
        const Buffer& b = p_.buffer(e.buffer);
        if (index < 0 || index >= b.num_elements()) {
          if (error_.ok()) error_ = OutOfBounds("load from", e.buffer, index);
          return {};
        }
        Scalar s;
        const int64_t size = TypeSize(b.type);
        std::memcpy(&s.raw, base_[e.buffer] + index * size, size);
        return s;
      }
      case ExprKind::kUnary: {
        const Scalar a = Eval(e.a);
        if (e.unary == UnaryOp::kNot && e.type == Type::kI1) {
          return Make<uint8_t>(Get<uint8_t>(a) == 0 ? 1 : 0);
        }
        return Dispatch(e.type, [&](auto tag) {
          using T = typename decltype(tag)::type;
          return Make<T>(UnaryOf<T>(e.unary, Get<T>(a)));
        });
      }
      case ExprKind::kBinary: {
        const Scalar a = Eval(e.a);
        const Scalar b = Eval(e.b);
        return Dispatch(e.type, [&](auto tag) {
          using T = typename decltype(tag)::type;
          return Make<T>(BinaryOf<T>(e.binary, Get<T>(a), Get<T>(b)));
        });
      }
      case ExprKind::kCompare: {
        const Scalar a = Eval(e.a);
        const Scalar b = Eval(e.b);
        const bool holds = Dispatch(p_.expr(e.a).type, [&](auto tag) {
          using T = typename decltype(tag)::type;
          return CompareOf<T>(e.compare, Get<T>(a), Get<T>(b));
        });
        return Make<uint8_t>(holds ? 1 : 0);
      }
      case ExprKind::kSelect: return Get<uint8_t>(Eval(e.a)) != 0 ? Eval(e.b) : Eval(e.c);
      case ExprKind::kCast: return Convert(Eval(e.a), p_.expr(e.a).type, e.type);
    }
    return {};
  }

  static constexpr std::byte kPoison{0xff};

  const LoopProgram& p_;
  const Kernel* kernel_ = nullptr;
  std::vector<int64_t> vars_;
  std::vector<Scalar> consts_;   // per expression: the value of each constant
  std::vector<uint8_t> shared_;  // per expression: used by several expressions
  // Values of shared expressions, computed in the statement execution `stamp_`.
  uint64_t stamp_ = 0;
  std::vector<uint64_t> memo_stamp_;
  std::vector<Scalar> memo_;
  std::vector<std::byte*> base_;  // per buffer
  std::vector<Tensor> outputs_;
  Bytes workspace_;
  std::vector<Bytes> unplanned_;  // temps without a workspace offset
  std::vector<Bytes> constants_;
  absl::Status error_;  // the first failure inside an expression
};

}  // namespace

absl::StatusOr<std::vector<Tensor>> RunLoopProgram(const LoopProgram& program,
                                                   std::span<const Tensor* const> inputs) {
  DLC_RETURN_IF_ERROR(VerifyLoopProgram(program));
  return Machine(program).Run(inputs);
}

absl::StatusOr<std::vector<Tensor>> RunLoopProgramOnFeeds(
    const LoopProgram& program, const std::map<std::string, Tensor>& feeds) {
  std::vector<const Tensor*> inputs;
  for (BufferId id : program.arguments) {
    const Buffer& buffer = program.buffer(id);
    if (buffer.kind != BufferKind::kInput) continue;
    auto feed = feeds.find(buffer.name);
    if (feed == feeds.end()) {
      return absl::NotFoundError(StrCat("no input named '", buffer.name, "' for ", program.name));
    }
    inputs.push_back(&feed->second);
  }
  return RunLoopProgram(program, inputs);
}

}  // namespace dlc::loops
