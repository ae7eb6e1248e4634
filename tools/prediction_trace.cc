#include "tools/prediction_trace.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "frontend/inspect.h"
#include "ir/interpreter.h"
#include "runtime/checkpoint_match.h"
#include "runtime/dataset.h"
#include "runtime/non_finite.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::tools {
namespace {

std::string ShapeText(const Shape& shape) { return absl::StrJoin(shape, "x"); }

LayerTrace SummarizeStage(const dl::LoweredModel& model, const dl::Stage& stage,
                          const Tensor& value) {
  LayerTrace layer;
  layer.name = stage.name;
  layer.title = dl::StageTitle(stage);
  layer.shape = value.shape();
  const int64_t n = value.num_elements();
  if (n > 0) {
    double sum = 0;
    int64_t zeros = 0;
    layer.min = std::numeric_limits<double>::infinity();
    layer.max = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < n; ++i) {
      const double v = value.GetDouble(i);
      layer.min = std::min(layer.min, v);
      layer.max = std::max(layer.max, v);
      sum += v;
      if (v == 0) ++zeros;
    }
    layer.mean = sum / static_cast<double>(n);
    if (model.graph.node(stage.output).op == OpKind::kRelu) {
      layer.zero_fraction = static_cast<double>(zeros) / static_cast<double>(n);
    }
  }
  // Feature maps: NHWC, channels last.
  if (stage.layer == "conv2d" && value.shape().size() == 4 && value.shape()[3] > 0) {
    const int64_t channels = value.shape()[3];
    std::vector<double> sums(static_cast<size_t>(channels), 0.0);
    for (int64_t i = 0; i < n; ++i) sums[static_cast<size_t>(i % channels)] += value.GetDouble(i);
    std::vector<std::pair<int64_t, double>> maps;
    const double per_map = static_cast<double>(n / channels);
    for (int64_t c = 0; c < channels; ++c) {
      maps.emplace_back(c, sums[static_cast<size_t>(c)] / per_map);
    }
    std::sort(maps.begin(), maps.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    maps.resize(std::min<size_t>(maps.size(), 3));
    layer.top_channels = std::move(maps);
  }
  return layer;
}

}  // namespace

absl::StatusOr<std::map<std::string, Tensor>> ParameterFeeds(const dl::LoweredModel& model,
                                                             const NamedTensors& parameters,
                                                             std::string_view source) {
  // The parameters; a training checkpoint's optimizer state is not read.
  ExpectedTensors expected;
  expected.others_allowed = true;
  for (ValueId p : model.graph.Parameters()) {
    expected.needed.emplace(model.graph.node(p).name, model.graph.node(p).type);
  }
  DLC_RETURN_IF_ERROR(CheckTensorsMatch(parameters, expected, source));
  std::map<std::string, Tensor> feeds;
  for (const auto& [name, type] : expected.needed) feeds.emplace(name, parameters.at(name));
  DLC_RETURN_IF_ERROR(CheckAllFinite(feeds, source));
  return feeds;
}

absl::StatusOr<Tensor> SampleInput(const dl::LoweredModel& model, const Tensor& images, int64_t row,
                                   std::string_view what) {
  const std::vector<ValueId> inputs = model.graph.Inputs();
  if (inputs.size() != 1) {
    return absl::InvalidArgumentError(
        StrCat("the model takes ", inputs.size(), " inputs; predict needs exactly one"));
  }
  const TensorType& type = model.graph.type(inputs[0]);
  if (type.rank() == 0 || type.shape[0] != 1) {
    return absl::InvalidArgumentError(
        StrCat("the model's input is ", type.ToString(), "; predict needs batch 1"));
  }
  // u8 pixels also feed an f32 input (an imported ONNX model's) as their values 0..255.
  const bool pixels_to_f32 = images.dtype() == DType::kU8 && type.dtype == DType::kF32;
  if (images.dtype() != type.dtype && !pixels_to_f32) {
    return absl::InvalidArgumentError(StrCat(what, " holds ", DTypeName(images.dtype()),
                                             " elements; the model's input is ", type.ToString()));
  }
  if (images.shape().size() < 2) {
    return absl::InvalidArgumentError(StrCat(what, " holds ", images.type().ToString(),
                                             ", not images; the model's input is ",
                                             type.ToString()));
  }
  const int64_t rows = images.shape()[0];
  const int64_t row_size = rows == 0 ? 0 : images.num_elements() / rows;
  Shape image_shape(images.shape().begin() + 1, images.shape().end());
  Shape want(type.shape.begin() + 1, type.shape.end());
  if (row_size != type.num_elements() || !SameSampleShape(image_shape, want)) {
    return absl::InvalidArgumentError(StrCat(what, " holds images of ", ShapeText(image_shape),
                                             " (", row_size, " values); the model takes ",
                                             ShapeText(want), " (", type.num_elements(), ")"));
  }
  if (row < 0 || row >= rows) {
    return absl::OutOfRangeError(
        StrCat(what, " has ", rows, " images (0..", rows - 1, "); there is no image ", row));
  }
  Tensor input(type);
  if (pixels_to_f32) {
    for (int64_t i = 0; i < row_size; ++i) input.SetDouble(i, images.GetDouble(row * row_size + i));
    return input;
  }
  const int64_t bytes = row_size * DTypeSize(type.dtype);
  std::copy_n(images.raw_data() + row * bytes, bytes, input.raw_data());
  return input;
}

absl::StatusOr<PredictionTrace> TracePrediction(const dl::LoweredModel& model,
                                                const std::map<std::string, Tensor>& parameters,
                                                const Tensor& input, std::optional<int64_t> label) {
  const std::vector<ValueId> inputs = model.graph.Inputs();
  if (inputs.size() != 1) {
    return absl::InvalidArgumentError(
        StrCat("the model takes ", inputs.size(), " inputs; predict needs exactly one"));
  }
  if (model.graph.outputs.empty()) return absl::InvalidArgumentError("the model returns nothing");
  Feeds feeds = parameters;
  feeds[model.graph.node(inputs[0]).name] = input;
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> values, InterpretAll(model.graph, feeds));

  PredictionTrace trace;
  trace.input = input;
  trace.label = label;
  for (const dl::Stage& stage : model.stages) {
    trace.layers.push_back(SummarizeStage(model, stage, values[static_cast<size_t>(stage.output)]));
  }
  const Tensor& output = values[static_cast<size_t>(model.graph.outputs[0])];
  const int64_t classes = output.num_elements();
  if (output.shape().size() != 2 || output.shape()[0] != 1 || classes == 0) {
    return absl::InvalidArgumentError(StrCat("the model's output is ", output.type().ToString(),
                                             "; predict needs class scores [1, classes]"));
  }
  for (int64_t i = 0; i < classes; ++i) trace.probabilities.push_back(output.GetDouble(i));
  if (!model.logits) {  // logits: softmax them, stably
    const double top = *std::max_element(trace.probabilities.begin(), trace.probabilities.end());
    double sum = 0;
    for (double& p : trace.probabilities) {
      p = std::exp(p - top);
      sum += p;
    }
    for (double& p : trace.probabilities) p /= sum;
  }
  trace.predicted = std::max_element(trace.probabilities.begin(), trace.probabilities.end()) -
                    trace.probabilities.begin();
  return trace;
}

std::string DrawInput(const Tensor& input) {
  const Shape& s = input.shape();
  const bool image = (s.size() == 3 && s[0] == 1) || (s.size() == 4 && s[0] == 1 && s[3] == 1);
  if (!image || input.num_elements() == 0) return "";
  const int64_t height = s[1], width = s[2];
  double lo = 0, hi = 255;
  if (input.dtype() != DType::kU8) {
    lo = std::numeric_limits<double>::infinity();
    hi = -lo;
    for (int64_t i = 0; i < input.num_elements(); ++i) {
      lo = std::min(lo, input.GetDouble(i));
      hi = std::max(hi, input.GetDouble(i));
    }
  }
  static constexpr std::string_view kRamp = " .:-=+*#%@";
  std::string out;
  const std::string border = "+" + std::string(static_cast<size_t>(2 * width), '-') + "+\n";
  out += border;
  for (int64_t y = 0; y < height; ++y) {
    out += '|';
    for (int64_t x = 0; x < width; ++x) {
      const double v = input.GetDouble(y * width + x);
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.0;
      const auto level = static_cast<size_t>(std::clamp(t * static_cast<double>(kRamp.size()), 0.0,
                                                        static_cast<double>(kRamp.size() - 1)));
      out.append(2, kRamp[level]);
    }
    out += "|\n";
  }
  out += border;
  return out;
}

std::string RenderTrace(const PredictionTrace& trace) {
  std::string out;
  const std::string drawing = DrawInput(trace.input);
  if (!drawing.empty()) {
    out += StrCat("Input (", ShapeText(trace.input.shape()), "):\n", drawing, "\n");
  }
  // Columns: number, stage name, title, shape, statistics.
  size_t name_width = 0, title_width = 0, shape_width = 0;
  for (const LayerTrace& l : trace.layers) {
    name_width = std::max(name_width, l.name.size());
    title_width = std::max(title_width, l.title.size());
    shape_width = std::max(shape_width, ShapeText(l.shape).size());
  }
  out += "Layer by layer:\n";
  for (size_t i = 0; i < trace.layers.size(); ++i) {
    const LayerTrace& l = trace.layers[i];
    std::string line = absl::StrFormat(
        "%3d  %-*s  %-*s  %-*s  min %.4g  mean %.4g  max %.4g", static_cast<int>(i + 1),
        static_cast<int>(name_width), l.name, static_cast<int>(title_width), l.title,
        static_cast<int>(shape_width), ShapeText(l.shape), l.min, l.mean, l.max);
    if (l.zero_fraction) line += absl::StrFormat("  zeros %.1f%%", 100 * *l.zero_fraction);
    out += line + "\n";
    if (!l.top_channels.empty()) {
      std::vector<std::string> maps;
      for (const auto& [channel, mean] : l.top_channels) {
        maps.push_back(absl::StrFormat("#%d (mean %.4g)", channel, mean));
      }
      out += StrCat("     most active feature maps: ", absl::StrJoin(maps, ", "), "\n");
    }
  }
  out += "\nClass probabilities:\n";
  constexpr int kBarWidth = 40;
  for (size_t c = 0; c < trace.probabilities.size(); ++c) {
    const double p = trace.probabilities[c];
    const int bar = static_cast<int>(std::lround(p * kBarWidth));
    out += absl::StrFormat("%3d  %6.4f  |%s%s\n", static_cast<int>(c), p, std::string(bar, '#'),
                           static_cast<int64_t>(c) == trace.predicted ? "  <- predicted" : "");
  }
  out += StrCat("\npredicted ", trace.predicted);
  if (trace.label) {
    out += StrCat(", label ", *trace.label, ": ",
                  *trace.label == trace.predicted ? "correct" : "wrong");
  }
  return out + "\n";
}

}  // namespace dlc::tools
