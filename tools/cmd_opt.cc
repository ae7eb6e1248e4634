// dlc opt: parse and verify tensor IR and print it back; or run it through
// the compile pipeline and print a later stage, so that each pass can be
// tested on its own (MLIR's `opt`):
//
//   dlc opt FILE.ir                                   tensor IR, verified, printed
//   dlc opt FILE.ir --passes=simplify                 tensor IR after these graph passes
//   dlc opt FILE.ir --emit=loops                      lowered with the default schedule
//   dlc opt FILE.ir --passes=accumulate-in-registers,vectorize   exactly these loop passes
//   dlc opt FILE.ir --passes=split:i2:4,vectorize     a loop transformation too
//   (transforms/by_name.h) dlc opt FILE.ir --emit=llvm [--target-cpu=CPU]    through code
//   generation and O3
#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "ir/loops/loop_printer.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/machine_code.h"
#include "passes/pipeline.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/pipeline_flags.h"

namespace dlc::tools {
namespace {

constexpr char kUsage[] =
    "usage: dlc opt FILE.ir [--format=text|dot] [--emit=ir|loops|llvm] [--passes=a,b,c]\n"
    "                [--target-cpu=CPU --mattr=FEATURES] [--print-after=STEP] [--time-passes]\n";

absl::StatusOr<codegen::TargetInfo> Target() {
  const std::string cpu = absl::GetFlag(FLAGS_target_cpu);
  if (cpu.empty()) return codegen::HostTargetInfo();
  return codegen::TargetInfoForCpu(cpu, absl::GetFlag(FLAGS_mattr));
}

bool IsGraphPass(std::string_view name) {
  return std::ranges::find(GraphPasses(), name) != GraphPasses().end();
}

// Whether --passes names graph passes (all of them) rather than loop
// passes: graph passes print the tensor IR, the loop passes the loops
// after every graph pass and lowering, so the two do not mix.
absl::StatusOr<bool> NamesGraphPasses(const std::vector<std::string>& passes) {
  const auto graph = std::ranges::count_if(passes, IsGraphPass);
  if (graph == 0) return false;
  if (graph == static_cast<std::ptrdiff_t>(passes.size())) return true;
  return absl::InvalidArgumentError(StrCat("--passes names graph passes (",
                                           JoinNames(GraphPasses()), ") or loop passes, not both"));
}

// `passes` (graph passes) in order on every graph of `module`.
absl::Status RunGraphPasses(Module& module, const std::vector<std::string>& passes) {
  for (Graph& graph : module.graphs) {
    for (const std::string& pass : passes) {
      DLC_ASSIGN_OR_RETURN(graph, RunGraphPass(pass, graph));
    }
  }
  return absl::OkStatus();
}

// Every graph of `module` through the pipeline up to `emit` (loops or llvm).
absl::StatusOr<std::string> Compile(const Module& module, const std::string& emit) {
  DLC_ASSIGN_OR_RETURN(codegen::TargetInfo target, Target());
  DLC_ASSIGN_OR_RETURN(PipelineOptions options, PipelineOptionsFromFlags(target));
  if (const std::vector<std::string> passes = absl::GetFlag(FLAGS_passes); !passes.empty()) {
    DLC_RETURN_IF_ERROR(CheckLoopPassNames(passes));
    options.loop_passes = passes;
  }
  Pipeline pipeline(std::move(options));
  std::string out;
  std::unique_ptr<llvm::TargetMachine> machine;
  for (const Graph& graph : module.graphs) {
    DLC_ASSIGN_OR_RETURN(loops::LoopProgram program, pipeline.LowerToLoops(graph));
    if (emit == "loops") {
      out += loops::PrintLoopProgram(program);
      continue;
    }
    if (machine == nullptr) {
      DLC_ASSIGN_OR_RETURN(machine, codegen::CreateTargetMachine(target));
    }
    llvm::LLVMContext context;
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> llvm_module,
                         pipeline.EmitLlvm(program, context, target));
    DLC_RETURN_IF_ERROR(pipeline.Optimize(*llvm_module, *machine));
    out += codegen::ModuleText(*llvm_module);
  }
  PrintPipelineTimings(pipeline);
  return out;
}

}  // namespace

int RunOpt(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "text" && format != "dot") {
    std::fprintf(stderr, "dlc opt: --format must be text or dot, got '%s'\n", format.c_str());
    return kExitUsage;
  }
  const std::vector<std::string> passes = absl::GetFlag(FLAGS_passes);
  const absl::StatusOr<bool> graph_passes = NamesGraphPasses(passes);
  if (!graph_passes.ok()) {
    std::fprintf(stderr, "dlc opt: %s\n", std::string(graph_passes.status().message()).c_str());
    return kExitError;
  }
  // --emit's default belongs to dlc compile (obj): here it means ir, or
  // loops when loop passes are named.
  std::string emit = absl::GetFlag(FLAGS_emit);
  if (emit == "obj") emit = passes.empty() || *graph_passes ? "ir" : "loops";
  if (*graph_passes && emit != "ir") {
    std::fprintf(stderr, "dlc opt: graph passes print tensor IR (--emit=ir), not --emit=%s\n",
                 emit.c_str());
    return kExitUsage;
  }
  if (emit != "ir" && emit != "loops" && emit != "llvm") {
    std::fprintf(stderr, "dlc opt: unknown --emit=%s (choose ir, loops or llvm)\n", emit.c_str());
    return kExitUsage;
  }
  if (emit != "ir" && format == "dot") {
    std::fprintf(stderr, "dlc opt: --emit=%s prints as text only\n", emit.c_str());
    return kExitUsage;
  }
  auto module = ParseModuleFile(args[0]);
  if (!module.ok()) {
    std::fprintf(stderr, "%s\n", std::string(module.status().message()).c_str());
    return kExitError;
  }
  if (emit != "ir") {
    absl::StatusOr<std::string> text = Compile(*module, emit);
    if (!text.ok()) {
      std::fprintf(stderr, "dlc opt: %s\n", std::string(text.status().message()).c_str());
      return kExitError;
    }
    std::fputs(text->c_str(), stdout);
    return kExitOk;
  }
  if (*graph_passes) {
    if (absl::Status status = RunGraphPasses(*module, passes); !status.ok()) {
      std::fprintf(stderr, "dlc opt: %s\n", std::string(status.message()).c_str());
      return kExitError;
    }
  }
  if (format == "dot") {
    for (const Graph& graph : module->graphs) std::fputs(GraphToDot(graph).c_str(), stdout);
  } else {
    std::fputs(PrintModule(*module).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace dlc::tools
