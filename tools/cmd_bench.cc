// dlc bench: steady-state training and prediction throughput of a model,
// GFLOP/s against this machine's measured peak, and (--kernels) where the
// training step's time goes. The measuring is runtime/bench.h's.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/lower.h"
#include "frontend/train_config.h"
#include "passes/codegen/target.h"
#include "runtime/bench.h"
#include "runtime/jit/thread_pool.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/data_parallel_bench.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/pipeline_flags.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

constexpr char kUsage[] =
    "usage: dlc bench MODEL.dl [--batch=N] [--threads=N] [--repeats=N] [--steps=N]\n"
    "                 [--kernels] [--json] [--no-predict] [--model=NAME]\n"
    "       mpirun -np N dlc bench MODEL.dl [--batch=N] [--threads=N] [--repeats=N] [--steps=N]\n";

absl::Status CheckPositive(std::string_view flag, std::optional<int64_t> value) {
  if (value && *value <= 0) {
    return absl::InvalidArgumentError(StrCat("--", flag, " must be positive, got ", *value));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Bench(const std::string& path) {
  const std::optional<int64_t> threads = absl::GetFlag(FLAGS_threads);
  const std::optional<int64_t> repeats = absl::GetFlag(FLAGS_repeats);
  const std::optional<int64_t> steps = absl::GetFlag(FLAGS_steps);
  DLC_RETURN_IF_ERROR(CheckPositive("threads", threads));
  DLC_RETURN_IF_ERROR(CheckPositive("repeats", repeats));
  DLC_RETURN_IF_ERROR(CheckPositive("steps", steps));
  if (threads && *threads > jit::kMaxThreads) {
    return absl::InvalidArgumentError(
        StrCat("--threads must be at most ", jit::kMaxThreads, ", got ", *threads));
  }
  DLC_ASSIGN_OR_RETURN(SourceProgram source, LoadSource(path));
  const dl::Program& program = source.program;
  DLC_ASSIGN_OR_RETURN(std::string model, ChooseModel(program, absl::GetFlag(FLAGS_model)));
  DLC_ASSIGN_OR_RETURN(int64_t batch, ChooseBatch(program, model, absl::GetFlag(FLAGS_batch)));
  // The train section's optimizer, or the default when the file has none.
  OptimizerSpec optimizer;
  if (program.FindTrain(model) != nullptr) {
    DLC_ASSIGN_OR_RETURN(dl::TrainConfig config, dl::ResolveTrainConfig(program, model));
    optimizer = config.optimizer;
  }
  DLC_ASSIGN_OR_RETURN(TrainingProgram training, BuildProgram(program, model, optimizer, batch));

  BenchOptions options;
  if (threads) options.threads = static_cast<int>(*threads);
  if (repeats) options.repeats = *repeats;
  if (steps) options.steps = *steps;
  options.kernels = absl::GetFlag(FLAGS_kernels);
  options.predict = !absl::GetFlag(FLAGS_no_predict);
  DLC_ASSIGN_OR_RETURN(codegen::TargetInfo host, codegen::HostTargetInfo());
  DLC_ASSIGN_OR_RETURN(options.pipeline, PipelineOptionsFromFlags(host));
  DLC_ASSIGN_OR_RETURN(BenchResult result, dlc::RunBench(training, model, options));
  return absl::GetFlag(FLAGS_json) ? BenchJson(result) : BenchText(result);
}

}  // namespace

int RunBench(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  // Under mpirun with several ranks: data-parallel steps instead.
  distributed::CommunicatorOptions options;
  options.timeout_seconds = absl::GetFlag(FLAGS_collective_timeout);
  absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm =
      distributed::ConnectCommunicator(options);
  if (!comm.ok()) {
    std::fprintf(stderr, "dlc bench: %s\n", std::string(comm.status().message()).c_str());
    return kExitError;
  }
  if ((*comm)->size() > 1) {
    absl::StatusOr<std::string> report =
        DataParallelBench(args[0], **comm, absl::GetFlag(FLAGS_repeats).value_or(7),
                          absl::GetFlag(FLAGS_steps).value_or(20));
    if (!report.ok()) {
      std::fprintf(stderr, "dlc bench: %s: %s\n", (*comm)->Describe().c_str(),
                   std::string(report.status().message()).c_str());
      std::fflush(stderr);
      (*comm)->Abort(kExitError);
      return kExitError;
    }
    if ((*comm)->rank() == 0) std::fputs(report->c_str(), stdout);
    return kExitOk;
  }
  absl::StatusOr<std::string> report = Bench(args[0]);
  if (!report.ok()) {
    std::fprintf(stderr, "dlc bench: %s\n", std::string(report.status().message()).c_str());
    return kExitError;
  }
  std::fputs(report->c_str(), stdout);
  return kExitOk;
}

}  // namespace dlc::tools
