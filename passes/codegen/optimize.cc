#include "passes/codegen/optimize.h"

#include <string>

#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/OptimizationLevel.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "support/str_cat.h"

namespace dlc::codegen {

absl::Status OptimizeModule(llvm::Module& module, llvm::TargetMachine& machine) {
  // Declared in this order so they are destroyed in the reverse one: the
  // proxies cross-registered below refer from later managers to earlier ones.
  llvm::LoopAnalysisManager loop_analyses;
  llvm::FunctionAnalysisManager function_analyses;
  llvm::CGSCCAnalysisManager cgscc_analyses;
  llvm::ModuleAnalysisManager module_analyses;

  llvm::PipelineTuningOptions tuning;
  // Which loops run in vector lanes or unrolled is the loop IR's schedule
  // (kVectorized, kUnrolled), emitted as such; LLVM's loop vectorizer and
  // unroller stay out of it, for two more reasons:
  // - LLVM 19's loop vectorizer miscompiles the index arithmetic the
  //   lowering produces: x[(3*i) % 16] (an `and` of an affine index after
  //   instcombine) becomes a stride-3 interleaved load
  //   (llvm/llvm-project#156849; VectorMemoryTest.EveryAccessPattern...
  //   catches it);
  // - fully unrolling every short constant-trip loop made O3 20x slower on
  //   a module of 187 small kernels (3.3 s against 0.16 s).
  // Straight-line (SLP) vectorization stays on.
  tuning.LoopVectorization = false;
  tuning.LoopUnrolling = false;
  tuning.SLPVectorization = true;
  llvm::PassBuilder passes(&machine, tuning);
  passes.registerModuleAnalyses(module_analyses);
  passes.registerCGSCCAnalyses(cgscc_analyses);
  passes.registerFunctionAnalyses(function_analyses);
  passes.registerLoopAnalyses(loop_analyses);
  passes.crossRegisterProxies(loop_analyses, function_analyses, cgscc_analyses, module_analyses);

  llvm::ModulePassManager pipeline =
      passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  pipeline.run(module, module_analyses);

  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(module, &out)) {
    return absl::InternalError(StrCat("the optimized LLVM IR is invalid: ", out.str()));
  }
  return absl::OkStatus();
}

}  // namespace dlc::codegen
