#include "ir/loops/loop_printer.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <functional>
#include <initializer_list>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/attribute.h"
#include "support/str_cat.h"

namespace dlc::loops {
namespace {

// Binding strength, highest first. Atoms (constants, variables, loads,
// calls, casts) never need parentheses.
constexpr int kAtom = 100;
constexpr int kPrefix = 90;  // -x ~x !x, and negative literals
constexpr int kMultiplicative = 80;
constexpr int kAdditive = 70;
constexpr int kShift = 60;
constexpr int kRelational = 50;
constexpr int kEquality = 45;
constexpr int kBitAnd = 40;
constexpr int kBitXor = 35;
constexpr int kBitOr = 30;
constexpr int kSelect = 10;

// The largest number of nested statements printed; deeper (only possible in
// a broken program with a cycle) prints a marker instead.
constexpr int kMaxStmtDepth = 256;

struct Printed {
  std::string text;
  int precedence = kAtom;
};

std::string IntegerText(double value) {
  if (value == std::trunc(value) && std::abs(value) < 9.2e18) {
    return StrCat(static_cast<int64_t>(value));
  }
  return FormatDouble(value);
}

std::string U64Text(uint64_t bits) {
  if (bits < 65536) return StrCat(bits);
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, bits);
  return buf;
}

std::string ConstText(const Expr& e) {
  switch (e.type) {
    case Type::kI64: {
      std::string text = IntegerText(e.value);
      return e.value == std::trunc(e.value) ? text : StrCat(text, "_i64");
    }
    case Type::kF32: return FormatDouble(e.value);
    case Type::kF64: return StrCat(FormatDouble(e.value), "_f64");
    case Type::kI32: return StrCat(IntegerText(e.value), "_i32");
    case Type::kU8: return StrCat(IntegerText(e.value), "_u8");
    case Type::kI1: return e.value != 0 ? "true" : "false";
    case Type::kU64: return StrCat(U64Text(e.bits), "_u64");
  }
  return FormatDouble(e.value);
}

// A value of a constant buffer, in its type.
std::string ValueText(double value, Type type) {
  if (IsFloatType(type)) return FormatDouble(value);
  if (type == Type::kI1) return value != 0 ? "true" : "false";
  return IntegerText(value);
}

std::string_view UnaryName(UnaryOp op) {
  switch (op) {
    case UnaryOp::kNeg: return "-";
    case UnaryOp::kExp: return "exp";
    case UnaryOp::kLog: return "log";
    case UnaryOp::kSqrt: return "sqrt";
    case UnaryOp::kAbs: return "abs";
    case UnaryOp::kFloor: return "floor";
    case UnaryOp::kNot: return "~";
  }
  return "?";
}

// Infix operators: their text and precedence; calls (max, min, pow) have
// precedence kAtom.
std::string_view BinaryText(BinaryOp op, int& precedence) {
  switch (op) {
    case BinaryOp::kAdd: precedence = kAdditive; return "+";
    case BinaryOp::kSub: precedence = kAdditive; return "-";
    case BinaryOp::kMul: precedence = kMultiplicative; return "*";
    case BinaryOp::kDiv: precedence = kMultiplicative; return "/";
    case BinaryOp::kRem: precedence = kMultiplicative; return "%";
    case BinaryOp::kMax: precedence = kAtom; return "max";
    case BinaryOp::kMin: precedence = kAtom; return "min";
    case BinaryOp::kPow: precedence = kAtom; return "pow";
    case BinaryOp::kAnd: precedence = kBitAnd; return "&";
    case BinaryOp::kOr: precedence = kBitOr; return "|";
    case BinaryOp::kXor: precedence = kBitXor; return "^";
    case BinaryOp::kShl: precedence = kShift; return "<<";
    case BinaryOp::kShr: precedence = kShift; return ">>";
  }
  precedence = kAtom;
  return "?";
}

std::string_view CompareText(CompareOp op, int& precedence) {
  precedence = kRelational;
  switch (op) {
    case CompareOp::kEq: precedence = kEquality; return "==";
    case CompareOp::kNe: precedence = kEquality; return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLe: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGe: return ">=";
  }
  return "?";
}

std::string Paren(const Printed& p, bool needed) {
  return needed ? StrCat("(", p.text, ")") : p.text;
}

class ExprPrinter {
 public:
  explicit ExprPrinter(const LoopProgram& p) : p_(p) {}

  // Whether `id` exists and, when `user` >= 0, comes before it: operands
  // come before their users, which also rules out cycles, so the printer
  // never recurses forever.
  bool Valid(ExprId id, ExprId user) const {
    return id >= 0 && id < static_cast<ExprId>(p_.exprs.size()) && (user < 0 || id < user);
  }

  // `user` is the id of the expression that refers to `id` (-1 for a root).
  Printed Print(ExprId id, ExprId user) {
    if (!Valid(id, user)) return {StrCat("<bad expr #", id, ">"), kAtom};
    if (auto it = names_.find(id); it != names_.end()) return {it->second, kAtom};
    return PrintNode(id);
  }

  // The operands of `id` that are valid.
  std::vector<ExprId> Operands(ExprId id) const {
    std::vector<ExprId> valid;
    for (ExprId operand : ExprOperands(p_.expr(id))) {
      if (Valid(operand, id)) valid.push_back(operand);
    }
    return valid;
  }

  // The number of nodes of `id` printed as a tree (shared operands counted
  // at each use), saturating.
  int64_t TreeSize(ExprId id) {
    if (auto it = tree_size_.find(id); it != tree_size_.end()) return it->second;
    int64_t size = 1;
    for (ExprId operand : Operands(id)) size = std::min<int64_t>(size + TreeSize(operand), 1 << 30);
    tree_size_[id] = size;
    return size;
  }

  // Names `id` (printed as `name` from now on).
  void Name(ExprId id, std::string name) { names_[id] = std::move(name); }
  void ClearNames() { names_.clear(); }

  Printed PrintNode(ExprId id) {
    const Expr& e = p_.expr(id);
    switch (e.kind) {
      case ExprKind::kConst: {
        std::string text = ConstText(e);
        return {text, text[0] == '-' ? kPrefix : kAtom};
      }
      case ExprKind::kVar: return {LoopVarName(e.var), kAtom};
      case ExprKind::kLoad:
        return {StrCat(LoopBufferRef(p_, e.buffer), "[", Print(e.a, id).text, "]"), kAtom};
      case ExprKind::kUnary: {
        Printed a = Print(e.a, id);
        if (e.unary == UnaryOp::kNeg || e.unary == UnaryOp::kNot) {
          std::string_view op = e.unary == UnaryOp::kNot && e.type == Type::kI1
                                    ? std::string_view("!")
                                    : UnaryName(e.unary);
          const bool parens = a.precedence < kPrefix || a.text[0] == '-';
          return {StrCat(op, Paren(a, parens)), kPrefix};
        }
        return {StrCat(UnaryName(e.unary), "(", a.text, ")"), kAtom};
      }
      case ExprKind::kBinary: {
        int prec = kAtom;
        std::string_view op = BinaryText(e.binary, prec);
        Printed a = Print(e.a, id);
        Printed b = Print(e.b, id);
        if (prec == kAtom) return {StrCat(op, "(", a.text, ", ", b.text, ")"), kAtom};
        const bool bitwise = prec == kBitAnd || prec == kBitOr || prec == kBitXor;
        const bool strict = bitwise || prec == kShift;
        auto same_op = [&](ExprId operand) {
          if (!Valid(operand, id) || names_.contains(operand)) return false;
          const Expr& o = p_.expr(operand);
          return o.kind == ExprKind::kBinary && o.binary == e.binary;
        };
        bool left = a.precedence < prec;
        bool right = b.precedence <= prec;
        if (strict) {
          left = a.precedence < kPrefix && !(bitwise && same_op(e.a));
          right = b.precedence < kPrefix;
        }
        return {StrCat(Paren(a, left), " ", op, " ", Paren(b, right)), prec};
      }
      case ExprKind::kCompare: {
        int prec = kRelational;
        std::string_view op = CompareText(e.compare, prec);
        Printed a = Print(e.a, id);
        Printed b = Print(e.b, id);
        // Compares never chain without parentheses: (a < b) == c.
        return {StrCat(Paren(a, a.precedence <= kRelational), " ", op, " ",
                       Paren(b, b.precedence <= kRelational)),
                prec};
      }
      case ExprKind::kSelect: {
        Printed c = Print(e.a, id);
        Printed a = Print(e.b, id);
        Printed b = Print(e.c, id);
        return {StrCat(Paren(c, c.precedence <= kSelect), " ? ", Paren(a, a.precedence <= kSelect),
                       " : ", Paren(b, b.precedence <= kSelect)),
                kSelect};
      }
      case ExprKind::kCast: return {StrCat(TypeName(e.type), "(", Print(e.a, id).text, ")"), kAtom};
    }
    return {StrCat("<bad expr #", id, ">"), kAtom};
  }

 private:
  const LoopProgram& p_;
  absl::flat_hash_map<ExprId, std::string> names_;
  absl::flat_hash_map<ExprId, int64_t> tree_size_;
};

std::string LoopSuffix(const Stmt& s) {
  switch (s.loop) {
    case LoopKind::kSerial: return "";
    case LoopKind::kParallel: return " parallel";
    case LoopKind::kVectorized: return StrCat(" vectorized ", s.width);
    case LoopKind::kUnrolled: return StrCat(" unrolled ", s.width);
  }
  return " <bad loop kind>";
}

// The subexpressions of `roots` used more than once (by distinct users or
// roots) and at least kLetMinSize nodes big, operands first: names them
// tN (counting from `next`) in `printer` and returns (name, definition).
constexpr int64_t kLetMinSize = 16;

std::vector<std::pair<std::string, std::string>> NameShared(const LoopProgram& p,
                                                            ExprPrinter& printer,
                                                            std::initializer_list<ExprId> roots,
                                                            int64_t& next) {
  absl::flat_hash_map<ExprId, int> uses;
  std::vector<ExprId> stack;
  for (ExprId root : roots) {
    if (!printer.Valid(root, -1)) continue;
    if (uses[root]++ == 0) stack.push_back(root);
  }
  while (!stack.empty()) {
    const ExprId id = stack.back();
    stack.pop_back();
    for (ExprId operand : printer.Operands(id)) {
      if (uses[operand]++ == 0) stack.push_back(operand);
    }
  }
  std::vector<std::pair<std::string, std::string>> lets;
  absl::flat_hash_set<ExprId> done;
  std::function<void(ExprId)> visit = [&](ExprId id) {
    if (!done.insert(id).second) return;
    for (ExprId operand : printer.Operands(id)) visit(operand);
    const ExprKind kind = p.expr(id).kind;
    if (uses[id] < 2 || kind == ExprKind::kConst || kind == ExprKind::kVar ||
        printer.TreeSize(id) < kLetMinSize) {
      return;
    }
    std::string name = StrCat("t", next++);
    lets.emplace_back(name, printer.PrintNode(id).text);
    printer.Name(id, std::move(name));
  };
  for (ExprId root : roots) {
    if (printer.Valid(root, -1)) visit(root);
  }
  return lets;
}

// Prints statements; a subexpression used more than once by a statement
// and at least kLetMinSize nodes big is printed once, on a `let` line
// before the statement, and referred to by name.
class StmtPrinter {
 public:
  explicit StmtPrinter(const LoopProgram& p) : p_(p), exprs_(p) {}

  void Print(StmtId id, int indent, std::string& out) {
    const std::string pad(2 * static_cast<size_t>(indent), ' ');
    if (id < 0 || id >= static_cast<StmtId>(p_.stmts.size())) {
      out += StrCat(pad, "<bad stmt #", id, ">\n");
      return;
    }
    if (indent > kMaxStmtDepth) {
      out += StrCat(pad, "<statements nested too deeply>\n");
      return;
    }
    const Stmt& s = p_.stmt(id);
    auto body = [&] {
      for (StmtId child : s.body) Print(child, indent + 1, out);
      out += StrCat(pad, "}\n");
    };
    switch (s.kind) {
      case StmtKind::kFor:
        out += StrCat(pad, "for ", LoopVarName(s.var), " in 0..", s.extent, LoopSuffix(s), " {\n");
        body();
        return;
      case StmtKind::kStore: {
        Lets({s.index, s.value}, pad, out);
        out += StrCat(pad, LoopBufferRef(p_, s.buffer), "[", Text(s.index), "] = ", Text(s.value),
                      "\n");
        exprs_.ClearNames();
        return;
      }
      case StmtKind::kIf:
        Lets({s.cond}, pad, out);
        out += StrCat(pad, "if ", Text(s.cond), " {\n");
        exprs_.ClearNames();
        body();
        return;
      case StmtKind::kCheck: {
        Lets({s.cond}, pad, out);
        out += StrCat(pad, "check ", Text(s.cond), " else error ", s.error);
        exprs_.ClearNames();
        if (s.error >= 1 && s.error <= static_cast<int32_t>(p_.errors.size())) {
          out += StrCat("   # ", p_.errors[s.error - 1]);
        }
        out += "\n";
        return;
      }
    }
    out += StrCat(pad, "<bad stmt #", id, ">\n");
  }

 private:
  std::string Text(ExprId id) { return exprs_.Print(id, -1).text; }

  void Lets(std::initializer_list<ExprId> roots, const std::string& pad, std::string& out) {
    for (const auto& [name, text] : NameShared(p_, exprs_, roots, next_let_)) {
      out += StrCat(pad, "let ", name, " = ", text, "\n");
    }
  }

  const LoopProgram& p_;
  ExprPrinter exprs_;
  int64_t next_let_ = 0;
};

std::string BufferDecl(const LoopProgram& p, BufferId id) {
  const Buffer& b = p.buffer(id);
  return StrCat(LoopBufferRef(p, id), " ", TypeName(b.type), ShapeToString(b.shape), " ",
                BufferKindName(b.kind));
}

std::string ConstantValues(const Buffer& b) {
  constexpr size_t kMaxShown = 16;
  constexpr size_t kShownWhenElided = 8;
  if (b.values.size() == 1 && b.num_elements() != 1) {
    return StrCat(" splat ", ValueText(b.values[0], b.type));
  }
  const bool elide = b.values.size() > kMaxShown;
  const size_t shown = elide ? kShownWhenElided : b.values.size();
  std::string text = " [";
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) text += ", ";
    text += ValueText(b.values[i], b.type);
  }
  if (elide) text += StrCat(", ... ", b.values.size(), " values");
  return text + "]";
}

}  // namespace

std::string LoopVarName(VarId var) { return StrCat("i", var); }

std::string LoopBufferRef(const LoopProgram& program, BufferId id) {
  if (id < 0 || id >= static_cast<BufferId>(program.buffers.size())) {
    return StrCat("%<bad buffer #", id, ">");
  }
  const std::string& name = program.buffer(id).name;
  return name.empty() ? StrCat("%#", id) : StrCat("%", name);
}

std::string_view LoopKindName(LoopKind kind) {
  switch (kind) {
    case LoopKind::kSerial: return "serial";
    case LoopKind::kParallel: return "parallel";
    case LoopKind::kVectorized: return "vectorized";
    case LoopKind::kUnrolled: return "unrolled";
  }
  return "?";
}

std::string_view BufferKindName(BufferKind kind) {
  switch (kind) {
    case BufferKind::kInput: return "input";
    case BufferKind::kOutput: return "output";
    case BufferKind::kTemp: return "temp";
    case BufferKind::kConstant: return "constant";
    case BufferKind::kLocal: return "local";
  }
  return "?";
}

std::string PrintLoopExpr(const LoopProgram& program, ExprId id) {
  ExprPrinter printer(program);
  int64_t next = 0;
  std::string text;
  for (const auto& [name, definition] : NameShared(program, printer, {id}, next)) {
    text += StrCat("let ", name, " = ", definition, "; ");
  }
  return text + printer.Print(id, -1).text;
}

std::string PrintLoopStmt(const LoopProgram& program, StmtId id, int indent) {
  std::string out;
  StmtPrinter(program).Print(id, indent, out);
  return out;
}

std::string PrintLoopProgram(const LoopProgram& program) {
  std::string out = StrCat("func ", program.name, "(");
  std::vector<bool> is_argument(program.buffers.size(), false);
  for (size_t i = 0; i < program.arguments.size(); ++i) {
    const BufferId id = program.arguments[i];
    if (i > 0) out += ", ";
    if (id < 0 || id >= static_cast<BufferId>(program.buffers.size())) {
      out += LoopBufferRef(program, id);
      continue;
    }
    is_argument[id] = true;
    out += BufferDecl(program, id);
  }
  out += StrCat(") workspace ", program.workspace_bytes, " bytes\n");
  for (BufferId id = 0; id < static_cast<BufferId>(program.buffers.size()); ++id) {
    if (is_argument[id]) continue;
    const Buffer& b = program.buffer(id);
    out += StrCat("  buffer ", BufferDecl(program, id));
    if (b.kind == BufferKind::kTemp && b.offset >= 0) out += StrCat(" @", b.offset);
    if (b.kind == BufferKind::kConstant) out += ConstantValues(b);
    out += "\n";
  }
  StmtPrinter printer(program);
  for (const Kernel& kernel : program.kernels) {
    out += StrCat("  # ", kernel.name, "\n");
    for (StmtId id : kernel.body) printer.Print(id, 1, out);
  }
  return out;
}

}  // namespace dlc::loops
