// dlc export: a trained model's prediction function as an ONNX file, for
// deployment with ONNX Runtime or any other ONNX tool.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "frontend/onnx/export.h"
#include "passes/training.h"
#include "runtime/output_file.h"
#include "runtime/safetensors.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/prediction_trace.h"

namespace dlc::tools {
namespace {

constexpr char kUsage[] = "usage: dlc export MODEL.dl --init=FILE.safetensors -o FILE.onnx\n";

std::string Signature(const Graph& graph, ValueId id, const std::string& name) {
  TensorType type = graph.type(id);
  std::string dims = onnx_export::kBatchDim;
  for (size_t d = 1; d < type.shape.size(); ++d) dims += StrCat(",", type.shape[d]);
  return StrCat(name, " ", DTypeName(type.dtype), "[", dims, "]");
}

absl::Status Export(const std::string& path, const std::string& init, const std::string& output) {
  // Before any work: -o can be written and is neither the model nor --init.
  DLC_RETURN_IF_ERROR(CheckOutputPath(output, StrCat("-o ", output)));
  DLC_RETURN_IF_ERROR(
      CheckDistinctOutputs({{StrCat("-o ", output), output}},
                           {{StrCat("the model ", path), path}, {StrCat("--init=", init), init}}));
  // The prediction function (what `dlc compile` emits as <model>_predict),
  // lowered at batch 1: the file's batch dimension is symbolic.
  DLC_ASSIGN_OR_RETURN(LoadedModel loaded,
                       LoadModel(path, absl::GetFlag(FLAGS_model), /*batch_flag=*/1));
  const dl::LoweredModel& lowered = loaded.lowered;
  if (lowered.graph.outputs.empty()) return absl::InvalidArgumentError("the model has no output");
  DLC_ASSIGN_OR_RETURN(
      Graph predict,
      BuildPredict(lowered.graph, lowered.logits.value_or(lowered.graph.outputs[0])));
  predict.name = loaded.model;
  DLC_ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadSafetensors(init));
  DLC_ASSIGN_OR_RETURN(auto weights, ParameterFeeds(lowered, checkpoint.tensors, init));

  onnx_export::ExportOptions options;
  options.output_names = {"probabilities"};
  options.doc =
      StrCat("model ", loaded.model, " of ", path, ", weights from ", init, "; exported by dlc");
  absl::StatusOr<std::string> bytes = onnx_export::ExportOnnx(predict, weights, options);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(),
                        StrCat("model ", loaded.model, ": ", bytes.status().message()));
  }
  DLC_RETURN_IF_ERROR(
      WriteFileAtomically(output, StrCat("-o ", output), *bytes, OutputKind::kRegularFile));

  std::vector<std::string> inputs;
  for (ValueId id : predict.Inputs())
    inputs.push_back(Signature(predict, id, predict.node(id).name));
  std::printf("wrote %s: %s as ONNX (opset %lld, %zu bytes)\n  input  %s\n  output %s\n",
              output.c_str(), loaded.model.c_str(),
              static_cast<long long>(onnx_export::kOpsetVersion), bytes->size(),
              absl::StrJoin(inputs, ", ").c_str(),
              Signature(predict, predict.outputs[0], "probabilities").c_str());
  return absl::OkStatus();
}

}  // namespace

int RunExport(const std::vector<std::string>& args) {
  const std::string init = absl::GetFlag(FLAGS_init);
  const std::string output = absl::GetFlag(FLAGS_o);
  if (args.size() != 1 || init.empty() || output.empty()) {
    std::fputs(kUsage, stderr);
    if (args.size() == 1 && init.empty()) {
      std::fputs("--init=FILE is required: the trained parameters to export\n", stderr);
    } else if (args.size() == 1) {
      std::fputs("-o FILE is required: where to write the ONNX model\n", stderr);
    }
    return kExitUsage;
  }
  if (absl::Status status = Export(args[0], init, output); !status.ok()) {
    std::fprintf(stderr, "dlc export: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
