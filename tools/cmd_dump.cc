// dlc dump: a model at one stage of compilation, as text or Graphviz.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/ast.h"
#include "frontend/parser.h"
#include "frontend/train_config.h"
#include "ir/loops/loop_printer.h"
#include "ir/printer.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/machine_code.h"
#include "passes/codegen/optimize.h"
#include "passes/codegen/target.h"
#include "passes/pipeline.h"
#include "passes/schedule_knobs.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/pipeline_flags.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

constexpr char kStages[] = "ast, ir, grad, opt, fused, loops, llvm, asm";

// The training step: forward, loss, gradients and the train section's
// optimizer (Adam with Keras defaults when the file has no train section).
absl::StatusOr<Graph> TrainStep(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(SourceProgram source, LoadSource(path));
  const dl::Program& program = source.program;
  DLC_ASSIGN_OR_RETURN(std::string model, ChooseModel(program, absl::GetFlag(FLAGS_model)));
  DLC_ASSIGN_OR_RETURN(dl::TrainConfig config, dl::ResolveTrainConfig(program, model));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(program, model, absl::GetFlag(FLAGS_batch)));
  DLC_ASSIGN_OR_RETURN(TrainingProgram training,
                       BuildProgram(program, model, config.optimizer, batch));
  return std::move(training.train_step);
}

// The training step after the pipeline's graph steps (simplify,
// move-pool-masks): the graph that is fused and lowered.
absl::StatusOr<Graph> OptimizedStep(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(Graph step, TrainStep(path));
  for (std::string_view pass : GraphPasses()) {
    DLC_ASSIGN_OR_RETURN(step, RunGraphPass(pass, step));
  }
  return step;
}

// The training step's fusion plan, as scheduled loops, as optimized LLVM IR,
// or as this CPU's assembly: what the JIT runs.
absl::StatusOr<std::string> MachineStage(const std::string& path, const std::string& stage) {
  DLC_ASSIGN_OR_RETURN(Graph step, TrainStep(path));
  // The host, or --target-cpu (so a dump can be reproduced on any machine).
  const std::string cpu = absl::GetFlag(FLAGS_target_cpu);
  DLC_ASSIGN_OR_RETURN(codegen::TargetInfo target,
                       cpu.empty() ? codegen::HostTargetInfo()
                                   : codegen::TargetInfoForCpu(cpu, absl::GetFlag(FLAGS_mattr)));
  DLC_ASSIGN_OR_RETURN(PipelineOptions options, PipelineOptionsFromFlags(target));
  // A first comment line records the machine model (and --schedule) the
  // dump was made for: "# host: ..." ("; " in LLVM IR).
  const std::string model = StrCat(
      cpu.empty() ? "host: " : "target: ",
      DescribeHostModel(target.cpu, PipelineOptionsFor(target).schedule, options.schedule), "\n");
  // The fusion plan is what the pipeline prints after its fuse step (and
  // still goes to standard error when --print-after asks for it).
  std::string plan;
  if (stage == "fused") {
    const bool asked = options.print_after_all || options.print_after.count("fuse") > 0;
    options.print_after.insert("fuse");
    options.print = [&plan, asked, print = options.print](std::string_view step,
                                                          const std::string& text) {
      if (step == "fuse") plan = text;
      if (print && (step != "fuse" || asked)) print(step, text);
    };
  }
  Pipeline pipeline(std::move(options));
  auto finish = [&](std::string text) {
    PrintPipelineTimings(pipeline);
    return StrCat(stage == "llvm" ? "; " : "# ", model, text);
  };
  DLC_ASSIGN_OR_RETURN(loops::LoopProgram program, pipeline.LowerToLoops(step));
  if (stage == "fused") return finish(std::move(plan));
  if (stage == "loops") return finish(loops::PrintLoopProgram(program));
  llvm::LLVMContext context;
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module,
                       pipeline.EmitLlvm(program, context, target));
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine,
                       codegen::CreateTargetMachine(target));
  DLC_RETURN_IF_ERROR(pipeline.Optimize(*module, *machine));
  if (stage == "llvm") return finish(codegen::ModuleText(*module));
  DLC_ASSIGN_OR_RETURN(std::string assembly, codegen::EmitAssembly(*module, *machine));
  return finish(std::move(assembly));
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
  if (stage != "ast" && stage != "ir" && stage != "grad" && stage != "opt" && stage != "fused" &&
      stage != "loops" && stage != "llvm" && stage != "asm") {
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
    auto source = LoadSource(args[0]);  // a .onnx model: the syntax tree of its import
    if (!source.ok()) return Fail(source.status());
    std::fputs(dl::PrintAst(source->program).c_str(), stdout);
    return kExitOk;
  }
  if (stage == "fused" || stage == "loops" || stage == "llvm" || stage == "asm") {
    if (format == "dot") {
      std::fprintf(stderr, "dlc dump: the %s stage prints as text only\n", stage.c_str());
      return kExitUsage;
    }
    auto text = MachineStage(args[0], stage);
    if (!text.ok()) return Fail(text.status());
    std::fputs(text->c_str(), stdout);
    return kExitOk;
  }
  if (stage == "grad" || stage == "opt") {
    auto step = stage == "grad" ? TrainStep(args[0]) : OptimizedStep(args[0]);
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
