// Internal to codegen: emits loop-IR statements and expressions into one
// LLVM function. The entry function and every outlined parallel-loop body
// get a FunctionEmitter each; what they share lives in ModuleState.
//
// The code is split by concern:
//   emit_stmts.cc     statements and the serial/unrolled/vectorized loops
//   emit_parallel.cc  outlining parallel loops for dlc_parallel_for
//   emit_expr.cc      expressions: arithmetic, compares, selects, casts
//   emit_memory.cc    buffers, loads and stores (vector, broadcast, gather)
//   vector_math.cc    f32 exp and log as polynomials (no libm call per lane)
#ifndef DLC_PASSES_CODEGEN_FUNCTION_EMITTER_H_
#define DLC_PASSES_CODEGEN_FUNCTION_EMITTER_H_

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/target.h"

namespace dlc::codegen::internal {

using loops::BufferId;
using loops::Expr;
using loops::ExprId;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::VarId;

// What all functions of one module share.
struct ModuleState {
  ModuleState(const LoopProgram& program, const TargetInfo& target, const EmitOptions& options,
              llvm::LLVMContext& context, llvm::Module& module)
      : program(program), target(target), options(options), context(context), module(module) {}

  const LoopProgram& program;
  const TargetInfo& target;
  const EmitOptions& options;
  llvm::LLVMContext& context;
  llvm::Module& module;
  // Per buffer: the private global holding a constant's elements; nullptr
  // for other buffers and for splat constants (whose loads fold away).
  std::vector<llvm::GlobalVariable*> constant_globals;
  // The kernel being emitted (kernel_signature.h). Per buffer it touches:
  // its slot in the kernel's pointer array (-1: not a slot), and the
  // !alias.scope and !noalias lists of its loads and stores: each slot is a
  // scope of its own (emit_llvm.cc says why that holds for temporaries),
  // and constants and locals have none. The scopes are the kernel's own, so
  // the lists stay as short as its slots are few: lists naming every
  // argument on every access made LLVM's alias queries, and so O3,
  // quadratic in the model's size.
  std::vector<int> slot_of;
  std::vector<llvm::MDNode*> alias_scope;
  std::vector<llvm::MDNode*> noalias;
  int outlined_functions = 0;  // numbers the parallel-loop bodies
};

// Sets the attributes every function of the module carries (the target
// CPU and features, nounwind).
void SetFunctionAttributes(llvm::Function& function, const TargetInfo& target);

// A value being emitted: one scalar, or a <width x T> vector when it differs
// across the lanes of the vectorized loop whose body is being emitted.
struct LaneValue {
  llvm::Value* value = nullptr;
  bool varying = false;
};

// How a failed kCheck leaves the function: the entry function returns the
// error code; an outlined parallel body records (iteration << 32 | code) in
// the shared slot with an atomic unsigned min, so the caller sees the
// failure of the lowest iteration, as the serial loop would, and returns.
struct FailurePath {
  llvm::Value* error_slot = nullptr;  // i64*, in outlined bodies only
  VarId iteration_var = -1;           // the parallel loop's variable
};

class FunctionEmitter {
 public:
  // Starts emitting into `function`, which must have no blocks yet. The
  // function gets an entry block for setup (buffer pointers, allocas, all
  // made on first use) that falls through to the code emitted next.
  FunctionEmitter(ModuleState& state, llvm::Function* function, FailurePath failure);

  // The kernel's slot array the buffer pointers come from (void**); an
  // instruction in the entry block (made with setup()) or a function
  // argument.
  void SetArgs(llvm::Value* args) { args_ = args; }
  // Inserts at the end of the entry block.
  llvm::IRBuilder<>& setup() { return setup_; }
  // Makes `value` (i64) the value of `var` for what is emitted next.
  void BindVar(VarId var, llvm::Value* value);
  absl::Status EmitStmts(std::span<const StmtId> stmts);
  llvm::IRBuilder<>& builder() { return b_; }

 private:
  // ---- statements (emit_stmts.cc) ----
  absl::Status EmitStmt(StmtId id);
  absl::Status EmitIf(const Stmt& s);
  absl::Status EmitCheck(const Stmt& s);
  absl::Status EmitFor(const Stmt& s);
  absl::Status EmitSerialFor(const Stmt& s, int64_t begin, int64_t end);
  absl::Status EmitUnrolledFor(const Stmt& s);
  absl::Status EmitVectorizedFor(const Stmt& s);
  // `for (i = begin; i < end; i += step) body(i)`, begin and end i64.
  absl::Status EmitLoop(llvm::Value* begin, llvm::Value* end, int64_t step, std::string_view name,
                        const std::function<absl::Status(llvm::Value*)>& body);
  // Leaves the function through the failure path with error `code`
  // (terminates the current block).
  void EmitFailure(int32_t code);

  // ---- parallel loops (emit_parallel.cc) ----
  absl::Status EmitParallelFor(const Stmt& s);

  // ---- expressions (emit_expr.cc) ----
  absl::StatusOr<LaneValue> EmitExpr(ExprId id);
  absl::StatusOr<LaneValue> EmitExprUncached(ExprId id);
  // `id` evaluated for the first lane only (the loop variable at its base).
  absl::StatusOr<llvm::Value*> EmitAtFirstLane(ExprId id);
  // Operand `id` of `user` (-1: of a statement), which must have type `type`.
  absl::Status CheckOperand(ExprId id, loops::Type type, ExprId user) const;
  absl::StatusOr<LaneValue> EmitOperand(ExprId id, loops::Type type, ExprId user);
  absl::StatusOr<LaneValue> EmitUnary(ExprId id, const Expr& e);
  absl::StatusOr<LaneValue> EmitBinary(ExprId id, const Expr& e);
  absl::StatusOr<std::optional<LaneValue>> EmitFusedMultiplyAdd(ExprId id, const Expr& e);
  absl::StatusOr<LaneValue> EmitCompare(ExprId id, const Expr& e);
  absl::StatusOr<LaneValue> EmitSelect(ExprId id, const Expr& e);
  absl::StatusOr<LaneValue> EmitCast(ExprId id, const Expr& e);
  // The loop variable of the vectorized loop: base + <0, 1, ..., width-1>.
  llvm::Value* LaneRamp();
  // `v` as a vector across the lanes (a broadcast when it does not vary).
  llvm::Value* Widen(const LaneValue& v);
  // Widens all of `values` when any of them varies; returns whether any did.
  bool Unify(std::initializer_list<LaneValue*> values);

  // ---- memory (emit_memory.cc) ----
  absl::StatusOr<LaneValue> EmitLoad(ExprId id, const Expr& e);
  absl::Status EmitStore(const Stmt& s);
  // Buffer `buffer`'s first element: computed in the entry block when first
  // asked for, so a function loads only the pointers it uses.
  llvm::Value* BufferBase(BufferId buffer);
  llvm::Value* LoadSlot(int slot, int64_t alignment, std::string_view name);
  // The element addresses of buffer[index] across the lanes.
  absl::StatusOr<llvm::Value*> LaneAddresses(BufferId buffer, ExprId index,
                                             std::optional<int64_t> stride);
  llvm::Value* ElementAddress(BufferId buffer, llvm::Value* index);
  llvm::Align ElementAlign(BufferId buffer) const;
  // A local's slot: an alloca in the entry block holding one element, or
  // one per lane inside a vectorized loop of `width` lanes (0: outside any).
  // A local lives within one iteration of the loop that uses it, so the
  // vector body and the scalar remainder of that loop get a slot each.
  // SROA turns the slots into registers.
  llvm::AllocaInst* LocalSlot(BufferId buffer, int width);
  absl::StatusOr<LaneValue> EmitLocalLoad(const Expr& e);
  absl::Status EmitLocalStore(const Stmt& s, LaneValue value);
  // Tags a load or store of `buffer` with its alias scopes.
  void AnnotateAccess(llvm::Instruction* access, BufferId buffer);
  // Converts between register and memory form (i1 <-> i8).
  llvm::Value* FromMemory(llvm::Value* loaded, loops::Type type);
  llvm::Value* ToMemory(llvm::Value* value, loops::Type type);

  absl::Status Error(ExprId id, std::string_view message) const;

  ModuleState& state_;
  const LoopProgram& program_;
  llvm::Function* function_;
  llvm::IRBuilder<> setup_;  // before the entry block's branch
  llvm::IRBuilder<> b_;      // where the statements go
  FailurePath failure_;
  llvm::Value* args_ = nullptr;            // the kernel's slots (void**)
  std::vector<llvm::Value*> buffer_base_;  // per buffer, once computed
  std::vector<llvm::Value*> var_value_;    // per variable; nullptr out of scope
  absl::flat_hash_map<std::pair<BufferId, int>, llvm::AllocaInst*> locals_;

  // The vectorized loop whose body is being emitted, if any.
  struct Lanes {
    VarId var = -1;
    int width = 0;
    llvm::Value* mask = nullptr;  // <width x i1> of the active lanes; nullptr: all
    // The loop's last, partial step: lanes past the extent are off. A
    // check there is still the same for every active lane.
    llvm::Value* tail_mask = nullptr;
  };
  std::optional<Lanes> lanes_;
  bool at_first_lane_ = false;  // inside EmitAtFirstLane

  // Expressions emitted for the current statement. Statements emit their
  // expressions into one block (no expression branches), so a value stays
  // usable for the whole statement; loop variables change only between
  // statements. Values at the first lane are kept apart.
  absl::flat_hash_map<ExprId, LaneValue> memo_;
  absl::flat_hash_map<ExprId, LaneValue> first_lane_memo_;
};

}  // namespace dlc::codegen::internal

#endif  // DLC_PASSES_CODEGEN_FUNCTION_EMITTER_H_
