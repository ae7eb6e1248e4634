#include "passes/codegen/kernel_signature.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"

namespace dlc::codegen {
namespace {

using loops::Buffer;
using loops::BufferId;
using loops::BufferKind;
using loops::Expr;
using loops::ExprId;
using loops::Stmt;
using loops::StmtId;
using loops::VarId;

// Writes a kernel out in canonical numbering. Expressions shared within
// the kernel are written once and referred to after, so the key stays
// linear in the kernel's size and records the sharing the emitter's memo
// follows.
class KeyWriter {
 public:
  explicit KeyWriter(const loops::LoopProgram& program) : p_(program) {}

  void WriteStmts(const std::vector<StmtId>& stmts) {
    Put(static_cast<int64_t>(stmts.size()));
    for (StmtId id : stmts) {
      if (id < 0 || id >= static_cast<StmtId>(p_.stmts.size())) {
        Invalid();
        continue;
      }
      const Stmt& s = p_.stmt(id);
      Put(static_cast<int64_t>(s.kind));
      switch (s.kind) {
        case loops::StmtKind::kFor:
          WriteVar(s.var);
          Put(s.extent);
          Put(static_cast<int64_t>(s.loop));
          Put(s.width);
          WriteStmts(s.body);
          break;
        case loops::StmtKind::kStore:
          WriteBuffer(s.buffer);
          WriteExpr(s.index);
          WriteExpr(s.value);
          break;
        case loops::StmtKind::kIf:
          WriteExpr(s.cond);
          WriteStmts(s.body);
          break;
        case loops::StmtKind::kCheck:
          WriteExpr(s.cond);
          Put(s.error);
          break;
      }
    }
  }

  KernelSignature Take() {
    return KernelSignature{std::move(slots_), valid_ ? std::move(key_) : std::string()};
  }

 private:
  void WriteExpr(ExprId id) {
    if (id < 0 || id >= static_cast<ExprId>(p_.exprs.size())) return Invalid();
    auto [seen, inserted] = expr_number_.try_emplace(id, expr_number_.size());
    if (!inserted) {  // written before: a reference to it
      Put(-1);
      Put(seen->second);
      return;
    }
    const Expr& e = p_.expr(id);
    Put(static_cast<int64_t>(e.kind));
    Put(static_cast<int64_t>(e.type));
    switch (e.kind) {
      case loops::ExprKind::kConst:
        PutDouble(e.value);
        Put(static_cast<int64_t>(e.bits));
        return;
      case loops::ExprKind::kVar: return WriteVar(e.var);
      case loops::ExprKind::kLoad: WriteBuffer(e.buffer); return WriteExpr(e.a);
      case loops::ExprKind::kUnary: Put(static_cast<int64_t>(e.unary)); break;
      case loops::ExprKind::kBinary: Put(static_cast<int64_t>(e.binary)); break;
      case loops::ExprKind::kCompare: Put(static_cast<int64_t>(e.compare)); break;
      case loops::ExprKind::kSelect:
      case loops::ExprKind::kCast: break;
    }
    for (ExprId operand : loops::ExprOperands(e)) WriteExpr(operand);
  }

  void WriteVar(VarId var) {
    if (var < 0 || var >= p_.num_vars) return Invalid();
    Put(var_number_.try_emplace(var, var_number_.size()).first->second);
  }

  // A buffer's number, and on its first appearance what the emitter reads
  // of it.
  void WriteBuffer(BufferId id) {
    if (id < 0 || id >= static_cast<BufferId>(p_.buffers.size())) return Invalid();
    auto [seen, inserted] = buffer_number_.try_emplace(id, buffer_number_.size());
    Put(seen->second);
    if (!inserted) return;
    const Buffer& buffer = p_.buffer(id);
    Put(static_cast<int64_t>(buffer.type));
    switch (buffer.kind) {
      case BufferKind::kInput:
      case BufferKind::kOutput:
      case BufferKind::kTemp:
        // Memory behind a pointer: an argument or a temporary alike, except
        // for what a temporary's offset leaves of the alignment.
        Put('M');
        Put(SlotAlignment(buffer));
        slots_.push_back(id);
        break;
      case BufferKind::kConstant:
        Put('C');
        Put(static_cast<int64_t>(buffer.values.size()));
        for (double value : buffer.values) PutDouble(value);
        break;
      case BufferKind::kLocal: Put('L'); break;
    }
  }

  // Something the kernel refers to does not exist: the emitter reports it,
  // and the kernel shares nothing.
  void Invalid() { valid_ = false; }

  void Put(int64_t value) { key_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void PutDouble(double value) {
    int64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    Put(bits);
  }

  const loops::LoopProgram& p_;
  std::string key_;
  bool valid_ = true;
  std::vector<BufferId> slots_;
  absl::flat_hash_map<ExprId, int64_t> expr_number_;
  absl::flat_hash_map<VarId, int64_t> var_number_;
  absl::flat_hash_map<BufferId, int64_t> buffer_number_;
};

}  // namespace

int64_t SlotAlignment(const loops::Buffer& buffer) {
  if (buffer.kind != BufferKind::kTemp || buffer.offset <= 0) return 64;
  return std::min<int64_t>(64, buffer.offset & -buffer.offset);  // its lowest set bit
}

KernelSignature SignatureOf(const loops::LoopProgram& program, const loops::Kernel& kernel) {
  KeyWriter writer(program);
  writer.WriteStmts(kernel.body);
  return writer.Take();
}

}  // namespace dlc::codegen
