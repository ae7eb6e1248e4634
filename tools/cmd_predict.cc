// dlc predict: one sample through a trained model, layer by layer.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "frontend/train_config.h"
#include "runtime/dataset.h"
#include "runtime/idx.h"
#include "runtime/safetensors.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/prediction_trace.h"

namespace dlc::tools {
namespace {

constexpr char kUsageLine[] =
    "usage: dlc predict MODEL.dl --init=FILE (--index=N | --image=FILE.idx[.gz]@ROW)\n";

absl::Status Predict(const std::string& path, int64_t index, const std::string& image) {
  std::string init = absl::GetFlag(FLAGS_init);
  if (init.empty() && !IsOnnxFile(path)) {
    return absl::InvalidArgumentError("--init=FILE is required: the parameters to predict with");
  }
  DLC_ASSIGN_OR_RETURN(LoadedModel loaded,
                       LoadModel(path, absl::GetFlag(FLAGS_model), /*batch_flag=*/1));
  NamedTensors weights = std::move(loaded.weights);  // a .onnx model's own
  if (!init.empty()) {
    DLC_ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadSafetensors(init));
    weights = std::move(checkpoint.tensors);
  } else {
    init = path;
  }
  DLC_ASSIGN_OR_RETURN(auto parameters, ParameterFeeds(loaded.lowered, weights, init));

  Tensor input;
  std::optional<int64_t> label;
  if (index >= 0) {
    DLC_ASSIGN_OR_RETURN(dl::TrainConfig config,
                         dl::ResolveTrainConfig(loaded.program, loaded.model));
    if (!config.test) {
      return absl::InvalidArgumentError(
          StrCat("--index: the train section of ", loaded.model, " has no 'test = idx(...)'"));
    }
    const Graph& g = loaded.lowered.graph;
    const int64_t classes = g.outputs.empty() ? 0 : g.type(g.outputs[0]).shape.back();
    DLC_ASSIGN_OR_RETURN(LabeledImages test,
                         LoadIdxDataset(config.test->images, config.test->labels,
                                        static_cast<int>(classes), config.test->limit));
    if (index >= test.size()) {
      return absl::OutOfRangeError(StrCat("--index=", index, ": the test set has ", test.size(),
                                          " samples (0..", test.size() - 1, ")"));
    }
    DLC_ASSIGN_OR_RETURN(input,
                         SampleInput(loaded.lowered, test.images, index, config.test->images));
    label = static_cast<int64_t>(test.labels.GetDouble(index));
  } else {
    std::string file = image;
    int64_t row = 0;
    if (const size_t at = file.rfind('@'); at != std::string::npos) {
      if (!absl::SimpleAtoi(file.substr(at + 1), &row) || row < 0) {
        return absl::InvalidArgumentError(
            StrCat("--image=", image, ": the row after '@' must be a non-negative integer"));
      }
      file.resize(at);
    }
    DLC_ASSIGN_OR_RETURN(Tensor images, ReadIdx(file));
    DLC_ASSIGN_OR_RETURN(input, SampleInput(loaded.lowered, images, row, file));
  }
  DLC_ASSIGN_OR_RETURN(PredictionTrace trace,
                       TracePrediction(loaded.lowered, parameters, input, label));
  std::printf("%s with %s, %s\n\n%s", loaded.model.c_str(), init.c_str(),
              index >= 0 ? StrCat("test sample ", index).c_str() : StrCat("image ", image).c_str(),
              RenderTrace(trace).c_str());
  return absl::OkStatus();
}

}  // namespace

int RunPredict(const std::vector<std::string>& args) {
  const std::optional<int64_t> given_index = absl::GetFlag(FLAGS_index);
  const int64_t index = given_index.value_or(-1);
  const std::string image = absl::GetFlag(FLAGS_image);
  const bool bad_index = given_index && *given_index < 0;
  if (args.size() != 1 || given_index.has_value() == !image.empty() || bad_index) {
    std::fputs(kUsageLine, stderr);
    if (bad_index) {
      std::fprintf(stderr, "--index must be a test-set sample number, 0 or more; got %lld\n",
                   static_cast<long long>(*given_index));
    } else if (given_index && !image.empty()) {
      std::fputs("give --index or --image, not both\n", stderr);
    } else if (args.size() == 1) {
      std::fputs("give --index=N or --image=FILE@ROW\n", stderr);
    }
    return kExitUsage;
  }
  if (absl::Status status = Predict(args[0], index, image); !status.ok()) {
    std::fprintf(stderr, "dlc predict: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
