// dlc dump: a model at one stage of compilation, as text or Graphviz.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/ast.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/training_setup.h"
#include "frontend/train_config.h"
#include "ir/status_macros.h"
#include "ir/loops/loop_printer.h"
#include "passes/lower_to_loops.h"
#include "passes/schedule.h"

namespace dlc::tools {
namespace {

constexpr char kStages[] = "ast, ir, grad, loops";

// The training step: forward, loss, gradients and the train section's
// optimizer (Adam with Keras defaults when the file has no train section).
absl::StatusOr<Graph> TrainStep(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(dl::Program program, dl::ParseProgramFile(path));
  DLC_ASSIGN_OR_RETURN(std::string model, ChooseModel(program, absl::GetFlag(FLAGS_model)));
  DLC_ASSIGN_OR_RETURN(dl::TrainConfig config, dl::ResolveTrainConfig(program, model));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(program, model, absl::GetFlag(FLAGS_batch)));
  DLC_ASSIGN_OR_RETURN(TrainingProgram training, BuildProgram(program, model, config.optimizer, batch));
  return std::move(training.train_step);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
  return kExitError;
}

}  // namespace

int RunDump(const std::vector<std::string>& args) {
  const std::string stage = absl::GetFlag(FLAGS_stage);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc dump MODEL.dl --stage=%s [--format=text|dot]\n", kStages);
    return kExitUsage;
  }
  if (stage != "ast" && stage != "ir" && stage != "grad" && stage != "loops") {
    std::fprintf(stderr, "dlc dump: unknown stage '%s' (stages so far: %s)\n", stage.c_str(),
                 kStages);
    return kExitUsage;
  }
  if (format != "text" && format != "dot") {
    std::fprintf(stderr, "dlc dump: --format must be text or dot, got '%s'\n", format.c_str());
    return kExitUsage;
  }
  if (stage == "ast") {
    if (format == "dot") {
      std::fprintf(stderr, "dlc dump: the ast stage prints as text only\n");
      return kExitUsage;
    }
    auto program = dl::ParseProgramFile(args[0]);
    if (!program.ok()) return Fail(program.status());
    std::fputs(dl::PrintAst(*program).c_str(), stdout);
    return kExitOk;
  }
  if (stage == "loops") {
    if (format == "dot") {
      std::fprintf(stderr, "dlc dump: the loops stage prints as text only\n");
      return kExitUsage;
    }
    auto step = TrainStep(args[0]);
    if (!step.ok()) return Fail(step.status());
    auto program = LowerToLoops(*step);
    if (!program.ok()) return Fail(program.status());
    ScheduleLoops(*program, ScheduleOptions{});
    std::fputs(loops::PrintLoopProgram(*program).c_str(), stdout);
    return kExitOk;
  }
  if (stage == "grad") {
    auto step = TrainStep(args[0]);
    if (!step.ok()) return Fail(step.status());
    std::fputs(format == "dot" ? GraphToDot(*step).c_str() : PrintGraph(*step).c_str(), stdout);
    return kExitOk;
  }
  auto loaded = LoadModel(args[0], absl::GetFlag(FLAGS_model), absl::GetFlag(FLAGS_batch),
                          absl::GetFlag(FLAGS_training));
  if (!loaded.ok()) return Fail(loaded.status());
  const Graph& graph = loaded->lowered.graph;
  std::fputs(format == "dot" ? GraphToDot(graph).c_str() : PrintGraph(graph).c_str(), stdout);
  return kExitOk;
}

}  // namespace dlc::tools
