// dlc compile: a model's training step, evaluation step and prediction,
// compiled ahead of time into one object file (or assembly, LLVM IR, loop
// nests), with a C header that documents how to call them.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "frontend/train_config.h"
#include "ir/printer.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/machine_code.h"
#include "passes/codegen/target.h"
#include "runtime/output_file.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/aot.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/pipeline_flags.h"

namespace dlc::tools {
namespace {

constexpr char kUsage[] =
    "usage: dlc compile MODEL.dl -o FILE [--header=FILE.h] [--emit=obj|asm|llvm|loops|ir]\n"
    "                   [--target-cpu=CPU --mattr=FEATURES] [--batch=N] [--model=NAME]\n";

// -o and --header: written through a temporary file, renamed into place
// when complete (a file under /dev, e.g. /dev/stdout, is written directly).
absl::Status WriteFile(std::string_view flag, const std::string& path, const std::string& text) {
  return WriteFileAtomically(path, StrCat(flag, " ", path), text);
}

absl::StatusOr<codegen::TargetInfo> ChooseTarget() {
  const std::string cpu = absl::GetFlag(FLAGS_target_cpu);
  const std::string mattr = absl::GetFlag(FLAGS_mattr);
  if (cpu.empty()) return codegen::HostTargetInfo();
  return codegen::TargetInfoForCpu(cpu, mattr);
}

absl::Status Compile(const std::string& path, const std::string& emit, const std::string& output) {
  const std::string header = absl::GetFlag(FLAGS_header);
  // Before any work: the outputs can be written, are two files, and neither
  // is the model.
  DLC_RETURN_IF_ERROR(CheckOutputPath(output, StrCat("-o ", output), OutputKind::kAllowDevice));
  if (!header.empty()) {
    DLC_RETURN_IF_ERROR(
        CheckOutputPath(header, StrCat("--header ", header), OutputKind::kAllowDevice));
  }
  DLC_RETURN_IF_ERROR(
      CheckDistinctOutputs({{StrCat("-o ", output), output}, {StrCat("--header ", header), header}},
                           {{StrCat("the model ", path), path}}));
  DLC_ASSIGN_OR_RETURN(SourceProgram source, LoadSource(path));
  const dl::Program& program = source.program;
  DLC_ASSIGN_OR_RETURN(std::string model, ChooseModel(program, absl::GetFlag(FLAGS_model)));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(program, model, absl::GetFlag(FLAGS_batch)));
  DLC_ASSIGN_OR_RETURN(dl::TrainConfig config, dl::ResolveTrainConfig(program, model));
  DLC_ASSIGN_OR_RETURN(codegen::TargetInfo target, ChooseTarget());
  DLC_ASSIGN_OR_RETURN(PipelineOptions options, PipelineOptionsFromFlags(target));
  options.schedule.min_parallel_work = 0;  // no dlc_parallel_for: the object stands alone
  Pipeline pipeline(std::move(options));
  DLC_ASSIGN_OR_RETURN(AotModel aot,
                       BuildAotModel(program, model, config.optimizer, batch, pipeline));
  if (!header.empty()) DLC_RETURN_IF_ERROR(WriteFile("--header", header, AotHeader(aot, target)));
  if (emit == "loops") {
    PrintPipelineTimings(pipeline);
    return WriteFile("-o", output, AotLoopsText(aot));
  }
  if (emit == "ir") {
    // The three functions as tensor IR, one module (parseable by dlc opt).
    Module module;
    module.graphs = {aot.training.train_step, aot.training.eval_step, aot.training.predict};
    return WriteFile("-o", output, PrintModule(module));
  }
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine,
                       codegen::CreateTargetMachine(target));
  llvm::LLVMContext context;
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module,
                       EmitAotModule(aot, pipeline, context, target, *machine));
  PrintPipelineTimings(pipeline);
  if (emit == "llvm") return WriteFile("-o", output, codegen::ModuleText(*module));
  if (emit == "asm") {
    DLC_ASSIGN_OR_RETURN(std::string text, codegen::EmitAssembly(*module, *machine));
    return WriteFile("-o", output, text);
  }
  // The object file is emitted into the temporary, which then replaces -o.
  DLC_ASSIGN_OR_RETURN(AtomicFile file,
                       AtomicFile::Create(output, StrCat("-o ", output), OutputKind::kAllowDevice));
  DLC_RETURN_IF_ERROR(codegen::EmitObjectFile(*module, *machine, file.temp_path()));
  return file.Commit();
}

}  // namespace

int RunCompile(const std::vector<std::string>& args) {
  const std::string emit = absl::GetFlag(FLAGS_emit);
  const std::string output = absl::GetFlag(FLAGS_o);
  if (args.size() != 1) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  if (emit != "obj" && emit != "asm" && emit != "llvm" && emit != "loops" && emit != "ir") {
    std::fprintf(stderr, "dlc compile: unknown --emit=%s (choose obj, asm, llvm, loops or ir)\n",
                 emit.c_str());
    return kExitUsage;
  }
  if (!absl::GetFlag(FLAGS_mattr).empty() && absl::GetFlag(FLAGS_target_cpu).empty()) {
    std::fprintf(stderr,
                 "dlc compile: --mattr needs --target-cpu (the host's features are all on)\n");
    return kExitUsage;
  }
  if (output == "-") {
    std::fprintf(stderr,
                 "dlc compile: -o - would write a file named '-'; give a file name (for text on "
                 "standard output, -o /dev/stdout --emit=asm|llvm|loops|ir)\n");
    return kExitUsage;
  }
  if (output.empty()) {
    std::fprintf(stderr, "dlc compile: -o FILE is required (use -o /dev/stdout for text)\n%s",
                 kUsage);
    return kExitUsage;
  }
  if (absl::Status status = Compile(args[0], emit, output); !status.ok()) {
    std::fprintf(stderr, "dlc compile: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
