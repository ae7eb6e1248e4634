// dlc train: train a model on its train section's data and report how it
// went; checkpoints during and after training, Ctrl-C that keeps the work.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "frontend/train_config.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "runtime/training_plot.h"
#include "runtime/training_report.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/interrupt.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, CloseFile>;

enum class LogFormat { kNone, kCsv, kJsonLines };

// Opens an output file now, so that a bad path fails before any training.
absl::Status OpenOutput(std::string_view flag, const std::string& path, File& file) {
  file.reset(std::fopen(path.c_str(), "w"));
  if (!file) {
    return absl::InvalidArgumentError(
        StrCat("--", flag, "=", path, ": cannot open for writing: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// --log=FILE and --log-steps=FILE: the format from the name.
absl::Status OpenLog(std::string_view flag, const std::string& path, LogFormat& format, File& file) {
  format = LogFormat::kNone;
  if (path.empty()) return absl::OkStatus();
  if (path.ends_with(".csv")) {
    format = LogFormat::kCsv;
  } else if (path.ends_with(".jsonl") || path.ends_with(".json")) {
    format = LogFormat::kJsonLines;
  } else {
    return absl::InvalidArgumentError(StrCat(
        "--", flag, "=", path, ": unknown format: the file name must end in .csv (CSV), "
        ".jsonl or .json (JSON lines)"));
  }
  return OpenOutput(flag, path, file);
}

absl::Status OpenPlot(const std::string& path, File& file) {
  if (path.empty()) return absl::OkStatus();
  if (!path.ends_with(".svg")) {
    return absl::InvalidArgumentError(
        StrCat("--plot=", path, ": the plot is an SVG picture: the file name must end in .svg"));
  }
  return OpenOutput("plot", path, file);
}

absl::Status WriteAndClose(File& file, const std::string& text, std::string_view flag,
                           const std::string& path) {
  const bool written = std::fwrite(text.data(), 1, text.size(), file.get()) == text.size();
  if (!written || std::fclose(file.release()) != 0) {
    return absl::InternalError(StrCat("--", flag, "=", path, ": cannot write: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// --save=FILE must be creatable (it is written atomically, through a
// temporary file in the same directory): checked before training, not after.
absl::Status CheckSavePath(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(StrCat("--save=", path, ": is a directory, not a file"));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, error)) {
    return absl::InvalidArgumentError(StrCat("--save=", path, ": the directory ", dir, " does not exist"));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::InvalidArgumentError(
        StrCat("--save=", path, ": cannot write in ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

enum class Outcome { kFinished, kInterrupted };

// Where checkpoints go and which was written last.
struct Checkpoints {
  std::string path;         // --save; empty: none
  int64_t every = 0;        // --checkpoint-every; 0: only at the end
  int64_t last_epoch = -1;  // epochs in the last checkpoint this run wrote

  // What an error that stops training adds about the work on disk.
  absl::Status Explain(const absl::Status& error) const {
    if (path.empty()) return error;
    const std::string note =
        last_epoch >= 0 ? StrCat("The last checkpoint, ", path, " (after epoch ", last_epoch, "), is kept.")
                        : StrCat(path, " was not written.");
    return absl::Status(error.code(), StrCat(error.message(), "\n", note));
  }
};

int64_t StepsPerEpoch(const TrainingSetup& setup, int64_t samples) {
  const int64_t batch = setup.config.batch;
  return setup.config.drop_remainder ? samples / batch : (samples + batch - 1) / batch;
}

// Ctrl-C came: save where the run stands, say how to continue.
absl::StatusOr<Outcome> StopOnInterrupt(const TrainingSetup& setup, const std::string& model_path,
                                        const TrainingHistory& history, int64_t samples,
                                        Checkpoints& checkpoints) {
  const RunState state = CurrentRunState(setup, history.epochs, samples);
  if (state.partial) {
    std::printf("\nInterrupted in epoch %lld after step %lld of %lld.\n",
                static_cast<long long>(state.partial->epoch), static_cast<long long>(state.partial->steps),
                static_cast<long long>(StepsPerEpoch(setup, samples)));
  } else {
    std::printf("\nInterrupted after epoch %lld.\n", static_cast<long long>(state.epochs_done()));
  }
  if (checkpoints.path.empty()) {
    std::printf("Nothing was saved (no --save=FILE).\n");
  } else {
    if (absl::Status saved = SaveCheckpoint(setup, checkpoints.path, state); !saved.ok()) {
      return checkpoints.Explain(saved);
    }
    std::printf("Saved the run (parameters, optimizer state, position) to %s; continue it with\n"
                "  dlc train %s --resume=%s\n",
                checkpoints.path.c_str(), model_path.c_str(), checkpoints.path.c_str());
  }
  std::fflush(stdout);
  return Outcome::kInterrupted;
}

void PrintSetUp(const TrainingSetup& setup, int64_t samples) {
  const dl::TrainConfig& c = setup.config;
  std::printf("Training %s on %lld samples: batch %lld, %lld epoch%s, %s, seed %llu, backend %s\n",
              setup.model.c_str(), static_cast<long long>(samples), static_cast<long long>(c.batch),
              static_cast<long long>(c.epochs), c.epochs == 1 ? "" : "s",
              dl::DescribeOptimizer(c.optimizer).c_str(),
              static_cast<unsigned long long>(c.seed), std::string(setup.backend->name()).c_str());
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

absl::StatusOr<Outcome> Train(const std::string& path) {
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  Checkpoints checkpoints;
  checkpoints.path = absl::GetFlag(FLAGS_save);
  if (std::optional<int64_t> every = absl::GetFlag(FLAGS_checkpoint_every)) {
    if (*every <= 0) {
      return absl::InvalidArgumentError(StrCat("--checkpoint-every must be positive, got ", *every));
    }
    if (checkpoints.path.empty()) {
      return absl::InvalidArgumentError("--checkpoint-every needs --save=FILE: the file to write them to");
    }
    checkpoints.every = *every;
  }
  DLC_RETURN_IF_ERROR(CheckSavePath(checkpoints.path));
  const std::string log_path = absl::GetFlag(FLAGS_log), plot_path = absl::GetFlag(FLAGS_plot);
  const std::string steps_path = absl::GetFlag(FLAGS_log_steps);
  LogFormat log_format, steps_format;
  File log, plot, steps_log;
  DLC_RETURN_IF_ERROR(OpenLog("log", log_path, log_format, log));
  DLC_RETURN_IF_ERROR(OpenLog("log-steps", steps_path, steps_format, steps_log));
  DLC_RETURN_IF_ERROR(OpenPlot(plot_path, plot));
  if (steps_format == LogFormat::kCsv) std::fputs(StepCsvHeader().c_str(), steps_log.get());

  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, OverridesFromFlags()));
  DLC_ASSIGN_OR_RETURN(LabeledImages data, LoadData(setup, "data"));
  DLC_RETURN_IF_ERROR(setup.trainer->CheckTrainingData(data));
  if (setup.resumed && setup.resumed->samples != data.size()) {
    return absl::InvalidArgumentError(StrCat(
        "the resumed run trained on ", setup.resumed->samples, " samples per epoch, this one has ",
        data.size(), " (a different --limit or data set?)"));
  }
  const dl::TrainConfig& c = setup.config;
  PrintSetUp(setup, data.size());
  TrainingHistory history;
  if (setup.resumed) history.epochs = setup.resumed->epochs;
  const Graph& predict = setup.trainer->program().predict;
  history.classes = predict.type(predict.outputs[0]).shape[1];
  if (!quiet) std::printf("%-7s %-9s %-9s %s\n", "Epoch", "Loss", "Accuracy", "Time");
  // On a terminal, a progress line rewritten after every step; in a file or
  // pipe, only the line per epoch.
  const bool live = !quiet && isatty(STDOUT_FILENO);
  ProgressCallback progress;
  if (live || steps_log) {
    progress = [live, &steps_log, steps_format](const StepProgress& p) {
      if (steps_log) {
        std::fputs(FormatStepRecord(p, steps_format == LogFormat::kJsonLines).c_str(), steps_log.get());
      }
      if (live) {
        std::printf("\r%s\033[K", FormatProgressLine(p).c_str());
        std::fflush(stdout);
      }
    };
  }
  InterruptGuard interrupt;
  const StopRequested stop = [] { return InterruptGuard::Requested(); };
  for (int64_t epoch = static_cast<int64_t>(history.epochs.size()) + 1; epoch <= c.epochs; ++epoch) {
    absl::StatusOr<EpochStats> stats = setup.trainer->TrainEpoch(data, epoch, progress, stop);
    if (live) std::printf("\r\033[K");
    if (!stats.ok()) return checkpoints.Explain(stats.status());
    if (stats->interrupted) return StopOnInterrupt(setup, path, history, data.size(), checkpoints);
    if (!quiet) {
      std::printf("%-7lld %-9.4f %-9.4f %s\n", static_cast<long long>(epoch), stats->loss,
                  stats->accuracy, FormatDuration(stats->seconds).c_str());
    }
    history.epochs.push_back(*stats);
    if (steps_log) std::fflush(steps_log.get());  // a long run can be watched as it goes
    if (checkpoints.every > 0 && epoch % checkpoints.every == 0 && epoch < c.epochs) {
      const RunState state = CurrentRunState(setup, history.epochs, data.size());
      if (absl::Status saved = SaveCheckpoint(setup, checkpoints.path, state); !saved.ok()) {
        return checkpoints.Explain(saved);
      }
      checkpoints.last_epoch = epoch;
      if (!quiet) std::printf("        checkpoint saved to %s\n", checkpoints.path.c_str());
    }
    std::fflush(stdout);
  }
  // A Ctrl-C during the last step: the run is complete; save it and stop.
  if (InterruptGuard::Requested()) return StopOnInterrupt(setup, path, history, data.size(), checkpoints);

  if (c.test) {
    DLC_ASSIGN_OR_RETURN(LabeledImages test, LoadData(setup, "test"));
    DLC_ASSIGN_OR_RETURN(EvalStats eval, setup.trainer->Evaluate(test));
    std::printf("%sTest: loss %.4f, accuracy %.4f on %lld held-out samples\n", quiet ? "" : "\n",
                eval.loss, eval.accuracy, static_cast<long long>(eval.samples));
    history.test = eval;
  }
  std::printf("%s%s\n%s", !quiet || c.test ? "\n" : "", FormatEpochTable(history).c_str(),
              FormatLossChart(history).c_str());
  if (log || plot || steps_log || !checkpoints.path.empty()) std::printf("\n");
  if (steps_log) {
    DLC_RETURN_IF_ERROR(WriteAndClose(steps_log, "", "log-steps", steps_path));
    std::printf("Wrote the step records to %s\n", steps_path.c_str());
  }
  if (log) {
    DLC_RETURN_IF_ERROR(WriteAndClose(
        log, log_format == LogFormat::kCsv ? FormatCsv(history) : FormatJsonLines(history), "log",
        log_path));
    std::printf("Wrote the epoch records to %s\n", log_path.c_str());
  }
  if (plot) {
    const std::string title =
        StrCat(setup.model, ": ", data.size(), " samples, batch ", c.batch, ", ",
               dl::DescribeOptimizer(c.optimizer), ", seed ", c.seed);
    DLC_RETURN_IF_ERROR(WriteAndClose(plot, TrainingPlotSvg(history, title), "plot", plot_path));
    std::printf("Drew the loss and accuracy curves in %s\n", plot_path.c_str());
  }
  if (!checkpoints.path.empty()) {
    DLC_RETURN_IF_ERROR(
        SaveCheckpoint(setup, checkpoints.path, CurrentRunState(setup, history.epochs, data.size())));
    std::printf("Saved parameters and optimizer state to %s\n", checkpoints.path.c_str());
  }
  return Outcome::kFinished;
}

}  // namespace

int RunTrain(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc train MODEL.dl [--epochs=N --batch=N --lr=X --seed=N "
                         "--limit=N --no-shuffle --init=FILE --save=FILE --checkpoint-every=N "
                         "--resume=FILE --backend=interp --threads=N --log=FILE.csv|.jsonl "
                         "--log-steps=FILE.csv|.jsonl "
                         "--plot=FILE.svg --quiet]\n");
    return kExitUsage;
  }
  absl::StatusOr<Outcome> outcome = Train(args[0]);
  if (!outcome.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "dlc train: %s\n", std::string(outcome.status().message()).c_str());
    return kExitError;
  }
  return *outcome == Outcome::kInterrupted ? kExitInterrupted : kExitOk;
}

}  // namespace dlc::tools
