#include "frontend/onnx/convert.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "absl/strings/str_join.h"
#include "frontend/onnx/layout.h"
#include "support/str_cat.h"

namespace dlc::onnx_import {
namespace {

using ::onnx::AttributeProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

// ---- printing numbers and names for the .dl text -----------------------------

// The shortest decimal that reads back as the same double.
std::string Num(double v) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// The shortest decimal that reads back as the same f32 (ONNX's attributes and
// weights are f32; dlc rounds a layer's number to f32 again).
std::string F32(double v) {
  char buf[40];
  const float f = static_cast<float>(v);
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return buf;
}

std::string Pair(int64_t h, int64_t w) { return h == w ? StrCat(h) : StrCat("[", h, ", ", w, "]"); }

std::string Ints(const std::vector<int64_t>& v) { return StrCat("[", absl::StrJoin(v, ", "), "]"); }

std::string Dims(const std::vector<int64_t>& v) {
  std::vector<std::string> parts;
  for (int64_t d : v) parts.push_back(d < 0 ? "batch" : StrCat(d));
  return StrCat("[", absl::StrJoin(parts, ", "), "]");
}

// Words the .dl parser reads as keywords, and graph inputs dlc adds itself.
bool Reserved(const std::string& name) {
  static const std::set<std::string> kReserved = {"model",   "train", "return", "labels",
                                                  "rng_key", "true",  "false",  "none"};
  return kReserved.contains(name);
}

// A .dl name from an ONNX one: letters, digits and '_', not starting with a digit.
std::string Sanitize(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (ok) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  while (!out.empty() && out.front() == '_') out.erase(0, 1);
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out[0]))) out = "v" + out;
  if (Reserved(out)) out += "_";
  return out;
}

std::string NodeText(const NodeProto& n) {
  return StrCat(n.name().empty() ? "(unnamed)" : n.name(), " (", n.op_type(), ")");
}

// ---- attributes ----------------------------------------------------------------

const AttributeProto* FindAttr(const NodeProto& n, std::string_view name) {
  for (const AttributeProto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t AttrInt(const NodeProto& n, std::string_view name, int64_t fallback) {
  const AttributeProto* a = FindAttr(n, name);
  return a != nullptr ? a->i() : fallback;
}

double AttrFloat(const NodeProto& n, std::string_view name, double fallback) {
  const AttributeProto* a = FindAttr(n, name);
  return a != nullptr ? a->f() : fallback;
}

std::string AttrString(const NodeProto& n, std::string_view name, std::string fallback) {
  const AttributeProto* a = FindAttr(n, name);
  return a != nullptr ? a->s() : fallback;
}

std::vector<int64_t> AttrInts(const NodeProto& n, std::string_view name,
                              std::vector<int64_t> fallback) {
  const AttributeProto* a = FindAttr(n, name);
  if (a == nullptr) return fallback;
  return {a->ints().begin(), a->ints().end()};
}

// TensorFlow's "same" padding of one axis (dlc's padding=same): output
// ceil(in / stride), the odd extra row or column after.
std::pair<int64_t, int64_t> SamePads(int64_t in, int64_t extent, int64_t stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + extent - in, 0);
  return {total / 2, total - total / 2};
}

// ---- the converter ------------------------------------------------------------------

class Converter {
 public:
  explicit Converter(const OnnxModel& model) : model_(model) {}

  absl::StatusOr<ConvertedGraph> Run() {
    CountUses();
    for (const auto& [name, tensor] : model_.initializers) values_[name] = ConstValue(tensor);
    DeclareInputs();
    for (int index : model_.order) {
      const NodeProto& n = model_.graph().node(index);
      if (fused_.contains(&n)) continue;
      ConvertNode(n);
    }
    for (const auto& out : model_.graph().output()) {
      auto it = values_.find(out.name());
      if (it == values_.end()) continue;  // its node was reported
      if (it->second.constant) {
        problems_.push_back(StrCat("graph output ", out.name(),
                                   " is a constant: dlc's models compute their results"));
        continue;
      }
      result_.results.push_back(AsPlain(it->second, nullptr));
    }
    if (!problems_.empty()) {
      return absl::InvalidArgumentError(StrCat(model_.source, ": cannot import ", problems_.size(),
                                               problems_.size() == 1 ? " node" : " nodes",
                                               " (nothing was written):\n  ",
                                               absl::StrJoin(problems_, "\n  ")));
    }
    return std::move(result_);
  }

 private:
  // An ONNX value as dlc holds it.
  struct Value {
    std::string var;             // the .dl name of a computed value
    std::vector<int64_t> shape;  // ONNX's shape (batch -1)
    bool nhwc = false;           // a rank-4 image dlc holds as NHWC
    bool u8 = false;             // a UINT8 graph input (pixels), until a Cast to FLOAT
    std::optional<ConstTensor> constant;
    // A [batch, C*H*W] value that is dlc's flatten of an NHWC image: its
    // features are in (h, w, c) order where ONNX has (c, h, w).
    std::optional<std::array<int64_t, 3>> chw;
  };

  using Handler = void (Converter::*)(const NodeProto&);

  static Value ConstValue(ConstTensor t) {
    Value v;
    v.constant = std::move(t);
    return v;
  }

  // ---- bookkeeping ----

  void CountUses() {
    for (const NodeProto& n : model_.graph().node()) {
      for (const std::string& in : n.input()) {
        if (!in.empty()) users_[in].push_back(&n);
      }
    }
    for (const auto& out : model_.graph().output()) outputs_.insert(out.name());
  }

  // The one node reading `name`, when exactly one does and it is no graph output.
  const NodeProto* SoleUser(const std::string& name) const {
    auto it = users_.find(name);
    if (it == users_.end() || it->second.size() != 1 || outputs_.contains(name)) return nullptr;
    return it->second[0];
  }

  void Problem(const NodeProto& n, std::string what) {
    problems_.push_back(StrCat("node ", NodeText(n), ": ", std::move(what)));
    // Its outputs stay undefined; nodes reading them are still checked.
    for (int i = 0; i < n.output_size(); ++i) Poison(n.output(i));
  }

  void Poison(const std::string& name) {
    if (name.empty() || values_.contains(name)) return;
    Value v;
    v.var = "?";
    v.shape = ShapeOf(name);
    v.nhwc = v.shape.size() == 4;
    values_[name] = v;
  }

  std::vector<int64_t> ShapeOf(const std::string& name) const {
    auto it = model_.shapes.find(name);
    return it == model_.shapes.end() ? std::vector<int64_t>{} : it->second;
  }

  // Input `i` of `n`, nullptr when absent (an optional input).
  const Value* In(const NodeProto& n, int i) {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    auto it = values_.find(n.input(i));
    if (it == values_.end()) {
      Poison(n.input(i));
      it = values_.find(n.input(i));
    }
    return &it->second;
  }

  // Required input `i` of `n`: a placeholder that reads as unknown when absent.
  Value Arg(const NodeProto& n, int i) {
    if (const Value* v = In(n, i)) return *v;
    Value missing;
    missing.var = "?";
    return missing;
  }

  void Bind(const std::string& name, Value v) { values_[name] = std::move(v); }

  // A computed output of shape inference's shape.
  Value Computed(const std::string& var, const std::string& onnx_name, bool nhwc) {
    Value v;
    v.var = var;
    v.shape = ShapeOf(onnx_name);
    v.nhwc = nhwc && v.shape.size() == 4;
    return v;
  }

  // ---- naming, as the .dl front end names stages ----

  // Keras-style names (relu, relu_1, ...), as lower.cc's FreshStageName picks
  // them for a layer call without name=: the statement's variable is the stage's name.
  std::string AutoName(std::string_view layer) {
    int& count = counts_[std::string(layer)];
    std::string name;
    do {
      name = count == 0 ? std::string(layer) : StrCat(layer, "_", count);
      ++count;
    } while (used_.contains(name));
    used_.insert(name);
    return name;
  }

  // A layer with parameters is named after its ONNX weight ("fc1.weight" →
  // fc1), so its parameters are fc1.kernel and fc1.bias.
  std::string ParamName(const NodeProto& n, int weight_input, std::string_view layer) {
    std::string base = n.input(weight_input);
    for (std::string_view suffix : {".weight", "_weight", ".W", ".kernel"}) {
      if (base.size() > suffix.size() && base.ends_with(suffix)) {
        base.resize(base.size() - suffix.size());
        break;
      }
    }
    // Exporters' generated names ("onnx::MatMul_12") say less than the node's ("/fc/MatMul").
    if (base.find("::") != std::string::npos) {
      base = n.name();
      if (const size_t slash = base.rfind('/'); slash != std::string::npos && slash > 0) {
        base.resize(slash);
      }
    }
    std::string name = Sanitize(base);
    if (name.empty()) name = std::string(layer);
    std::string unique = name;
    for (int k = 1; used_.contains(unique); ++k) unique = StrCat(name, "_", k);
    used_.insert(unique);
    return unique;
  }

  // Appends `var = layer(args)`; `stage` names a layer with parameters.
  std::string Emit(std::string_view layer, const std::string& args, std::string comment,
                   std::string stage = "") {
    std::string text;
    if (stage.empty()) {
      stage = AutoName(layer);
      text = StrCat(stage, " = ", layer, "(", args, ")");
    } else {
      text = StrCat(stage, " = ", layer, "(", args, ", name=\"", stage, "\")");
    }
    result_.statements.push_back({std::move(text), std::move(comment)});
    return stage;
  }

  // ---- layouts ----

  // The value in ONNX's axis order (an NHWC image transposed back to NCHW).
  std::string AsPlain(const Value& v, const NodeProto* n) {
    if (!v.nhwc) return v.var;
    auto [it, inserted] = plain_of_.emplace(v.var, "");
    if (inserted) {
      it->second = Emit("transpose", StrCat(v.var, ", perm=", Ints(kNhwcToNchw)),
                        StrCat("NHWC -> NCHW", n ? StrCat(" for ", NodeText(*n)) : ""));
    }
    return it->second;
  }

  // An image in dlc's NHWC layout, for conv2d and the pools.
  std::string AsNhwc(const Value& v) {
    if (v.nhwc) return v.var;
    auto [it, inserted] = nhwc_of_.emplace(v.var, "");
    if (inserted) {
      it->second = Emit("transpose", StrCat(v.var, ", perm=", Ints(kNchwToNhwc)), "NCHW -> NHWC");
    }
    return it->second;
  }

  // Whether the NHWC value's elements are in another order than ONNX's NCHW
  // (not when it has one channel or one pixel).
  static bool Reordered(const Value& v) {
    return v.nhwc && v.shape.size() == 4 && v.shape[1] != 1 && v.shape[2] * v.shape[3] != 1;
  }

  // ---- checks shared by the ops ----

  // The computed image input of a window op, NHWC, with static H and W; or nullopt after a Problem.
  std::optional<std::string> ImageInput(const NodeProto& n, const Value* x) {
    if (x == nullptr || x->constant) {
      Problem(n, "its input must be a computed image, not a constant");
      return std::nullopt;
    }
    if (x->shape.size() != 4) {
      Problem(n, StrCat("only 2-D images [batch, channels, height, width] are supported, got a "
                        "tensor of rank ",
                        x->shape.size(), " (dlc has conv2d and 2-D pools only)"));
      return std::nullopt;
    }
    if (x->shape[1] < 0 || x->shape[2] < 0 || x->shape[3] < 0) {
      Problem(n, StrCat("the input's shape ", Dims(x->shape),
                        " is not static: dlc needs fixed channels, height and width"));
      return std::nullopt;
    }
    return AsNhwc(*x);
  }

  // padding= for a window over `x` (ONNX [N,C,H,W]): "valid", "same", the
  // explicit "[top, bottom, left, right]", or nullopt after a Problem naming
  // what is there.
  std::optional<std::string> Padding(const NodeProto& n, const Value& x, int64_t kh, int64_t kw,
                                     int64_t sh, int64_t sw, int64_t dh, int64_t dw) {
    const std::string auto_pad = AttrString(n, "auto_pad", "NOTSET");
    const int64_t in_h = x.shape[2], in_w = x.shape[3];
    const auto [top, bottom] = SamePads(in_h, (kh - 1) * dh + 1, sh);
    const auto [left, right] = SamePads(in_w, (kw - 1) * dw + 1, sw);
    const std::vector<int64_t> same = {top, left, bottom, right};
    if (auto_pad == "VALID") return "valid";
    if (auto_pad == "SAME_UPPER") return "same";
    if (auto_pad == "SAME_LOWER") {
      if (top == bottom && left == right) return "same";
      Problem(n,
              "auto_pad=SAME_LOWER puts the odd padding first; dlc's padding=same puts it "
              "last (as SAME_UPPER)");
      return std::nullopt;
    }
    if (auto_pad != "NOTSET") {
      Problem(n, StrCat("auto_pad=", auto_pad, " is not an ONNX padding mode"));
      return std::nullopt;
    }
    const std::vector<int64_t> pads = AttrInts(n, "pads", {0, 0, 0, 0});
    if (pads == std::vector<int64_t>{0, 0, 0, 0}) return "valid";
    if (pads == same) return "same";
    // ONNX: [top, left, bottom, right] (all begins, then all ends).
    if (pads.size() != 4 ||
        std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) {
      Problem(n, StrCat("pads ", Ints(pads), " are not 4 amounts >= 0 for a 2-D window"));
      return std::nullopt;
    }
    return Ints({pads[0], pads[2], pads[1], pads[3]});
  }

  std::optional<std::array<int64_t, 2>> Pair2(const NodeProto& n, std::string_view attr,
                                              std::vector<int64_t> fallback) {
    const std::vector<int64_t> v = AttrInts(n, attr, std::move(fallback));
    if (v.size() != 2 || v[0] <= 0 || v[1] <= 0) {
      Problem(n, StrCat(attr, " ", Ints(v), ": dlc needs two positive numbers (2-D windows)"));
      return std::nullopt;
    }
    return std::array<int64_t, 2>{v[0], v[1]};
  }

  // An activation ONNX applies right after `out` that dlc's dense and conv2d
  // take as activation=...: the node, and the word.
  std::pair<const NodeProto*, std::string> FusedActivation(const std::string& out, int64_t rank) {
    const NodeProto* user = SoleUser(out);
    if (user == nullptr || !(user->domain().empty() || user->domain() == "ai.onnx")) return {};
    const std::string& op = user->op_type();
    if (op == "Relu") return {user, "relu"};
    if (op == "Sigmoid") return {user, "sigmoid"};
    if (op == "Tanh") return {user, "tanh"};
    if (op == "Softmax" && rank == 2) {
      const int64_t axis = AttrInt(*user, "axis", model_.opset >= 13 ? -1 : 1);
      if (axis == 1 || axis == -1) return {user, "softmax"};
    }
    return {};
  }

  // ---- the ops ----

  void ConvertNode(const NodeProto& n) {
    static const std::map<std::string, Handler, std::less<>> kHandlers = {
        {"Constant", &Converter::Constant},   {"Identity", &Converter::Identity},
        {"Cast", &Converter::Cast},           {"Dropout", &Converter::Dropout},
        {"Relu", &Converter::Activation},     {"Sigmoid", &Converter::Activation},
        {"Tanh", &Converter::Activation},     {"LeakyRelu", &Converter::LeakyRelu},
        {"Softmax", &Converter::Softmax},     {"LogSoftmax", &Converter::Softmax},
        {"Add", &Converter::Binary},          {"Sub", &Converter::Binary},
        {"Mul", &Converter::Binary},          {"Div", &Converter::Binary},
        {"MatMul", &Converter::MatMul},       {"Gemm", &Converter::Gemm},
        {"Conv", &Converter::Conv},           {"MaxPool", &Converter::Pool},
        {"AveragePool", &Converter::Pool},    {"GlobalAveragePool", &Converter::GlobalAveragePool},
        {"Flatten", &Converter::Flatten},     {"Reshape", &Converter::Reshape},
        {"Transpose", &Converter::Transpose}, {"Concat", &Converter::Concat},
    };
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      Problem(n, StrCat("ops of domain '", n.domain(),
                        "' are not supported: dlc imports the default ONNX domain"));
      return;
    }
    auto it = kHandlers.find(n.op_type());
    if (it == kHandlers.end()) {
      std::vector<std::string> known;
      for (const auto& [name, handler] : kHandlers) known.push_back(name);
      Problem(n, StrCat("op ", n.op_type(), " is not supported (dlc imports ",
                        absl::StrJoin(known, ", "), ")"));
      return;
    }
    (this->*(it->second))(n);
  }

  void Constant(const NodeProto& n) {
    ConstTensor t;
    if (const AttributeProto* a = FindAttr(n, "value"); a != nullptr && a->has_t()) {
      absl::StatusOr<ConstTensor> read = ReadTensor(a->t(), "its value");
      if (!read.ok()) return Problem(n, std::string(read.status().message()));
      t = *std::move(read);
    } else if (const AttributeProto* f = FindAttr(n, "value_float")) {
      t.values = {f->f()};
    } else if (const AttributeProto* fs = FindAttr(n, "value_floats")) {
      t.values.assign(fs->floats().begin(), fs->floats().end());
      t.dims = {fs->floats_size()};
    } else if (const AttributeProto* i = FindAttr(n, "value_int")) {
      t.values = {static_cast<double>(i->i())};
      t.data_type = TensorProto::INT64;
    } else if (const AttributeProto* is = FindAttr(n, "value_ints")) {
      for (int64_t v : is->ints()) t.values.push_back(static_cast<double>(v));
      t.dims = {is->ints_size()};
      t.data_type = TensorProto::INT64;
    } else {
      return Problem(n,
                     "only a tensor, float(s) or int(s) value is supported (not sparse or "
                     "string constants)");
    }
    Bind(n.output(0), ConstValue(std::move(t)));
  }

  void Identity(const NodeProto& n) { Bind(n.output(0), Arg(n, 0)); }

  void Cast(const NodeProto& n) {
    const Value x = Arg(n, 0);
    const int64_t to = AttrInt(n, "to", 0);
    if (x.constant) {
      ConstTensor t = *x.constant;
      for (double& v : t.values) {
        if (to == TensorProto::FLOAT) {
          v = static_cast<float>(v);
        } else if (to == TensorProto::INT64 || to == TensorProto::INT32) {
          v = std::trunc(v);
        } else if (to != TensorProto::DOUBLE) {
          return Problem(n, StrCat("Cast of a constant to ", DataTypeName(static_cast<int32_t>(to)),
                                   ": dlc folds casts to FLOAT, DOUBLE, INT32 and INT64"));
        }
      }
      t.data_type = static_cast<int32_t>(to);
      return Bind(n.output(0), ConstValue(std::move(t)));
    }
    if (to != TensorProto::FLOAT) {
      return Problem(n,
                     StrCat("Cast of a computed value to ", DataTypeName(static_cast<int32_t>(to)),
                            ": dlc's models compute in FLOAT, so only Cast to FLOAT is "
                            "supported"));
    }
    if (x.u8) {  // pixels to f32: rescale by 1 is exact for every byte
      Value v = Computed(Emit("rescale", StrCat(x.var, ", 1"), NodeText(n)), n.output(0), x.nhwc);
      return Bind(n.output(0), v);
    }
    Bind(n.output(0), x);  // already f32
  }

  void Dropout(const NodeProto& n) {
    const Value x = Arg(n, 0);
    double rate = 0.5;
    if (model_.opset < 12) {
      rate = AttrFloat(n, "ratio", 0.5);
    } else if (const Value* r = In(n, 1)) {
      if (!r->constant || r->constant->size() != 1) {
        return Problem(n, "its ratio must be a constant scalar");
      }
      rate = r->constant->values[0];
    }
    if (n.output_size() > 1 && !n.output(1).empty() && users_.contains(n.output(1))) {
      return Problem(n, "its mask output is used: dlc's dropout has no mask output");
    }
    if (!(rate >= 0 && rate < 1)) {
      return Problem(n, StrCat("ratio ", Num(rate), ": dlc's dropout takes a rate in [0, 1)"));
    }
    if (x.constant) return Problem(n, "dropout of a constant is not supported");
    // In inference ONNX's Dropout passes values through, as dlc's does.
    const std::string var = Emit("dropout", StrCat(x.var, ", rate=", F32(rate)), NodeText(n));
    Bind(n.output(0), Computed(var, n.output(0), x.nhwc));
  }

  void Activation(const NodeProto& n) {
    const Value x = Arg(n, 0);
    if (x.constant)
      return Problem(n,
                     "activations of constants are not folded; compute them "
                     "before exporting");
    std::string layer = n.op_type() == "Relu"      ? "relu"
                        : n.op_type() == "Sigmoid" ? "sigmoid"
                                                   : "tanh";
    Value v = Computed(Emit(layer, x.var, NodeText(n)), n.output(0), x.nhwc);
    v.chw = x.chw;  // elementwise: the feature order is unchanged
    Bind(n.output(0), v);
  }

  void LeakyRelu(const NodeProto& n) {
    const Value x = Arg(n, 0);
    const double alpha = AttrFloat(n, "alpha", 0.01);
    if (x.constant) return Problem(n, "activations of constants are not folded");
    if (!(alpha >= 0)) {
      return Problem(n, StrCat("alpha ", F32(alpha),
                               " is negative: dlc's leaky_relu takes "
                               "alpha >= 0"));
    }
    Value v = Computed(Emit("leaky_relu", StrCat(x.var, ", alpha=", F32(alpha)), NodeText(n)),
                       n.output(0), x.nhwc);
    v.chw = x.chw;
    Bind(n.output(0), v);
  }

  void Softmax(const NodeProto& n) {
    const Value x = Arg(n, 0);
    const std::string layer = n.op_type() == "Softmax" ? "softmax" : "log_softmax";
    if (x.constant) return Problem(n, "softmax of a constant is not folded");
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    int64_t axis = AttrInt(n, "axis", model_.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += rank;
    // Before opset 13 the op normalises over all axes from `axis` on.
    const bool flattened = model_.opset < 13;
    bool last = axis == rank - 1;
    if (x.nhwc) {
      last = axis == 1 && (!flattened || x.shape[2] * x.shape[3] == 1);
    } else if (flattened) {
      last = axis == rank - 1;
    }
    if (!last) {
      return Problem(n, StrCat("axis ", AttrInt(n, "axis", model_.opset >= 13 ? -1 : 1), " of a ",
                               Dims(x.shape), " value: dlc's ", layer,
                               " normalises over the last (channel) axis only"));
    }
    Value v = Computed(Emit(layer, x.var, NodeText(n)), n.output(0), x.nhwc);
    v.chw = x.chw;
    Bind(n.output(0), v);
  }

  // Add, Sub, Mul, Div: constants fold; a scalar constant becomes rescale;
  // two computed values of one shape become add/subtract/multiply/divide.
  void Binary(const NodeProto& n) {
    const Value a = Arg(n, 0), b = Arg(n, 1);
    const std::string& op = n.op_type();
    auto apply = [&op](double x, double y) {
      return op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
    };
    if (a.constant && b.constant) {
      const ConstTensor& big = a.constant->size() >= b.constant->size() ? *a.constant : *b.constant;
      if (a.constant->size() != b.constant->size() && a.constant->size() != 1 &&
          b.constant->size() != 1) {
        return Problem(n, "broadcasting between two constant tensors is not folded");
      }
      ConstTensor t = big;
      for (int64_t i = 0; i < t.size(); ++i) {
        t.values[i] = apply(a.constant->values[a.constant->size() == 1 ? 0 : i],
                            b.constant->values[b.constant->size() == 1 ? 0 : i]);
      }
      return Bind(n.output(0), ConstValue(std::move(t)));
    }
    if (a.constant || b.constant) {
      const ConstTensor& c = a.constant ? *a.constant : *b.constant;
      const Value& x = a.constant ? b : a;
      if (c.size() != 1) {
        return Problem(n, StrCat(op, " with a constant tensor of shape ", Ints(c.dims),
                                 ": dlc applies scalar constants only (a bias belongs to the "
                                 "MatMul or Conv before it)"));
      }
      const double k = c.values[0];
      std::string args;
      if (op == "Add") {
        args = StrCat(x.var, ", 1, offset=", F32(k));
      } else if (op == "Sub") {
        args = a.constant ? StrCat(x.var, ", -1, offset=", F32(k))
                          : StrCat(x.var, ", 1, offset=", F32(-k));
      } else if (op == "Mul") {
        args = StrCat(x.var, ", ", F32(k));
      } else if (a.constant) {
        return Problem(n, "dividing a constant by a computed value is not supported");
      } else if (k == 0) {
        return Problem(n, "division by the constant 0");
      } else if (k == std::trunc(k) && std::abs(k) < 1e15) {
        args = StrCat(x.var, ", 1/", Num(k));
      } else {
        args = StrCat(x.var, ", ", Num(1.0 / static_cast<float>(k)));
      }
      Value v = Computed(Emit("rescale", args, NodeText(n)), n.output(0), x.nhwc);
      v.chw = x.chw;
      return Bind(n.output(0), v);
    }
    if (a.shape != b.shape || a.shape.empty()) {
      return Problem(n, StrCat("operands of shapes ", Dims(a.shape), " and ", Dims(b.shape),
                               ": dlc combines two computed values of one shape (no "
                               "broadcasting)"));
    }
    std::string va = a.var, vb = b.var;
    bool nhwc = a.nhwc && b.nhwc;
    if (a.nhwc != b.nhwc) {
      va = AsPlain(a, &n);
      vb = AsPlain(b, &n);
    }
    if (a.chw != b.chw) {
      return Problem(n, "its operands are flattened in different orders");
    }
    const std::string layer = op == "Add"   ? "add"
                              : op == "Sub" ? "subtract"
                              : op == "Mul" ? "multiply"
                                            : "divide";
    Value v = Computed(Emit(layer, StrCat(va, ", ", vb), NodeText(n)), n.output(0), nhwc);
    v.chw = a.chw;
    Bind(n.output(0), v);
  }

  // A dense layer from x [batch, features] and kernel [features, units] in
  // ONNX's order, with an optional bias; `last` is the node whose output it
  // computes, after which an activation may be fused.
  void Dense(const NodeProto& n, const Value& x, int weight_input, std::vector<double> kernel,
             int64_t features, int64_t units, std::optional<std::vector<double>> bias,
             const NodeProto& last, std::string comment) {
    if (x.constant) return Problem(n, "its input must be computed, not a constant");
    if (x.shape.size() != 2) {
      return Problem(n, StrCat("its input is ", Dims(x.shape),
                               ": dlc's dense takes [batch, features] (flatten first)"));
    }
    if (x.shape[1] != features) {
      return Problem(n, StrCat("its input has ", x.shape[1], " features, the weight ", features));
    }
    if (x.chw) kernel = ChwRowsToHwc(kernel, (*x.chw)[0], (*x.chw)[1], (*x.chw)[2], units);
    const std::string stage = ParamName(n, weight_input, "dense");
    std::string args = StrCat(x.var, ", ", units);
    const auto [act, word] = FusedActivation(last.output(0), 2);
    const NodeProto& end = act != nullptr ? *act : last;
    if (act != nullptr) {
      args += StrCat(", activation=", word);
      comment += StrCat(" + ", NodeText(*act));
      fused_.insert(act);
    }
    if (!bias) args += ", use_bias=false";
    Emit("dense", args, comment, stage);
    std::vector<float> k(kernel.begin(), kernel.end());
    result_.weights[StrCat(stage, ".kernel")] =
        Tensor::FromVector<float>(DType::kF32, {features, units}, k);
    if (bias) {
      std::vector<float> b(bias->begin(), bias->end());
      result_.weights[StrCat(stage, ".bias")] = Tensor::FromVector<float>(DType::kF32, {units}, b);
    }
    Bind(end.output(0), Computed(stage, end.output(0), false));
  }

  // A bias of `units` values: shape [units], [1, units] or a scalar (broadcast).
  static std::optional<std::vector<double>> BiasOf(const ConstTensor& c, int64_t units) {
    const bool row =
        c.size() == units && (c.dims.size() == 1 || (c.dims.size() == 2 && c.dims[0] == 1));
    if (row) return c.values;
    if (c.size() == 1) return std::vector<double>(units, c.values[0]);
    return std::nullopt;
  }

  void MatMul(const NodeProto& n) {
    const Value a = Arg(n, 0), b = Arg(n, 1);
    if (!b.constant || b.constant->dims.size() != 2) {
      return Problem(n,
                     "its second operand must be a constant matrix (a weight): dlc's dense "
                     "multiplies by a parameter");
    }
    const int64_t features = b.constant->dims[0], units = b.constant->dims[1];
    // A bias added right after (as exporters write Linear) joins the dense layer.
    const NodeProto* last = &n;
    std::optional<std::vector<double>> bias;
    std::string comment = NodeText(n);
    if (const NodeProto* add = SoleUser(n.output(0));
        add != nullptr && add->op_type() == "Add" && (add->domain().empty())) {
      const std::string other = add->input(0) == n.output(0) ? add->input(1) : add->input(0);
      auto it = values_.find(other);
      if (it != values_.end() && it->second.constant) {
        bias = BiasOf(*it->second.constant, units);
        if (bias) {
          last = add;
          fused_.insert(add);
          comment += StrCat(" + ", NodeText(*add));
        }
      }
    }
    Dense(n, a, 1, b.constant->values, features, units, bias, *last, comment);
  }

  void Gemm(const NodeProto& n) {
    const Value a = Arg(n, 0), b = Arg(n, 1);
    const Value* c = In(n, 2);
    if (AttrInt(n, "transA", 0) != 0) {
      return Problem(n, "transA=1 is not supported: dlc's dense takes [batch, features]");
    }
    if (!b.constant || b.constant->dims.size() != 2) {
      return Problem(n, "its B operand must be a constant matrix (a weight)");
    }
    const double alpha = AttrFloat(n, "alpha", 1), beta = AttrFloat(n, "beta", 1);
    const bool trans_b = AttrInt(n, "transB", 0) != 0;
    const int64_t rows = b.constant->dims[0], cols = b.constant->dims[1];
    const int64_t features = trans_b ? cols : rows, units = trans_b ? rows : cols;
    std::vector<double> kernel =
        trans_b ? Transposed(b.constant->values, rows, cols) : b.constant->values;
    for (double& v : kernel) v *= alpha;  // alpha and beta fold into the weights
    std::optional<std::vector<double>> bias;
    if (c != nullptr) {
      if (!c->constant) return Problem(n, "its C operand (the bias) must be a constant");
      bias = BiasOf(*c->constant, units);
      if (!bias) {
        return Problem(n, StrCat("its bias C of shape ", Ints(c->constant->dims),
                                 " is not one "
                                 "value per unit (",
                                 units, ")"));
      }
      for (double& v : *bias) v *= beta;
    }
    Dense(n, a, 1, std::move(kernel), features, units, bias, n, NodeText(n));
  }

  void Conv(const NodeProto& n) {
    const Value* x = In(n, 0);
    const Value w = Arg(n, 1);
    const Value* b = In(n, 2);
    if (AttrInt(n, "group", 1) != 1) {
      return Problem(n, StrCat("group=", AttrInt(n, "group", 1),
                               " (a grouped or depthwise "
                               "convolution): dlc's conv2d has no groups"));
    }
    if (!w.constant || w.constant->dims.size() != 4) {
      return Problem(n, "its weight must be a constant [out, in, height, width] tensor");
    }
    if (b != nullptr && (!b->constant || b->constant->size() != w.constant->dims[0])) {
      return Problem(n, "its bias must be a constant with one value per output channel");
    }
    const int64_t o = w.constant->dims[0], i = w.constant->dims[1], kh = w.constant->dims[2],
                  kw = w.constant->dims[3];
    if (const AttributeProto* ks = FindAttr(n, "kernel_shape");
        ks != nullptr && AttrInts(n, "kernel_shape", {}) != std::vector<int64_t>{kh, kw}) {
      return Problem(n, "kernel_shape disagrees with the weight's shape");
    }
    const auto strides = Pair2(n, "strides", {1, 1});
    const auto dilations = Pair2(n, "dilations", {1, 1});
    if (!strides || !dilations) return;
    const std::optional<std::string> image = ImageInput(n, x);
    if (!image) return;
    if (x->shape[1] != i) {
      return Problem(n, StrCat("the input has ", x->shape[1], " channels, the weight ", i));
    }
    const std::optional<std::string> padding =
        Padding(n, *x, kh, kw, (*strides)[0], (*strides)[1], (*dilations)[0], (*dilations)[1]);
    if (!padding) return;
    const std::string stage = ParamName(n, 1, "conv2d");
    std::string args = StrCat(*image, ", filters=", o, ", kernel=", Pair(kh, kw));
    if ((*strides)[0] != 1 || (*strides)[1] != 1) {
      args += StrCat(", strides=", Pair((*strides)[0], (*strides)[1]));
    }
    if (*padding != "valid") args += StrCat(", padding=", *padding);
    if ((*dilations)[0] != 1 || (*dilations)[1] != 1) {
      args += StrCat(", dilation=", Pair((*dilations)[0], (*dilations)[1]));
    }
    std::string comment = NodeText(n);
    const auto [act, word] = FusedActivation(n.output(0), 4);
    if (act != nullptr) {
      args += StrCat(", activation=", word);
      comment += StrCat(" + ", NodeText(*act));
      fused_.insert(act);
    }
    if (b == nullptr) args += ", use_bias=false";
    Emit("conv2d", args, comment, stage);
    const std::vector<double> hwio = OihwToHwio(w.constant->values, o, i, kh, kw);
    result_.weights[StrCat(stage, ".kernel")] = Tensor::FromVector<float>(
        DType::kF32, {kh, kw, i, o}, std::vector<float>(hwio.begin(), hwio.end()));
    if (b != nullptr) {
      result_.weights[StrCat(stage, ".bias")] = Tensor::FromVector<float>(
          DType::kF32, {o},
          std::vector<float>(b->constant->values.begin(), b->constant->values.end()));
    }
    const std::string& out = act != nullptr ? act->output(0) : n.output(0);
    Bind(out, Computed(stage, out, true));
  }

  void Pool(const NodeProto& n) {
    const bool max = n.op_type() == "MaxPool";
    const Value* x = In(n, 0);
    const auto kernel = Pair2(n, "kernel_shape", {});
    const auto strides = Pair2(n, "strides", {1, 1});
    if (!kernel || !strides) return;
    if (AttrInts(n, "dilations", {1, 1}) != std::vector<int64_t>{1, 1}) {
      return Problem(n, "dilations are not supported: dlc's pools read adjacent values");
    }
    if (n.output_size() > 1 && !n.output(1).empty() && users_.contains(n.output(1))) {
      return Problem(n, "its Indices output is used: dlc's maxpool2d has none");
    }
    const std::optional<std::string> image = ImageInput(n, x);
    if (!image) return;
    const std::optional<std::string> padding =
        Padding(n, *x, (*kernel)[0], (*kernel)[1], (*strides)[0], (*strides)[1], 1, 1);
    if (!padding) return;
    if (!max && *padding != "valid" && AttrInt(n, "count_include_pad", 0) != 0) {
      return Problem(n,
                     "AveragePool with count_include_pad=1 divides by the padding too; dlc's "
                     "avgpool2d averages the input's values only (count_include_pad=0)");
    }
    if (AttrInt(n, "ceil_mode", 0) != 0) {
      // Rounding up changes the output only where a window would start past
      // the padded input.
      std::vector<int64_t> pads = AttrInts(n, "pads", {0, 0, 0, 0});
      if (*padding == "same") {
        const auto [top, bottom] = SamePads(x->shape[2], (*kernel)[0], (*strides)[0]);
        const auto [left, right] = SamePads(x->shape[3], (*kernel)[1], (*strides)[1]);
        pads = {top, left, bottom, right};
      } else if (*padding == "valid") {
        pads = {0, 0, 0, 0};
      }
      for (int d = 0; d < 2; ++d) {
        const int64_t padded = x->shape[2 + d] + pads[d] + pads[d + 2];
        if ((padded - (*kernel)[d]) % (*strides)[d] != 0) {
          return Problem(n,
                         "ceil_mode=1 gives this input a partial last window; dlc's pools "
                         "round down (ceil_mode=0)");
        }
      }
    }
    std::string args = StrCat(*image, ", pool=", Pair((*kernel)[0], (*kernel)[1]));
    if (*strides != *kernel) args += StrCat(", strides=", Pair((*strides)[0], (*strides)[1]));
    if (*padding != "valid") args += StrCat(", padding=", *padding);
    const std::string var = Emit(max ? "maxpool2d" : "avgpool2d", args, NodeText(n));
    Bind(n.output(0), Computed(var, n.output(0), true));
  }

  void GlobalAveragePool(const NodeProto& n) {
    const Value* x = In(n, 0);
    const std::optional<std::string> image = ImageInput(n, x);
    if (!image) return;
    const std::string var =
        Emit("avgpool2d", StrCat(*image, ", pool=", Pair(x->shape[2], x->shape[3])), NodeText(n));
    Bind(n.output(0), Computed(var, n.output(0), true));
  }

  // Whether every reader of `name` is a dense layer (Gemm or MatMul with a
  // constant weight), which can take its features in dlc's order.
  bool OnlyDenseReads(const std::string& name) {
    auto it = users_.find(name);
    if (it == users_.end() || outputs_.contains(name)) return false;
    for (const NodeProto* user : it->second) {
      const bool dense = (user->op_type() == "Gemm" && AttrInt(*user, "transA", 0) == 0) ||
                         user->op_type() == "MatMul";
      if (!dense || user->input(0) != name || user->input_size() < 2) return false;
      auto w = values_.find(user->input(1));
      if (w == values_.end() || !w->second.constant) return false;
    }
    return true;
  }

  void Flatten(const NodeProto& n) {
    const Value x = Arg(n, 0);
    if (x.constant) return Problem(n, "flattening a constant is not folded");
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    int64_t axis = AttrInt(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1) {
      return Problem(
          n, StrCat("axis=", AttrInt(n, "axis", 1), ": dlc flattens each sample (axis 1) only"));
    }
    if (rank == 2) return Bind(n.output(0), x);
    std::string input = x.var;
    std::optional<std::array<int64_t, 3>> chw;
    if (Reordered(x)) {
      // dlc flattens NHWC as (h, w, c); a dense layer after it takes its
      // weight rows in that order, anything else gets ONNX's order.
      if (OnlyDenseReads(n.output(0))) {
        chw = std::array<int64_t, 3>{x.shape[1], x.shape[2], x.shape[3]};
      } else {
        input = AsPlain(x, &n);
      }
    }
    Value v = Computed(Emit("flatten", input, NodeText(n)), n.output(0), false);
    v.chw = chw;
    Bind(n.output(0), v);
  }

  void Reshape(const NodeProto& n) {
    const Value x = Arg(n, 0);
    const Value* shape = In(n, 1);
    if (shape == nullptr || !shape->constant) {
      return Problem(n,
                     "its shape must be a constant (computed shapes, e.g. from Shape, are not "
                     "supported)");
    }
    if (x.constant) return Problem(n, "reshaping a constant is not folded");
    if (AttrInt(n, "allowzero", 0) != 0) return Problem(n, "allowzero=1 is not supported");
    std::vector<int64_t> target;
    for (double d : shape->constant->values) target.push_back(static_cast<int64_t>(d));
    const bool batch_kept =
        !target.empty() && (target[0] == 0 || target[0] == -1 ||
                            (!x.shape.empty() && x.shape[0] > 0 && target[0] == x.shape[0]));
    int64_t sample = 1;
    for (size_t d = 1; d < x.shape.size(); ++d) sample *= x.shape[d];
    std::vector<int64_t> dims;
    int64_t known = 1, infer = -1;
    for (size_t d = 1; d < target.size(); ++d) {
      int64_t v = target[d];
      if (v == 0 && d < x.shape.size()) v = x.shape[d];
      if (v == -1 && infer < 0) {
        infer = static_cast<int64_t>(dims.size());
        dims.push_back(-1);
        continue;
      }
      if (v <= 0) return Problem(n, StrCat("shape ", Ints(target), " is not supported"));
      known *= v;
      dims.push_back(v);
    }
    if (!batch_kept || (target[0] == -1 && infer >= 0)) {
      return Problem(n, StrCat("shape ", Ints(target),
                               " does not keep the batch axis first: "
                               "dlc reshapes each sample"));
    }
    if (infer >= 0) {
      if (known == 0 || sample % known != 0) {
        return Problem(n, StrCat("shape ", Ints(target), " does not fit ", Dims(x.shape)));
      }
      dims[infer] = sample / known;
      known *= dims[infer];
    }
    if (known != sample || dims.empty()) {
      return Problem(n, StrCat("shape ", Ints(target), " does not fit ", Dims(x.shape)));
    }
    std::vector<int64_t> in_sample(x.shape.begin() + 1, x.shape.end());
    if (dims == in_sample && !x.nhwc) return Bind(n.output(0), x);
    // Only the element order matters: an NHWC image with one channel or one pixel has ONNX's.
    const std::string input = Reordered(x) ? AsPlain(x, &n) : x.var;
    const std::string var = Emit("reshape", StrCat(input, ", shape=", Ints(dims)), NodeText(n));
    Value v;
    v.var = var;
    v.shape = {-1};
    v.shape.insert(v.shape.end(), dims.begin(), dims.end());
    Bind(n.output(0), v);
  }

  void Transpose(const NodeProto& n) {
    const Value x = Arg(n, 0);
    if (x.constant) return Problem(n, "transposing a constant is not folded");
    const int64_t rank = static_cast<int64_t>(x.shape.size());
    std::vector<int64_t> perm = AttrInts(n, "perm", {});
    if (perm.empty()) {
      for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
    }
    if (static_cast<int64_t>(perm.size()) != rank || perm[0] != 0) {
      return Problem(n, StrCat("perm ", Ints(perm),
                               " moves the batch axis: dlc's transpose "
                               "keeps axis 0 first"));
    }
    if (x.chw) return Problem(n, "transposing a flattened image is not supported");
    if (!x.nhwc && perm == kNhwcToNchw) {
      // An NHWC image made NCHW (models that keep images NHWC, as dlc's own
      // exports do, around each Conv and pool): the NCHW image dlc holds as
      // NHWC is this very tensor, so nothing is computed.
      return Bind(n.output(0), Computed(x.var, n.output(0), true));
    }
    const std::vector<int64_t> p = x.nhwc ? PermOfNhwc(perm) : perm;
    bool identity = true;
    for (int64_t d = 0; d < rank; ++d) identity &= p[d] == d;
    Value v = Computed(x.var, n.output(0), false);
    if (!identity) {
      v.var = Emit("transpose", StrCat(x.var, ", perm=", Ints(p)), NodeText(n));
    }
    Bind(n.output(0), v);
  }

  void Concat(const NodeProto& n) {
    std::vector<const Value*> parts;
    bool all_nhwc = true;
    for (int i = 0; i < n.input_size(); ++i) {
      const Value* v = In(n, i);
      if (v == nullptr) continue;
      if (v->constant) return Problem(n, "joining constants is not supported");
      if (v->chw) return Problem(n, "joining flattened images is not supported");
      parts.push_back(v);
      all_nhwc &= v->nhwc;
    }
    if (parts.size() < 2) {
      if (parts.size() == 1) return Bind(n.output(0), *parts[0]);
      return Problem(n, "it has no inputs");
    }
    const int64_t rank = static_cast<int64_t>(parts[0]->shape.size());
    int64_t axis = AttrInt(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis <= 0 || axis >= rank) {
      return Problem(n, StrCat("axis ", AttrInt(n, "axis", 1),
                               " joins along the batch axis or "
                               "out of range: dlc joins samples' axes"));
    }
    std::vector<std::string> vars;
    for (const Value* v : parts) vars.push_back(all_nhwc ? v->var : AsPlain(*v, &n));
    const int64_t dlc_axis = all_nhwc ? kNchwAxisInNhwc[axis] : axis;
    const std::string var =
        Emit("concat", StrCat(absl::StrJoin(vars, ", "), ", axis=", dlc_axis), NodeText(n));
    Bind(n.output(0), Computed(var, n.output(0), all_nhwc));
  }

  // ---- inputs ----

  // Whether `name` reaches an NHWC -> NCHW Transpose through nodes that keep
  // its layout (Cast, Identity, and arithmetic with a scalar constant), each
  // the only reader of the value before it.
  bool TransposedToNchw(const std::string& name) const {
    std::string at = name;
    for (int hops = 0; hops < 8; ++hops) {
      const NodeProto* user = SoleUser(at);
      if (user == nullptr || user->output_size() != 1) return false;
      const std::string& op = user->op_type();
      if (op == "Transpose") {
        std::vector<int64_t> perm;
        if (const AttributeProto* a = FindAttr(*user, "perm")) {
          perm.assign(a->ints().begin(), a->ints().end());
        }
        return perm == kNhwcToNchw;
      }
      const bool keeps_layout = op == "Cast" || op == "Identity" ||
                                ((op == "Mul" || op == "Div" || op == "Add" || op == "Sub") &&
                                 user->input_size() == 2 && ScalarConstant(*user, at));
      if (!keeps_layout) return false;
      at = user->output(0);
    }
    return false;
  }

  // Whether `n`'s operand other than `operand` is a constant of one element.
  bool ScalarConstant(const NodeProto& n, const std::string& operand) const {
    const std::string& other = n.input(0) == operand ? n.input(1) : n.input(0);
    auto it = model_.initializers.find(other);
    if (it != model_.initializers.end()) return it->second.size() == 1;
    for (const NodeProto& c : model_.graph().node()) {  // a Constant node
      if (c.op_type() == "Constant" && c.output_size() == 1 && c.output(0) == other) {
        const AttributeProto* value = FindAttr(c, "value");
        if (value == nullptr || !value->has_t()) return false;
        int64_t elements = 1;
        for (int64_t d : value->t().dims()) elements *= d;
        return elements == 1;
      }
    }
    return false;
  }

  void DeclareInputs() {
    for (const auto& input : model_.graph().input()) {
      if (model_.initializers.contains(input.name())) continue;  // old exporters list weights too
      const std::vector<int64_t> shape = ShapeOf(input.name());
      auto type = model_.elem_types.find(input.name());
      const bool u8 = type != model_.elem_types.end() && type->second == TensorProto::UINT8;
      if (type == model_.elem_types.end() || (type->second != TensorProto::FLOAT && !u8)) {
        problems_.push_back(
            StrCat("graph input ", input.name(), " is ",
                   type == model_.elem_types.end() ? "not a tensor" : DataTypeName(type->second),
                   ": dlc's imported models take FLOAT (or UINT8 pixel) inputs"));
        Poison(input.name());
        continue;
      }
      bool ok = shape.size() >= 2;
      for (size_t d = 1; d < shape.size(); ++d) ok &= shape[d] > 0;
      if (!ok) {
        problems_.push_back(StrCat("graph input ", input.name(), " has shape ", Dims(shape),
                                   ": dlc needs [batch, ...] with every other axis fixed"));
        Poison(input.name());
        continue;
      }
      std::string var = Sanitize(input.name());
      if (var.empty()) var = "x";
      for (int k = 1; used_.contains(var); ++k) var = StrCat(Sanitize(input.name()), "_", k);
      used_.insert(var);
      Value v;
      v.var = var;
      v.shape = shape;
      v.shape[0] = -1;
      v.u8 = u8;
      // A rank-4 input is an NCHW image, unless the model itself transposes
      // it from NHWC to NCHW (then it is NHWC already, as dlc holds images).
      v.nhwc = shape.size() == 4 && !TransposedToNchw(input.name());
      std::vector<int64_t> sample(shape.begin() + 1, shape.end());
      if (v.nhwc) sample = {shape[2], shape[3], shape[1]};
      result_.inputs.push_back(StrCat(var, u8 ? ": u8" : ": f32", Ints(sample)));
      if (v.nhwc) {
        result_.input_notes.push_back(StrCat(var, " is NHWC [batch, ", shape[2], ", ", shape[3],
                                             ", ", shape[1], "]; the ONNX model's ", input.name(),
                                             " is NCHW ", Dims(v.shape)));
      }
      values_[input.name()] = v;
    }
  }

  const OnnxModel& model_;
  ConvertedGraph result_;
  std::vector<std::string> problems_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<const NodeProto*>> users_;
  std::set<std::string> outputs_;
  std::set<const NodeProto*> fused_;  // nodes converted with the one before them
  std::map<std::string, int> counts_;
  std::set<std::string> used_;
  std::map<std::string, std::string> plain_of_, nhwc_of_;
};

}  // namespace

absl::StatusOr<ConvertedGraph> ConvertGraph(const OnnxModel& model) {
  return Converter(model).Run();
}

}  // namespace dlc::onnx_import
