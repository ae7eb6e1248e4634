// LLVM IR generation: a loop program becomes one LLVM module that defines
//
//   int32_t <program.name>(void** args)      (external linkage, C ABI)
//
// args[i] points at argument buffer i (program.arguments order) and args[n]
// at the workspace. It returns 0, or the error code of the first failed
// kCheck. The caller promises (the JIT checks it, see runtime/jit/jit.h):
// - distinct argument buffers do not overlap each other or the workspace;
// - every argument and the workspace is 64-byte aligned (Tensor storage is).
//
// Each kernel becomes an internal function `int32_t (void** args, const
// int64_t* table)` that the entry calls in order; the table says where the
// kernel's buffers are, so kernels with the same code share one function
// (kernel_signature.h).
//
// The emitter follows the loop IR's schedule and adds none of its own:
// - kSerial      a counted loop;
// - kUnrolled(w) the body w times per iteration, then a scalar tail loop;
// - kVectorized(w) the body on <w x T> vectors: the loop variable is a ramp
//                base + <0..w-1>. A load whose index is `invariant + var`
//                is one vector load, an index that does not vary is a
//                scalar load (broadcast when mixed with vectors), anything
//                else a gather; stores likewise (vector store, scatter). An
//                kIf whose condition varies becomes a lane mask on the loads
//                and stores under it. The remainder (extent % w) runs as a
//                scalar tail loop;
// - kParallel    the loop body is outlined into
//                `void body(void* ctx, int64_t begin, int64_t end)` and run
//                by the runtime's `dlc_parallel_for(body, ctx, extent)`
//                (runtime/jit/thread_pool.h), which splits [0, extent) into
//                contiguous chunks. Parallel loops nested in a parallel or
//                vectorized loop run serially inside it.
// Legality (iterations independent) is the scheduling passes' business.
//
// Arithmetic matches the reference interpreters (ir/interpreter/scalar_ops.h,
// ir/convert.h): IEEE float arithmetic in the element type with no fast-math,
// except that f32 `a*b + c` may fuse into one FMA (llvm.fmuladd, unless
// EmitOptions says otherwise); integers
// wrap; integer division and remainder by zero give 0 and INT_MIN / -1 gives
// INT_MIN; max/min propagate NaN; float -> int truncates and saturates with
// NaN -> 0; integer narrowing saturates; anything -> i1 is (x != 0).
#ifndef DLC_PASSES_CODEGEN_EMIT_LLVM_H_
#define DLC_PASSES_CODEGEN_EMIT_LLVM_H_

#include <memory>

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"
#include "passes/codegen/target.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace dlc::codegen {

struct EmitOptions {
  // f32 a*b + c (and a*b - c, c - a*b) as llvm.fmuladd: one rounding on
  // targets with FMA; so are the multiply-adds inside f32 exp and log. Off,
  // every operation rounds on its own and results are bit for bit the
  // interpreter's, which parity tests use, except f32 exp and log: the
  // interpreter calls libm, the code computes polynomials (vector_math.h)
  // that agree to 2 ulp.
  bool fuse_multiply_add = true;
  // Calls `void dlc_profile_kernel(i32)` with each kernel's index as it
  // starts and with -1 at the end (runtime/jit/kernel_profile.h).
  bool profile_kernels = false;
};

// The module for `program`, with `target`'s triple and data layout, and the
// target's CPU and features on every function. Fails (never aborts) on a
// program the emitter cannot make sense of: operand types that disagree, an
// op on a type it is not defined for, a temporary without a workspace
// offset, a variable used outside its loop.
absl::StatusOr<std::unique_ptr<llvm::Module>> EmitLlvm(const loops::LoopProgram& program,
                                                       llvm::LLVMContext& context,
                                                       const TargetInfo& target,
                                                       const EmitOptions& options = {});

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_EMIT_LLVM_H_
