// dlc train: train a model on its train section's data and report how it went.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "frontend/train_config.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

absl::Status Train(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, OverridesFromFlags()));
  DLC_ASSIGN_OR_RETURN(LabeledImages data, LoadData(setup, "data"));
  const dl::TrainConfig& c = setup.config;
  std::printf("Training %s on %lld samples: batch %lld, %lld epochs, %s, seed %llu, backend %s\n\n",
              setup.model.c_str(), static_cast<long long>(data.size()),
              static_cast<long long>(c.batch), static_cast<long long>(c.epochs),
              dl::DescribeOptimizer(c.optimizer).c_str(), static_cast<unsigned long long>(c.seed),
              std::string(setup.backend->name()).c_str());
  std::printf("%-7s %-9s %-9s %s\n", "Epoch", "Loss", "Accuracy", "Time");
  for (int64_t epoch = 1; epoch <= c.epochs; ++epoch) {
    DLC_ASSIGN_OR_RETURN(EpochStats stats, setup.trainer->TrainEpoch(data, epoch));
    std::printf("%-7lld %-9.4f %-9.4f %.1f s\n", static_cast<long long>(epoch), stats.loss,
                stats.accuracy, stats.seconds);
    std::fflush(stdout);
  }
  if (c.test) {
    DLC_ASSIGN_OR_RETURN(LabeledImages test, LoadData(setup, "test"));
    DLC_ASSIGN_OR_RETURN(EvalStats eval, setup.trainer->Evaluate(test));
    std::printf("\nTest: loss %.4f, accuracy %.4f on %lld held-out samples\n", eval.loss,
                eval.accuracy, static_cast<long long>(eval.samples));
  }
  if (const std::string save = absl::GetFlag(FLAGS_save); !save.empty()) {
    DLC_RETURN_IF_ERROR(SaveCheckpoint(setup, save, c.epochs));
    std::printf("Saved parameters and optimizer state to %s\n", save.c_str());
  }
  return absl::OkStatus();
}

}  // namespace

int RunTrain(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc train MODEL.dl [--epochs=N --batch=N --lr=X --seed=N "
                         "--limit=N --no-shuffle --init=FILE --save=FILE --backend=interp]\n");
    return kExitUsage;
  }
  if (absl::Status status = Train(args[0]); !status.ok()) {
    std::fprintf(stderr, "dlc train: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
