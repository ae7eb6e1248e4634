// dlc dump: a model at one stage of compilation, as text or Graphviz.
#include <cstdio>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "frontend/ast.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "tools/commands.h"
#include "tools/model_loading.h"

ABSL_DECLARE_FLAG(std::string, format);
ABSL_FLAG(std::string, stage, "ir", "the stage to print: ast (syntax tree) or ir (forward tensor IR)");
ABSL_FLAG(std::string, model, "", "the model to use, when the file declares several");
ABSL_FLAG(int64_t, batch, 0, "batch size (default: the train section's, else 1)");
ABSL_FLAG(bool, training, false, "lower in training mode (dropout active)");

namespace dlc::tools {
namespace {

constexpr char kStages[] = "ast, ir";

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
  if (stage != "ast" && stage != "ir") {
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
  auto loaded = LoadModel(args[0], absl::GetFlag(FLAGS_model), absl::GetFlag(FLAGS_batch),
                          absl::GetFlag(FLAGS_training));
  if (!loaded.ok()) return Fail(loaded.status());
  const Graph& graph = loaded->lowered.graph;
  std::fputs(format == "dot" ? GraphToDot(graph).c_str() : PrintGraph(graph).c_str(), stdout);
  return kExitOk;
}

}  // namespace dlc::tools
