// The flags that steer the compile pipeline (passes/pipeline.h), shared by
// every command that compiles: --print-after=STEP[,STEP], --print-after-all,
// --time-passes, --verify-each, --noregister_tiles, --schedule=KEY=VALUE,...
// (passes/schedule_knobs.h) and --passes=a,b,c (dlc opt).
#ifndef DLC_TOOLS_PIPELINE_FLAGS_H_
#define DLC_TOOLS_PIPELINE_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "passes/codegen/target.h"
#include "passes/pipeline.h"

ABSL_DECLARE_FLAG(std::vector<std::string>, print_after);
ABSL_DECLARE_FLAG(bool, print_after_all);
ABSL_DECLARE_FLAG(bool, time_passes);
ABSL_DECLARE_FLAG(bool, verify_each);
ABSL_DECLARE_FLAG(bool, register_tiles);
ABSL_DECLARE_FLAG(std::string, schedule);
ABSL_DECLARE_FLAG(std::vector<std::string>, passes);

namespace dlc::tools {

// The pipeline options for `target` with the flags applied: printed stages
// go to standard error, prefixed by a line naming the step. Fails on a step
// or pass name the pipeline does not have, or a bad --schedule.
absl::StatusOr<PipelineOptions> PipelineOptionsFromFlags(const codegen::TargetInfo& target);

// With --time-passes, prints the pipeline's step times to standard error.
void PrintPipelineTimings(const Pipeline& pipeline);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_PIPELINE_FLAGS_H_
