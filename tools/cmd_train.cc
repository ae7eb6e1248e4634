// dlc train: train a model on its train section's data and report how it
// went; checkpoints during and after training, Ctrl-C that keeps the work.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "frontend/train_config.h"
#include "runtime/distributed/sharding.h"
#include "runtime/output_file.h"
#include "runtime/training_plot.h"
#include "runtime/training_report.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/interrupt.h"
#include "tools/rank_agreement.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

enum class LogFormat { kNone, kCsv, kJsonLines };

// --log=FILE and --log-steps=FILE: the format from the name.
absl::StatusOr<LogFormat> LogFormatOf(std::string_view flag, const std::string& path) {
  if (path.empty()) return LogFormat::kNone;
  if (path.ends_with(".csv")) return LogFormat::kCsv;
  if (path.ends_with(".jsonl") || path.ends_with(".json")) return LogFormat::kJsonLines;
  return absl::InvalidArgumentError(
      StrCat("--", flag, "=", path,
             ": unknown format: the file name must end in .csv (CSV), "
             ".jsonl or .json (JSON lines)"));
}

absl::Status CheckPlotName(const std::string& path) {
  if (path.empty() || path.ends_with(".svg")) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("--plot=", path, ": the plot is an SVG picture: the file name must end in .svg"));
}

// The files dlc train writes, by flag.
struct OutputPaths {
  std::string save, log, log_steps, plot;

  std::vector<NamedPath> Named() const {
    return {{StrCat("--save=", save), save},
            {StrCat("--log=", log), log},
            {StrCat("--log-steps=", log_steps), log_steps},
            {StrCat("--plot=", plot), plot}};
  }
};

// Before the first step: every output can be written (its directory exists
// and is writable; a checkpoint replaces only a regular file), no two are
// one file, and none is one of the run's inputs (the model, its data).
absl::Status CheckOutputs(const OutputPaths& outputs, const TrainingSetup& setup) {
  for (const NamedPath& output : outputs.Named()) {
    if (output.path.empty()) continue;
    DLC_RETURN_IF_ERROR(CheckOutputPath(
        output.path, output.label,
        output.path == outputs.save ? OutputKind::kRegularFile : OutputKind::kAllowDevice));
  }
  std::vector<NamedPath> inputs = {
      {StrCat("the model ", setup.program->path), setup.program->path}};
  for (const std::optional<dl::DataSource>* source : {&setup.config.data, &setup.config.test}) {
    if (!source->has_value()) continue;
    inputs.push_back({StrCat("the data file ", (*source)->images), (*source)->images});
    inputs.push_back({StrCat("the data file ", (*source)->labels), (*source)->labels});
  }
  return CheckDistinctOutputs(outputs.Named(), inputs);
}

// "dlc train ..." as a shell reads it: arguments with anything but plain
// characters single-quoted.
std::string ShellQuote(const std::string& arg) {
  const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_-./=:,+@%", c) != nullptr;
  });
  if (plain) return arg;
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The command that continues a run saved to `save`: the model, --resume and
// every flag the checkpoint does not record (where to save and log, the
// backend, ...). Seed, batch, sample count and shuffling come from the
// checkpoint; --init is replaced by it.
std::string ContinueCommand(const std::string& model_path, const std::string& save) {
  std::vector<std::string> args = {"dlc", "train", model_path, StrCat("--resume=", save)};
  auto add = [&args](std::string_view flag, const std::string& value) {
    if (!value.empty()) args.push_back(StrCat("--", flag, "=", value));
  };
  add("model", absl::GetFlag(FLAGS_model));
  if (std::optional<int64_t> epochs = absl::GetFlag(FLAGS_epochs)) add("epochs", StrCat(*epochs));
  if (std::optional<double> lr = absl::GetFlag(FLAGS_lr)) add("lr", StrCat(*lr));
  if (absl::GetFlag(FLAGS_backend) != "jit") add("backend", absl::GetFlag(FLAGS_backend));
  if (std::optional<int64_t> threads = absl::GetFlag(FLAGS_threads))
    add("threads", StrCat(*threads));
  add("save", save);
  if (std::optional<int64_t> every = absl::GetFlag(FLAGS_checkpoint_every)) {
    add("checkpoint-every", StrCat(*every));
  }
  add("log", absl::GetFlag(FLAGS_log));
  add("log-steps", absl::GetFlag(FLAGS_log_steps));
  add("plot", absl::GetFlag(FLAGS_plot));
  if (absl::GetFlag(FLAGS_quiet)) args.push_back("--quiet");
  std::string command;
  for (const std::string& arg : args) command += (command.empty() ? "" : " ") + ShellQuote(arg);
  return command;
}

// --log-steps: a record per step, into a temporary file that replaces the
// destination when training stops (finished, interrupted or failed).
class StepLog {
 public:
  static absl::StatusOr<StepLog> Open(const std::string& path, LogFormat format) {
    StepLog log;
    log.format_ = format;
    if (format == LogFormat::kNone) return log;
    DLC_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(path, StrCat("--log-steps=", path),
                                                             OutputKind::kAllowDevice));
    log.file_.emplace(std::move(file));
    if (format == LogFormat::kCsv) log.Write(StepCsvHeader());
    return log;
  }
  bool active() const { return file_.has_value(); }
  // A failed write is kept and reported by Commit(); training goes on.
  void Write(const std::string& text) {
    if (file_) file_->Write(text).IgnoreError();
  }
  void Record(const StepProgress& p) {
    Write(FormatStepRecord(p, format_ == LogFormat::kJsonLines));
  }
  absl::Status Commit() {
    if (!file_) return absl::OkStatus();
    absl::Status status = file_->Commit();
    file_.reset();
    return status;
  }

 private:
  LogFormat format_ = LogFormat::kNone;
  std::optional<AtomicFile> file_;
};

enum class Outcome { kFinished, kInterrupted, kTerminated };

// Where checkpoints go and which was written last.
struct Checkpoints {
  std::string path;         // --save; empty: none
  int64_t every = 0;        // --checkpoint-every; 0: only at the end
  int64_t last_epoch = -1;  // epochs in the last checkpoint this run wrote

  // What an error that stops training adds about the work on disk.
  absl::Status Explain(const absl::Status& error) const {
    if (path.empty()) return error;
    const std::string note = last_epoch >= 0 ? StrCat("The last checkpoint, ", path,
                                                      " (after epoch ", last_epoch, "), is kept.")
                                             : StrCat(path, " was not written.");
    return absl::Status(error.code(), StrCat(error.message(), "\n", note));
  }
};

int64_t StepsPerEpoch(const TrainingSetup& setup, int64_t samples) {
  const int64_t batch = setup.config.batch;
  return setup.config.drop_remainder ? samples / batch : (samples + batch - 1) / batch;
}

// Ctrl-C or SIGTERM came: save where the run stands, say how to continue.
absl::StatusOr<Outcome> StopOnInterrupt(const TrainingSetup& setup, const std::string& model_path,
                                        const TrainingHistory& history, int64_t samples,
                                        Checkpoints& checkpoints, StepLog& steps_log) {
  const RunState state = CurrentRunState(setup, history.epochs, samples);
  if (state.partial) {
    std::printf("\nInterrupted in epoch %lld after step %lld of %lld.\n",
                static_cast<long long>(state.partial->epoch),
                static_cast<long long>(state.partial->steps),
                static_cast<long long>(StepsPerEpoch(setup, samples)));
  } else {
    std::printf("\nInterrupted after epoch %lld.\n", static_cast<long long>(state.epochs_done()));
  }
  absl::Status saved = absl::OkStatus();
  if (checkpoints.path.empty()) {
    std::printf("Nothing was saved (no --save=FILE).\n");
  } else {
    saved = SaveCheckpoint(setup, checkpoints.path, state);
    if (saved.ok()) {
      std::printf(
          "Saved the run (parameters, optimizer state, position) to %s; continue it with\n  %s\n",
          checkpoints.path.c_str(), ContinueCommand(model_path, checkpoints.path).c_str());
    }
  }
  absl::Status logged = steps_log.Commit();
  std::fflush(stdout);
  if (!saved.ok()) return checkpoints.Explain(saved);
  if (!logged.ok()) return logged;
  return InterruptGuard::Signal() == SIGTERM ? Outcome::kTerminated : Outcome::kInterrupted;
}

void PrintSetUp(const TrainingSetup& setup, int64_t samples,
                const distributed::Communicator& comm) {
  const dl::TrainConfig& c = setup.config;
  std::printf("Training %s on %lld samples: batch %lld, %lld epoch%s, %s, seed %llu, backend %s\n",
              setup.model.c_str(), static_cast<long long>(samples), static_cast<long long>(c.batch),
              static_cast<long long>(c.epochs), c.epochs == 1 ? "" : "s",
              dl::DescribeOptimizer(c.optimizer).c_str(), static_cast<unsigned long long>(c.seed),
              std::string(setup.backend->name()).c_str());
  if (comm.size() > 1) {
    const distributed::Slice first = distributed::SliceOf(c.batch, 0, comm.size());
    const distributed::Slice last = distributed::SliceOf(c.batch, comm.size() - 1, comm.size());
    std::printf("Data-parallel on %d processes (MPI): each batch of %lld split into shards of %lld",
                comm.size(), static_cast<long long>(c.batch), static_cast<long long>(first.size));
    if (last.size != first.size) std::printf(" to %lld", static_cast<long long>(last.size));
    std::printf(" samples, one per rank; rank 0 (host %s) reports and writes files\n",
                comm.HostOf(0).c_str());
  }
  if (setup.resumed) {
    const RunState& run = *setup.resumed;
    std::printf("Resuming after epoch %lld", static_cast<long long>(run.epochs_done()));
    if (run.partial) {
      std::printf(" and step %lld of epoch %lld", static_cast<long long>(run.partial->steps),
                  static_cast<long long>(run.partial->epoch));
    }
    std::printf("\n");
  }
  std::printf("\n");
  std::fflush(stdout);
}

// Errors after the run is saved: reported together, each on its own line.
void AddError(absl::Status& errors, const absl::Status& error) {
  if (error.ok()) return;
  errors = errors.ok()
               ? error
               : absl::Status(errors.code(), StrCat(errors.message(), "\n", error.message()));
}

// Test hooks for the failure handling of data-parallel runs (tests/mpi):
// DLC_TEST_FAIL_RANK=r makes rank r, after step DLC_TEST_FAIL_STEP (default
// 1) of an epoch, die at once (DLC_TEST_FAIL_MODE=kill, SIGKILL) or stop
// answering (stall).
std::function<void(const StepProgress&)> FailureHook(const distributed::Communicator& comm) {
  const char* rank = std::getenv("DLC_TEST_FAIL_RANK");
  if (rank == nullptr || std::atoi(rank) != comm.rank()) return nullptr;
  const char* step = std::getenv("DLC_TEST_FAIL_STEP");
  const char* mode = std::getenv("DLC_TEST_FAIL_MODE");
  const int64_t at = step != nullptr ? std::atoll(step) : 1;
  const bool stall = mode != nullptr && std::string_view(mode) == "stall";
  return [at, stall](const StepProgress& p) {
    if (p.step != at) return;
    if (!stall) std::raise(SIGKILL);
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  };
}

absl::StatusOr<Outcome> Train(const std::string& path, distributed::Communicator& comm) {
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  // Data-parallel: rank 0 reports and writes the files; the others only train.
  const bool lead = comm.rank() == 0;
  Checkpoints checkpoints;
  checkpoints.path = absl::GetFlag(FLAGS_save);
  if (std::optional<int64_t> every = absl::GetFlag(FLAGS_checkpoint_every)) {
    if (*every <= 0) {
      return absl::InvalidArgumentError(
          StrCat("--checkpoint-every must be positive, got ", *every));
    }
    if (checkpoints.path.empty()) {
      return absl::InvalidArgumentError(
          "--checkpoint-every needs --save=FILE: the file to write them to");
    }
    checkpoints.every = *every;
  }
  OutputPaths outputs{checkpoints.path, absl::GetFlag(FLAGS_log), absl::GetFlag(FLAGS_log_steps),
                      absl::GetFlag(FLAGS_plot)};
  if (!lead) {
    outputs = {};
    checkpoints.path.clear();
    checkpoints.every = 0;
  }
  DLC_ASSIGN_OR_RETURN(const LogFormat log_format, LogFormatOf("log", outputs.log));
  DLC_ASSIGN_OR_RETURN(const LogFormat steps_format, LogFormatOf("log-steps", outputs.log_steps));
  DLC_RETURN_IF_ERROR(CheckPlotName(outputs.plot));

  // Every input is read and checked before the first step, the test set
  // too: nothing that can be known now may fail after hours of training.
  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, OverridesFromFlags(), &comm));
  DLC_ASSIGN_OR_RETURN(LabeledImages data, LoadData(setup, "data"));
  DLC_RETURN_IF_ERROR(setup.trainer->CheckTrainingData(data));
  if (setup.resumed && setup.resumed->samples != data.size()) {
    return absl::InvalidArgumentError(StrCat("the resumed run trained on ", setup.resumed->samples,
                                             " samples per epoch, this one has ", data.size(),
                                             " (a different --limit or data set?)"));
  }
  const dl::TrainConfig& c = setup.config;
  std::optional<LabeledImages> test;
  if (c.test) {
    DLC_ASSIGN_OR_RETURN(test, LoadData(setup, "test"));
  }
  // The outputs are written only once complete, each through a temporary
  // file; here only whether they can be.
  DLC_RETURN_IF_ERROR(CheckOutputs(outputs, setup));
  DLC_ASSIGN_OR_RETURN(StepLog steps_log, StepLog::Open(outputs.log_steps, steps_format));
  if (comm.size() > 1) DLC_RETURN_IF_ERROR(CheckRanksAgree(comm, setup, data));

  PrintSetUp(setup, data.size(), comm);
  TrainingHistory history;
  if (setup.resumed) history.epochs = setup.resumed->epochs;
  const Graph& predict = setup.trainer->program().predict;
  history.classes = predict.type(predict.outputs[0]).shape[1];
  if (!quiet) std::printf("%-7s %-9s %-9s %s\n", "Epoch", "Loss", "Accuracy", "Time");
  // On a terminal, a progress line rewritten after every step; in a file or
  // pipe, only the line per epoch.
  const bool live = lead && !quiet && isatty(STDOUT_FILENO);
  ProgressCallback progress;
  const auto fail = FailureHook(comm);
  if (live || steps_log.active() || fail) {
    progress = [live, &steps_log, fail](const StepProgress& p) {
      if (fail) fail(p);
      steps_log.Record(p);
      if (live) {
        std::printf("\r%s\033[K", FormatProgressLine(p).c_str());
        std::fflush(stdout);
      }
    };
  }
  InterruptGuard interrupt;
  const StopRequested stop = [] { return InterruptGuard::Requested(); };
  for (int64_t epoch = static_cast<int64_t>(history.epochs.size()) + 1; epoch <= c.epochs;
       ++epoch) {
    absl::StatusOr<EpochStats> stats = setup.trainer->TrainEpoch(data, epoch, progress, stop);
    if (live) std::printf("\r\033[K");
    if (!stats.ok()) {
      absl::Status error = checkpoints.Explain(stats.status());
      AddError(error, steps_log.Commit());  // the records up to the failed step
      return error;
    }
    if (stats->interrupted) {
      return StopOnInterrupt(setup, path, history, data.size(), checkpoints, steps_log);
    }
    if (!quiet) {
      std::printf("%-7lld %-9.4f %-9.4f %s\n", static_cast<long long>(epoch), stats->loss,
                  stats->accuracy, FormatDuration(stats->seconds).c_str());
    }
    history.epochs.push_back(*stats);
    if (checkpoints.every > 0 && epoch % checkpoints.every == 0 && epoch < c.epochs) {
      const RunState state = CurrentRunState(setup, history.epochs, data.size());
      if (absl::Status saved = SaveCheckpoint(setup, checkpoints.path, state); !saved.ok()) {
        AddError(saved, steps_log.Commit());
        return checkpoints.Explain(saved);
      }
      checkpoints.last_epoch = epoch;
      if (!quiet) std::printf("        checkpoint saved to %s\n", checkpoints.path.c_str());
    }
    std::fflush(stdout);
  }
  // A Ctrl-C during the last step: the run is complete; save it and stop.
  // (Data-parallel: if any rank got one, as every rank agreed.)
  if (setup.trainer->data_parallel() ? setup.trainer->stop_agreed() : InterruptGuard::Requested()) {
    return StopOnInterrupt(setup, path, history, data.size(), checkpoints, steps_log);
  }

  // The trained run is saved first: whatever fails after this, it is on disk.
  if (!checkpoints.path.empty()) {
    if (absl::Status saved = SaveCheckpoint(setup, checkpoints.path,
                                            CurrentRunState(setup, history.epochs, data.size()));
        !saved.ok()) {
      AddError(saved, steps_log.Commit());
      return checkpoints.Explain(saved);
    }
  }
  absl::Status errors = absl::OkStatus();
  if (test && lead) {  // every rank holds the same parameters
    if (absl::StatusOr<EvalStats> eval = setup.trainer->Evaluate(*test); eval.ok()) {
      std::printf("%sTest: loss %.4f, accuracy %.4f on %lld held-out samples\n", quiet ? "" : "\n",
                  eval->loss, eval->accuracy, static_cast<long long>(eval->samples));
      history.test = *eval;
    } else {
      AddError(errors, absl::Status(eval.status().code(),
                                    StrCat("the test set: ", eval.status().message())));
    }
  }
  std::printf("%s%s\n%s", !quiet || c.test ? "\n" : "", FormatEpochTable(history).c_str(),
              FormatLossChart(history).c_str());
  if (setup.trainer->data_parallel()) {
    const DataParallelTimes& t = setup.trainer->data_parallel_times();
    const double per_step = 1e3 / static_cast<double>(std::max<int64_t>(t.steps, 1));
    std::printf(
        "\nData-parallel, per step on rank 0: gradients %.2f ms, sum over %d ranks %.2f ms "
        "(%lld floats), update %.2f ms\n",
        t.gradient_seconds * per_step, comm.size(), t.allreduce_seconds * per_step,
        static_cast<long long>(t.allreduce_floats), t.update_seconds * per_step);
  }
  if (steps_log.active() || !outputs.log.empty() || !outputs.plot.empty() ||
      !checkpoints.path.empty()) {
    std::printf("\n");
  }
  if (steps_log.active()) {
    absl::Status written = steps_log.Commit();
    if (written.ok()) std::printf("Wrote the step records to %s\n", outputs.log_steps.c_str());
    AddError(errors, written);
  }
  if (!outputs.log.empty()) {
    absl::Status written = WriteFileAtomically(
        outputs.log, StrCat("--log=", outputs.log),
        log_format == LogFormat::kCsv ? FormatCsv(history) : FormatJsonLines(history));
    if (written.ok()) std::printf("Wrote the epoch records to %s\n", outputs.log.c_str());
    AddError(errors, written);
  }
  if (!outputs.plot.empty()) {
    const std::string title = StrCat(setup.model, ": ", data.size(), " samples, batch ", c.batch,
                                     ", ", dl::DescribeOptimizer(c.optimizer), ", seed ", c.seed);
    absl::Status written = WriteFileAtomically(outputs.plot, StrCat("--plot=", outputs.plot),
                                               TrainingPlotSvg(history, title));
    if (written.ok())
      std::printf("Drew the loss and accuracy curves in %s\n", outputs.plot.c_str());
    AddError(errors, written);
  }
  if (!checkpoints.path.empty()) {
    std::printf("Saved parameters and optimizer state to %s\n", checkpoints.path.c_str());
  }
  if (!errors.ok() && !checkpoints.path.empty()) {
    return absl::Status(errors.code(), StrCat(errors.message(), "\nThe trained run was saved to ",
                                              checkpoints.path, " before this."));
  }
  if (!errors.ok()) return errors;
  return Outcome::kFinished;
}

}  // namespace

int RunTrain(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr,
                 "usage: dlc train MODEL.dl [--epochs=N --batch=N --lr=X --seed=N "
                 "--limit=N --no-shuffle --init=FILE --save=FILE --checkpoint-every=N "
                 "--resume=FILE --backend=interp --threads=N --log=FILE.csv|.jsonl "
                 "--log-steps=FILE.csv|.jsonl "
                 "--plot=FILE.svg --quiet --collective-timeout=SECONDS]\n"
                 "       mpirun -np N dlc train MODEL.dl ...  (data-parallel on N processes)\n");
    return kExitUsage;
  }
  // Under mpirun, one rank of a data-parallel run; else the only process.
  distributed::CommunicatorOptions options;
  options.timeout_seconds = absl::GetFlag(FLAGS_collective_timeout);
  absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm =
      distributed::ConnectCommunicator(options);
  if (!comm.ok()) {
    std::fprintf(stderr, "dlc train: %s\n", std::string(comm.status().message()).c_str());
    return kExitError;
  }
  const bool several = (*comm)->size() > 1;
  // Only rank 0 prints progress and results; errors come from every rank.
  if ((*comm)->rank() != 0) std::freopen("/dev/null", "w", stdout);
  absl::StatusOr<Outcome> outcome = Train(args[0], **comm);
  if (!outcome.ok()) {
    std::fflush(stdout);
    const std::string who = several ? StrCat((*comm)->Describe(), ": ") : "";
    std::fprintf(stderr, "dlc train: %s%s\n", who.c_str(),
                 std::string(outcome.status().message()).c_str());
    std::fflush(stderr);
    // The other ranks may be waiting for this one: end them all.
    if (several) (*comm)->Abort(kExitError);
    return kExitError;
  }
  switch (*outcome) {
    case Outcome::kInterrupted: return kExitInterrupted;
    case Outcome::kTerminated: return kExitTerminated;
    case Outcome::kFinished: break;
  }
  return kExitOk;
}

}  // namespace dlc::tools
