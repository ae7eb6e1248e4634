// Statements: stores (emit_memory.cc), guards, checks, and the loop kinds
// that stay in the current function: serial, unrolled and vectorized.
#include <algorithm>

#include "llvm/IR/Constants.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/lane_analysis.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::codegen::internal {

using loops::LoopKind;
using loops::StmtKind;

FunctionEmitter::FunctionEmitter(ModuleState& state, llvm::Function* function, FailurePath failure)
    : state_(state),
      program_(state.program),
      function_(function),
      setup_(llvm::BasicBlock::Create(state.context, "entry", function)),
      b_(llvm::BasicBlock::Create(state.context, "start", function)),
      failure_(failure),
      buffer_base_(state.program.buffers.size(), nullptr),
      var_value_(static_cast<size_t>(std::max(state.program.num_vars, 0)), nullptr) {
  setup_.SetInsertPoint(setup_.CreateBr(b_.GetInsertBlock()));
}

void FunctionEmitter::BindVar(VarId var, llvm::Value* value) { var_value_[var] = value; }

absl::Status FunctionEmitter::EmitStmts(std::span<const StmtId> stmts) {
  for (StmtId id : stmts) DLC_RETURN_IF_ERROR(EmitStmt(id));
  return absl::OkStatus();
}

absl::Status FunctionEmitter::EmitStmt(StmtId id) {
  if (id < 0 || id >= static_cast<StmtId>(program_.stmts.size())) {
    return absl::InvalidArgumentError(StrCat("statement #", id, " does not exist"));
  }
  memo_.clear();
  first_lane_memo_.clear();
  const Stmt& s = program_.stmt(id);
  switch (s.kind) {
    case StmtKind::kStore: return EmitStore(s);
    case StmtKind::kIf: return EmitIf(s);
    case StmtKind::kCheck: return EmitCheck(s);
    case StmtKind::kFor: return EmitFor(s);
  }
  return absl::InvalidArgumentError(StrCat("statement #", id, " has an unknown kind"));
}

absl::Status FunctionEmitter::EmitIf(const Stmt& s) {
  DLC_ASSIGN_OR_RETURN(LaneValue cond, EmitOperand(s.cond, loops::Type::kI1, -1));
  if (cond.varying) {
    // Lanes disagree: no branch; the loads and stores of the body act on
    // the lanes where the condition holds.
    llvm::Value* outer_mask = lanes_->mask;
    lanes_->mask = outer_mask ? b_.CreateAnd(outer_mask, cond.value) : cond.value;
    absl::Status status = EmitStmts(s.body);
    lanes_->mask = outer_mask;
    return status;
  }
  llvm::BasicBlock* then_block = llvm::BasicBlock::Create(state_.context, "then", function_);
  llvm::BasicBlock* join = llvm::BasicBlock::Create(state_.context, "endif", function_);
  b_.CreateCondBr(cond.value, then_block, join);
  b_.SetInsertPoint(then_block);
  DLC_RETURN_IF_ERROR(EmitStmts(s.body));
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  return absl::OkStatus();
}

absl::Status FunctionEmitter::EmitCheck(const Stmt& s) {
  DLC_ASSIGN_OR_RETURN(LaneValue cond, EmitOperand(s.cond, loops::Type::kI1, -1));
  if (cond.varying || (lanes_ && lanes_->mask && lanes_->mask != lanes_->tail_mask)) {
    // EmitFor runs such loops serially (HasLaneDependentCheck).
    return absl::InternalError("a check that differs across vector lanes reached the emitter");
  }
  llvm::BasicBlock* failed = llvm::BasicBlock::Create(state_.context, "check.failed", function_);
  llvm::BasicBlock* passed = llvm::BasicBlock::Create(state_.context, "check.passed", function_);
  b_.CreateCondBr(cond.value, passed, failed);
  b_.SetInsertPoint(failed);
  EmitFailure(s.error);
  b_.SetInsertPoint(passed);
  return absl::OkStatus();
}

void FunctionEmitter::EmitFailure(int32_t code) {
  if (failure_.error_slot == nullptr) {
    b_.CreateRet(b_.getInt32(code));
  } else {
    llvm::Value* iteration = var_value_[failure_.iteration_var];
    llvm::Value* record =
        b_.CreateOr(b_.CreateShl(iteration, 32), b_.getInt64(static_cast<uint32_t>(code)));
    b_.CreateAtomicRMW(llvm::AtomicRMWInst::UMin, failure_.error_slot, record, llvm::Align(8),
                       llvm::AtomicOrdering::Monotonic);
    b_.CreateRetVoid();
  }
}

absl::Status FunctionEmitter::EmitFor(const Stmt& s) {
  if (s.var < 0 || s.var >= program_.num_vars) {
    return absl::InvalidArgumentError(StrCat("loop variable i", s.var, " does not exist"));
  }
  if (s.extent <= 0) return absl::OkStatus();
  LoopKind kind = s.loop;
  if (lanes_) {
    // Nested in a vectorized loop: the nest runs whole for all lanes at once
    // (its variable is the same in every lane).
    kind = LoopKind::kSerial;
  }
  if (kind == LoopKind::kParallel && (failure_.error_slot != nullptr || s.extent < 2)) {
    kind = LoopKind::kSerial;  // already on a worker thread, or nothing to split
  }
  if (kind == LoopKind::kUnrolled && s.width <= 1) kind = LoopKind::kSerial;
  if (kind == LoopKind::kVectorized &&
      (s.width <= 1 || HasLaneDependentCheck(program_, s.body, s.var))) {
    kind = LoopKind::kSerial;
  }

  llvm::Value* outer_binding = var_value_[s.var];
  absl::Status status;
  switch (kind) {
    case LoopKind::kSerial: status = EmitSerialFor(s, 0, s.extent); break;
    case LoopKind::kUnrolled: status = EmitUnrolledFor(s); break;
    case LoopKind::kVectorized: status = EmitVectorizedFor(s); break;
    case LoopKind::kParallel: status = EmitParallelFor(s); break;
  }
  var_value_[s.var] = outer_binding;
  return status;
}

absl::Status FunctionEmitter::EmitSerialFor(const Stmt& s, int64_t begin, int64_t end) {
  if (end <= begin) return absl::OkStatus();
  if (end - begin == 1) {  // a single iteration needs no loop
    BindVar(s.var, b_.getInt64(begin));
    return EmitStmts(s.body);
  }
  return EmitLoop(b_.getInt64(begin), b_.getInt64(end), 1, StrCat("i", s.var), [&](llvm::Value* i) {
    BindVar(s.var, i);
    return EmitStmts(s.body);
  });
}

absl::Status FunctionEmitter::EmitUnrolledFor(const Stmt& s) {
  const int64_t main_end = s.extent - s.extent % s.width;
  if (main_end > 0) {
    DLC_RETURN_IF_ERROR(EmitLoop(b_.getInt64(0), b_.getInt64(main_end), s.width,
                                 StrCat("i", s.var, ".unrolled"), [&](llvm::Value* i) {
                                   for (int copy = 0; copy < s.width; ++copy) {
                                     BindVar(s.var,
                                             b_.CreateAdd(i, b_.getInt64(copy), "", true, true));
                                     DLC_RETURN_IF_ERROR(EmitStmts(s.body));
                                   }
                                   return absl::OkStatus();
                                 }));
  }
  return EmitSerialFor(s, main_end, s.extent);
}

absl::Status FunctionEmitter::EmitVectorizedFor(const Stmt& s) {
  const int64_t main_end = s.extent - s.extent % s.width;
  if (main_end > 0) {
    DLC_RETURN_IF_ERROR(EmitLoop(b_.getInt64(0), b_.getInt64(main_end), s.width,
                                 StrCat("i", s.var, ".vector"), [&](llvm::Value* base) {
                                   BindVar(s.var, base);
                                   lanes_ = Lanes{s.var, s.width, nullptr, nullptr};
                                   absl::Status status = EmitStmts(s.body);
                                   lanes_.reset();
                                   return status;
                                 }));
  }
  const int64_t rest = s.extent - main_end;
  if (rest < 2) return EmitSerialFor(s, main_end, s.extent);  // one lane: plain code
  // The remainder in one vector step with only its first `rest` lanes
  // active: loads and stores of the others are masked off.
  std::vector<llvm::Constant*> active;
  for (int lane = 0; lane < s.width; ++lane) active.push_back(b_.getInt1(lane < rest));
  BindVar(s.var, b_.getInt64(main_end));
  llvm::Constant* tail = llvm::ConstantVector::get(active);
  lanes_ = Lanes{s.var, s.width, tail, tail};
  absl::Status status = EmitStmts(s.body);
  lanes_.reset();
  return status;
}

absl::Status FunctionEmitter::EmitLoop(llvm::Value* begin, llvm::Value* end, int64_t step,
                                       std::string_view name,
                                       const std::function<absl::Status(llvm::Value*)>& body) {
  const std::string prefix(name);
  llvm::BasicBlock* preheader = b_.GetInsertBlock();
  llvm::BasicBlock* header = llvm::BasicBlock::Create(state_.context, prefix + ".head", function_);
  llvm::BasicBlock* body_block =
      llvm::BasicBlock::Create(state_.context, prefix + ".body", function_);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(state_.context, prefix + ".exit", function_);
  b_.CreateBr(header);

  b_.SetInsertPoint(header);
  llvm::PHINode* i = b_.CreatePHI(b_.getInt64Ty(), 2, prefix);
  i->addIncoming(begin, preheader);
  b_.CreateCondBr(b_.CreateICmpSLT(i, end), body_block, exit);

  b_.SetInsertPoint(body_block);
  DLC_RETURN_IF_ERROR(body(i));
  // i < end, and end + step does not overflow for any extent we emit.
  llvm::Value* next = b_.CreateAdd(i, b_.getInt64(step), prefix + ".next", true, true);
  i->addIncoming(next, b_.GetInsertBlock());
  b_.CreateBr(header);

  b_.SetInsertPoint(exit);
  return absl::OkStatus();
}

}  // namespace dlc::codegen::internal
