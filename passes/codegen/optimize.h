// LLVM's own optimization of an emitted module: the new pass manager's O3
// pipeline for the module's target.
#ifndef DLC_PASSES_CODEGEN_OPTIMIZE_H_
#define DLC_PASSES_CODEGEN_OPTIMIZE_H_

#include "absl/status/status.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc::codegen {

// Runs O3 on `module` in place, using `machine`'s cost model, with LLVM's
// loop vectorizer and unroller off (the loop IR's schedule decides what is
// vectorized and unrolled; optimize.cc says what else rules them out) and
// the SLP vectorizer on. No fast-math is added: the module's floating-point
// semantics survive. Fails if the result does not verify.
absl::Status OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine);

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_OPTIMIZE_H_
