// Every .dl layer: its arguments and its expansion into tensor-IR ops.
#include "frontend/layers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_format.h"
#include "ir/attribute.h"
#include "ir/enum_attrs.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::dl {

// ---- LayerArgs ------------------------------------------------------------

namespace {

template <typename T>
T Get(const LayerArgs& args, std::string_view name) {
  auto it = args.values.find(name);
  if (it == args.values.end()) return T{};
  if (const T* v = std::get_if<T>(&it->second)) return *v;
  return T{};
}

std::string FormatArg(const ArgValue& v) {
  struct {
    std::string operator()(int64_t i) const { return StrCat(i); }
    std::string operator()(double d) const { return absl::StrFormat("%g", d); }
    std::string operator()(IntPair p) const { return StrCat("[", p.h, ", ", p.w, "]"); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::vector<int64_t>& v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) out += StrCat(i == 0 ? "" : ", ", v[i]);
      return out + "]";
    }
  } visitor;
  return std::visit(visitor, v);
}

}  // namespace

int64_t LayerArgs::Int(std::string_view name) const { return Get<int64_t>(*this, name); }
double LayerArgs::Float(std::string_view name) const { return Get<double>(*this, name); }
IntPair LayerArgs::Pair(std::string_view name) const { return Get<IntPair>(*this, name); }
std::string LayerArgs::Word(std::string_view name) const { return Get<std::string>(*this, name); }
bool LayerArgs::Bool(std::string_view name) const { return Get<bool>(*this, name); }
std::vector<int64_t> LayerArgs::Ints(std::string_view name) const {
  return Get<std::vector<int64_t>>(*this, name);
}

Attribute LayerArgs::Padding(std::string_view name) const {
  auto it = values.find(name);
  if (it != values.end()) {
    if (const auto* pads = std::get_if<std::vector<int64_t>>(&it->second)) return IntList(*pads);
  }
  return Word(name);
}

std::string LayerArgs::Text(std::string_view name) const {
  if (auto it = texts.find(name); it != texts.end()) return it->second;
  if (auto it = values.find(name); it != values.end()) return FormatArg(it->second);
  return "";
}

// ---- LayerContext ---------------------------------------------------------

std::string LayerContext::ValueName(std::string_view suffix) const {
  const std::string name = suffix.empty() ? stage_.name : StrCat(stage_.name, ".", suffix);
  // A layer may make the same kind of value twice (add(x, x) converts both
  // operands): the second is "<name>.1", and so on.
  std::string unique = name;
  for (int k = 1; builder_.HasValue(unique); ++k) unique = StrCat(name, ".", k);
  return unique;
}

namespace {

// The builder's errors name the IR node ("m.dl:3:7: %conv2d.conv = conv2d:
// window 5x5 is larger than ..."). A layer's message already says where and
// which layer, so only the problem itself is kept.
absl::Status WithoutNodePrefix(const absl::Status& status, std::string_view value, OpKind op) {
  std::string message(status.message());
  const std::string node = StrCat("%", value, " = ", OpName(op), ": ");
  if (size_t at = message.find(node); at != std::string::npos) {
    message.erase(0, at + node.size());
  }
  return absl::Status(status.code(), message);
}

}  // namespace

absl::StatusOr<ValueId> LayerContext::Op(OpKind op, std::vector<ValueId> operands, Attributes attrs,
                                         std::string_view suffix) {
  const std::string name = ValueName(suffix);
  absl::StatusOr<ValueId> id = builder_.Add(op, std::move(operands), std::move(attrs), name,
                                            SourceLoc{file_, stage_.span.line, stage_.span.col});
  if (!id.ok()) return WithoutNodePrefix(id.status(), name, op);
  stage_.values.push_back(*id);
  return id;
}

absl::StatusOr<ValueId> LayerContext::Param(std::string_view suffix, TensorType type,
                                            std::string init) {
  if (type.num_elements() > kMaxDimension) {
    return Fail("", StrCat(stage_.layer, " would need a ", suffix, " of ", type.ToString(),
                           ": more than 2^40 values"));
  }
  const std::string name = ValueName(suffix);
  absl::StatusOr<ValueId> id = builder_.Parameter(
      name, std::move(type), std::move(init), SourceLoc{file_, stage_.span.line, stage_.span.col});
  if (!id.ok()) return WithoutNodePrefix(id.status(), name, OpKind::kParameter);
  stage_.parameters.push_back(*id);
  return id;
}

absl::StatusOr<ValueId> LayerContext::Scalar(double value, std::string_view suffix) {
  DLC_ASSIGN_OR_RETURN(ValueId id, builder_.Scalar(DType::kF32, value, ValueName(suffix)));
  stage_.values.push_back(id);
  return id;
}

absl::StatusOr<ValueId> LayerContext::SharedInput(std::string name, TensorType type) {
  if (std::optional<ValueId> existing = builder_.graph().Find(name)) {
    const Node& node = builder_.graph().node(*existing);
    if (node.op == OpKind::kInput && node.type == type) return *existing;
    // A model input or a layer's name="..." took the name first.
    return Fail("",
                StrCat(stage_.layer, " needs the graph input %", name, " (", type.ToString(),
                       "), but a value of the model is already called ", name),
                StrCat("rename the input or layer called ", name));
  }
  return builder_.Input(std::move(name), std::move(type));
}

std::string LayerContext::Describe(ValueId id) const {
  for (const Stage& s : *stages_) {
    if (s.output == id) {
      return s.layer == "input"
                 ? StrCat(type(id).ToString(), " (input ", s.name, ")")
                 : StrCat(type(id).ToString(), " from ", s.name, " (line ", s.span.line, ")");
    }
  }
  return type(id).ToString();
}

absl::Status LayerContext::Fail(std::string_view arg, std::string message, std::string hint_text) {
  failed_arg = std::string(arg);
  hint = std::move(hint_text);
  return absl::InvalidArgumentError(std::move(message));
}

// ---- shared pieces --------------------------------------------------------

namespace {

// The words `activation=` accepts, each with the op it applies after the
// layer (none for "none" and "linear"). One table: the accepted words and
// what they do cannot disagree.
struct ActivationWord {
  std::string_view word;
  std::optional<OpKind> op;
};
const std::vector<ActivationWord> kActivations = {
    {"none", std::nullopt},        {"linear", std::nullopt},
    {"relu", OpKind::kRelu},       {"leaky_relu", OpKind::kLeakyRelu},
    {"sigmoid", OpKind::kSigmoid}, {"tanh", OpKind::kTanh},
    {"softmax", OpKind::kSoftmax}};

std::vector<std::string_view> ActivationWords() {
  std::vector<std::string_view> words;
  for (const ActivationWord& a : kActivations) words.push_back(a.word);
  return words;
}
// The IR's names (ir/enum_attrs.h), as the words these arguments accept.
template <typename E>
std::vector<std::string_view> Words() {
  const auto names = NamesOf<E>().names;
  return {names.begin(), names.end()};
}

std::string Plural(int64_t n, std::string_view word) {
  return StrCat(n, " ", word, n == 1 ? "" : "s");
}

// Applies `activation` to `x`; its op is the stage's output, named after it.
absl::StatusOr<ValueId> Activate(LayerContext& ctx, ValueId x, const std::string& activation) {
  for (const ActivationWord& a : kActivations) {
    if (a.word != activation) continue;
    if (!a.op) return x;  // none / linear
    return ctx.Op(*a.op, {x}, {}, activation);
  }
  // The argument's spec accepts only kActivations' words.
  return absl::InternalError(StrCat("unknown activation '", activation, "'"));
}

// "valid padding", "same padding" or "padding [1, 1, 0, 0]", for descriptions.
std::string PaddingWords(const LayerArgs& args) {
  const std::string text = args.Text("padding");
  return text.starts_with("[") ? StrCat("padding ", text) : StrCat(text, " padding");
}

std::string ActivationSuffix(const std::string& activation) {
  return activation == "none" || activation == "linear" ? "" : StrCat(", ", activation);
}

absl::Status RequireRank(LayerContext& ctx, std::string_view layer, ValueId x, int64_t rank,
                         std::string_view layout, std::string hint = "") {
  if (ctx.type(x).rank() == rank) return absl::OkStatus();
  return ctx.Fail("", StrCat(layer, " expects ", layout, ", got ", ctx.Describe(x)),
                  std::move(hint));
}

// Values are computed in f32: integer inputs (pixels) are converted first.
absl::StatusOr<ValueId> AsFloat(LayerContext& ctx, ValueId x) {
  if (IsFloat(ctx.type(x).dtype)) return x;
  return ctx.Op(OpKind::kCast, {x}, {{"to", DType::kF32}}, "cast");
}

// Adds a bias over the last axis when `use_bias`, then the activation.
absl::StatusOr<ValueId> BiasAndActivate(LayerContext& ctx, const LayerArgs& args, ValueId x,
                                        int64_t channels) {
  if (args.Bool("use_bias")) {
    DLC_ASSIGN_OR_RETURN(
        ValueId bias, ctx.Param("bias", {DType::kF32, {channels}}, args.Word("bias_initializer")));
    DLC_ASSIGN_OR_RETURN(x, ctx.Op(OpKind::kAdd, {x, bias}, {}, "bias_add"));
  }
  return Activate(ctx, x, args.Word("activation"));
}

// ---- the layers -----------------------------------------------------------

absl::StatusOr<ValueId> EmitRescale(LayerContext& ctx, const LayerArgs& args) {
  // The values are f32: a factor beyond its range would be infinity.
  for (const char* arg : {"scale", "offset"}) {
    if (std::abs(args.Float(arg)) > std::numeric_limits<float>::max()) {
      return ctx.Fail(arg, StrCat("rescale's ", arg, " ", args.Text(arg),
                                  " is beyond the range of f32 (about 3.4e38)"));
    }
  }
  DLC_ASSIGN_OR_RETURN(ValueId x, AsFloat(ctx, args.tensors[0]));
  const double offset = args.Float("offset");
  DLC_ASSIGN_OR_RETURN(ValueId scale, ctx.Scalar(args.Float("scale"), "scale"));
  DLC_ASSIGN_OR_RETURN(x, ctx.Op(OpKind::kMul, {x, scale}, {}, offset == 0 ? "" : "scaled"));
  ctx.stage().description = StrCat("scale values by ", args.Text("scale"));
  if (offset == 0) return x;
  DLC_ASSIGN_OR_RETURN(ValueId shift, ctx.Scalar(offset, "offset"));
  ctx.stage().description += StrCat(", then add ", args.Text("offset"));
  return ctx.Op(OpKind::kAdd, {x, shift}, {}, "");
}

absl::StatusOr<ValueId> EmitDense(LayerContext& ctx, const LayerArgs& args) {
  ValueId x = args.tensors[0];
  DLC_RETURN_IF_ERROR(RequireRank(ctx, "dense", x, 2, "[batch, features]",
                                  ctx.type(x).rank() > 2 ? "did you forget flatten?" : ""));
  DLC_ASSIGN_OR_RETURN(x, AsFloat(ctx, x));
  const int64_t units = args.Int("units");
  if (units <= 0) return ctx.Fail("units", StrCat("units must be positive, got ", units));
  const int64_t features = ctx.type(x).shape[1];
  DLC_ASSIGN_OR_RETURN(ValueId kernel, ctx.Param("kernel", {DType::kF32, {features, units}},
                                                 args.Word("kernel_initializer")));
  DLC_ASSIGN_OR_RETURN(ValueId y, ctx.Op(OpKind::kMatMul, {x, kernel}, {}, "matmul"));
  ctx.stage().description =
      StrCat("fully connected, ", Plural(units, "unit"), ActivationSuffix(args.Word("activation")));
  return BiasAndActivate(ctx, args, y, units);
}

absl::StatusOr<ValueId> EmitConv2D(LayerContext& ctx, const LayerArgs& args) {
  ValueId x = args.tensors[0];
  DLC_RETURN_IF_ERROR(RequireRank(
      ctx, "conv2d", x, 4, "[batch, height, width, channels]",
      ctx.type(x).rank() == 3 ? "declare the input with a channel axis, e.g. u8[28, 28, 1]" : ""));
  DLC_ASSIGN_OR_RETURN(x, AsFloat(ctx, x));
  const int64_t filters = args.Int("filters");
  if (filters <= 0) return ctx.Fail("filters", StrCat("filters must be positive, got ", filters));
  const IntPair kernel = args.Pair("kernel");
  const IntPair strides = args.Pair("strides");
  const IntPair dilation = args.Pair("dilation");
  const int64_t channels = ctx.type(x).shape[3];
  DLC_ASSIGN_OR_RETURN(ValueId w,
                       ctx.Param("kernel", {DType::kF32, {kernel.h, kernel.w, channels, filters}},
                                 args.Word("kernel_initializer")));
  Attributes attrs = {{"strides", IntList{strides.h, strides.w}},
                      {"padding", args.Padding("padding")},
                      {"dilations", IntList{dilation.h, dilation.w}}};
  auto y = ctx.Op(OpKind::kConv2D, {x, w}, std::move(attrs), "conv");
  if (!y.ok())
    return ctx.Fail("", StrCat("conv2d on ", ctx.Describe(x), ": ", y.status().message()));
  ctx.stage().description =
      StrCat(Plural(filters, "filter"), " ", kernel.h, "x", kernel.w, ", stride ",
             strides.h == strides.w ? StrCat(strides.h) : StrCat(strides.h, "x", strides.w), ", ",
             PaddingWords(args),
             dilation.h * dilation.w > 1 ? StrCat(", dilation ", dilation.h, "x", dilation.w) : "",
             ActivationSuffix(args.Word("activation")));
  return BiasAndActivate(ctx, args, *y, filters);
}

absl::StatusOr<ValueId> EmitPool(LayerContext& ctx, const LayerArgs& args, OpKind op,
                                 std::string_view what) {
  ValueId x = args.tensors[0];
  const std::string layer = op == OpKind::kMaxPool2D ? "maxpool2d" : "avgpool2d";
  DLC_RETURN_IF_ERROR(RequireRank(ctx, layer, x, 4, "[batch, height, width, channels]"));
  DLC_ASSIGN_OR_RETURN(x, AsFloat(ctx, x));
  const IntPair pool = args.Pair("pool");
  const IntPair strides = args.Has("strides") ? args.Pair("strides") : pool;
  Attributes attrs = {{"window", IntList{pool.h, pool.w}},
                      {"strides", IntList{strides.h, strides.w}},
                      {"padding", args.Padding("padding")}};
  auto y = ctx.Op(op, {x}, std::move(attrs), "");
  if (!y.ok())
    return ctx.Fail("", StrCat(layer, " on ", ctx.Describe(x), ": ", y.status().message()));
  ctx.stage().description =
      StrCat(what, " of ", pool.h, "x", pool.w, " windows, stride ",
             strides.h == strides.w ? StrCat(strides.h) : StrCat(strides.h, "x", strides.w),
             args.Text("padding") == "valid" ? "" : StrCat(", ", PaddingWords(args)));
  return y;
}

absl::StatusOr<ValueId> EmitMaxPool(LayerContext& ctx, const LayerArgs& args) {
  return EmitPool(ctx, args, OpKind::kMaxPool2D, "maximum");
}

absl::StatusOr<ValueId> EmitAvgPool(LayerContext& ctx, const LayerArgs& args) {
  return EmitPool(ctx, args, OpKind::kAvgPool2D, "average");
}

absl::StatusOr<ValueId> EmitFlatten(LayerContext& ctx, const LayerArgs& args) {
  ValueId x = args.tensors[0];
  if (ctx.type(x).rank() < 2) {
    return ctx.Fail("", StrCat("flatten expects [batch, ...], got ", ctx.Describe(x)));
  }
  ctx.stage().description = "one vector per sample";
  return ctx.Op(OpKind::kFlatten, {x}, {}, "");
}

absl::StatusOr<ValueId> EmitActivation(LayerContext& ctx, const LayerArgs& args, OpKind op,
                                       std::string_view formula) {
  DLC_ASSIGN_OR_RETURN(ValueId x, AsFloat(ctx, args.tensors[0]));
  ctx.stage().description = std::string(formula);
  return ctx.Op(op, {x}, {}, "");
}

absl::StatusOr<ValueId> EmitRelu(LayerContext& c, const LayerArgs& a) {
  return EmitActivation(c, a, OpKind::kRelu, "max(x, 0) per value");
}
// As an activation (activation=leaky_relu), alpha is the op's default.
absl::StatusOr<ValueId> EmitLeakyRelu(LayerContext& ctx, const LayerArgs& args) {
  // Keras's rule (a negative slope >= 0); f32 must hold alpha.
  const double alpha = args.Float("alpha");
  if (!(alpha >= 0 && alpha <= std::numeric_limits<float>::max())) {
    return ctx.Fail("alpha",
                    StrCat("alpha must be a finite number >= 0, got ", args.Text("alpha")));
  }
  DLC_ASSIGN_OR_RETURN(ValueId x, AsFloat(ctx, args.tensors[0]));
  ctx.stage().description = StrCat("x if x > 0, else ", args.Text("alpha"), " x, per value");
  return ctx.Op(OpKind::kLeakyRelu, {x}, {{"alpha", alpha}}, "");
}
absl::StatusOr<ValueId> EmitSigmoid(LayerContext& c, const LayerArgs& a) {
  return EmitActivation(c, a, OpKind::kSigmoid, "1 / (1 + exp(-x)) per value");
}
absl::StatusOr<ValueId> EmitTanh(LayerContext& c, const LayerArgs& a) {
  return EmitActivation(c, a, OpKind::kTanh, "tanh(x) per value");
}
absl::StatusOr<ValueId> EmitSoftmax(LayerContext& c, const LayerArgs& a) {
  return EmitActivation(c, a, OpKind::kSoftmax, "exp(x) / sum(exp(x)) over the last axis");
}
absl::StatusOr<ValueId> EmitLogSoftmax(LayerContext& c, const LayerArgs& a) {
  return EmitActivation(c, a, OpKind::kLogSoftmax, "x - log(sum(exp(x))) over the last axis");
}

// The axes of each sample in another order; the batch axis stays first, as
// concat's axis counts it (perm=[0, 3, 1, 2]: NHWC to NCHW).
absl::StatusOr<ValueId> EmitTranspose(LayerContext& ctx, const LayerArgs& args) {
  const ValueId x = args.tensors[0];
  const int64_t rank = ctx.type(x).rank();
  const std::vector<int64_t> perm = args.Ints("perm");
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool is_permutation = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t i = 0; is_permutation && i < rank; ++i) is_permutation = sorted[i] == i;
  if (!is_permutation) {
    return ctx.Fail("perm", StrCat("perm ", args.Text("perm"), " is not an order of the ", rank,
                                   " axes of ", ctx.Describe(x)));
  }
  if (perm[0] != 0) {
    return ctx.Fail("perm", StrCat("perm ", args.Text("perm"), " moves the batch axis"),
                    "keep 0 first: the batch axis stays where it is");
  }
  ctx.stage().description = StrCat("reorder the axes to ", args.Text("perm"));
  return ctx.Op(OpKind::kTranspose, {x}, {{"perm", IntList(perm)}}, "");
}

// Each sample's values in another shape (Keras's Reshape: the batch axis is
// implicit, as in a model's inputs); one dimension may be -1, the rest.
absl::StatusOr<ValueId> EmitReshape(LayerContext& ctx, const LayerArgs& args) {
  const ValueId x = args.tensors[0];
  const Shape& in = ctx.type(x).shape;
  if (in.empty())
    return ctx.Fail("", StrCat("reshape expects [batch, ...], got ", ctx.Describe(x)));
  const int64_t sample = in[0] == 0 ? 0 : ctx.type(x).num_elements() / in[0];
  std::vector<int64_t> dims = args.Ints("shape");
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (dims[i] <= 0 || dims[i] > kMaxDimension) {
      return ctx.Fail("shape", StrCat("shape ", args.Text("shape"),
                                      " must hold positive sizes (and at most one -1)"));
    } else {
      known *= dims[i];
      if (known > kMaxDimension) {
        return ctx.Fail("shape", StrCat("shape ", args.Text("shape"), " is too large"));
      }
    }
  }
  if (infer >= 0 && known > 0 && sample % known == 0) dims[infer] = sample / known;
  Shape shape = {in[0]};
  shape.insert(shape.end(), dims.begin(), dims.end());
  if ((infer >= 0 && dims[infer] == -1) || NumElements(shape) != ctx.type(x).num_elements()) {
    return ctx.Fail("shape", StrCat("cannot reshape the samples of ", ctx.Describe(x), " (", sample,
                                    " values each) to ", args.Text("shape")));
  }
  ctx.stage().description = StrCat("each sample as ", args.Text("shape"));
  return ctx.Op(OpKind::kReshape, {x}, {{"shape", IntList(shape)}}, "");
}

// Inverted dropout: in training each element is kept with probability
// 1 - rate and scaled by 1 / (1 - rate); in inference it passes unchanged.
absl::StatusOr<ValueId> EmitDropout(LayerContext& ctx, const LayerArgs& args) {
  const double rate = args.Float("rate");
  if (!(rate >= 0 && rate < 1)) {
    return ctx.Fail("rate", StrCat("rate must be in [0, 1), got ", args.Text("rate")));
  }
  ValueId x = args.tensors[0];
  ctx.stage().description = StrCat("drop ", args.Text("rate"), " of values in training");
  if (!ctx.options().training || rate == 0) return x;
  DLC_ASSIGN_OR_RETURN(x, AsFloat(ctx, x));
  DLC_ASSIGN_OR_RETURN(ValueId key, ctx.SharedInput("rng_key", {DType::kI32, {2}}));
  DLC_ASSIGN_OR_RETURN(
      ValueId uniform,
      ctx.Op(OpKind::kRandomUniform, {key},
             {{"shape", IntList(ctx.type(x).shape)}, {"stream", ctx.stage_number()}}, "uniform"));
  DLC_ASSIGN_OR_RETURN(ValueId threshold, ctx.Scalar(rate, "rate"));
  DLC_ASSIGN_OR_RETURN(ValueId keep, ctx.Op(OpKind::kCompare, {uniform, threshold},
                                            {{"predicate", EnumAttr(Predicate::kGe)}}, "keep"));
  DLC_ASSIGN_OR_RETURN(ValueId scale, ctx.Scalar(1.0 / (1.0 - rate), "scale"));
  DLC_ASSIGN_OR_RETURN(ValueId scaled, ctx.Op(OpKind::kMul, {x, scale}, {}, "scaled"));
  DLC_ASSIGN_OR_RETURN(ValueId zero, ctx.Scalar(0.0, "zero"));
  return ctx.Op(OpKind::kSelect, {keep, scaled, zero}, {}, "");
}

// The values must have one shape, or the message says which differ.
absl::Status RequireSameShape(LayerContext& ctx, const LayerArgs& args, std::string_view layer,
                              int64_t except_axis) {
  const TensorType& first = ctx.type(args.tensors[0]);
  for (size_t i = 1; i < args.tensors.size(); ++i) {
    const TensorType& t = ctx.type(args.tensors[i]);
    bool same = t.rank() == first.rank();
    for (int64_t d = 0; same && d < t.rank(); ++d) {
      same = d == except_axis || t.shape[d] == first.shape[d];
    }
    if (!same) {
      return ctx.Fail(
          "", StrCat(layer, " needs values of one shape",
                     except_axis >= 0 ? " except on the joined axis" : "", ": ",
                     ctx.Describe(args.tensors[0]), " and ", ctx.Describe(args.tensors[i])));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ValueId> EmitAdd(LayerContext& ctx, const LayerArgs& args) {
  if (args.tensors.size() < 2) return ctx.Fail("", "add needs at least two values");
  DLC_RETURN_IF_ERROR(RequireSameShape(ctx, args, "add", -1));
  std::vector<ValueId> values;
  for (ValueId v : args.tensors) {
    DLC_ASSIGN_OR_RETURN(ValueId f, AsFloat(ctx, v));
    values.push_back(f);
  }
  ValueId sum = values[0];
  for (size_t i = 1; i < values.size(); ++i) {
    const bool last = i + 1 == values.size();
    DLC_ASSIGN_OR_RETURN(sum,
                         ctx.Op(OpKind::kAdd, {sum, values[i]}, {}, last ? "" : StrCat("sum", i)));
  }
  ctx.stage().description = StrCat("sum of ", values.size(), " values");
  return sum;
}

// subtract(a, b), multiply(a, b), divide(a, b): two values of one shape, element by element.
absl::StatusOr<ValueId> EmitElementwise(LayerContext& ctx, const LayerArgs& args, OpKind op,
                                        std::string_view layer, std::string_view what) {
  if (args.tensors.size() != 2) {
    return ctx.Fail("", StrCat(layer, " takes two values, got ", args.tensors.size()));
  }
  DLC_RETURN_IF_ERROR(RequireSameShape(ctx, args, layer, -1));
  DLC_ASSIGN_OR_RETURN(ValueId a, AsFloat(ctx, args.tensors[0]));
  DLC_ASSIGN_OR_RETURN(ValueId b, AsFloat(ctx, args.tensors[1]));
  ctx.stage().description = std::string(what);
  return ctx.Op(op, {a, b}, {}, "");
}
absl::StatusOr<ValueId> EmitSubtract(LayerContext& c, const LayerArgs& a) {
  return EmitElementwise(c, a, OpKind::kSub, "subtract", "a - b per value");
}
absl::StatusOr<ValueId> EmitMultiply(LayerContext& c, const LayerArgs& a) {
  return EmitElementwise(c, a, OpKind::kMul, "multiply", "a * b per value");
}
absl::StatusOr<ValueId> EmitDivide(LayerContext& c, const LayerArgs& a) {
  return EmitElementwise(c, a, OpKind::kDiv, "divide", "a / b per value");
}

absl::StatusOr<ValueId> EmitConcat(LayerContext& ctx, const LayerArgs& args) {
  if (args.tensors.size() < 2) return ctx.Fail("", "concat needs at least two values");
  const int64_t rank = ctx.type(args.tensors[0]).rank();
  int64_t axis = args.Int("axis");
  // The batch axis is implicit in the language: axis 0 is not the user's to join.
  if (axis < -(rank - 1) || axis == 0 || axis >= rank) {
    return ctx.Fail("axis",
                    StrCat("axis ", axis, " is out of range for values of rank ", rank, " (use 1..",
                           rank - 1, " or -1..-", rank - 1, "; the batch axis cannot be joined)"));
  }
  if (axis < 0) axis += rank;
  DLC_RETURN_IF_ERROR(RequireSameShape(ctx, args, "concat", axis));
  std::vector<ValueId> values;
  for (ValueId v : args.tensors) {
    if (ctx.type(v).dtype != ctx.type(args.tensors[0]).dtype) {
      DLC_ASSIGN_OR_RETURN(v, AsFloat(ctx, v));
    }
    values.push_back(v);
  }
  ctx.stage().description = StrCat("join ", values.size(), " values on axis ", axis);
  return ctx.Op(OpKind::kConcat, values, {{"axis", axis}}, "");
}

// ---- the table ------------------------------------------------------------

ArgSpec Activation() {
  return {"activation", ArgKind::kWord, std::string("none"), ActivationWords()};
}
ArgSpec UseBias() { return {"use_bias", ArgKind::kBool, true}; }
ArgSpec KernelInit() {
  return {"kernel_initializer", ArgKind::kWord, std::string("glorot_uniform"),
          Words<Initializer>()};
}
ArgSpec BiasInit() {
  return {"bias_initializer", ArgKind::kWord, std::string("zeros"), Words<Initializer>()};
}
ArgSpec Padding() {
  return {"padding", ArgKind::kPadding, std::string("valid"), Words<PaddingMode>()};
}
ArgSpec Input() { return {"x", ArgKind::kTensor, std::nullopt}; }
// The default the IR declares for a float attribute: a layer's is its op's.
double FloatDefault(OpKind op, std::string_view attr) {
  for (const AttrSpec& spec : GetOpDef(op).attrs) {
    const double* value = spec.default_value ? std::get_if<double>(&*spec.default_value) : nullptr;
    if (spec.name == attr && value != nullptr) return *value;
  }
  return 0;
}

const std::vector<LayerDef>& Layers() {
  static const std::vector<LayerDef>* layers = new std::vector<LayerDef>{
      {"rescale",
       "Rescale",
       {Input(), {"scale", ArgKind::kFloat, std::nullopt}, {"offset", ArgKind::kFloat, 0.0}},
       EmitRescale},
      {"dense",
       "Dense",
       {Input(),
        {"units", ArgKind::kInt, std::nullopt},
        Activation(),
        UseBias(),
        KernelInit(),
        BiasInit()},
       EmitDense},
      {"conv2d",
       "Conv2D",
       {Input(),
        {"filters", ArgKind::kInt, std::nullopt},
        {"kernel", ArgKind::kPair, std::nullopt},
        {"strides", ArgKind::kPair, IntPair{1, 1}},
        Padding(),
        {"dilation", ArgKind::kPair, IntPair{1, 1}},
        Activation(),
        UseBias(),
        KernelInit(),
        BiasInit()},
       EmitConv2D},
      {"maxpool2d",
       "MaxPool2D",
       {Input(),
        {"pool", ArgKind::kPair, IntPair{2, 2}},
        {"strides", ArgKind::kPair, std::nullopt, {}, /*optional=*/true},
        Padding()},
       EmitMaxPool},
      {"avgpool2d",
       "AvgPool2D",
       {Input(),
        {"pool", ArgKind::kPair, IntPair{2, 2}},
        {"strides", ArgKind::kPair, std::nullopt, {}, /*optional=*/true},
        Padding()},
       EmitAvgPool},
      {"flatten", "Flatten", {Input()}, EmitFlatten},
      {"relu", "ReLU", {Input()}, EmitRelu},
      {"leaky_relu",
       "LeakyReLU",
       {Input(), {"alpha", ArgKind::kFloat, FloatDefault(OpKind::kLeakyRelu, "alpha")}},
       EmitLeakyRelu},
      {"sigmoid", "Sigmoid", {Input()}, EmitSigmoid},
      {"tanh", "Tanh", {Input()}, EmitTanh},
      {"softmax", "Softmax", {Input()}, EmitSoftmax},
      {"log_softmax", "LogSoftmax", {Input()}, EmitLogSoftmax},
      {"transpose", "Permute", {Input(), {"perm", ArgKind::kInts, std::nullopt}}, EmitTranspose},
      {"reshape", "Reshape", {Input(), {"shape", ArgKind::kInts, std::nullopt}}, EmitReshape},
      {"dropout", "Dropout", {Input(), {"rate", ArgKind::kFloat, std::nullopt}}, EmitDropout},
      {"add", "Add", {{"values", ArgKind::kTensors, std::nullopt}}, EmitAdd},
      {"concat",
       "Concatenate",
       {{"values", ArgKind::kTensors, std::nullopt}, {"axis", ArgKind::kInt, int64_t{-1}}},
       EmitConcat},
      {"subtract", "Subtract", {{"values", ArgKind::kTensors, std::nullopt}}, EmitSubtract},
      {"multiply", "Multiply", {{"values", ArgKind::kTensors, std::nullopt}}, EmitMultiply},
      {"divide", "Divide", {{"values", ArgKind::kTensors, std::nullopt}}, EmitDivide},
  };
  return *layers;
}

}  // namespace

const LayerDef* FindLayer(std::string_view name) {
  for (const LayerDef& def : Layers()) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

std::vector<std::string_view> LayerNames() {
  std::vector<std::string_view> names;
  for (const LayerDef& def : Layers()) names.push_back(def.name);
  return names;
}

}  // namespace dlc::dl
