// libFuzzer target: any bytes given to the ONNX importer must give an
// imported model or an error with a message, never a crash, hang or
// sanitizer report (libonnx's exceptions included). What imports must be a
// .dl program the front end lowers, whose parameters are exactly the
// imported weights (names and types): what `dlc import` writes must train.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "frontend/lower.h"
#include "frontend/onnx/import.h"
#include "frontend/parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<dlc::onnx_import::ImportedModel> imported =
      dlc::onnx_import::ImportOnnx(bytes, "fuzz.onnx");
  if (!imported.ok()) {
    Check(!imported.status().message().empty());
    return 0;
  }
  absl::StatusOr<dlc::dl::Program> program =
      dlc::dl::ParseProgramText(imported->dl_text, "fuzz.dl");
  Check(program.ok());
  for (bool training : {false, true}) {
    absl::StatusOr<dlc::dl::LoweredModel> lowered =
        dlc::dl::LowerModel(*program, imported->model_name, {.batch = 2, .training = training});
    // A model that does not end in [batch, classes] scores lowers for inference only.
    if (training && !lowered.ok()) continue;
    Check(lowered.ok());
    size_t parameters = 0;
    for (dlc::ValueId p : lowered->graph.Parameters()) {
      const dlc::Node& node = lowered->graph.node(p);
      auto it = imported->weights.find(node.name);
      Check(it != imported->weights.end() && it->second.type() == node.type);
      ++parameters;
    }
    Check(parameters == imported->weights.size());
  }
  return 0;
}
