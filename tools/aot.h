// Ahead-of-time compilation (`dlc compile`): a model's training step,
// evaluation step and prediction as three C-callable functions in one LLVM
// module, and the C header that documents their arguments.
//
// Each function has the loop IR's ABI, `int32_t <model>_<kind>(void** args)`:
// args[i] is argument buffer i (LoopProgram::arguments order), args[n] a
// 64-byte-aligned workspace of workspace_bytes; it returns 0 or an error
// code k whose meaning is errors[k - 1]. Loops are scheduled without
// parallel loops, so the object needs nothing from dlc's runtime.
#ifndef DLC_TOOLS_AOT_H_
#define DLC_TOOLS_AOT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/train_config.h"
#include "ir/loops/loop_ir.h"
#include "passes/codegen/target.h"
#include "passes/pipeline.h"
#include "passes/training.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc::tools {

// What an argument buffer is to the caller.
enum class AotRole {
  kInput,          // data the caller supplies (images, labels, random key)
  kParameter,      // a model parameter
  kState,          // optimizer state (starts at zero)
  kOutput,         // a result (loss, correct count, probabilities)
  kNextParameter,  // train_step: the updated parameter, fed back next call
  kNextState,      // train_step: the updated optimizer state, fed back
};

struct AotArgument {
  std::string name;
  loops::Type type = loops::Type::kF32;
  Shape shape;
  int64_t bytes = 0;
  AotRole role = AotRole::kInput;
};

struct AotFunction {
  std::string kind;            // "train_step", "eval_step", "predict"
  loops::LoopProgram program;  // program.name: "<model>_<kind>"
  std::vector<AotArgument> arguments;
};

struct AotModel {
  std::string model;
  int64_t batch = 0;
  TrainingProgram training;
  std::vector<AotFunction> functions;  // train_step, eval_step, predict
};

// Builds the training program of `model` at `batch` and lowers its three
// graphs through `pipeline` (passes/pipeline.h), whose options must ask for
// no parallel loops: the object file stands alone.
absl::StatusOr<AotModel> BuildAotModel(const dl::Program& program, const std::string& model,
                                       const OptimizerSpec& optimizer, int64_t batch,
                                       Pipeline& pipeline);

// One module defining the three functions for `target`, optimized (O3) with
// `machine`'s cost model, through `pipeline`'s code-generation steps.
absl::StatusOr<std::unique_ptr<llvm::Module>> EmitAotModule(const AotModel& model,
                                                            Pipeline& pipeline,
                                                            llvm::LLVMContext& context,
                                                            const codegen::TargetInfo& target,
                                                            llvm::TargetMachine& machine);

// The scheduled loop programs, as text.
std::string AotLoopsText(const AotModel& model);

// The C header: sizes, argument tables, error codes and prototypes.
// `target` is named in the header's opening comment.
std::string AotHeader(const AotModel& model, const codegen::TargetInfo& target);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_AOT_H_
