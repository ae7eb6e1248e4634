// Lowering: a model of a .dl program becomes a tensor-IR graph. Each layer
// call expands into IR ops and declares its trainable parameters; the
// batch dimension, implicit in the language, becomes static here.
#ifndef DLC_FRONTEND_LOWER_H_
#define DLC_FRONTEND_LOWER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "ir/graph.h"

namespace dlc::dl {

struct LowerOptions {
  int64_t batch = 1;
  // Training mode: dropout is active and draws its mask from the graph input
  // %rng_key (i32[2]: seed and step). In inference mode dropout is the identity.
  bool training = false;
};

// One step of the model's data flow: a model input or a layer call. This is
// what `dlc inspect` tabulates and prediction traces walk.
struct Stage {
  std::string layer;        // "input", "conv2d", "dense", ...
  std::string name;         // unique: "x", "conv2d", "dense_1"; prefixes its IR values
  std::string description;  // in words: "32 filters 3x3, stride 1, valid padding, relu"
  Span span;                // where it is written
  std::vector<ValueId> inputs;
  ValueId output = -1;
  std::vector<ValueId> parameters;  // in declaration order (kernel, bias)
  std::vector<ValueId> values;      // every IR value the stage created (incl. output)
};

struct LoweredModel {
  Graph graph;  // outputs: the model's results, in order
  std::vector<Stage> stages;
  // When the first result is a softmax or log_softmax (a classifier with such an output),
  // the logits it was computed from: a cross-entropy loss takes these, which
  // is both exact and numerically stable.
  std::optional<ValueId> logits;
};

// Lowers model `model_name` of `program`. Every error in the model is
// reported (with file:line:col, caret and hint), not only the first.
absl::StatusOr<LoweredModel> LowerModel(const Program& program, std::string_view model_name,
                                        const LowerOptions& options);

// The same, reporting into `diags` (shared with the parser, so that one run
// reports syntax errors and errors of meaning together). nullopt if `diags`
// has any error afterwards.
std::optional<LoweredModel> LowerModel(const Program& program, const Model& model,
                                       const LowerOptions& options, Diagnostics& diags);

// Reads and parses a .dl file. When it has syntax errors, its models are
// still lowered as far as they parsed, so that mistakes of meaning in other
// statements are reported in the same run; the status then holds them all.
absl::StatusOr<Program> LoadProgramFile(const std::string& path);

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_LOWER_H_
