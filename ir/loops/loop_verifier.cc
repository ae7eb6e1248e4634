#include "ir/loops/loop_verifier.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "ir/loops/intervals.h"
#include "ir/loops/lifetime.h"
#include "ir/loops/loop_printer.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::loops {
namespace {

bool ValidType(Type t) { return static_cast<uint8_t>(t) <= static_cast<uint8_t>(Type::kU64); }
bool IsInteger(Type t) {  // integers, not i1
  return t == Type::kI32 || t == Type::kU8 || t == Type::kI64 || t == Type::kU64;
}

// ---- the verifier -------------------------------------------------------------

// A guard's bound on every expression structurally equal to `expr`.
struct Fact {
  ExprId expr;
  Interval range;
};

class Verifier {
 public:
  Verifier(const LoopProgram& p, const LoopVerifyOptions& options)
      : p_(p),
        options_(options),
        expr_ok_(p.exprs.size(), false),
        expr_vars_(p.exprs.size()),
        expr_hash_(p.exprs.size(), 0),
        stamp_of_(p.exprs.size(), 0),
        visited_stamp_(p.exprs.size(), 0),
        range_(p.exprs.size()),
        stmt_seen_(p.stmts.size(), false) {
    const size_t vars = p.num_vars > 0 ? static_cast<size_t>(p.num_vars) : 0;
    var_bound_.assign(vars, false);
    var_in_scope_.assign(vars, false);
    var_extent_.assign(vars, 0);
  }

  absl::Status Run() {
    DLC_RETURN_IF_ERROR(CheckBuffers());
    DLC_RETURN_IF_ERROR(CheckArguments());
    for (const Kernel& kernel : p_.kernels) {
      prefix_ = StrCat("kernel ", kernel.name, ": ");
      DLC_RETURN_IF_ERROR(WalkBody(kernel.body, 0));
    }
    return absl::OkStatus();
  }

 private:
  // ---- buffers and arguments ----

  absl::Status CheckBuffers() {
    if (p_.workspace_bytes < 0) {
      return absl::InvalidArgumentError(
          StrCat("workspace_bytes is negative: ", p_.workspace_bytes));
    }
    struct Placed {
      int64_t begin, end;
      BufferId id;
    };
    std::vector<Placed> placed;
    for (BufferId id = 0; id < static_cast<BufferId>(p_.buffers.size()); ++id) {
      const Buffer& b = p_.buffer(id);
      const std::string name = LoopBufferRef(p_, id);
      auto error = [&](std::string_view message) {
        return absl::InvalidArgumentError(StrCat("buffer ", name, ": ", message));
      };
      if (!ValidType(b.type)) {
        return error(StrCat("invalid type #", static_cast<int>(b.type)));
      }
      if (static_cast<uint8_t>(b.kind) > static_cast<uint8_t>(BufferKind::kLocal)) {
        return error(StrCat("invalid kind #", static_cast<int>(b.kind)));
      }
      for (int64_t d : b.shape) {
        if (d < 0 || d > kMaxDimension) {
          return error(
              StrCat("shape ", ShapeToString(b.shape), " has a dimension outside [0, 2^40]"));
        }
      }
      if (b.num_elements() > kMaxDimension) {
        return error(StrCat("shape ", ShapeToString(b.shape), " has more than 2^40 elements"));
      }
      const bool argument_kind = b.kind == BufferKind::kInput || b.kind == BufferKind::kOutput;
      if (argument_kind && (b.type == Type::kI64 || b.type == Type::kU64)) {
        return error(StrCat("an ", BufferKindName(b.kind), " cannot have type ", TypeName(b.type),
                            " (only temps and constants can)"));
      }
      if (b.kind == BufferKind::kConstant && b.values.size() != 1 &&
          static_cast<int64_t>(b.values.size()) != b.num_elements()) {
        return error(
            StrCat("constant has ", b.values.size(), " values, expected 1 or ", b.num_elements()));
      }
      if (b.kind == BufferKind::kLocal && b.num_elements() != 1) {
        return error(StrCat("a local holds one element, not ", ShapeToString(b.shape)));
      }
      if (b.kind != BufferKind::kTemp) continue;
      if (b.offset == -1) {
        if (options_.require_memory_plan) return error("temp has no workspace offset");
        continue;
      }
      if (b.offset < 0 || b.offset % 64 != 0) {
        return error(
            StrCat("workspace offset ", b.offset, " is not a non-negative multiple of 64"));
      }
      const int64_t bytes = b.num_elements() * TypeSize(b.type);
      if (b.offset > p_.workspace_bytes || bytes > p_.workspace_bytes - b.offset) {
        return error(StrCat("bytes [", b.offset, ", ", b.offset + bytes,
                            ") lie outside the workspace of ", p_.workspace_bytes, " bytes"));
      }
      if (bytes > 0) placed.push_back({b.offset, b.offset + bytes, id});
    }
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.id < b.id;
    });
    // Temps may share workspace bytes only if no kernel uses both (memory
    // planning reuses the space of values that are dead).
    const std::vector<KernelRange> lifetimes = BufferLifetimes(p_);
    for (size_t i = 0; i < placed.size(); ++i) {
      for (size_t j = i + 1; j < placed.size() && placed[j].begin < placed[i].end; ++j) {
        const Placed& a = placed[i];
        const Placed& b = placed[j];
        if (!lifetimes[a.id].Meets(lifetimes[b.id])) continue;
        return absl::InvalidArgumentError(
            StrCat("temps ", LoopBufferRef(p_, a.id), " [", a.begin, ", ", a.end, ") and ",
                   LoopBufferRef(p_, b.id), " [", b.begin, ", ", b.end,
                   ") overlap in the workspace while both are in use"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status CheckArguments() {
    std::vector<int> position(p_.buffers.size(), -1);
    bool seen_output = false;
    for (size_t i = 0; i < p_.arguments.size(); ++i) {
      const BufferId id = p_.arguments[i];
      if (id < 0 || id >= static_cast<BufferId>(p_.buffers.size())) {
        return absl::InvalidArgumentError(
            StrCat("argument ", i, " is buffer #", id, ", which does not exist"));
      }
      const Buffer& b = p_.buffer(id);
      const std::string what = StrCat("argument ", i, " ", LoopBufferRef(p_, id));
      if (b.kind != BufferKind::kInput && b.kind != BufferKind::kOutput) {
        return absl::InvalidArgumentError(StrCat(what, " is a ", BufferKindName(b.kind),
                                                 " buffer; arguments are inputs or outputs"));
      }
      if (position[id] >= 0) {
        return absl::InvalidArgumentError(StrCat(what, " is also argument ", position[id]));
      }
      position[id] = static_cast<int>(i);
      if (b.kind == BufferKind::kOutput) seen_output = true;
      if (b.kind == BufferKind::kInput && seen_output) {
        return absl::InvalidArgumentError(
            StrCat(what, " is an input after an output; inputs come first"));
      }
    }
    for (BufferId id = 0; id < static_cast<BufferId>(p_.buffers.size()); ++id) {
      const BufferKind kind = p_.buffer(id).kind;
      if ((kind == BufferKind::kInput || kind == BufferKind::kOutput) && position[id] < 0) {
        return absl::InvalidArgumentError(
            StrCat(BufferKindName(kind), " buffer ", LoopBufferRef(p_, id), " is not an argument"));
      }
    }
    return absl::OkStatus();
  }

  // ---- expressions ----

  absl::Status ExprError(ExprId id, std::string_view message) {
    return absl::InvalidArgumentError(StrCat(prefix_, message, ": ", PrintLoopExpr(p_, id)));
  }

  // Typing and ids of `id` and everything below it, once per expression.
  // `user` is the expression (or -1: a statement) that refers to it.
  absl::Status CheckExpr(ExprId id, ExprId user) {
    if (id < 0 || id >= static_cast<ExprId>(p_.exprs.size())) {
      return absl::InvalidArgumentError(
          user < 0 ? StrCat(prefix_, "expression #", id, " does not exist")
                   : StrCat(prefix_, "expression #", user, " refers to expression #", id,
                            ", which does not exist"));
    }
    if (user >= 0 && id >= user) {
      return absl::InvalidArgumentError(StrCat(
          prefix_, "expression #", user, " refers to expression #", id, ", which comes after it"));
    }
    if (expr_ok_[id]) return absl::OkStatus();
    const Expr& e = p_.expr(id);
    if (!ValidType(e.type)) {
      return absl::InvalidArgumentError(
          StrCat(prefix_, "expression #", id, " has an invalid type #", static_cast<int>(e.type)));
    }
    std::vector<ExprId> operands;
    switch (e.kind) {
      case ExprKind::kConst:
      case ExprKind::kVar: break;
      case ExprKind::kLoad:
      case ExprKind::kUnary:
      case ExprKind::kCast: operands = {e.a}; break;
      case ExprKind::kBinary:
      case ExprKind::kCompare: operands = {e.a, e.b}; break;
      case ExprKind::kSelect: operands = {e.a, e.b, e.c}; break;
      default:
        return absl::InvalidArgumentError(StrCat(
            prefix_, "expression #", id, " has an invalid kind #", static_cast<int>(e.kind)));
    }
    for (ExprId operand : operands) DLC_RETURN_IF_ERROR(CheckExpr(operand, id));
    DLC_RETURN_IF_ERROR(CheckTyping(id));

    // The variables it uses, and a structural hash (for matching guards).
    std::vector<VarId>& vars = expr_vars_[id];
    uint64_t hash = (static_cast<uint64_t>(e.kind) << 8 | static_cast<uint64_t>(e.type)) *
                    0x9e3779b97f4a7c15ULL;
    auto mix = [&](uint64_t v) {
      hash = (hash ^ v) * 0xbf58476d1ce4e5b9ULL + 0x632be59bd9b4e019ULL;
    };
    switch (e.kind) {
      case ExprKind::kConst: {
        uint64_t value_bits;
        static_assert(sizeof value_bits == sizeof e.value);
        std::memcpy(&value_bits, &e.value, sizeof value_bits);
        mix(value_bits);
        mix(e.bits);
        break;
      }
      case ExprKind::kVar:
        vars = {e.var};
        mix(static_cast<uint64_t>(e.var));
        break;
      case ExprKind::kLoad: mix(static_cast<uint64_t>(e.buffer)); break;
      case ExprKind::kUnary: mix(static_cast<uint64_t>(e.unary)); break;
      case ExprKind::kBinary: mix(static_cast<uint64_t>(e.binary)); break;
      case ExprKind::kCompare: mix(static_cast<uint64_t>(e.compare)); break;
      default: break;
    }
    for (ExprId operand : operands) {
      mix(expr_hash_[operand]);
      const std::vector<VarId>& more = expr_vars_[operand];
      std::vector<VarId> merged;
      std::set_union(vars.begin(), vars.end(), more.begin(), more.end(),
                     std::back_inserter(merged));
      vars = std::move(merged);
    }
    expr_hash_[id] = hash;
    expr_ok_[id] = true;
    return absl::OkStatus();
  }

  absl::Status CheckTyping(ExprId id) {
    const Expr& e = p_.expr(id);
    const std::string_view type = TypeName(e.type);
    switch (e.kind) {
      case ExprKind::kConst: {
        if (e.type == Type::kU64 || IsFloatType(e.type)) return absl::OkStatus();
        const Interval range = TypeRange(e.type);
        // Integral and in range (i64: [-2^63, 2^63), the doubles that convert exactly).
        const bool ok =
            e.value == std::trunc(e.value) && e.value >= static_cast<double>(range.lo) &&
            (e.type == Type::kI64 ? e.value < 0x1p63 : e.value <= static_cast<double>(range.hi));
        if (!ok) return ExprError(id, StrCat("constant is not a valid ", type));
        return absl::OkStatus();
      }
      case ExprKind::kVar:
        if (e.var < 0 || e.var >= p_.num_vars) {
          return absl::InvalidArgumentError(StrCat(prefix_, "loop variable ", LoopVarName(e.var),
                                                   " does not exist (the program has ", p_.num_vars,
                                                   ")"));
        }
        if (e.type != Type::kI64) {
          return ExprError(id, StrCat("loop variable has type ", type, ", expected i64"));
        }
        return absl::OkStatus();
      case ExprKind::kLoad: {
        if (e.buffer < 0 || e.buffer >= static_cast<BufferId>(p_.buffers.size())) {
          return ExprError(id, StrCat("load from buffer #", e.buffer, ", which does not exist"));
        }
        const Buffer& b = p_.buffer(e.buffer);
        if (e.type != b.type) {
          return ExprError(id, StrCat("load has type ", type, " but ", LoopBufferRef(p_, e.buffer),
                                      " holds ", TypeName(b.type)));
        }
        if (p_.expr(e.a).type != Type::kI64) {
          return ExprError(
              id, StrCat("load index has type ", TypeName(p_.expr(e.a).type), ", expected i64"));
        }
        return absl::OkStatus();
      }
      case ExprKind::kUnary: {
        const Type a = p_.expr(e.a).type;
        if (a != e.type) {
          return ExprError(id, StrCat("unary op on ", TypeName(a), " has result type ", type));
        }
        std::string_view needs;
        switch (e.unary) {
          case UnaryOp::kNeg:
          case UnaryOp::kAbs:
            if (a == Type::kI1) needs = "a number";
            break;
          case UnaryOp::kExp:
          case UnaryOp::kLog:
          case UnaryOp::kSqrt:
          case UnaryOp::kFloor:
            if (!IsFloatType(a)) needs = "f32 or f64";
            break;
          case UnaryOp::kNot:
            if (IsFloatType(a)) needs = "an integer or i1";
            break;
          default: return ExprError(id, StrCat("invalid unary op #", static_cast<int>(e.unary)));
        }
        if (!needs.empty()) {
          return ExprError(id, StrCat("unary op needs ", needs, ", got ", TypeName(a)));
        }
        return absl::OkStatus();
      }
      case ExprKind::kBinary: {
        const Type a = p_.expr(e.a).type;
        const Type b = p_.expr(e.b).type;
        if (a != b)
          return ExprError(id, StrCat("operands have types ", TypeName(a), " and ", TypeName(b)));
        if (a != e.type) {
          return ExprError(id, StrCat("binary op on ", TypeName(a), " has result type ", type));
        }
        std::string_view needs;
        switch (e.binary) {
          case BinaryOp::kAdd:
          case BinaryOp::kSub:
          case BinaryOp::kMul:
          case BinaryOp::kDiv:
          case BinaryOp::kMax:
          case BinaryOp::kMin:
            if (a == Type::kI1) needs = "numbers";
            break;
          case BinaryOp::kPow:
            if (!IsFloatType(a)) needs = "f32 or f64";
            break;
          case BinaryOp::kRem:
          case BinaryOp::kShl:
          case BinaryOp::kShr:
            if (!IsInteger(a)) needs = "integers";
            break;
          case BinaryOp::kAnd:
          case BinaryOp::kOr:
          case BinaryOp::kXor:
            if (IsFloatType(a)) needs = "integers or i1";
            break;
          default: return ExprError(id, StrCat("invalid binary op #", static_cast<int>(e.binary)));
        }
        if (!needs.empty()) {
          return ExprError(id, StrCat("binary op needs ", needs, ", got ", TypeName(a)));
        }
        return absl::OkStatus();
      }
      case ExprKind::kCompare: {
        const Type a = p_.expr(e.a).type;
        const Type b = p_.expr(e.b).type;
        if (static_cast<uint8_t>(e.compare) > static_cast<uint8_t>(CompareOp::kGe)) {
          return ExprError(id, StrCat("invalid compare op #", static_cast<int>(e.compare)));
        }
        if (a != b)
          return ExprError(id, StrCat("operands have types ", TypeName(a), " and ", TypeName(b)));
        if (e.type != Type::kI1)
          return ExprError(id, StrCat("compare has type ", type, ", expected i1"));
        return absl::OkStatus();
      }
      case ExprKind::kSelect: {
        const Type c = p_.expr(e.a).type;
        const Type a = p_.expr(e.b).type;
        const Type b = p_.expr(e.c).type;
        if (c != Type::kI1) {
          return ExprError(id, StrCat("select condition has type ", TypeName(c), ", expected i1"));
        }
        if (a != b)
          return ExprError(
              id, StrCat("select branches have types ", TypeName(a), " and ", TypeName(b)));
        if (a != e.type) {
          return ExprError(id, StrCat("select of ", TypeName(a), " has result type ", type));
        }
        return absl::OkStatus();
      }
      case ExprKind::kCast: return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  // Whether two (checked) expressions compute the same thing; their hashes
  // tell most apart at once.
  bool SameExpr(ExprId x, ExprId y) const {
    if (x == y) return true;
    if (expr_hash_[x] != expr_hash_[y]) return false;
    return loops::SameExpr(p_, x, y);
  }

  // Checks expression `id` used by a statement: typing, the scope of its
  // variables, and the bounds of every load in it.
  absl::Status CheckUse(ExprId id) {
    DLC_RETURN_IF_ERROR(CheckExpr(id, -1));
    for (VarId v : expr_vars_[id]) {
      if (!var_in_scope_[v]) {
        return ExprError(id, StrCat("loop variable ", LoopVarName(v), " is used outside its loop"));
      }
    }
    return CheckLoads(id);
  }

  // ---- bounds ----

  // Starts a new statement: facts may have changed since the last one.
  void NewStamp() { ++stamp_; }

  Interval Range(ExprId id) {
    if (stamp_of_[id] == stamp_) return range_[id];
    Interval r = ComputeRange(id);
    if (!r.empty()) {
      for (const Fact& fact : facts_) {
        if (SameExpr(fact.expr, id)) r = Intersect(r, fact.range);
      }
    }
    if (r.empty()) r = kEmpty;
    stamp_of_[id] = stamp_;
    range_[id] = r;
    return r;
  }

  Interval ComputeRange(ExprId id) {
    const Expr& e = p_.expr(id);
    const Type t = e.type;
    if (IsFloatType(t) || t == Type::kU64) return {};
    switch (e.kind) {
      case ExprKind::kConst: {
        const int64_t v = static_cast<int64_t>(e.value);  // verified integral and in range
        return {v, v};
      }
      case ExprKind::kVar: return {0, var_extent_[e.var] - 1};
      case ExprKind::kLoad: return TypeRange(t);
      case ExprKind::kCompare: return {0, 1};
      case ExprKind::kSelect: {
        const Interval a = Range(e.b), b = Range(e.c);
        if (a.empty() || b.empty()) return kEmpty;
        return Union(a, b);
      }
      case ExprKind::kCast: return CastRange(p_.expr(e.a).type, Range(e.a), t);
      case ExprKind::kUnary: return UnaryRange(e.unary, t, Range(e.a));
      case ExprKind::kBinary: return BinaryRange(e.binary, t, Range(e.a), Range(e.b));
    }
    return TypeRange(t);
  }

  absl::Status CheckAccess(std::string_view what, BufferId buffer, ExprId index, ExprId shown) {
    if (unreachable_ > 0) return absl::OkStatus();
    const Interval r = Range(index);
    const int64_t n = p_.buffer(buffer).num_elements();
    if (r.empty() || (r.lo >= 0 && r.hi < n)) return absl::OkStatus();
    return absl::InvalidArgumentError(
        StrCat(prefix_, what, LoopBufferRef(p_, buffer), " at index range [", BoundText(r.lo), ", ",
               BoundText(r.hi), "] outside [0, ", n, "): ", PrintLoopExpr(p_, shown)));
  }

  // The bounds of every load in `root`, each distinct expression once.
  absl::Status CheckLoads(ExprId root) {
    NewStamp();
    std::vector<ExprId> stack = {root};
    while (!stack.empty()) {
      const ExprId id = stack.back();
      stack.pop_back();
      if (visited_stamp_[id] == stamp_) continue;
      visited_stamp_[id] = stamp_;
      const Expr& e = p_.expr(id);
      if (e.kind == ExprKind::kLoad) {
        DLC_RETURN_IF_ERROR(CheckAccess("load from ", e.buffer, e.a, id));
      }
      for (ExprId operand : ExprOperands(e)) stack.push_back(operand);
    }
    return absl::OkStatus();
  }

  // ---- guards ----

  // The buffers stored to by `stmts` and everything inside them.
  void StoredBuffers(std::span<const StmtId> stmts, std::vector<BufferId>& out, int depth) const {
    if (depth > kMaxDepth) return;
    for (StmtId id : stmts) {
      if (id < 0 || id >= static_cast<StmtId>(p_.stmts.size())) continue;
      const Stmt& s = p_.stmt(id);
      if (s.kind == StmtKind::kStore) out.push_back(s.buffer);
      StoredBuffers(s.body, out, depth + 1);
    }
  }

  bool LoadsAny(ExprId root, const std::vector<BufferId>& buffers) const {
    std::vector<ExprId> stack = {root};
    std::vector<ExprId> seen;
    while (!stack.empty()) {
      const ExprId id = stack.back();
      stack.pop_back();
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      const Expr& e = p_.expr(id);
      if (e.kind == ExprKind::kLoad &&
          std::find(buffers.begin(), buffers.end(), e.buffer) != buffers.end()) {
        return true;
      }
      for (ExprId operand : ExprOperands(e)) stack.push_back(operand);
    }
    return false;
  }

  // Adds the facts `cond` (checked, i1) gives for statements `scope`.
  void AddFacts(ExprId cond, std::span<const StmtId> scope) {
    std::vector<ExprId> conjuncts;
    std::vector<ExprId> stack = {cond};
    while (!stack.empty()) {
      const ExprId id = stack.back();
      stack.pop_back();
      const Expr& e = p_.expr(id);
      if (e.kind == ExprKind::kBinary && e.binary == BinaryOp::kAnd && e.type == Type::kI1) {
        stack.push_back(e.b);
        stack.push_back(e.a);
      } else {
        conjuncts.push_back(id);
      }
    }
    std::vector<BufferId> stored;
    bool stored_known = false;
    for (ExprId id : conjuncts) {
      const Expr& c = p_.expr(id);
      if (c.kind != ExprKind::kCompare) continue;
      ExprId subject = c.a;
      ExprId bound = c.b;
      CompareOp op = c.compare;
      if (!IsIntegerConst(bound) && IsIntegerConst(subject)) {
        std::swap(subject, bound);
        switch (op) {  // k < e is e > k
          case CompareOp::kLt: op = CompareOp::kGt; break;
          case CompareOp::kLe: op = CompareOp::kGe; break;
          case CompareOp::kGt: op = CompareOp::kLt; break;
          case CompareOp::kGe: op = CompareOp::kLe; break;
          default: break;
        }
      }
      if (!IsIntegerConst(bound) || IsIntegerConst(subject)) continue;
      const Type t = p_.expr(subject).type;
      const __int128 k = static_cast<int64_t>(p_.expr(bound).value);
      const Interval range = TypeRange(t);
      __int128 lo = range.lo, hi = range.hi;
      switch (op) {
        case CompareOp::kEq: lo = hi = k; break;
        case CompareOp::kLt: hi = k - 1; break;
        case CompareOp::kLe: hi = k; break;
        case CompareOp::kGt: lo = k + 1; break;
        case CompareOp::kGe: lo = k; break;
        case CompareOp::kNe: continue;
      }
      if (!stored_known) {
        StoredBuffers(scope, stored, 0);
        stored_known = true;
      }
      if (LoadsAny(subject, stored)) continue;
      Interval fact = kEmpty;
      if (lo <= hi) {
        fact = {static_cast<int64_t>(std::max<__int128>(lo, kI64Min)),
                static_cast<int64_t>(std::min<__int128>(hi, kI64Max))};
      }
      facts_.push_back({subject, fact});
    }
  }

  bool IsIntegerConst(ExprId id) const {
    const Expr& e = p_.expr(id);
    return e.kind == ExprKind::kConst && e.type != Type::kU64 && !IsFloatType(e.type);
  }

  // ---- statements ----

  absl::Status WalkBody(std::span<const StmtId> body, int depth) {
    const size_t mark = facts_.size();
    for (size_t i = 0; i < body.size(); ++i) {
      DLC_RETURN_IF_ERROR(WalkStmt(body[i], depth));
      const Stmt& s = p_.stmt(body[i]);
      if (s.kind == StmtKind::kCheck) AddFacts(s.cond, body.subspan(i + 1));
    }
    facts_.resize(mark);
    return absl::OkStatus();
  }

  absl::Status WalkStmt(StmtId id, int depth) {
    if (id < 0 || id >= static_cast<StmtId>(p_.stmts.size())) {
      return absl::InvalidArgumentError(StrCat(prefix_, "statement #", id, " does not exist"));
    }
    if (stmt_seen_[id]) {
      return absl::InvalidArgumentError(
          StrCat(prefix_, "statement #", id, " appears more than once in the program"));
    }
    if (depth > kMaxDepth) {
      return absl::InvalidArgumentError(
          StrCat(prefix_, "statements are nested more than ", kMaxDepth, " deep"));
    }
    stmt_seen_[id] = true;
    const Stmt& s = p_.stmt(id);
    if ((s.kind == StmtKind::kStore || s.kind == StmtKind::kCheck) && !s.body.empty()) {
      return absl::InvalidArgumentError(StrCat(prefix_, "statement #", id, " (a ",
                                               s.kind == StmtKind::kStore ? "store" : "check",
                                               ") has a body"));
    }
    switch (s.kind) {
      case StmtKind::kFor: return WalkFor(s, depth);
      case StmtKind::kStore: {
        if (s.buffer < 0 || s.buffer >= static_cast<BufferId>(p_.buffers.size())) {
          return absl::InvalidArgumentError(
              StrCat(prefix_, "store to buffer #", s.buffer, ", which does not exist"));
        }
        const Buffer& b = p_.buffer(s.buffer);
        const std::string name = LoopBufferRef(p_, s.buffer);
        if (b.kind == BufferKind::kInput || b.kind == BufferKind::kConstant) {
          return absl::InvalidArgumentError(
              StrCat(prefix_, "store to ", BufferKindName(b.kind), " ", name));
        }
        DLC_RETURN_IF_ERROR(CheckUse(s.index));
        DLC_RETURN_IF_ERROR(CheckUse(s.value));
        if (p_.expr(s.index).type != Type::kI64) {
          return ExprError(s.index, StrCat("store to ", name, " has an index of type ",
                                           TypeName(p_.expr(s.index).type), ", expected i64"));
        }
        if (p_.expr(s.value).type != b.type) {
          return ExprError(s.value, StrCat("store of ", TypeName(p_.expr(s.value).type), " to ",
                                           name, ", which holds ", TypeName(b.type)));
        }
        NewStamp();
        if (unreachable_ > 0) return absl::OkStatus();
        const Interval r = Range(s.index);
        const int64_t n = b.num_elements();
        if (r.empty() || (r.lo >= 0 && r.hi < n)) return absl::OkStatus();
        return absl::InvalidArgumentError(StrCat(
            prefix_, "store to ", name, " at index range [", BoundText(r.lo), ", ", BoundText(r.hi),
            "] outside [0, ", n, "): ", name, "[", PrintLoopExpr(p_, s.index), "]"));
      }
      case StmtKind::kIf: {
        DLC_RETURN_IF_ERROR(CheckCondition(s.cond, "if"));
        const size_t mark = facts_.size();
        AddFacts(s.cond, s.body);
        DLC_RETURN_IF_ERROR(WalkBody(s.body, depth + 1));
        facts_.resize(mark);
        return absl::OkStatus();
      }
      case StmtKind::kCheck:
        DLC_RETURN_IF_ERROR(CheckCondition(s.cond, "check"));
        if (s.error < 1 || s.error > static_cast<int32_t>(p_.errors.size())) {
          return absl::InvalidArgumentError(StrCat(prefix_, "check has error code ", s.error,
                                                   " but the program has ", p_.errors.size(),
                                                   " error messages"));
        }
        return absl::OkStatus();
    }
    return absl::InvalidArgumentError(
        StrCat(prefix_, "statement #", id, " has an invalid kind #", static_cast<int>(s.kind)));
  }

  absl::Status CheckCondition(ExprId cond, std::string_view what) {
    DLC_RETURN_IF_ERROR(CheckUse(cond));
    if (p_.expr(cond).type != Type::kI1) {
      return ExprError(cond, StrCat(what, " condition has type ", TypeName(p_.expr(cond).type),
                                    ", expected i1"));
    }
    return absl::OkStatus();
  }

  absl::Status WalkFor(const Stmt& s, int depth) {
    const VarId v = s.var;
    if (v < 0 || v >= p_.num_vars) {
      return absl::InvalidArgumentError(StrCat(prefix_, "loop variable ", LoopVarName(v),
                                               " does not exist (the program has ", p_.num_vars,
                                               ")"));
    }
    const std::string loop = StrCat("loop over ", LoopVarName(v));
    if (var_bound_[v]) {
      return absl::InvalidArgumentError(
          StrCat(prefix_, "loop variable ", LoopVarName(v), " is bound by more than one loop"));
    }
    var_bound_[v] = true;
    if (s.extent < 0) {
      return absl::InvalidArgumentError(StrCat(prefix_, loop, " has a negative extent ", s.extent));
    }
    switch (s.loop) {
      case LoopKind::kSerial:
      case LoopKind::kParallel:
        if (s.width != 1) {
          return absl::InvalidArgumentError(StrCat(prefix_, LoopKindName(s.loop), " ", loop,
                                                   " has width ", s.width, ", expected 1"));
        }
        break;
      case LoopKind::kVectorized:
        if (s.width < 2 || s.width > 64 || (s.width & (s.width - 1)) != 0) {
          return absl::InvalidArgumentError(StrCat(prefix_, "vectorized ", loop, " has width ",
                                                   s.width, ", expected 2, 4, 8, 16, 32 or 64"));
        }
        break;
      case LoopKind::kUnrolled:
        if (s.width < 1) {
          return absl::InvalidArgumentError(
              StrCat(prefix_, "unrolled ", loop, " has width ", s.width, ", expected at least 1"));
        }
        break;
      default:
        return absl::InvalidArgumentError(
            StrCat(prefix_, loop, " has an invalid kind #", static_cast<int>(s.loop)));
    }
    var_in_scope_[v] = true;
    var_extent_[v] = s.extent;
    if (s.extent == 0) ++unreachable_;
    absl::Status status = WalkBody(s.body, depth + 1);
    if (s.extent == 0) --unreachable_;
    var_in_scope_[v] = false;
    return status;
  }

  static constexpr int kMaxDepth = 1000;

  const LoopProgram& p_;
  const LoopVerifyOptions& options_;
  std::string prefix_;  // "kernel %y = add: "

  std::vector<bool> expr_ok_;
  std::vector<std::vector<VarId>> expr_vars_;
  std::vector<uint64_t> expr_hash_;
  // Ranges computed for the current statement (stamp).
  uint64_t stamp_ = 0;
  std::vector<uint64_t> stamp_of_;
  std::vector<uint64_t> visited_stamp_;  // loads checked for the current statement
  std::vector<Interval> range_;

  std::vector<bool> stmt_seen_;
  std::vector<bool> var_bound_;
  std::vector<bool> var_in_scope_;
  std::vector<int64_t> var_extent_;
  std::vector<Fact> facts_;
  int unreachable_ = 0;  // inside a loop of extent 0
};

}  // namespace

absl::Status VerifyLoopProgram(const LoopProgram& program, const LoopVerifyOptions& options) {
  if (program.num_vars < 0) {
    return absl::InvalidArgumentError(StrCat("num_vars is negative: ", program.num_vars));
  }
  return Verifier(program, options).Run();
}

}  // namespace dlc::loops
