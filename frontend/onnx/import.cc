#include "frontend/onnx/import.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_join.h"
#include "frontend/onnx/convert.h"
#include "frontend/onnx/onnx_model.h"
#include "support/str_cat.h"

namespace dlc::onnx_import {
namespace {

std::string ModelName(const ImportOptions& options, std::string_view source) {
  std::string name = options.model_name.empty()
                         ? std::filesystem::path(std::string(source)).stem().string()
                         : options.model_name;
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "m" + out;
  if (out == "model" || out == "train" || out == "return") out += "_";
  return out;
}

std::string DataLine(std::string_view key, const std::optional<IdxFiles>& files,
                     std::string_view example) {
  if (!files) return StrCat("  # ", key, " = idx(", example, ")   # fill in and uncomment\n");
  return StrCat("  ", key, " = idx(\"", files->images, "\", \"", files->labels, "\")\n");
}

std::string Text(const OnnxModel& model, const ConvertedGraph& graph, const std::string& name,
                 std::string_view source, const ImportOptions& options) {
  const auto& proto = model.proto;
  std::string out =
      StrCat("# Imported from ", std::filesystem::path(std::string(source)).filename().string(),
             " by dlc import: ONNX opset ", model.opset);
  if (!proto.producer_name().empty()) {
    out += StrCat(", produced by ", proto.producer_name(), " ", proto.producer_version());
  }
  out += ".\n";
  for (const std::string& note : graph.input_notes) out += StrCat("# ", note, ".\n");
  if (!options.weights_file.empty()) {
    out += StrCat("# Its weights are in ", options.weights_file,
                  ", laid out for dlc: start from "
                  "them with --init=",
                  options.weights_file, ".\n");
  }
  out += StrCat("model ", name, "(", absl::StrJoin(graph.inputs, ", "), ") {\n");
  size_t width = 0;
  for (const Statement& s : graph.statements) width = std::max(width, s.text.size());
  for (const Statement& s : graph.statements) {
    out += StrCat("  ", s.text, std::string(width - s.text.size(), ' '), "  # ", s.comment, "\n");
  }
  out += StrCat("  return ", absl::StrJoin(graph.results, ", "), "\n}\n\n");
  out += StrCat("train ", name, " {\n",
                DataLine("data", options.data, "\"train-images.gz\", \"train-labels.gz\""),
                DataLine("test", options.test, "\"test-images.gz\", \"test-labels.gz\""),
                "  loss = softmax_cross_entropy\n"
                "  optimizer = adam(lr=0.001)\n"
                "  batch = 32\n"
                "  epochs = 5\n"
                "}\n");
  return out;
}

}  // namespace

absl::StatusOr<ImportedModel> ImportOnnx(std::string_view bytes, std::string_view source,
                                         const ImportOptions& options) {
  absl::StatusOr<OnnxModel> model = ReadOnnxModel(bytes, source);
  if (!model.ok()) return model.status();
  absl::StatusOr<ConvertedGraph> graph = ConvertGraph(*model);
  if (!graph.ok()) return graph.status();
  ImportedModel imported;
  imported.model_name = ModelName(options, source);
  imported.dl_text = Text(*model, *graph, imported.model_name, source, options);
  imported.weights = std::move(graph->weights);
  return imported;
}

absl::StatusOr<ImportedModel> ImportOnnxFile(const std::string& path,
                                             const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(StrCat(path, ": cannot open the file"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return absl::DataLossError(StrCat(path, ": cannot read the file"));
  return ImportOnnx(bytes.str(), path, options);
}

}  // namespace dlc::onnx_import
