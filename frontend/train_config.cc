#include "frontend/train_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "frontend/diagnostics.h"
#include "support/spelling.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

using Kind = Expr::Kind;

// ---- wording ----

// How a value was written, for the "got ..." part of a message.
std::string Got(const Expr& e) {
  switch (e.kind) {
    case Kind::kNumber: return e.text;
    case Kind::kString: return StrCat("the string ", PrintExpr(e));
    case Kind::kName: return StrCat("the name ", e.text);
    case Kind::kCall: return StrCat("a call of ", e.text, "(...)");
    case Kind::kList: return "a list";
    case Kind::kError: return "a value that did not parse";
  }
  return "";
}

std::string JoinNames(std::span<const std::string_view> names) {
  return absl::StrJoin(names, ", ", [](std::string* out, std::string_view name) {
    out->append(name.data(), name.size());
  });
}

// "did you mean 'x'?" when a candidate is a plausible typo of `name`.
std::string DidYouMean(std::string_view name, std::span<const std::string_view> candidates,
                       std::string otherwise) {
  if (std::optional<std::string> near = ClosestName(name, candidates)) {
    return StrCat("did you mean '", *near, "'?");
  }
  return otherwise;
}

// A string whose contents would have been a fine number or boolean.
bool IsQuotedLiteral(const Expr& e) {
  if (e.kind != Kind::kString || e.text.empty()) return false;
  if (e.text == "true" || e.text == "false") return true;
  if (e.text.find_first_not_of("0123456789.eE+-") != std::string::npos) return false;
  char* end = nullptr;
  std::strtod(e.text.c_str(), &end);
  return end == e.text.c_str() + e.text.size();
}

// ---- value rules ----

struct IntegerRule {
  std::string_view expected;
  int64_t min;
};
constexpr IntegerRule kPositiveInteger{"a positive integer", 1};
constexpr IntegerRule kNonNegativeInteger{"a non-negative integer", 0};

struct RealRule {
  std::string_view expected;
  bool (*accepts)(double);
};
constexpr RealRule kPositive{"a positive number", [](double x) { return x > 0; }};
constexpr RealRule kNonNegative{"a non-negative number", [](double x) { return x >= 0; }};
constexpr RealRule kFraction{"a number in [0, 1)", [](double x) { return x >= 0 && x < 1; }};

// An optimizer argument: a number that `rule` accepts, or true/false.
struct OptimizerArgSpec {
  std::string_view name;
  double OptimizerSpec::*number = nullptr;
  RealRule rule = {};
  bool OptimizerSpec::*flag = nullptr;
};

struct OptimizerSyntax {
  std::string_view name;
  OptimizerSpec::Kind kind;
  std::span<const OptimizerArgSpec> args;
};

// Names already given in a section or call, and where.
using SeenNames = std::map<std::string, Span, std::less<>>;

// Turns setting values into typed ones. Each method reports what is wrong
// with a value at the value and returns nullopt; the caller moves on, so
// every mistake in a section is reported.
class SectionResolver {
 public:
  SectionResolver(std::filesystem::path folder, Diagnostics& diags)
      : folder_(std::move(folder)), diags_(diags) {}

  TrainConfig Resolve(const TrainSection& section);

  std::optional<int64_t> Integer(const Expr& e, std::string_view what, const IntegerRule& rule);
  std::optional<double> Real(const Expr& e, std::string_view what, const RealRule& rule);
  std::optional<bool> Boolean(const Expr& e, std::string_view what);
  std::optional<DataSource> Data(const Expr& e, std::string_view what);
  std::optional<std::string> Loss(const Expr& e);
  std::optional<OptimizerSpec> Optimizer(const Expr& e);

 private:
  // "<what> must be <expected>, got <value>".
  void Mismatch(const Expr& e, std::string_view what, std::string_view expected,
                std::string hint = "");
  std::optional<std::string> Path(const Expr& e, std::string_view what);
  // False (and reported) when `name` already appeared among `seen` in `call`.
  bool FirstUse(std::string_view name, Span where, std::string_view call, SeenNames& seen);
  void OptimizerArgument(const OptimizerArgSpec& spec, const Expr& e, OptimizerSpec& config);
  void UnknownOptimizerArgument(const OptimizerSyntax& spec, std::string_view name, Span where);
  void CheckNesterovHasMomentum(const Expr& call, const OptimizerSpec& config);

  std::filesystem::path folder_;  // of the .dl file; relative data paths start here
  Diagnostics& diags_;
};

template <typename T, typename Field>
void SetIfResolved(const std::optional<T>& value, Field& field) {
  if (value) field = *value;
}

// ---- the settings ----

struct SettingSpec {
  std::string_view name;  // the key
  void (*resolve)(SectionResolver&, const Expr&, TrainConfig&);
};

// One entry per key; its function reads the value into the configuration.
// clang-format off
constexpr SettingSpec kSettings[] = {
    {"data", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       c.data = r.Data(v, "data");
     }},
    {"test", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       c.test = r.Data(v, "test");
     }},
    {"loss", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Loss(v), c.loss);
     }},
    {"optimizer", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Optimizer(v), c.optimizer);
     }},
    {"batch", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Integer(v, "batch", kPositiveInteger), c.batch);
     }},
    {"epochs", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Integer(v, "epochs", kPositiveInteger), c.epochs);
     }},
    {"seed", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Integer(v, "seed", kNonNegativeInteger), c.seed);
     }},
    {"shuffle", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Boolean(v, "shuffle"), c.shuffle);
     }},
    {"drop_remainder", [](SectionResolver& r, const Expr& v, TrainConfig& c) {
       SetIfResolved(r.Boolean(v, "drop_remainder"), c.drop_remainder);
     }},
};
// clang-format on

constexpr std::string_view kLosses[] = {"softmax_cross_entropy"};

// ---- the optimizers ----

// lr comes first: it is the one argument that may also be given without a name.
constexpr OptimizerArgSpec kAdamArgs[] = {
    {"lr", &OptimizerSpec::lr, kPositive},
    {"beta1", &OptimizerSpec::beta1, kFraction},
    {"beta2", &OptimizerSpec::beta2, kFraction},
    {"epsilon", &OptimizerSpec::epsilon, kPositive},
    {"weight_decay", &OptimizerSpec::weight_decay, kNonNegative},
};

constexpr OptimizerArgSpec kSgdArgs[] = {
    {"lr", &OptimizerSpec::lr, kPositive},
    {"momentum", &OptimizerSpec::momentum, kFraction},
    {.name = "nesterov", .flag = &OptimizerSpec::nesterov},
    {"weight_decay", &OptimizerSpec::weight_decay, kNonNegative},
};

constexpr OptimizerSyntax kOptimizers[] = {
    {"adam", OptimizerSpec::Kind::kAdam, kAdamArgs},
    {"sgd", OptimizerSpec::Kind::kSgd, kSgdArgs},
};

// The entry of `table` called `name`, or null.
template <typename Table>
auto FindSpec(const Table& table, std::string_view name) -> decltype(&*std::begin(table)) {
  for (const auto& spec : table) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

template <typename Table>
std::vector<std::string_view> NamesOf(const Table& table) {
  std::vector<std::string_view> names;
  for (const auto& spec : table) names.push_back(spec.name);
  return names;
}

std::string ArgumentList(const OptimizerSyntax& spec) { return JoinNames(NamesOf(spec.args)); }

// The optimizer, other than `except`, that takes an argument called `name`.
const OptimizerSyntax* OptimizerTaking(std::string_view name, const OptimizerSyntax& except) {
  for (const OptimizerSyntax& spec : kOptimizers) {
    if (&spec != &except && FindSpec(spec.args, name)) return &spec;
  }
  return nullptr;
}

// ---- SectionResolver ----

TrainConfig SectionResolver::Resolve(const TrainSection& section) {
  TrainConfig config;
  SeenNames seen;
  for (const Setting& setting : section.settings) {
    const SettingSpec* spec = FindSpec(kSettings, setting.key);
    if (spec == nullptr) {
      const std::vector<std::string_view> keys = NamesOf(kSettings);
      diags_.Error(setting.key_span, StrCat("unknown train setting '", setting.key, "'"),
                   DidYouMean(setting.key, keys, StrCat("the settings are ", JoinNames(keys))));
      continue;
    }
    if (auto first = seen.find(setting.key); first != seen.end()) {
      diags_.Error(setting.key_span,
                   StrCat("'", setting.key, "' is already set on line ", first->second.line),
                   "remove one of the two");
      continue;
    }
    seen.emplace(setting.key, setting.key_span);
    spec->resolve(*this, setting.value, config);
  }
  return config;
}

void SectionResolver::Mismatch(const Expr& e, std::string_view what, std::string_view expected,
                               std::string hint) {
  if (hint.empty() && IsQuotedLiteral(e)) hint = "remove the quotes";
  diags_.Error(e.span, StrCat(what, " must be ", expected, ", got ", Got(e)), std::move(hint));
}

std::optional<int64_t> SectionResolver::Integer(const Expr& e, std::string_view what,
                                                const IntegerRule& rule) {
  if (e.kind != Kind::kNumber) {
    Mismatch(e, what, rule.expected);
    return std::nullopt;
  }
  if (!e.is_integer) {
    // 1e3 or 64.0 name a whole number, only not in the integer way.
    const bool whole = std::trunc(e.number) == e.number && std::abs(e.number) < 1e15;
    Mismatch(e, what, rule.expected,
             whole ? StrCat("write it as an integer: ", static_cast<int64_t>(e.number)) : "");
    return std::nullopt;
  }
  // From the text, not the double, so large integers stay exact.
  int64_t value = 0;
  const char* end = e.text.data() + e.text.size();
  auto [stop, error] = std::from_chars(e.text.data(), end, value);
  if (error != std::errc() || stop != end) {
    Mismatch(e, what, rule.expected, "it does not fit in 64 bits");
    return std::nullopt;
  }
  if (value < rule.min) {
    Mismatch(e, what, rule.expected);
    return std::nullopt;
  }
  return value;
}

std::optional<double> SectionResolver::Real(const Expr& e, std::string_view what,
                                            const RealRule& rule) {
  if (e.kind != Kind::kNumber || !std::isfinite(e.number) || !rule.accepts(e.number)) {
    Mismatch(e, what, rule.expected);
    return std::nullopt;
  }
  return e.number;
}

std::optional<bool> SectionResolver::Boolean(const Expr& e, std::string_view what) {
  if (e.kind == Kind::kName && e.text == "true") return true;
  if (e.kind == Kind::kName && e.text == "false") return false;
  Mismatch(e, what, "true or false");
  return std::nullopt;
}

std::optional<std::string> SectionResolver::Path(const Expr& e, std::string_view what) {
  if (e.kind != Kind::kString) {
    Mismatch(e, what, "a string", "write the path in double quotes");
    return std::nullopt;
  }
  if (e.text.empty()) {
    diags_.Error(e.span, StrCat(what, " is empty"));
    return std::nullopt;
  }
  const std::filesystem::path path(e.text);
  if (path.is_absolute()) return e.text;
  return (folder_ / path).lexically_normal().string();
}

bool SectionResolver::FirstUse(std::string_view name, Span where, std::string_view call,
                               SeenNames& seen) {
  if (seen.contains(name)) {
    diags_.Error(where, StrCat("'", name, "' is given twice in ", call, "(...)"),
                 "remove one of the two");
    return false;
  }
  seen.emplace(name, where);
  return true;
}

std::optional<DataSource> SectionResolver::Data(const Expr& e, std::string_view what) {
  if (e.kind != Kind::kCall) {
    Mismatch(e, what, "idx(IMAGES, LABELS)",
             StrCat("write ", what, " = idx(\"images.gz\", \"labels.gz\")"));
    return std::nullopt;
  }
  if (e.text != "idx") {
    constexpr std::string_view kFormats[] = {"idx"};
    diags_.Error(e.span, StrCat("unknown data format '", e.text, "'"),
                 DidYouMean(e.text, kFormats, "the only format is idx(IMAGES, LABELS)"));
    return std::nullopt;
  }
  const size_t errors_before = diags_.errors().size();
  DataSource source;
  std::vector<const Expr*> paths;
  SeenNames seen;
  for (const Argument& arg : e.args) {
    if (arg.keyword.empty()) {
      paths.push_back(&arg.value);
    } else if (arg.keyword != "limit") {
      constexpr std::string_view kKeywords[] = {"limit"};
      diags_.Error(arg.keyword_span, StrCat("unknown argument '", arg.keyword, "' for idx"),
                   DidYouMean(arg.keyword, kKeywords, "idx takes two paths and limit=N"));
    } else if (FirstUse(arg.keyword, arg.keyword_span, "idx", seen)) {
      SetIfResolved(Integer(arg.value, "limit", kPositiveInteger), source.limit);
    }
  }
  if (paths.size() == 2) {
    SetIfResolved(Path(*paths[0], "the images path"), source.images);
    SetIfResolved(Path(*paths[1], "the labels path"), source.labels);
  } else {
    diags_.Error(e.span, StrCat("idx takes 2 paths (images, labels), got ", paths.size()),
                 "write idx(\"images.gz\", \"labels.gz\")");
  }
  if (diags_.errors().size() != errors_before) return std::nullopt;
  return source;
}

std::optional<std::string> SectionResolver::Loss(const Expr& e) {
  if (e.kind != Kind::kName) {
    Mismatch(e, "loss", "the name of a loss",
             e.kind == Kind::kString ? StrCat("write it without quotes: ", e.text) : "");
    return std::nullopt;
  }
  if (std::ranges::find(kLosses, e.text) == std::end(kLosses)) {
    diags_.Error(e.span, StrCat("unknown loss '", e.text, "'"),
                 DidYouMean(e.text, kLosses, StrCat("the only loss is ", kLosses[0])));
    return std::nullopt;
  }
  return e.text;
}

std::optional<OptimizerSpec> SectionResolver::Optimizer(const Expr& e) {
  // A bare name (optimizer = sgd) is the call with no arguments.
  if (e.kind != Kind::kCall && e.kind != Kind::kName) {
    Mismatch(e, "optimizer", "adam(...) or sgd(...)", "write e.g. optimizer = adam(lr=0.001)");
    return std::nullopt;
  }
  const OptimizerSyntax* spec = FindSpec(kOptimizers, e.text);
  if (spec == nullptr) {
    diags_.Error(e.span, StrCat("unknown optimizer '", e.text, "'"),
                 DidYouMean(e.text, NamesOf(kOptimizers), "the optimizers are adam and sgd"));
    return std::nullopt;
  }
  const size_t errors_before = diags_.errors().size();
  OptimizerSpec config;
  config.kind = spec->kind;
  SeenNames seen;
  for (size_t i = 0; i < e.args.size(); ++i) {
    const Argument& arg = e.args[i];
    const bool positional = arg.keyword.empty();
    if (positional && i > 0) {
      diags_.Error(arg.value.span, StrCat(spec->name, " takes only lr without a name"),
                   StrCat("name this argument: ", spec->name, " takes ", ArgumentList(*spec)));
      continue;
    }
    const std::string_view name = positional ? std::string_view("lr") : arg.keyword;
    const Span where = positional ? arg.value.span : arg.keyword_span;
    const OptimizerArgSpec* arg_spec = FindSpec(spec->args, name);
    if (arg_spec == nullptr) {
      UnknownOptimizerArgument(*spec, name, where);
    } else if (FirstUse(name, where, spec->name, seen)) {
      OptimizerArgument(*arg_spec, arg.value, config);
    }
  }
  if (diags_.errors().size() != errors_before) return std::nullopt;
  CheckNesterovHasMomentum(e, config);
  return config;
}

// An argument of the other optimizer says so; anything else gets the nearest name.
void SectionResolver::UnknownOptimizerArgument(const OptimizerSyntax& spec, std::string_view name,
                                               Span where) {
  if (const OptimizerSyntax* owner = OptimizerTaking(name, spec)) {
    diags_.Error(
        where,
        StrCat(spec.name, " has no argument '", name, "': it is an ", owner->name, " argument"),
        StrCat("for ", name, " use ", owner->name, "(...); otherwise remove it"));
    return;
  }
  diags_.Error(
      where, StrCat("unknown argument '", name, "' for ", spec.name),
      DidYouMean(name, NamesOf(spec.args), StrCat(spec.name, " takes ", ArgumentList(spec))));
}

void SectionResolver::OptimizerArgument(const OptimizerArgSpec& spec, const Expr& e,
                                        OptimizerSpec& config) {
  if (spec.flag != nullptr) {
    SetIfResolved(Boolean(e, spec.name), config.*spec.flag);
  } else {
    SetIfResolved(Real(e, spec.name, spec.rule), config.*spec.number);
  }
}

// Nesterov's look-ahead is along the momentum; without momentum it silently
// does nothing, which is surely not what was meant.
void SectionResolver::CheckNesterovHasMomentum(const Expr& call, const OptimizerSpec& config) {
  if (!config.nesterov || config.momentum != 0) return;
  for (const Argument& arg : call.args) {
    if (arg.keyword == "nesterov") {
      diags_.Error(arg.keyword_span, "nesterov has no effect without momentum",
                   "add momentum, e.g. momentum=0.9, or remove nesterov");
    }
  }
}

// ---- the program's train sections ----

// A train section must name a model of the program, whichever model is
// being resolved: a misspelt name would otherwise leave its model untrained.
void CheckTrainedModelsExist(const Program& program, Diagnostics& diags) {
  std::vector<std::string_view> models;
  for (const Model& model : program.models) models.push_back(model.name);
  for (const TrainSection& train : program.trains) {
    if (program.FindModel(train.model) != nullptr) continue;
    diags.Error(train.model_span, StrCat("train section for unknown model '", train.model, "'"),
                DidYouMean(train.model, models,
                           models.empty() ? "the file defines no model"
                                          : StrCat("the file defines ", JoinNames(models))));
  }
}

// The first train section of `model`; any later one is reported.
const TrainSection* FindOnlyTrainSection(const Program& program, std::string_view model,
                                         Diagnostics& diags) {
  const TrainSection* first = nullptr;
  for (const TrainSection& train : program.trains) {
    if (train.model != model) continue;
    if (first == nullptr) {
      first = &train;
      continue;
    }
    diags.Error(
        train.model_span,
        StrCat("model '", model, "' already has a train section, on line ", first->model_span.line),
        "merge the two sections into one");
  }
  return first;
}

absl::Status ModelNotFound(const Program& program, std::string_view model) {
  std::vector<std::string_view> models;
  for (const Model& m : program.models) models.push_back(m.name);
  std::optional<std::string> near = ClosestName(model, models);
  return absl::NotFoundError(StrCat(program.path, ": no model named '", model, "'",
                                    near ? StrCat("; did you mean '", *near, "'?") : ""));
}

}  // namespace

absl::StatusOr<TrainConfig> ResolveTrainConfig(const Program& program, std::string_view model) {
  Diagnostics diags(program.path, program.text);
  CheckTrainedModelsExist(program, diags);
  const TrainSection* section = FindOnlyTrainSection(program, model, diags);
  if (section == nullptr && program.FindModel(model) == nullptr) {
    return ModelNotFound(program, model);
  }
  TrainConfig config;
  if (section != nullptr) {
    const std::filesystem::path folder = std::filesystem::path(program.path).parent_path();
    config = SectionResolver(folder, diags).Resolve(*section);
  }
  if (diags.has_errors()) return diags.ToStatus();
  return config;
}

std::string DescribeOptimizer(const OptimizerSpec& optimizer) {
  std::vector<std::string> args = {StrCat("lr=", optimizer.lr)};
  if (optimizer.kind == OptimizerSpec::Kind::kAdam) {
    args.push_back(StrCat("beta1=", optimizer.beta1));
    args.push_back(StrCat("beta2=", optimizer.beta2));
    args.push_back(StrCat("epsilon=", optimizer.epsilon));
  } else {
    if (optimizer.momentum != 0) args.push_back(StrCat("momentum=", optimizer.momentum));
    if (optimizer.nesterov) args.push_back("nesterov=true");
  }
  if (optimizer.weight_decay != 0) args.push_back(StrCat("weight_decay=", optimizer.weight_decay));
  const std::string_view name = optimizer.kind == OptimizerSpec::Kind::kAdam ? "adam" : "sgd";
  return StrCat(name, "(", absl::StrJoin(args, ", "), ")");
}

}  // namespace dlc::dl
