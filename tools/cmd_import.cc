// dlc import: an ONNX model as a readable .dl file and its weights as a
// safetensors file beside it (frontend/onnx/import.h).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "runtime/checkpoint_match.h"
#include "runtime/output_file.h"
#include "runtime/safetensors.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/commands.h"
#include "tools/flags.h"
#include "tools/model_loading.h"

namespace dlc::tools {
namespace {

constexpr char kUsageLine[] =
    "usage: dlc import MODEL.onnx [-o MODEL.dl] [--weights=FILE.safetensors] "
    "[--data=IMAGES,LABELS] [--test=IMAGES,LABELS]\n";

std::string WithExtension(const std::string& path, const char* ext) {
  return std::filesystem::path(path).replace_extension(ext).string();
}

absl::Status Import(const std::string& input) {
  std::string output = absl::GetFlag(FLAGS_o);
  if (output.empty()) output = WithExtension(input, ".dl");
  std::string weights = absl::GetFlag(FLAGS_weights);
  if (weights.empty()) weights = WithExtension(output, ".safetensors");
  if (IsOnnxFile(output)) {
    return absl::InvalidArgumentError(StrCat("-o ", output, ": the output is a .dl file"));
  }
  DLC_ASSIGN_OR_RETURN(onnx_import::ImportOptions options, ImportOptionsFromFlags());
  options.model_name = std::filesystem::path(output).stem().string();
  // The .dl file names its weights file as a path relative to it, when beside it.
  const std::filesystem::path out_dir = std::filesystem::path(output).parent_path();
  options.weights_file = std::filesystem::path(weights).parent_path() == out_dir
                             ? std::filesystem::path(weights).filename().string()
                             : weights;
  DLC_ASSIGN_OR_RETURN(onnx_import::ImportedModel imported,
                       onnx_import::ImportOnnxFile(input, options));

  // What is written must be a model dlc reads, whose parameters are the
  // weights: lowered here once, so a fault shows now and not at train time.
  absl::StatusOr<dl::Program> program = dl::ParseProgramText(imported.dl_text, output);
  absl::StatusOr<dl::LoweredModel> lowered =
      program.ok() ? dl::LowerModel(*program, imported.model_name, {1, false})
                   : absl::StatusOr<dl::LoweredModel>(program.status());
  if (!lowered.ok()) {
    return absl::InternalError(StrCat("the imported model does not lower (a bug in dlc import):\n",
                                      lowered.status().message(), "\n", imported.dl_text));
  }
  ExpectedTensors expected;
  for (ValueId p : lowered->graph.Parameters()) {
    expected.needed.emplace(lowered->graph.node(p).name, lowered->graph.node(p).type);
  }
  if (absl::Status match = CheckTensorsMatch(imported.weights, expected, "the imported weights");
      !match.ok()) {
    return absl::InternalError(StrCat("a bug in dlc import: ", match.message()));
  }

  Checkpoint checkpoint;
  checkpoint.tensors = imported.weights;
  checkpoint.metadata = {{"model", imported.model_name},
                         {"producer", "dlc import"},
                         {"source", std::filesystem::path(input).filename().string()}};
  DLC_RETURN_IF_ERROR(WriteSafetensors(weights, checkpoint));
  DLC_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(output, StrCat("-o ", output)));
  DLC_RETURN_IF_ERROR(file.Write(imported.dl_text));
  DLC_RETURN_IF_ERROR(file.Commit());
  int64_t values = 0;
  for (const auto& [name, tensor] : imported.weights) values += tensor.num_elements();
  std::printf("Imported %s as model %s: wrote %s and %s (%zu tensors, %lld parameters)\n",
              input.c_str(), imported.model_name.c_str(), output.c_str(), weights.c_str(),
              imported.weights.size(), static_cast<long long>(values));
  if (!options.data) {
    std::printf(
        "Name the training data in its train section, or import with --data=IMAGES,LABELS "
        "--test=IMAGES,LABELS\n");
  }
  return absl::OkStatus();
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs(kUsageLine, stderr);
    return kExitUsage;
  }
  if (!IsOnnxFile(args[0])) {
    std::fputs(kUsageLine, stderr);
    std::fprintf(stderr, "dlc import reads .onnx files, got %s\n", args[0].c_str());
    return kExitUsage;
  }
  if (absl::Status status = Import(args[0]); !status.ok()) {
    std::fprintf(stderr, "dlc import: %s\n", std::string(status.message()).c_str());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace dlc::tools
