#include "passes/pipeline.h"

#include <chrono>

#include "absl/strings/str_format.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_verifier.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "passes/codegen/machine_code.h"
#include "passes/codegen/optimize.h"
#include "passes/fusion.h"
#include "passes/lower_to_loops.h"
#include "passes/memory_plan.h"
#include "passes/pool_masks.h"
#include "passes/register_accumulation.h"
#include "passes/register_blocking.h"
#include "passes/simplify.h"
#include "passes/transforms/by_name.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

constexpr std::string_view kSimplify = "simplify";
constexpr std::string_view kPoolMasks = "move-pool-masks";
constexpr std::string_view kFuse = "fuse";
constexpr std::string_view kLower = "lower";
constexpr std::string_view kAccumulate = "accumulate-in-registers";
constexpr std::string_view kBlock = "block-registers";
constexpr std::string_view kVectorize = "vectorize";
constexpr std::string_view kParallelize = "parallelize";
constexpr std::string_view kPlanMemory = "plan-memory";
constexpr std::string_view kVerifyLoops = "verify-loops";
constexpr std::string_view kEmitLlvm = "emit-llvm";
constexpr std::string_view kOptimize = "optimize";

// The loop passes `options` turns on, in pipeline order.
std::vector<std::string> DefaultLoopPasses(const ScheduleOptions& s) {
  std::vector<std::string> passes;
  if (s.accumulate_in_registers) {
    passes.emplace_back(kAccumulate);
    if (s.register_block >= 2) passes.emplace_back(kBlock);
  }
  if (s.vector_bytes > 0) passes.emplace_back(kVectorize);
  if (s.min_parallel_work > 0) passes.emplace_back(kParallelize);
  passes.emplace_back(kPlanMemory);
  return passes;
}

LowerOptions LowerOptionsOf(const ScheduleOptions& s) {
  LowerOptions options;
  options.vector_lanes_f32 = std::max(1, s.vector_bytes / 4);
  options.vector_registers = s.vector_registers;
  options.l2_bytes = s.l2_bytes;
  options.register_tiles = s.register_tiles;
  options.pixel_tile = s.pixel_tile;
  options.max_accumulators = s.max_accumulators;
  return options;
}

absl::Status VerifyModule(const llvm::Module& module, std::string_view step) {
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(module, &out)) {
    return absl::InternalError(
        StrCat("after ", step, ": the LLVM module does not verify: ", problems));
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string_view>& PipelineSteps() {
  static const std::vector<std::string_view> steps = {
      kSimplify,  kPoolMasks,   kFuse,       kLower,       kAccumulate, kBlock,
      kVectorize, kParallelize, kPlanMemory, kVerifyLoops, kEmitLlvm,   kOptimize};
  return steps;
}

const std::vector<std::string_view>& GraphPasses() {
  static const std::vector<std::string_view> passes = {kSimplify, kPoolMasks};
  return passes;
}

absl::StatusOr<Graph> RunGraphPass(std::string_view name, const Graph& graph) {
  if (name == kSimplify) return Simplify(graph);
  if (name == kPoolMasks) return MovePoolMasks(graph);
  return absl::InvalidArgumentError(
      StrCat("unknown graph pass '", name, "' (the graph passes: ", JoinNames(GraphPasses()), ")"));
}

const std::vector<std::string_view>& LoopPasses() {
  static const std::vector<std::string_view> passes = {kAccumulate, kBlock, kVectorize,
                                                       kParallelize, kPlanMemory};
  return passes;
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view name : names) out += StrCat(out.empty() ? "" : ", ", name);
  return out;
}

absl::Status CheckLoopPassNames(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (transforms::IsTransformSpec(name)) {
      DLC_RETURN_IF_ERROR(transforms::CheckTransformSpec(name));
      continue;
    }
    if (std::find(LoopPasses().begin(), LoopPasses().end(), name) == LoopPasses().end()) {
      return absl::InvalidArgumentError(StrCat(
          "unknown loop pass '", name, "' (the loop passes: ", JoinNames(LoopPasses()), ")"));
    }
  }
  return absl::OkStatus();
}

PipelineOptions PipelineOptionsFor(const codegen::TargetInfo& target) {
  PipelineOptions options;
  options.schedule.vector_bytes = target.vector_bytes();
  options.schedule.vector_registers = target.vector_registers;
  options.schedule.l1_bytes = target.l1_bytes;
  options.schedule.l2_bytes = target.l2_bytes;
  options.schedule.l3_bytes = target.l3_bytes;
  return options;
}

double PipelineTimings::total_ms() const {
  double total = 0;
  for (const auto& [name, ms] : steps) total += ms;
  return total;
}

std::string PipelineTimings::Report() const {
  const double total = total_ms();
  std::string out = absl::StrFormat("%-26s %10s %7s\n", "step", "ms", "share");
  for (const auto& [name, ms] : steps) {
    out += absl::StrFormat("%-26s %10.2f %6.1f%%\n", name, ms, total > 0 ? 100 * ms / total : 0.0);
  }
  out += absl::StrFormat("%-26s %10.2f\n", "total", total);
  return out;
}

// Runs `run` as step `name`, timing it when asked.
template <typename F>
auto Pipeline::Step(std::string_view name, F&& run) {
  const auto start = std::chrono::steady_clock::now();
  auto result = run();
  if (options_.time_passes) {
    const std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
    timings_.steps.emplace_back(std::string(name), ms.count());
  }
  return result;
}

void Pipeline::MaybePrint(std::string_view step, const std::function<std::string()>& text) {
  if (!options_.print) return;
  if (options_.print_after_all || options_.print_after.count(std::string(step)) > 0) {
    options_.print(step, text());
  }
}

absl::Status Pipeline::RunLoopPass(std::string_view name, loops::LoopProgram& program,
                                   std::vector<loops::StmtId>& accumulations) {
  const ScheduleOptions& s = options_.schedule;
  DLC_RETURN_IF_ERROR(Step(name, [&] {
    if (name == kAccumulate) {
      accumulations = AccumulateInRegisters(program, s);
    } else if (name == kBlock) {
      BlockAccumulations(program, accumulations, s.register_block, s.max_accumulators);
    } else if (name == kVectorize) {
      VectorizeLoops(program, s);
    } else if (name == kParallelize) {
      ParallelizeLoops(program, s.min_parallel_work);
    } else if (name == kPlanMemory) {
      PlanWorkspace(program);
    } else {
      return transforms::ApplyTransformSpec(program, name);
    }
    return absl::OkStatus();
  }));
  if (options_.verify_each) {
    if (absl::Status status = loops::VerifyLoopProgram(program); !status.ok()) {
      return absl::InternalError(StrCat("after ", name, ": ", status.message()));
    }
  }
  MaybePrint(name, [&] { return loops::PrintLoopProgram(program); });
  return absl::OkStatus();
}

absl::StatusOr<loops::LoopProgram> Pipeline::LowerToLoops(const Graph& input) {
  if (options_.verify_each) DLC_RETURN_IF_ERROR(VerifyGraph(input));
  Graph graph = input;
  for (std::string_view name : GraphPasses()) {
    DLC_ASSIGN_OR_RETURN(graph, Step(name, [&] { return RunGraphPass(name, graph); }));
    if (options_.verify_each) {
      if (absl::Status status = VerifyGraph(graph); !status.ok()) {
        return absl::InternalError(StrCat("after ", name, ": ", status.message()));
      }
    }
    MaybePrint(name, [&] { return PrintGraph(graph); });
  }
  const LowerOptions lower = LowerOptionsOf(options_.schedule);
  const Fusion fusion = Step(kFuse, [&] { return PlanFusion(graph, lower); });
  MaybePrint(kFuse, [&] { return PrintFusion(graph, fusion); });
  DLC_ASSIGN_OR_RETURN(loops::LoopProgram program,
                       Step(kLower, [&] { return dlc::LowerToLoops(graph, fusion, lower); }));
  if (options_.verify_each) {
    if (absl::Status status = loops::VerifyLoopProgram(program); !status.ok()) {
      return absl::InternalError(StrCat("after ", kLower, ": ", status.message()));
    }
  }
  MaybePrint(kLower, [&] { return loops::PrintLoopProgram(program); });

  std::vector<std::string> passes = DefaultLoopPasses(options_.schedule);
  if (options_.loop_passes) {
    DLC_RETURN_IF_ERROR(CheckLoopPassNames(*options_.loop_passes));
    passes = *options_.loop_passes;
    // Code generation needs a workspace layout: plan it last unless asked.
    if (std::find(passes.begin(), passes.end(), kPlanMemory) == passes.end()) {
      passes.emplace_back(kPlanMemory);
    }
  }
  std::vector<loops::StmtId> accumulations;
  for (const std::string& pass : passes) {
    DLC_RETURN_IF_ERROR(RunLoopPass(pass, program, accumulations));
  }
  return program;
}

absl::StatusOr<std::unique_ptr<llvm::Module>> Pipeline::EmitLlvm(
    const loops::LoopProgram& program, llvm::LLVMContext& context,
    const codegen::TargetInfo& target) {
  // The emitter trusts its input: the verifier proves every access in bounds.
  if (options_.verify_before_codegen) {
    DLC_RETURN_IF_ERROR(Step(kVerifyLoops, [&] {
      return loops::VerifyLoopProgram(program, {.require_memory_plan = true});
    }));
  }
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, Step(kEmitLlvm, [&] {
                         return codegen::EmitLlvm(program, context, target, options_.emit);
                       }));
  if (options_.verify_each) DLC_RETURN_IF_ERROR(VerifyModule(*module, kEmitLlvm));
  MaybePrint(kEmitLlvm, [&] { return codegen::ModuleText(*module); });
  return module;
}

absl::Status Pipeline::Optimize(llvm::Module& module, llvm::TargetMachine& machine) {
  DLC_RETURN_IF_ERROR(Step(kOptimize, [&] { return codegen::OptimizeModule(module, machine); }));
  MaybePrint(kOptimize, [&] { return codegen::ModuleText(module); });
  return absl::OkStatus();
}

}  // namespace dlc
