// Lowering a .dl model to the tensor IR: statements in order, each layer
// call bound against its declaration (layers.h) and expanded into ops.
#include "frontend/lower.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <span>

#include "absl/container/flat_hash_set.h"
#include "frontend/diagnostics.h"
#include "frontend/layers.h"
#include "frontend/parser.h"
#include "ir/builder.h"
#include "support/spelling.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

std::string_view KindName(ArgKind kind) {
  switch (kind) {
    case ArgKind::kTensor:
    case ArgKind::kTensors: return "a value (a name or a layer call)";
    case ArgKind::kInt: return "an integer";
    case ArgKind::kFloat: return "a number";
    case ArgKind::kPair: return "an integer or [height, width]";
    case ArgKind::kInts: return "a list of integers";
    case ArgKind::kWord: return "a name";
    case ArgKind::kPadding: return "valid, same or [top, bottom, left, right]";
    case ArgKind::kBool: return "true or false";
    case ArgKind::kString: return "a string";
  }
  return "?";
}

std::string DescribeExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kNumber: return StrCat("the number ", e.text);
    case Expr::Kind::kString: return StrCat("the string \"", e.text, "\"");
    case Expr::Kind::kName: return StrCat("'", e.text, "'");
    case Expr::Kind::kList: return StrCat("the list ", PrintExpr(e));
    case Expr::Kind::kCall: return StrCat("a call of ", e.text);
    case Expr::Kind::kError: return "a value that did not parse";
  }
  return "?";
}

// Integer arguments (units, filters, axis) beyond this are surely mistakes,
// and must not reach int64 overflow.
constexpr int64_t kMaxIntArgument = 1'000'000'000;
// Window sizes, strides and dilations: their products stay far from overflow.
constexpr int64_t kMaxPairItem = 1'000'000;
// Limits of "did you mean" suggestions (see Lowerer::Suggest).
constexpr size_t kMaxSuggestedName = 100;
constexpr int kMaxSuggestions = 50;

bool IsPlainName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

class Lowerer {
 public:
  Lowerer(const Program& program, const Model& model, const LowerOptions& options,
          Diagnostics& diags)
      : program_(program), model_(model), options_(options), diags_(diags), builder_(model.name) {}

  std::optional<LoweredModel> Run() {
    for (const ModelInput& input : model_.inputs) DeclareInput(input);
    for (const Assignment& a : model_.body) {
      std::optional<ValueId> value = Eval(a.value);
      // A failed statement leaves its name poisoned (-1): later uses of it
      // fail quietly instead of repeating the error.
      variables_[a.name] = {value.value_or(-1), a.name_span};
    }
    std::vector<ValueId> outputs;
    for (const Expr& result : model_.results) {
      if (std::optional<ValueId> value = Eval(result)) outputs.push_back(*value);
    }
    if (options_.training && !diags_.has_errors() && !outputs.empty()) {
      CheckTrainableResult(model_.results[0], outputs[0]);
    }
    if (diags_.has_errors()) return std::nullopt;

    LoweredModel lowered;
    auto graph = std::move(builder_).Build(outputs);
    if (!graph.ok()) {
      diags_.Error(model_.name_span, StrCat("internal error: the lowered graph does not verify: ",
                                            graph.status().message()));
      return std::nullopt;
    }
    lowered.graph = *std::move(graph);
    lowered.stages = std::move(stages_);
    if (!lowered.graph.outputs.empty()) {
      const Node& first = lowered.graph.node(lowered.graph.outputs[0]);
      // log_softmax too: an imported classifier may end in one (ONNX's LogSoftmax).
      if (first.op == OpKind::kSoftmax || first.op == OpKind::kLogSoftmax) {
        lowered.logits = first.operands[0];
      }
    }
    return lowered;
  }

 private:
  struct Variable {
    ValueId id = -1;  // -1: its statement failed
    Span span;
  };

  SourceLoc Loc(const Span& span) const { return {program_.path, span.line, span.col}; }

  // The training loss (softmax_cross_entropy, the language's only one) reads
  // the first result as scores [batch, classes]. Checked here, where the
  // return statement is known, so the error points at it.
  void CheckTrainableResult(const Expr& result, ValueId value) {
    const TensorType& type = builder_.type(value);
    if (type.rank() == 2 && IsFloat(type.dtype)) return;
    std::string what = StrCat("it returns ", type.ToString());
    if (result.kind == Expr::Kind::kName) {
      for (const ModelInput& input : model_.inputs) {
        if (input.name == result.text) {
          what = StrCat("it returns its input ", input.name, ", ", type.ToString());
        }
      }
    }
    diags_.Error(result.span,
                 StrCat("a trained model must return float scores of shape [batch, classes] for "
                        "its loss (softmax_cross_entropy); ",
                        what),
                 "end the model with a layer that gives one score per class, such as "
                 "dense(flatten(h), CLASSES, activation=softmax)");
  }

  void DeclareInput(const ModelInput& input) {
    if (variables_.contains(input.name)) {
      diags_.Error(input.name_span, StrCat("input '", input.name, "' is declared twice"));
      return;
    }
    Shape shape = {options_.batch};
    shape.insert(shape.end(), input.shape.begin(), input.shape.end());
    const TensorType type{input.dtype, shape};
    // A failed input is poisoned like a failed statement: its uses say nothing more.
    variables_[input.name] = {-1, input.name_span};
    if (type.num_elements() > kMaxDimension) {
      diags_.Error(input.type_span, StrCat("input ", input.name, " is too large: a batch of it, ",
                                           type.ToString(), ", has more than 2^40 values"));
      return;
    }
    auto id = builder_.Input(input.name, type, Loc(input.name_span));
    if (!id.ok()) {
      diags_.Error(input.name_span, std::string(id.status().message()));
      return;
    }
    variables_[input.name] = {*id, input.name_span};
    used_names_.insert(input.name);
    Stage stage;
    stage.layer = "input";
    stage.name = input.name;
    stage.description = StrCat(DTypeName(input.dtype), " samples");
    stage.span = input.name_span;
    stage.output = *id;
    stage.values = {*id};
    stages_.push_back(std::move(stage));
  }

  // A tensor value: a name bound earlier, or a layer call.
  std::optional<ValueId> Eval(const Expr& e) {
    if (e.kind == Expr::Kind::kError) return std::nullopt;  // reported by the parser
    if (e.kind == Expr::Kind::kName) {
      auto it = variables_.find(e.text);
      if (it != variables_.end()) {
        if (it->second.id < 0) return std::nullopt;  // already reported
        return it->second.id;
      }
      std::vector<std::string_view> names;
      if (MaySuggest(e.text)) {
        for (const auto& [name, var] : variables_) names.push_back(name);
      }
      std::optional<std::string> near = Suggest(e.text, names);
      diags_.Error(e.span, StrCat("unknown name '", e.text, "'"),
                   near                ? StrCat("did you mean '", *near, "'?")
                   : FindLayer(e.text) ? StrCat(e.text, " is a layer: call it, ", e.text, "(...)")
                                       : "");
      return std::nullopt;
    }
    if (e.kind == Expr::Kind::kCall) return Call(e);
    diags_.Error(e.span,
                 StrCat("expected a value (a name or a layer call), got ", DescribeExpr(e)));
    return std::nullopt;
  }

  std::optional<ValueId> Call(const Expr& call) {
    const LayerDef* layer = FindLayer(call.text);
    if (layer == nullptr) {
      std::vector<std::string_view> names = LayerNames();
      std::optional<std::string> near = Suggest(call.text, names);
      std::string hint = near ? StrCat("did you mean '", *near, "'?")
                         : variables_.contains(call.text)
                             ? StrCat("'", call.text, "' is a value, not a layer")
                             : "";
      diags_.Error(Span{call.span.line, call.span.col, static_cast<int>(call.text.size())},
                   StrCat("unknown layer '", call.text, "'"), hint);
      // Still look at the arguments: their own mistakes are worth reporting.
      for (const Argument& arg : call.args) {
        if (arg.value.kind == Expr::Kind::kCall) Call(arg.value);
      }
      return std::nullopt;
    }
    LayerArgs args;
    std::string explicit_name;
    if (!Bind(*layer, call, args, explicit_name)) return std::nullopt;

    Stage stage;
    stage.layer = std::string(layer->name);
    stage.span = Span{call.span.line, call.span.col, static_cast<int>(call.text.size())};
    stage.inputs = args.tensors;
    if (!explicit_name.empty()) {
      stage.name = explicit_name;
    } else {
      stage.name = FreshStageName(layer->name);
    }
    used_names_.insert(stage.name);

    LayerContext ctx(builder_, stage, options_, program_.path, &stages_);
    absl::StatusOr<ValueId> output = layer->emit(ctx, args);
    if (!output.ok()) {
      Span where = stage.span;
      if (auto it = args.spans.find(ctx.failed_arg); it != args.spans.end()) where = it->second;
      diags_.Error(where, std::string(output.status().message()), ctx.hint);
      return std::nullopt;
    }
    stage.output = *output;
    stages_.push_back(std::move(stage));
    return *output;
  }

  // "Did you mean" for a misspelled name, as clang does it: for everyday
  // names and the first few mistakes only. (Its edit-distance table grows
  // with the product of the lengths, and every candidate is tried.)
  bool MaySuggest(std::string_view name) const {
    return name.size() <= kMaxSuggestedName && suggestions_left_ > 0;
  }
  std::optional<std::string> Suggest(std::string_view name,
                                     std::span<const std::string_view> candidates) {
    if (!MaySuggest(name)) return std::nullopt;
    --suggestions_left_;
    std::vector<std::string_view> plausible;
    for (std::string_view c : candidates) {
      if (c.size() <= 2 * kMaxSuggestedName) plausible.push_back(c);
    }
    return ClosestName(name, plausible);
  }

  // Keras-style: dense, dense_1, dense_2, ...
  std::string FreshStageName(std::string_view layer) {
    int& count = name_counts_[std::string(layer)];
    std::string name;
    do {
      name = count == 0 ? std::string(layer) : StrCat(layer, "_", count);
      ++count;
    } while (used_names_.contains(name));
    return name;
  }

  // Binds the call's arguments to the layer's declaration; reports every
  // problem with them and returns false if there was any.
  bool Bind(const LayerDef& layer, const Expr& call, LayerArgs& args, std::string& name) {
    bool ok = true;
    const Span callee{call.span.line, call.span.col, static_cast<int>(call.text.size())};
    std::map<std::string, const Argument*, std::less<>> given;
    // Arguments a misspelled keyword was taken for: not reported missing too.
    absl::flat_hash_set<std::string> suggested;
    size_t next_positional = 0;
    bool named = false;
    for (const Argument& arg : call.args) {
      if (arg.keyword == "name") {
        if (named) {
          diags_.Error(arg.keyword_span,
                       StrCat("argument 'name' of ", layer.name, " is given twice"));
          ok = false;
          continue;
        }
        named = true;
        ok &= BindName(arg, name);
        continue;
      }
      const ArgSpec* spec = nullptr;
      if (arg.keyword.empty()) {
        // A values list (add, concat) takes every positional argument.
        if (next_positional < layer.args.size() &&
            layer.args[next_positional].kind == ArgKind::kTensors) {
          spec = &layer.args[next_positional];
          std::optional<ValueId> v = Eval(arg.value);
          ok &= v.has_value();
          if (v) {
            args.tensors.push_back(*v);
            args.tensor_spans.push_back(arg.value.span);
          }
          continue;
        }
        if (next_positional >= layer.args.size()) {
          diags_.Error(arg.value.span,
                       StrCat(layer.name, " takes ", layer.args.size(), " argument",
                              layer.args.size() == 1 ? "" : "s", ", this is one more"),
                       StrCat("its arguments are: ", ArgumentList(layer)));
          ok = false;
          continue;
        }
        spec = &layer.args[next_positional++];
      } else {
        for (const ArgSpec& s : layer.args) {
          if (s.name == arg.keyword) spec = &s;
        }
        if (spec != nullptr && spec->kind == ArgKind::kTensors) {
          diags_.Error(arg.keyword_span,
                       StrCat(layer.name, " takes its ", spec->name, " by position, not as ",
                              arg.keyword, "="),
                       StrCat("e.g. ", layer.name, "(a, b)"));
          ok = false;
          continue;
        }
        if (spec == nullptr) {
          std::vector<std::string_view> names;
          for (const ArgSpec& s : layer.args) names.push_back(s.name);
          std::optional<std::string> near = Suggest(arg.keyword, names);
          if (near) suggested.insert(*near);
          diags_.Error(arg.keyword_span, StrCat(layer.name, " has no argument '", arg.keyword, "'"),
                       near ? StrCat("did you mean '", *near, "'?")
                            : StrCat("its arguments are: ", ArgumentList(layer)));
          ok = false;
          continue;
        }
      }
      auto [it, inserted] = given.emplace(spec->name, &arg);
      if (!inserted) {
        diags_.Error(arg.keyword.empty() ? arg.value.span : arg.keyword_span,
                     StrCat("argument '", spec->name, "' of ", layer.name, " is given twice"));
        ok = false;
        continue;
      }
      ok &= BindOne(*spec, arg, args);
    }
    for (const ArgSpec& spec : layer.args) {
      if (given.contains(spec.name) || spec.kind == ArgKind::kTensors) continue;
      if (spec.default_value) {
        args.values.emplace(std::string(spec.name), *spec.default_value);
      } else if (!spec.optional && !suggested.contains(std::string(spec.name))) {
        diags_.Error(callee,
                     StrCat(layer.name, " needs '", spec.name, "' (", KindName(spec.kind), ")"),
                     StrCat("its arguments are: ", ArgumentList(layer)));
        ok = false;
      }
    }
    return ok;
  }

  static std::string ArgumentList(const LayerDef& layer) {
    std::string list;
    for (const ArgSpec& s : layer.args) {
      if (!list.empty()) list += ", ";
      list += std::string(s.name);
      if (s.kind == ArgKind::kTensors) list += "...";
    }
    return list + ", name";
  }

  bool BindName(const Argument& arg, std::string& name) {
    if (arg.value.kind != Expr::Kind::kString || !IsPlainName(arg.value.text)) {
      diags_.Error(arg.value.span, "name must be a string of letters, digits and '_'",
                   "e.g. name=\"encoder\"");
      return false;
    }
    // Graph inputs that lowering adds (rng_key) are taken too.
    if (used_names_.contains(arg.value.text) || builder_.graph().Find(arg.value.text)) {
      diags_.Error(arg.value.span, StrCat("the name \"", arg.value.text, "\" is already used"));
      return false;
    }
    name = arg.value.text;
    return true;
  }

  bool BindOne(const ArgSpec& spec, const Argument& arg, LayerArgs& args) {
    const Expr& e = arg.value;
    const std::string name(spec.name);
    args.spans[name] = e.span;
    args.texts[name] = PrintExpr(e);
    auto wrong = [&](std::string expected) {
      diags_.Error(e.span, StrCat(name, " must be ", expected, ", got ", DescribeExpr(e)));
      return false;
    };
    auto too_large = [&](const Expr& number, int64_t limit) {
      diags_.Error(number.span, StrCat(name, " must be at most ", limit,
                                       spec.kind == ArgKind::kInt ? " in absolute value" : "",
                                       ", got ", number.text));
      return false;
    };
    switch (spec.kind) {
      case ArgKind::kTensor:
      case ArgKind::kTensors: {
        std::optional<ValueId> v = Eval(e);
        if (!v) return false;
        args.tensors.push_back(*v);
        args.tensor_spans.push_back(e.span);
        return true;
      }
      case ArgKind::kInt:
        if (e.kind != Expr::Kind::kNumber || !e.is_integer) return wrong("an integer");
        if (std::abs(e.number) > kMaxIntArgument) return too_large(e, kMaxIntArgument);
        args.values[name] = static_cast<int64_t>(e.number);
        return true;
      case ArgKind::kFloat:
        if (e.kind != Expr::Kind::kNumber) return wrong("a number");
        args.values[name] = e.number;
        return true;
      case ArgKind::kPair: {
        auto positive_int = [](const Expr& x) {
          return x.kind == Expr::Kind::kNumber && x.is_integer && x.number >= 1;
        };
        if (positive_int(e)) {
          if (e.number > kMaxPairItem) return too_large(e, kMaxPairItem);
          args.values[name] =
              IntPair{static_cast<int64_t>(e.number), static_cast<int64_t>(e.number)};
          return true;
        }
        if (e.kind == Expr::Kind::kList && e.items.size() == 2 && positive_int(e.items[0]) &&
            positive_int(e.items[1])) {
          for (const Expr& item : e.items) {
            if (item.number > kMaxPairItem) return too_large(item, kMaxPairItem);
          }
          args.values[name] = IntPair{static_cast<int64_t>(e.items[0].number),
                                      static_cast<int64_t>(e.items[1].number)};
          return true;
        }
        return wrong("a positive integer or [height, width]");
      }
      case ArgKind::kInts: {
        if (e.kind != Expr::Kind::kList) return wrong("a list of integers, e.g. [0, 3, 1, 2]");
        std::vector<int64_t> values;
        for (const Expr& item : e.items) {
          if (item.kind != Expr::Kind::kNumber || !item.is_integer) {
            diags_.Error(item.span,
                         StrCat(name, " must be a list of integers, got ", DescribeExpr(item)));
            return false;
          }
          if (std::abs(item.number) > kMaxIntArgument) return too_large(item, kMaxIntArgument);
          values.push_back(static_cast<int64_t>(item.number));
        }
        args.values[name] = std::move(values);
        return true;
      }
      case ArgKind::kPadding:
        if (e.kind == Expr::Kind::kList) return BindPads(name, e, args);
        [[fallthrough]];  // a word
      case ArgKind::kWord: {
        if (e.kind != Expr::Kind::kName && e.kind != Expr::Kind::kString) {
          return wrong(StrCat("one of ", WordList(spec)));
        }
        if (std::find(spec.words.begin(), spec.words.end(), e.text) == spec.words.end()) {
          std::optional<std::string> near = Suggest(e.text, spec.words);
          diags_.Error(e.span, StrCat("unknown ", name, " '", e.text, "'"),
                       near ? StrCat("did you mean '", *near, "'?")
                            : StrCat("choose one of ", WordList(spec)));
          return false;
        }
        args.values[name] = e.text;
        return true;
      }
      case ArgKind::kBool:
        if (e.kind != Expr::Kind::kName || (e.text != "true" && e.text != "false")) {
          return wrong("true or false");
        }
        args.values[name] = e.text == "true";
        return true;
      case ArgKind::kString:
        if (e.kind != Expr::Kind::kString) return wrong("a string");
        args.values[name] = e.text;
        return true;
    }
    return false;
  }

  // padding=[top, bottom, left, right]: four amounts >= 0.
  bool BindPads(const std::string& name, const Expr& e, LayerArgs& args) {
    std::vector<int64_t> pads;
    for (const Expr& item : e.items) {
      if (item.kind != Expr::Kind::kNumber || !item.is_integer || item.number < 0 ||
          item.number > kMaxPairItem) {
        diags_.Error(item.span, StrCat(name, " amounts must be integers from 0 to ", kMaxPairItem,
                                       ", got ", DescribeExpr(item)));
        return false;
      }
      pads.push_back(static_cast<int64_t>(item.number));
    }
    if (pads.size() != 4) {
      diags_.Error(e.span, StrCat(name, " takes valid, same or [top, bottom, left, right], got ",
                                  pads.size(), pads.size() == 1 ? " amount" : " amounts"));
      return false;
    }
    args.values[name] = std::move(pads);
    return true;
  }

  static std::string WordList(const ArgSpec& spec) {
    std::string list;
    for (std::string_view w : spec.words) list += StrCat(list.empty() ? "" : ", ", w);
    return list;
  }

  const Program& program_;
  const Model& model_;
  const LowerOptions& options_;
  Diagnostics& diags_;
  GraphBuilder builder_;
  std::map<std::string, Variable, std::less<>> variables_;
  std::vector<Stage> stages_;
  std::map<std::string, int> name_counts_;
  absl::flat_hash_set<std::string> used_names_;
  int suggestions_left_ = kMaxSuggestions;
};

}  // namespace

absl::StatusOr<LoweredModel> LowerModel(const Program& program, std::string_view model_name,
                                        const LowerOptions& options) {
  const Model* model = program.FindModel(model_name);
  if (model == nullptr) {
    return absl::NotFoundError(StrCat(program.path, ": no model named '", model_name, "'"));
  }
  if (options.batch <= 0) {
    return absl::InvalidArgumentError(
        StrCat("the batch size must be positive, got ", options.batch));
  }
  Diagnostics diags(program.path, program.text);
  std::optional<LoweredModel> lowered = LowerModel(program, *model, options, diags);
  if (!lowered) return diags.ToStatus();
  return *std::move(lowered);
}

std::optional<LoweredModel> LowerModel(const Program& program, const Model& model,
                                       const LowerOptions& options, Diagnostics& diags) {
  std::optional<LoweredModel> lowered = Lowerer(program, model, options, diags).Run();
  if (diags.has_errors()) return std::nullopt;
  return lowered;
}

absl::StatusOr<Program> LoadProgramFile(const std::string& path) {
  absl::StatusOr<std::string> read = ReadSourceFile(path);
  if (!read.ok()) return read.status();
  const std::string& text = *read;
  Diagnostics diags(path, text);
  Program program = ParseProgram(text, path, diags);
  if (!diags.has_errors()) return program;
  for (const Model& model : program.models) {
    LowerModel(program, model, {/*batch=*/1, /*training=*/false}, diags);
  }
  return diags.ToStatus();
}

}  // namespace dlc::dl
