// dlc opt: parse and verify tensor IR, print it back.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "tools/commands.h"
#include "tools/flags.h"

namespace dlc::tools {

int RunOpt(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc opt FILE.ir [--format=text|dot]\n");
    return kExitUsage;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "dot") {
    std::fprintf(stderr, "dlc opt: --format must be text or dot, got '%s'\n", format.c_str());
    return kExitUsage;
  }
  auto module = ParseModuleFile(args[0]);
  if (!module.ok()) {
    std::fprintf(stderr, "%s\n", std::string(module.status().message()).c_str());
    return kExitError;
  }
  if (format == "dot") {
    for (const Graph& graph : module->graphs) std::fputs(GraphToDot(graph).c_str(), stdout);
  } else {
    std::fputs(PrintModule(*module).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace dlc::tools
