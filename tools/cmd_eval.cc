// dlc eval: test loss and accuracy of saved parameters.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "support/status_macros.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

absl::Status Eval(const std::string& path) {
  if (absl::GetFlag(FLAGS_init).empty() && !IsOnnxFile(path)) {
    return absl::InvalidArgumentError("--init=FILE is required: the parameters to evaluate");
  }
  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, OverridesFromFlags()));
  DLC_ASSIGN_OR_RETURN(LabeledImages test, LoadData(setup, "test"));
  DLC_ASSIGN_OR_RETURN(EvalStats eval, setup.trainer->Evaluate(test));
  std::printf("%s with %s: test loss %.4f, accuracy %.4f on %lld samples\n", setup.model.c_str(),
              setup.weights_from.c_str(), eval.loss, eval.accuracy,
              static_cast<long long>(eval.samples));
  return absl::OkStatus();
}

}  // namespace

int RunEval(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: dlc eval MODEL.dl --init=FILE (or MODEL.onnx [--init=FILE])\n");
    return kExitUsage;
  }
  if (absl::Status status = Eval(args[0]); !status.ok()) {
    std::fprintf(stderr, "dlc eval: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
