// The compile from a tensor-IR graph to an optimized LLVM module, as one
// list of named steps. The JIT, `dlc compile`, `dlc dump`, `dlc opt`, the
// benchmarks and the tests all go through here, so every consumer runs the
// same passes in the same order:
//
//   graph ── simplify ───────────────── common subexpressions and dead code out (simplify.h)
//         ── move-pool-masks ────────── ReLU masks onto max-pool outputs (pool_masks.h)
//         ── fuse ───────────────────── which values other nodes' kernels compute (fusion.h)
//         ── lower ──────────────────── loop IR, one kernel per node not fused away
//         ── accumulate-in-registers ── reductions keep their running value in a local
//         ── block-registers ────────── several accumulations side by side
//         ── vectorize ──────────────── innermost independent loops in SIMD lanes
//         ── parallelize ────────────── outer independent loops across threads
//         ── plan-memory ────────────── workspace offsets for every temp
//         ── verify-loops ───────────── the loop verifier, always, before codegen
//         ── emit-llvm ──────────────── one LLVM function per program
//         ── optimize ───────────────── LLVM's O3 for the target
//
// Each step can be verified after (the tensor or loop verifier), printed
// after (`--print-after=STEP`, `--print-after-all`) and timed
// (`--time-passes`). A step is skipped when its options turn it off.
#ifndef DLC_PASSES_PIPELINE_H_
#define DLC_PASSES_PIPELINE_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/loops/loop_ir.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/target.h"
#include "passes/schedule.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc {

// The steps' names, in pipeline order.
const std::vector<std::string_view>& PipelineSteps();
// The graph steps among them, in pipeline order (what `dlc opt --passes`
// may name to print the tensor IR after them).
const std::vector<std::string_view>& GraphPasses();
// Runs graph step `name`, one of GraphPasses(), on `graph`.
absl::StatusOr<Graph> RunGraphPass(std::string_view name, const Graph& graph);
// The loop-IR passes among them (what `dlc opt --passes` may name, besides
// loop transformations applied to one loop: transforms/by_name.h).
const std::vector<std::string_view>& LoopPasses();

struct PipelineOptions {
  ScheduleOptions schedule;
  codegen::EmitOptions emit;
  // When set, exactly these loop passes run after `lower`, in this order
  // (names from LoopPasses(), or transformations as transforms/by_name.h
  // names them); otherwise those `schedule` turns on.
  std::optional<std::vector<std::string>> loop_passes;
  // Runs the verifier of the step's result after every step (tests).
  bool verify_each = false;
  // The loop verifier before code generation. Only the emitter's own unit
  // tests turn it off, to feed it programs the verifier rejects (i64
  // arguments, say) and check that it copes.
  bool verify_before_codegen = true;
  // Steps whose result is printed through `print` (text form).
  std::set<std::string> print_after;
  bool print_after_all = false;
  // Where printed stages go: (step, text). Unset: nothing is printed.
  std::function<void(std::string_view step, const std::string& text)> print;
  // Whether to record each step's wall time.
  bool time_passes = false;
};

// Options for a target: its vector width drives vectorization.
PipelineOptions PipelineOptionsFor(const codegen::TargetInfo& target);

// "a, b, c": names for messages.
std::string JoinNames(const std::vector<std::string_view>& names);

// Checks that `names` are loop passes; the error lists the known ones.
absl::Status CheckLoopPassNames(const std::vector<std::string>& names);

// One compile's bookkeeping: step timings in milliseconds, in order.
struct PipelineTimings {
  std::vector<std::pair<std::string, double>> steps;
  double total_ms() const;
  // A table of the steps, their times and shares, as --time-passes prints.
  std::string Report() const;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineOptions options) : options_(std::move(options)) {}

  // graph -> scheduled loop program with a planned workspace.
  absl::StatusOr<loops::LoopProgram> LowerToLoops(const Graph& graph);
  // loop program -> LLVM module (the loop verifier runs first, always).
  absl::StatusOr<std::unique_ptr<llvm::Module>> EmitLlvm(const loops::LoopProgram& program,
                                                         llvm::LLVMContext& context,
                                                         const codegen::TargetInfo& target);
  // O3 on `module` for `machine`.
  absl::Status Optimize(llvm::Module& module, llvm::TargetMachine& machine);

  const PipelineOptions& options() const { return options_; }
  const PipelineTimings& timings() const { return timings_; }

 private:
  template <typename F>
  auto Step(std::string_view name, F&& run);
  void MaybePrint(std::string_view step, const std::function<std::string()>& text);
  absl::Status RunLoopPass(std::string_view name, loops::LoopProgram& program,
                           std::vector<loops::StmtId>& accumulations);

  PipelineOptions options_;
  PipelineTimings timings_;
};

}  // namespace dlc

#endif  // DLC_PASSES_PIPELINE_H_
