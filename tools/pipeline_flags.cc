#include "tools/pipeline_flags.h"

#include <algorithm>
#include <cstdio>

#include "absl/flags/flag.h"
#include "passes/schedule_knobs.h"
#include "support/str_cat.h"

// The commands that compile, which take the pipeline's flags (a flag's help
// starts with the commands it is for: tools/flags.h).
#define DLC_COMPILING "opt, dump, train, eval, compile, bench: "

ABSL_FLAG(std::vector<std::string>, print_after, {},
          DLC_COMPILING
          "print the program after these compile steps (to standard error); the steps: "
          "simplify, move-pool-masks, fuse, lower, accumulate-in-registers, block-registers, "
          "vectorize, parallelize, plan-memory, emit-llvm, optimize");
ABSL_FLAG(bool, print_after_all, false, DLC_COMPILING "print the program after every compile step");
ABSL_FLAG(bool, time_passes, false,
          DLC_COMPILING "print the time each compile step took (to standard error)");
ABSL_FLAG(bool, verify_each, false,
          DLC_COMPILING "run the tensor or loop verifier after every compile step");
ABSL_FLAG(bool, register_tiles, true,
          DLC_COMPILING
          "lower stride-1 convolutions and matrix products as register tiles "
          "(--noregister_tiles: plain loop nests, to compare or to test a pass alone)");
ABSL_FLAG(std::string, schedule, "",
          DLC_COMPILING
          "override the host model and the schedule's tuning knobs for an experiment: "
          "KEY=VALUE[,KEY=VALUE...]; the keys: vector_bytes, vector_registers, l1_bytes, "
          "l2_bytes, l3_bytes (K, M, G suffixes), accumulate_in_registers, register_block, "
          "max_accumulators, min_vector_extent, min_reduction_to_split, min_parallel_work, "
          "register_tiles, pixel_tile");
ABSL_FLAG(
    std::vector<std::string>, passes, {},
    "opt: the graph passes to run, in order, printing tensor IR (simplify, move-pool-masks); or "
    "the loop passes to run after lowering, in order (default: the schedule's); "
    "also loop transformations of one loop, named by its variable: split:i3:4, "
    "interchange:i3:i4, tile:i2=2:i4=16, pack:i2:%w, unroll-and-jam:i2:3");

namespace dlc::tools {

absl::StatusOr<PipelineOptions> PipelineOptionsFromFlags(const codegen::TargetInfo& target) {
  PipelineOptions options = PipelineOptionsFor(target);
  for (const std::string& step : absl::GetFlag(FLAGS_print_after)) {
    const auto& steps = PipelineSteps();
    if (std::find(steps.begin(), steps.end(), step) == steps.end()) {
      return absl::InvalidArgumentError(
          StrCat("--print-after: unknown step '", step, "' (the steps: ", JoinNames(steps), ")"));
    }
    options.print_after.insert(step);
  }
  options.print_after_all = absl::GetFlag(FLAGS_print_after_all);
  options.time_passes = absl::GetFlag(FLAGS_time_passes);
  options.verify_each = absl::GetFlag(FLAGS_verify_each);
  options.schedule.register_tiles = absl::GetFlag(FLAGS_register_tiles);
  if (absl::Status status = ApplyScheduleOverrides(absl::GetFlag(FLAGS_schedule), options.schedule);
      !status.ok()) {
    return absl::InvalidArgumentError(StrCat("--schedule: ", status.message()));
  }
  options.print = [](std::string_view step, const std::string& text) {
    std::fprintf(stderr, "; *** after %.*s ***\n%s", static_cast<int>(step.size()), step.data(),
                 text.c_str());
  };
  return options;
}

void PrintPipelineTimings(const Pipeline& pipeline) {
  if (!pipeline.options().time_passes) return;
  std::fprintf(stderr, "%s", pipeline.timings().Report().c_str());
}

}  // namespace dlc::tools
