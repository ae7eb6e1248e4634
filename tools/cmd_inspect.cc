// dlc inspect: the data-flow table of a model.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/inspect.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"

namespace dlc::tools {

int RunInspect(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc inspect MODEL.dl [--batch=N] [--model=NAME]\n");
    return kExitUsage;
  }
  auto loaded = LoadModel(args[0], absl::GetFlag(FLAGS_model), absl::GetFlag(FLAGS_batch));
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
    return kExitError;
  }
  std::fputs(dl::DataFlowTable(loaded->lowered, loaded->model).c_str(), stdout);
  return kExitOk;
}

}  // namespace dlc::tools
