// dlc train: train a model on its train section's data and report how it went.
#include <cerrno>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "frontend/train_config.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "runtime/training_report.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, CloseFile>;

enum class LogFormat { kNone, kCsv, kJsonLines };

// --log=FILE: its format from its name, and the file opened for writing now,
// so that a bad path fails before any training.
absl::Status OpenLog(const std::string& path, LogFormat& format, File& file) {
  format = LogFormat::kNone;
  if (path.empty()) return absl::OkStatus();
  if (path.ends_with(".csv")) {
    format = LogFormat::kCsv;
  } else if (path.ends_with(".jsonl") || path.ends_with(".json")) {
    format = LogFormat::kJsonLines;
  } else {
    return absl::InvalidArgumentError(StrCat(
        "--log=", path, ": unknown format: the file name must end in .csv (CSV), "
        ".jsonl or .json (JSON lines)"));
  }
  file.reset(std::fopen(path.c_str(), "w"));
  if (!file) {
    return absl::InvalidArgumentError(
        StrCat("--log=", path, ": cannot open for writing: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status Train(const std::string& path) {
  const std::string log_path = absl::GetFlag(FLAGS_log);
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  LogFormat log_format;
  File log;
  DLC_RETURN_IF_ERROR(OpenLog(log_path, log_format, log));
  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, OverridesFromFlags()));
  DLC_ASSIGN_OR_RETURN(LabeledImages data, LoadData(setup, "data"));
  const dl::TrainConfig& c = setup.config;
  std::printf("Training %s on %lld samples: batch %lld, %lld epochs, %s, seed %llu, backend %s\n\n",
              setup.model.c_str(), static_cast<long long>(data.size()),
              static_cast<long long>(c.batch), static_cast<long long>(c.epochs),
              dl::DescribeOptimizer(c.optimizer).c_str(), static_cast<unsigned long long>(c.seed),
              std::string(setup.backend->name()).c_str());
  std::fflush(stdout);
  TrainingHistory history;
  const Graph& predict = setup.trainer->program().predict;
  history.classes = predict.type(predict.outputs[0]).shape[1];
  if (!quiet) std::printf("%-7s %-9s %-9s %s\n", "Epoch", "Loss", "Accuracy", "Time");
  // On a terminal, a progress line rewritten after every step; in a file or
  // pipe, only the line per epoch.
  const bool live = !quiet && isatty(STDOUT_FILENO);
  ProgressCallback progress;
  if (live) {
    progress = [](const StepProgress& p) {
      std::printf("\r%s\033[K", FormatProgressLine(p).c_str());
      std::fflush(stdout);
    };
  }
  for (int64_t epoch = 1; epoch <= c.epochs; ++epoch) {
    DLC_ASSIGN_OR_RETURN(EpochStats stats, setup.trainer->TrainEpoch(data, epoch, progress));
    if (live) std::printf("\r\033[K");
    if (!quiet) {
      std::printf("%-7lld %-9.4f %-9.4f %.1f s\n", static_cast<long long>(epoch), stats.loss,
                  stats.accuracy, stats.seconds);
      std::fflush(stdout);
    }
    history.epochs.push_back(stats);
  }
  if (c.test) {
    DLC_ASSIGN_OR_RETURN(LabeledImages test, LoadData(setup, "test"));
    DLC_ASSIGN_OR_RETURN(EvalStats eval, setup.trainer->Evaluate(test));
    std::printf("%sTest: loss %.4f, accuracy %.4f on %lld held-out samples\n", quiet ? "" : "\n",
                eval.loss, eval.accuracy, static_cast<long long>(eval.samples));
    history.test = eval;
  }
  std::printf("%s%s\n%s", !quiet || c.test ? "\n" : "", FormatEpochTable(history).c_str(),
              FormatLossChart(history).c_str());
  const std::string save = absl::GetFlag(FLAGS_save);
  if (log || !save.empty()) std::printf("\n");
  if (log) {
    const std::string text =
        log_format == LogFormat::kCsv ? FormatCsv(history) : FormatJsonLines(history);
    const bool written = std::fwrite(text.data(), 1, text.size(), log.get()) == text.size();
    if (!written || std::fclose(log.release()) != 0) {
      return absl::InternalError(
          StrCat("--log=", log_path, ": cannot write: ", std::strerror(errno)));
    }
    std::printf("Wrote the epoch records to %s\n", log_path.c_str());
  }
  if (!save.empty()) {
    DLC_RETURN_IF_ERROR(SaveCheckpoint(setup, save, c.epochs));
    std::printf("Saved parameters and optimizer state to %s\n", save.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

int RunTrain(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc train MODEL.dl [--epochs=N --batch=N --lr=X --seed=N "
                         "--limit=N --no-shuffle --init=FILE --save=FILE --backend=interp "
                         "--log=FILE.csv|.jsonl --quiet]\n");
    return kExitUsage;
  }
  if (absl::Status status = Train(args[0]); !status.ok()) {
    std::fprintf(stderr, "dlc train: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
