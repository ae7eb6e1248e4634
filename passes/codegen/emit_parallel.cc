// Parallel loops: the body is outlined into
//
//   internal void <program>.parallel.N(ptr ctx, i64 begin, i64 end)
//
// which runs iterations [begin, end), and the loop itself becomes
//
//   dlc_parallel_for(@<program>.parallel.N, ctx, extent)
//
// a call into the runtime (runtime/jit/thread_pool.h), which splits
// [0, extent) into one contiguous chunk per thread. `ctx` lives on the
// caller's stack: { void** slots, i64 error, i64 vars[k] } — the kernel's
// buffer pointers (kernel_signature.h; the body reloads those it uses), the
// failure record of checks in the body, and the values of the enclosing
// loops' variables.
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/lane_analysis.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::codegen::internal {
namespace {

enum ContextField : unsigned { kSlotsField = 0, kErrorField = 1, kVarsField = 2 };

// No failure recorded: above every (iteration << 32 | code).
constexpr uint64_t kNoFailure = ~uint64_t{0};

}  // namespace

absl::Status FunctionEmitter::EmitParallelFor(const Stmt& s) {
  llvm::LLVMContext& context = state_.context;
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* pointer = b_.getPtrTy();
  const bool has_checks = ContainsCheck(program_, s.body);
  if (has_checks && s.extent > (int64_t{1} << 32)) {
    // The failure record keeps the iteration in 32 bits.
    return absl::UnimplementedError(
        StrCat("a parallel loop with checks over more than 2^32 iterations (i", s.var, ")"));
  }

  std::vector<VarId> captured;
  for (VarId v = 0; v < program_.num_vars; ++v) {
    if (var_value_[v] != nullptr && v != s.var) captured.push_back(v);
  }
  llvm::StructType* context_type =
      llvm::StructType::get(context, {pointer, i64, llvm::ArrayType::get(i64, captured.size())});

  // The body: for (i = begin; i < end; ++i) <loop body>.
  llvm::FunctionType* body_type =
      llvm::FunctionType::get(b_.getVoidTy(), {pointer, i64, i64}, false);
  llvm::Function* body = llvm::Function::Create(
      body_type, llvm::GlobalValue::InternalLinkage,
      StrCat(program_.name, ".parallel.", state_.outlined_functions++), state_.module);
  SetFunctionAttributes(*body, state_.target);
  llvm::Value* ctx = body->getArg(0);
  ctx->setName("ctx");
  body->getArg(1)->setName("begin");
  body->getArg(2)->setName("end");
  {
    FunctionEmitter inner(state_, body, FailurePath{nullptr, s.var});
    llvm::IRBuilder<>& setup = inner.setup();
    inner.failure_.error_slot = setup.CreateStructGEP(context_type, ctx, kErrorField, "error");
    inner.SetArgs(
        setup.CreateLoad(pointer, setup.CreateStructGEP(context_type, ctx, kSlotsField), "slots"));
    for (size_t k = 0; k < captured.size(); ++k) {
      llvm::Value* slot = setup.CreateInBoundsGEP(
          context_type, ctx, {setup.getInt32(0), setup.getInt32(kVarsField), setup.getInt32(k)});
      inner.BindVar(captured[k], setup.CreateLoad(i64, slot, StrCat("i", captured[k])));
    }
    DLC_RETURN_IF_ERROR(inner.EmitLoop(body->getArg(1), body->getArg(2), 1, StrCat("i", s.var),
                                       [&](llvm::Value* i) {
                                         inner.BindVar(s.var, i);
                                         return inner.EmitStmts(s.body);
                                       }));
    inner.b_.CreateRetVoid();
  }

  // The call. The context is allocated once, in the entry block, so a
  // parallel loop inside a serial one does not grow the stack.
  llvm::Value* call_context = setup_.CreateAlloca(context_type, nullptr, "parallel.ctx");
  b_.CreateStore(args_, b_.CreateStructGEP(context_type, call_context, kSlotsField));
  llvm::Value* error = b_.CreateStructGEP(context_type, call_context, kErrorField);
  b_.CreateStore(b_.getInt64(kNoFailure), error);
  for (size_t k = 0; k < captured.size(); ++k) {
    llvm::Value* slot = b_.CreateInBoundsGEP(
        context_type, call_context, {b_.getInt32(0), b_.getInt32(kVarsField), b_.getInt32(k)});
    b_.CreateStore(var_value_[captured[k]], slot);
  }
  llvm::FunctionCallee parallel_for = state_.module.getOrInsertFunction(
      "dlc_parallel_for", llvm::FunctionType::get(b_.getVoidTy(), {pointer, pointer, i64}, false));
  b_.CreateCall(parallel_for, {body, call_context, b_.getInt64(s.extent)});

  if (has_checks) {
    // The lowest failed iteration's code, as the serial loop would return.
    llvm::Value* record = b_.CreateLoad(i64, error, "parallel.error");
    llvm::BasicBlock* failed = llvm::BasicBlock::Create(context, "parallel.failed", function_);
    llvm::BasicBlock* passed = llvm::BasicBlock::Create(context, "parallel.passed", function_);
    b_.CreateCondBr(b_.CreateICmpEQ(record, b_.getInt64(kNoFailure)), passed, failed);
    b_.SetInsertPoint(failed);
    b_.CreateRet(b_.CreateTrunc(record, b_.getInt32Ty()));
    b_.SetInsertPoint(passed);
  }
  return absl::OkStatus();
}

}  // namespace dlc::codegen::internal
