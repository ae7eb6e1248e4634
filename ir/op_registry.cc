// Every tensor-IR op, declared once: operands, attributes and result-type rule.
#include "ir/op_registry.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "ir/enum_attrs.h"
#include "ir/shape_util.h"
#include "ir/window.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

template <typename... Args>
absl::Status Error(const Args&... args) {
  return absl::InvalidArgumentError(StrCat(args...));
}

std::string TypeList(std::span<const TensorType> types) {
  return absl::StrJoin(types, ", ",
                       [](std::string* out, const TensorType& t) { out->append(t.ToString()); });
}

// ---- dtype checks ---------------------------------------------------------

absl::Status RequireSameDType(std::span<const TensorType> operands) {
  for (const TensorType& t : operands) {
    if (t.dtype != operands[0].dtype) {
      return Error("operands must have one element type, got ", TypeList(operands));
    }
  }
  return absl::OkStatus();
}

absl::Status RequireFloat(const TensorType& t, std::string_view what = "operand") {
  if (!IsFloat(t.dtype)) return Error(what, " must be f32 or f64, got ", t.ToString());
  return absl::OkStatus();
}

absl::Status RequireArithmetic(const TensorType& t) {
  if (!IsArithmetic(t.dtype)) return Error("operand must be f32, f64 or i32, got ", t.ToString());
  return absl::OkStatus();
}

absl::Status RequireRank(const TensorType& t, int64_t rank, std::string_view what) {
  if (t.rank() != rank) {
    return Error(what, " must have rank ", rank, ", got ", t.ToString());
  }
  return absl::OkStatus();
}

// ---- sources --------------------------------------------------------------

absl::StatusOr<TensorType> InputRule(const TypeRuleInput& in) { return in.declared; }

absl::StatusOr<TensorType> ParameterRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireFloat(in.declared, "a parameter"));
  DLC_RETURN_IF_ERROR(ParseEnum<Initializer>(AttrString(in.attrs, "init")).status());
  return in.declared;
}

// Whether `v` is exactly a value of `dtype` (constants and pad values).
absl::Status RequireRepresentable(double v, DType dtype) {
  switch (dtype) {
    case DType::kF32:
    case DType::kF64: return absl::OkStatus();
    case DType::kI32:
      if (v != std::trunc(v) || v < -2147483648.0 || v > 2147483647.0) {
        return Error("value ", FormatDouble(v), " is not an i32");
      }
      return absl::OkStatus();
    case DType::kU8:
      if (v != std::trunc(v) || v < 0 || v > 255)
        return Error("value ", FormatDouble(v), " is not a u8");
      return absl::OkStatus();
    case DType::kI1:
      if (v != 0 && v != 1) return Error("value ", FormatDouble(v), " is not an i1 (0 or 1)");
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorType> ConstantRule(const TypeRuleInput& in) {
  const FloatList values = AttrFloats(in.attrs, "value");
  const int64_t n = in.declared.num_elements();
  if (values.size() != 1 && static_cast<int64_t>(values.size()) != n) {
    return Error("value has ", values.size(), " elements; ", in.declared.ToString(),
                 " needs 1 (a splat) or ", n);
  }
  for (double v : values) DLC_RETURN_IF_ERROR(RequireRepresentable(v, in.declared.dtype));
  return in.declared;
}

// ---- elementwise ----------------------------------------------------------

absl::StatusOr<TensorType> BroadcastOperands(std::span<const TensorType> operands, DType dtype) {
  Shape shape = operands[0].shape;
  for (const TensorType& t : operands.subspan(1)) {
    DLC_ASSIGN_OR_RETURN(shape, BroadcastShapes(shape, t.shape));
  }
  return TensorType{dtype, shape};
}

absl::StatusOr<TensorType> ArithmeticBinaryRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireArithmetic(in.operands[0]));
  return BroadcastOperands(in.operands, in.operands[0].dtype);
}

absl::StatusOr<TensorType> FloatBinaryRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(in.operands[0]));
  return BroadcastOperands(in.operands, in.operands[0].dtype);
}

absl::StatusOr<TensorType> ArithmeticUnaryRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireArithmetic(in.operands[0]));
  return in.operands[0];
}

absl::StatusOr<TensorType> FloatUnaryRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireFloat(in.operands[0]));
  return in.operands[0];
}

absl::StatusOr<TensorType> CompareRule(const TypeRuleInput& in) {
  DLC_ASSIGN_OR_RETURN(Predicate predicate,
                       ParseEnum<Predicate>(AttrString(in.attrs, "predicate")));
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  if (!IsOrdered(in.operands[0].dtype) && predicate != Predicate::kEq &&
      predicate != Predicate::kNe) {
    return Error("predicate ", EnumName(predicate), " needs ordered operands, got ",
                 TypeList(in.operands));
  }
  return BroadcastOperands(in.operands, DType::kI1);
}

absl::StatusOr<TensorType> SelectRule(const TypeRuleInput& in) {
  if (in.operands[0].dtype != DType::kI1) {
    return Error("condition must be i1, got ", in.operands[0].ToString());
  }
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands.subspan(1)));
  return BroadcastOperands(in.operands, in.operands[1].dtype);
}

absl::StatusOr<TensorType> CastRule(const TypeRuleInput& in) {
  return TensorType{AttrDType(in.attrs, "to"), in.operands[0].shape};
}

// ---- data movement --------------------------------------------------------

absl::StatusOr<TensorType> ReshapeRule(const TypeRuleInput& in) {
  const IntList shape = AttrInts(in.attrs, "shape");
  for (int64_t d : shape) {
    if (d < 0) return Error("shape ", ShapeToString(shape), " has a negative dimension");
  }
  if (NumElements(shape) != in.operands[0].num_elements()) {
    return Error("cannot reshape ", in.operands[0].ToString(), " (", in.operands[0].num_elements(),
                 " elements) to ", ShapeToString(shape), " (", NumElements(shape), " elements)");
  }
  return TensorType{in.operands[0].dtype, shape};
}

absl::StatusOr<TensorType> FlattenRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  // Axes before `axis` become the rows; like ONNX, axis may be in [-rank, rank].
  int64_t axis = AttrInt(in.attrs, "axis");
  if (axis < -x.rank() || axis > x.rank()) {
    return Error("axis ", axis, " is out of range [", -x.rank(), ", ", x.rank(), "] for ",
                 x.ToString());
  }
  if (axis < 0) axis += x.rank();
  Shape outer(x.shape.begin(), x.shape.begin() + axis);
  Shape inner(x.shape.begin() + axis, x.shape.end());
  return TensorType{x.dtype, {NumElements(outer), NumElements(inner)}};
}

absl::StatusOr<TensorType> TransposeRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const IntList perm = AttrInts(in.attrs, "perm");
  IntList sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool is_permutation = static_cast<int64_t>(perm.size()) == x.rank();
  for (int64_t i = 0; is_permutation && i < x.rank(); ++i) is_permutation = sorted[i] == i;
  if (!is_permutation) {
    return Error("perm ", AttributeToString(perm), " is not a permutation of the ", x.rank(),
                 " axes of ", x.ToString());
  }
  Shape shape;
  for (int64_t p : perm) shape.push_back(x.shape[p]);
  return TensorType{x.dtype, shape};
}

absl::StatusOr<TensorType> BroadcastRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const IntList shape = AttrInts(in.attrs, "shape");
  for (int64_t d : shape) {
    if (d < 0) return Error("shape ", ShapeToString(shape), " has a negative dimension");
  }
  auto result = BroadcastShapes(x.shape, shape);
  if (!result.ok() || *result != shape) {
    return Error("cannot broadcast ", x.ToString(), " to ", ShapeToString(shape));
  }
  return TensorType{x.dtype, shape};
}

absl::StatusOr<TensorType> SliceRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const IntList start = AttrInts(in.attrs, "start");
  const IntList limit = AttrInts(in.attrs, "limit");
  IntList stride = AttrInts(in.attrs, "stride");
  if (stride.empty()) stride.assign(x.rank(), 1);
  if (static_cast<int64_t>(start.size()) != x.rank() ||
      static_cast<int64_t>(limit.size()) != x.rank() ||
      static_cast<int64_t>(stride.size()) != x.rank()) {
    return Error("start, limit and stride need one value per axis of ", x.ToString());
  }
  Shape shape;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (stride[i] <= 0) return Error("stride must be positive, got ", AttributeToString(stride));
    if (start[i] < 0 || start[i] > limit[i] || limit[i] > x.shape[i]) {
      return Error("axis ", i, ": need 0 <= start <= limit <= ", x.shape[i], ", got start ",
                   start[i], " limit ", limit[i]);
    }
    shape.push_back((limit[i] - start[i] + stride[i] - 1) / stride[i]);
  }
  return TensorType{x.dtype, shape};
}

absl::StatusOr<TensorType> ConcatRule(const TypeRuleInput& in) {
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  const TensorType& first = in.operands[0];
  DLC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(AttrInt(in.attrs, "axis"), first.rank()));
  Shape shape = first.shape;
  shape[axis] = 0;
  for (const TensorType& t : in.operands) {
    bool compatible = t.rank() == first.rank();
    for (int64_t i = 0; compatible && i < t.rank(); ++i) {
      compatible = i == axis || t.shape[i] == first.shape[i];
    }
    if (!compatible) {
      return Error("operands must match except on axis ", axis, ", got ", TypeList(in.operands));
    }
    shape[axis] += t.shape[axis];
  }
  return TensorType{first.dtype, shape};
}

absl::StatusOr<TensorType> PadRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const IntList low = AttrInts(in.attrs, "low");
  const IntList high = AttrInts(in.attrs, "high");
  if (static_cast<int64_t>(low.size()) != x.rank() ||
      static_cast<int64_t>(high.size()) != x.rank()) {
    return Error("low and high need one value per axis of ", x.ToString());
  }
  // interior: [] (the default) means no interior padding on any axis.
  IntList interior = AttrInts(in.attrs, "interior");
  if (!interior.empty() && static_cast<int64_t>(interior.size()) != x.rank()) {
    return Error("interior must be [] or have one value per axis of ", x.ToString(), ", got ",
                 AttributeToString(interior));
  }
  if (interior.empty()) interior.assign(x.rank(), 0);
  // -inf is a real padding (max pooling's); NaN would only poison the results.
  if (std::isnan(AttrFloat(in.attrs, "value"))) {
    return Error("the padding value must be a number or +-inf, not nan");
  }
  DLC_RETURN_IF_ERROR(RequireRepresentable(AttrFloat(in.attrs, "value"), x.dtype));
  Shape shape = x.shape;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (low[i] < 0 || high[i] < 0) {
      return Error("padding must not be negative, got low ", AttributeToString(low), " high ",
                   AttributeToString(high));
    }
    if (interior[i] < 0) {
      return Error("interior padding must not be negative, got ", AttributeToString(interior));
    }
    // d elements with interior[i] copies of the value between neighbours.
    const int64_t gaps = std::max<int64_t>(x.shape[i] - 1, 0);
    if (gaps > 0 && interior[i] > kMaxDimension / gaps) {
      return Error("axis ", i, ": interior padding ", interior[i], " between ", x.shape[i],
                   " elements gives a dimension beyond 2^40");
    }
    shape[i] += low[i] + high[i] + gaps * interior[i];
  }
  return TensorType{x.dtype, shape};
}

// ---- reductions -----------------------------------------------------------

absl::StatusOr<TensorType> ReduceRule(const TypeRuleInput& in, bool float_only) {
  const TensorType& x = in.operands[0];
  DLC_RETURN_IF_ERROR(float_only ? RequireFloat(x) : RequireArithmetic(x));
  DLC_ASSIGN_OR_RETURN(IntList axes, NormalizeAxes(AttrInts(in.attrs, "axes"), x.rank()));
  return TensorType{x.dtype, ReducedShape(x.shape, axes, AttrBool(in.attrs, "keepdims"))};
}
absl::StatusOr<TensorType> ReduceSumRule(const TypeRuleInput& in) { return ReduceRule(in, false); }
absl::StatusOr<TensorType> ReduceMeanRule(const TypeRuleInput& in) { return ReduceRule(in, true); }
absl::StatusOr<TensorType> ReduceMaxRule(const TypeRuleInput& in) { return ReduceRule(in, false); }

absl::StatusOr<TensorType> ArgMaxRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  if (!IsOrdered(x.dtype)) return Error("operand must be f32, f64, i32 or u8, got ", x.ToString());
  DLC_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(AttrInt(in.attrs, "axis"), x.rank()));
  if (x.shape[axis] == 0) return Error("argmax over an empty axis of ", x.ToString());
  return TensorType{DType::kI32, ReducedShape(x.shape, {axis}, AttrBool(in.attrs, "keepdims"))};
}

// ---- linear algebra and neural-network ops --------------------------------

absl::StatusOr<TensorType> MatMulRule(const TypeRuleInput& in) {
  const TensorType& a = in.operands[0];
  const TensorType& b = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(a));
  if (a.rank() < 2 || a.rank() != b.rank()) {
    return Error("operands must have the same rank >= 2, got ", TypeList(in.operands));
  }
  const int64_t r = a.rank();
  Shape batch(a.shape.begin(), a.shape.end() - 2);
  if (!std::equal(batch.begin(), batch.end(), b.shape.begin())) {
    return Error("batch dimensions differ: ", TypeList(in.operands));
  }
  const bool ta = AttrBool(in.attrs, "transpose_a");
  const bool tb = AttrBool(in.attrs, "transpose_b");
  const int64_t m = a.shape[r - (ta ? 1 : 2)];
  const int64_t ka = a.shape[r - (ta ? 2 : 1)];
  const int64_t kb = b.shape[r - (tb ? 1 : 2)];
  const int64_t n = b.shape[r - (tb ? 2 : 1)];
  if (ka != kb) {
    return Error("contracted dimensions differ (", ka, " vs ", kb, "): ", TypeList(in.operands),
                 ta || tb ? StrCat(" with transpose_a=", ta ? "true" : "false",
                                   " transpose_b=", tb ? "true" : "false")
                          : "");
  }
  batch.push_back(m);
  batch.push_back(n);
  return TensorType{a.dtype, batch};
}

absl::StatusOr<TensorType> Conv2DRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const TensorType& w = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(x));
  DLC_RETURN_IF_ERROR(RequireRank(x, 4, "input (NHWC)"));
  DLC_RETURN_IF_ERROR(RequireRank(w, 4, "filter (HWIO)"));
  if (w.shape[2] != x.shape[3]) {
    return Error("filter ", w.ToString(), " expects ", w.shape[2], " input channels, input ",
                 x.ToString(), " has ", x.shape[3]);
  }
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x.shape, w.shape));
  return TensorType{x.dtype, {x.shape[0], win.out_h, win.out_w, w.shape[3]}};
}

absl::StatusOr<TensorType> Pool2DRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  DLC_RETURN_IF_ERROR(RequireFloat(x));
  DLC_RETURN_IF_ERROR(RequireRank(x, 4, "input (NHWC)"));
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x.shape));
  return TensorType{x.dtype, {x.shape[0], win.out_h, win.out_w, x.shape[3]}};
}

absl::StatusOr<TensorType> SoftmaxRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  DLC_RETURN_IF_ERROR(RequireFloat(x));
  DLC_RETURN_IF_ERROR(NormalizeAxis(AttrInt(in.attrs, "axis"), x.rank()).status());
  return x;
}

absl::StatusOr<TensorType> OneHotRule(const TypeRuleInput& in) {
  const TensorType& labels = in.operands[0];
  if (!IsInteger(labels.dtype)) return Error("labels must be i32 or u8, got ", labels.ToString());
  const int64_t depth = AttrInt(in.attrs, "depth");
  if (depth <= 0) return Error("depth must be positive, got ", depth);
  Shape shape = labels.shape;
  shape.push_back(depth);
  return TensorType{AttrDType(in.attrs, "dtype"), shape};
}

absl::StatusOr<TensorType> SoftmaxCrossEntropyRule(const TypeRuleInput& in) {
  const TensorType& logits = in.operands[0];
  const TensorType& labels = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireFloat(logits, "logits"));
  DLC_RETURN_IF_ERROR(RequireRank(logits, 2, "logits [batch, classes]"));
  if (!IsInteger(labels.dtype) || labels.rank() != 1 || labels.shape[0] != logits.shape[0]) {
    return Error("labels must be i32[", logits.shape[0], "] or u8[", logits.shape[0],
                 "] to match logits ", logits.ToString(), ", got ", labels.ToString());
  }
  if (logits.shape[0] == 0) return Error("the batch is empty");
  if (logits.shape[1] == 0) return Error("logits ", logits.ToString(), " have no classes");
  return TensorType{logits.dtype, {}};
}

// ---- gradients ------------------------------------------------------------

// A shape attribute that names a whole NHWC or HWIO tensor: 4 positive values.
absl::StatusOr<Shape> RequireShape4(const TypeRuleInput& in, std::string_view name,
                                    std::string_view layout) {
  const IntList shape = AttrInts(in.attrs, name);
  bool ok = shape.size() == 4;
  for (int64_t d : shape) ok = ok && d > 0;
  if (!ok) {
    return Error(name, " must have 4 positive values ", layout, ", got ", AttributeToString(shape));
  }
  return shape;
}

// The forward op's output height and width must be the gradient's.
absl::Status RequireOutputSize(const Window2D& win, const TensorType& dy, std::string_view op,
                               std::string_view of) {
  if (win.out_h != dy.shape[1] || win.out_w != dy.shape[2]) {
    return Error(op, " of ", of, " gives output ", win.out_h, "x", win.out_w, ", output gradient ",
                 dy.ToString(), " has ", dy.shape[1], "x", dy.shape[2]);
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorType> Conv2DBackpropInputRule(const TypeRuleInput& in) {
  const TensorType& dy = in.operands[0];
  const TensorType& w = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(dy));
  DLC_RETURN_IF_ERROR(RequireRank(dy, 4, "output gradient (NHWC)"));
  DLC_RETURN_IF_ERROR(RequireRank(w, 4, "filter (HWIO)"));
  DLC_ASSIGN_OR_RETURN(Shape x, RequireShape4(in, "input_shape", "[N,H,W,C]"));
  const std::string x_text = StrCat("input_shape ", AttributeToString(x));
  if (w.shape[3] != dy.shape[3]) {
    return Error("filter ", w.ToString(), " has ", w.shape[3], " output channels, output gradient ",
                 dy.ToString(), " has ", dy.shape[3]);
  }
  if (w.shape[2] != x[3]) {
    return Error("filter ", w.ToString(), " expects ", w.shape[2], " input channels, ", x_text,
                 " has ", x[3]);
  }
  if (dy.shape[0] != x[0]) {
    return Error("output gradient ", dy.ToString(), " has batch ", dy.shape[0], ", ", x_text,
                 " has ", x[0]);
  }
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x, w.shape));
  DLC_RETURN_IF_ERROR(
      RequireOutputSize(win, dy, "conv2d", StrCat(x_text, " with filter ", w.ToString())));
  return TensorType{dy.dtype, x};
}

absl::StatusOr<TensorType> Conv2DBackpropFilterRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const TensorType& dy = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(x));
  DLC_RETURN_IF_ERROR(RequireRank(x, 4, "input (NHWC)"));
  DLC_RETURN_IF_ERROR(RequireRank(dy, 4, "output gradient (NHWC)"));
  DLC_ASSIGN_OR_RETURN(Shape w, RequireShape4(in, "filter_shape", "[KH,KW,C,O]"));
  const std::string w_text = StrCat("filter_shape ", AttributeToString(w));
  if (w[2] != x.shape[3]) {
    return Error(w_text, " expects ", w[2], " input channels, input ", x.ToString(), " has ",
                 x.shape[3]);
  }
  if (w[3] != dy.shape[3]) {
    return Error(w_text, " has ", w[3], " output channels, output gradient ", dy.ToString(),
                 " has ", dy.shape[3]);
  }
  if (dy.shape[0] != x.shape[0]) {
    return Error("output gradient ", dy.ToString(), " has batch ", dy.shape[0], ", input ",
                 x.ToString(), " has ", x.shape[0]);
  }
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x.shape, w));
  DLC_RETURN_IF_ERROR(
      RequireOutputSize(win, dy, "conv2d", StrCat("input ", x.ToString(), " with ", w_text)));
  return TensorType{x.dtype, w};
}

// The output gradient must have the forward pool's output type.
absl::Status RequirePoolOutput(const Window2D& win, const Shape& x, const TensorType& dy,
                               std::string_view op, std::string_view of) {
  const TensorType expected{dy.dtype, {x[0], win.out_h, win.out_w, x[3]}};
  if (dy != expected) {
    return Error("output gradient ", dy.ToString(), " does not match the ", op, " output ",
                 expected.ToString(), " of ", of);
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorType> MaxPool2DGradRule(const TypeRuleInput& in) {
  const TensorType& x = in.operands[0];
  const TensorType& dy = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireSameDType(in.operands));
  DLC_RETURN_IF_ERROR(RequireFloat(x));
  DLC_RETURN_IF_ERROR(RequireRank(x, 4, "input (NHWC)"));
  DLC_RETURN_IF_ERROR(RequireRank(dy, 4, "output gradient (NHWC)"));
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x.shape));
  DLC_RETURN_IF_ERROR(
      RequirePoolOutput(win, x.shape, dy, "maxpool2d", StrCat("input ", x.ToString())));
  return x;
}

absl::StatusOr<TensorType> AvgPool2DGradRule(const TypeRuleInput& in) {
  const TensorType& dy = in.operands[0];
  DLC_RETURN_IF_ERROR(RequireFloat(dy));
  DLC_RETURN_IF_ERROR(RequireRank(dy, 4, "output gradient (NHWC)"));
  DLC_ASSIGN_OR_RETURN(Shape x, RequireShape4(in, "input_shape", "[N,H,W,C]"));
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x));
  DLC_RETURN_IF_ERROR(
      RequirePoolOutput(win, x, dy, "avgpool2d", StrCat("input_shape ", AttributeToString(x))));
  return TensorType{dy.dtype, x};
}

// The place of each window's maximum: i32, the forward pool's output shape.
absl::StatusOr<TensorType> MaxPool2DArgmaxRule(const TypeRuleInput& in) {
  DLC_ASSIGN_OR_RETURN(TensorType pooled, Pool2DRule(in));
  return TensorType{DType::kI32, pooled.shape};
}

// dy and the argmax both have the forward pool's output shape; the result
// has its input's.
absl::StatusOr<TensorType> MaxPool2DScatterRule(const TypeRuleInput& in) {
  const TensorType& dy = in.operands[0];
  const TensorType& argmax = in.operands[1];
  DLC_RETURN_IF_ERROR(RequireFloat(dy));
  DLC_RETURN_IF_ERROR(RequireRank(dy, 4, "output gradient (NHWC)"));
  if (argmax.dtype != DType::kI32) return Error("argmax must be i32, got ", argmax.ToString());
  DLC_ASSIGN_OR_RETURN(Shape x, RequireShape4(in, "input_shape", "[N,H,W,C]"));
  DLC_ASSIGN_OR_RETURN(Window2D win, WindowOf(in.attrs, x));
  const std::string of = StrCat("input_shape ", AttributeToString(x));
  DLC_RETURN_IF_ERROR(RequirePoolOutput(win, x, dy, "maxpool2d", of));
  DLC_RETURN_IF_ERROR(
      RequirePoolOutput(win, x, TensorType{DType::kI32, argmax.shape}, "maxpool2d", of));
  return TensorType{dy.dtype, x};
}

absl::StatusOr<TensorType> RandomUniformRule(const TypeRuleInput& in) {
  const TensorType& key = in.operands[0];
  if (key != TensorType{DType::kI32, {2}}) {
    return Error("key must be i32[2] (seed, step), got ", key.ToString());
  }
  const DType dtype = AttrDType(in.attrs, "dtype");
  if (!IsFloat(dtype)) return Error("dtype must be f32 or f64, got ", DTypeName(dtype));
  const IntList shape = AttrInts(in.attrs, "shape");
  for (int64_t d : shape) {
    if (d < 0) return Error("shape ", ShapeToString(shape), " has a negative dimension");
  }
  return TensorType{dtype, shape};
}

// ---- the table ------------------------------------------------------------

const Attribute kFalse = false;
const Attribute kOnes2 = IntList{1, 1};
const Attribute kValid = EnumAttr(PaddingMode::kValid);

// The attributes column of ops.def.
struct AttrDecl {
  std::vector<AttrSpec> specs;
  std::optional<OpKind> forward;
};

AttrDecl Attrs(std::vector<AttrSpec> specs) { return {std::move(specs), std::nullopt}; }
AttrDecl GradientOf(OpKind forward, std::vector<AttrSpec> own = {}) {
  return {std::move(own), forward};
}

std::vector<OpDef> MakeOpDefs() {
  using K = OpKind;
  using A = AttrKind;
  const AttrDecl kNoAttrs;
  const AttrDecl kReduceAttrs = Attrs({{"axes", A::kInts, {}}, {"keepdims", A::kBool, kFalse}});
  const AttrDecl kPoolAttrs = Attrs(
      {{"window", A::kInts, {}}, {"strides", A::kInts, {}}, {"padding", A::kPadding, kValid}});
  auto row = [](OpKind kind, std::string_view name, OpCategory category, int min, int max,
                AttrDecl attrs, TypeRule rule) {
    return OpDef{kind, name, category, min, max, std::move(attrs.specs), attrs.forward, rule};
  };
  std::vector<OpDef> defs = {
#define DLC_OP(kind, name, category, min, max, attrs, rule) \
  row(K::k##kind, name, OpCategory::category, min, max, attrs, rule),
#include "ir/ops.def"
#undef DLC_OP
  };
  // A gradient op's own attributes come first, then its forward op's.
  for (OpDef& def : defs) {
    if (!def.forward) continue;
    const OpDef& forward = defs[static_cast<size_t>(*def.forward)];
    if (forward.forward) std::abort();  // one level: a gradient of a forward op
    def.attrs.insert(def.attrs.end(), forward.attrs.begin(), forward.attrs.end());
  }
  return defs;
}

const std::vector<OpDef>& Table() {
  static const std::vector<OpDef>* table = [] {
    auto* defs = new std::vector<OpDef>(MakeOpDefs());
    // The table is indexed by OpKind: keep it in ops.def order.
    for (size_t i = 0; i < defs->size(); ++i) {
      if (static_cast<size_t>((*defs)[i].kind) != i) std::abort();
    }
    return defs;
  }();
  return *table;
}

}  // namespace

const OpDef& GetOpDef(OpKind kind) { return Table()[static_cast<size_t>(kind)]; }

std::string_view OpName(OpKind kind) { return GetOpDef(kind).name; }

OpCategory CategoryOf(OpKind kind) { return GetOpDef(kind).category; }

absl::StatusOr<Attributes> ForwardAttributes(OpKind grad, OpKind forward,
                                             const Attributes& forward_attrs) {
  if (GetOpDef(grad).forward != forward) {
    return absl::InternalError(
        StrCat(OpName(grad), " is not declared a gradient of ", OpName(forward)));
  }
  Attributes attrs;
  for (const AttrSpec& spec : GetOpDef(forward).attrs) {
    if (auto it = forward_attrs.find(std::string(spec.name)); it != forward_attrs.end()) {
      attrs.emplace(it->first, it->second);
    }
  }
  return attrs;
}

std::optional<OpKind> LookupOp(std::string_view name) {
  for (const OpDef& def : Table()) {
    if (def.name == name) return def.kind;
  }
  return std::nullopt;
}

std::span<const OpDef> AllOpDefs() { return Table(); }

std::vector<std::string_view> AllOpNames() {
  std::vector<std::string_view> names;
  for (const OpDef& def : Table()) names.push_back(def.name);
  return names;
}

void FillDefaultAttributes(OpKind kind, Attributes& attrs) {
  for (const AttrSpec& spec : GetOpDef(kind).attrs) {
    if (spec.default_value && !attrs.contains(std::string(spec.name))) {
      attrs.emplace(spec.name, *spec.default_value);
    }
  }
}

}  // namespace dlc
