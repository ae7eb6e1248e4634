// libFuzzer target: any text fed to the .dl front end must give a program
// or diagnostics, never a crash, hang, huge allocation or sanitizer report.
// Every model that parses has its train section resolved and is lowered at a
// small batch in inference and in training mode; whatever lowers must
// verify, print as IR that parses back to the same text, and tabulate for
// `dlc inspect`. A failure must come with a message.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontend/inspect.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "frontend/train_config.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void LowerAndCheck(const dlc::dl::Program& program, const dlc::dl::Model& model, bool training) {
  absl::StatusOr<dlc::dl::LoweredModel> lowered =
      dlc::dl::LowerModel(program, model.name, {.batch = 2, .training = training});
  if (!lowered.ok()) {
    Check(!lowered.status().message().empty());
    return;
  }
  Check(dlc::VerifyGraph(lowered->graph).ok());
  const std::string printed = dlc::PrintGraph(lowered->graph);
  absl::StatusOr<dlc::Module> reparsed = dlc::ParseModule(printed, "lowered.ir");
  Check(reparsed.ok() && dlc::PrintModule(*reparsed) == printed);
  Check(!dlc::dl::DataFlowTable(*lowered, model.name).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dlc::dl::Program> program = dlc::dl::ParseProgramText(text, "fuzz.dl");
  if (!program.ok()) {
    Check(!program.status().message().empty());
    // As dlc's commands do (LoadProgramFile): lower what parsed, with the
    // parser's diagnostics, so broken statements poison their names.
    dlc::dl::Diagnostics diags("fuzz.dl", text);
    dlc::dl::Program partial = dlc::dl::ParseProgram(text, "fuzz.dl", diags);
    for (const dlc::dl::Model& model : partial.models) {
      Check(
          !dlc::dl::LowerModel(partial, model, {.batch = 2, .training = false}, diags).has_value());
    }
    Check(!diags.Render().empty());
    return 0;
  }
  for (const dlc::dl::Model& model : program->models) {
    absl::StatusOr<dlc::dl::TrainConfig> config = dlc::dl::ResolveTrainConfig(*program, model.name);
    Check(config.ok() || !config.status().message().empty());
    LowerAndCheck(*program, model, /*training=*/false);
    LowerAndCheck(*program, model, /*training=*/true);
  }
  return 0;
}
