// The layers of the .dl language. Each is declared once: its arguments
// (positional order, kinds, defaults) and how it expands into tensor-IR ops
// and parameters. Lowering (lower.cc) binds a call's arguments against the
// declaration and calls the layer's Emit.
#ifndef DLC_FRONTEND_LAYERS_H_
#define DLC_FRONTEND_LAYERS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/lower.h"
#include "ir/builder.h"

namespace dlc::dl {

enum class ArgKind {
  kTensor,   // a value: a name or a layer call
  kTensors,  // all remaining positional values (add, concat)
  kInt,
  kFloat,
  kPair,     // 3 or [3, 5]: height and width
  kInts,     // a list of integers: [0, 3, 1, 2]
  kWord,     // one of ArgSpec::words, written bare (relu) or quoted ("relu")
  kPadding,  // one of ArgSpec::words (valid, same) or [top, bottom, left, right]
  kBool,     // true / false
  kString,
};

struct IntPair {
  int64_t h = 0, w = 0;
};

// A bound non-tensor argument.
using ArgValue = std::variant<int64_t, double, IntPair, std::string, bool, std::vector<int64_t>>;

struct ArgSpec {
  std::string_view name;
  ArgKind kind;
  // nullopt: required. kOptional: may be absent (the layer decides).
  std::optional<ArgValue> default_value;
  std::vector<std::string_view> words = {};  // for kWord
  bool optional = false;
};

// A call's arguments after binding: values by name, with where each was written.
struct LayerArgs {
  std::vector<ValueId> tensors;  // kTensor then kTensors arguments, in order
  std::vector<Span> tensor_spans;
  std::map<std::string, ArgValue, std::less<>> values;
  std::map<std::string, Span, std::less<>> spans;         // of arguments written in the call
  std::map<std::string, std::string, std::less<>> texts;  // as written ("1/255")

  bool Has(std::string_view name) const { return values.contains(name); }
  int64_t Int(std::string_view name) const;
  double Float(std::string_view name) const;
  IntPair Pair(std::string_view name) const;
  std::string Word(std::string_view name) const;
  bool Bool(std::string_view name) const;
  std::vector<int64_t> Ints(std::string_view name) const;
  // A kPadding argument as the IR's padding attribute: "valid", "same" or
  // the explicit [top, bottom, left, right].
  Attribute Padding(std::string_view name) const;
  std::string Text(std::string_view name) const;  // as written, or the default printed
};

// What a layer's Emit works with: the graph under construction and the
// stage (row of the data-flow table) it fills in.
class LayerContext {
 public:
  LayerContext(GraphBuilder& builder, Stage& stage, const LowerOptions& options, std::string file,
               std::vector<Stage>* stages)
      : builder_(builder),
        stage_(stage),
        options_(options),
        file_(std::move(file)),
        stages_(stages) {}

  // Adds an op named "<stage>.<suffix>" ("<stage>" for an empty suffix).
  absl::StatusOr<ValueId> Op(OpKind op, std::vector<ValueId> operands, Attributes attrs,
                             std::string_view suffix);
  // Declares a trainable parameter "<stage>.<suffix>".
  absl::StatusOr<ValueId> Param(std::string_view suffix, TensorType type, std::string init);
  absl::StatusOr<ValueId> Scalar(double value, std::string_view suffix);
  // A graph input (e.g. the dropout key), created once per graph.
  absl::StatusOr<ValueId> SharedInput(std::string name, TensorType type);

  const TensorType& type(ValueId id) const { return builder_.type(id); }
  const LowerOptions& options() const { return options_; }
  Stage& stage() { return stage_; }
  // The stage's row in the data-flow table (1 for the first model input);
  // also what separates the random streams of two dropout layers.
  int64_t stage_number() const { return static_cast<int64_t>(stages_->size()) + 1; }
  // "f32[32,26,26,32] from conv2d (line 3)": a value and where it came from.
  std::string Describe(ValueId id) const;

  // Fails the layer with a message pointing at argument `arg` (or the call
  // when empty). Returns the status to return from Emit.
  absl::Status Fail(std::string_view arg, std::string message, std::string hint = "");

  // Set by Fail, read by lowering to place the diagnostic.
  std::string failed_arg;
  std::string hint;

 private:
  std::string ValueName(std::string_view suffix) const;

  GraphBuilder& builder_;
  Stage& stage_;
  const LowerOptions& options_;
  std::string file_;
  std::vector<Stage>* stages_;
};

using LayerEmit = absl::StatusOr<ValueId> (*)(LayerContext& ctx, const LayerArgs& args);

struct LayerDef {
  std::string_view name;
  std::string_view display_name;  // the familiar (Keras) name, for dlc inspect
  std::vector<ArgSpec> args;
  LayerEmit emit;
};

// nullptr when there is no layer of that name.
const LayerDef* FindLayer(std::string_view name);
std::vector<std::string_view> LayerNames();

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_LAYERS_H_
