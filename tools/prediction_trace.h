// What `dlc predict` shows: one sample through a lowered model, layer by
// layer. Computing the trace (as data) and rendering it (as text) are
// separate so tests can check the numbers.
#ifndef DLC_TOOLS_PREDICTION_TRACE_H_
#define DLC_TOOLS_PREDICTION_TRACE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "frontend/lower.h"
#include "ir/tensor.h"
#include "runtime/safetensors.h"

namespace dlc::tools {

// One stage (layer) of the trace: its output's statistics.
struct LayerTrace {
  std::string name;   // "conv2d"
  std::string title;  // "Conv2D: 32 filters 3x3, stride 1, valid padding, relu"
  Shape shape;        // of the output, batch included
  double min = 0, mean = 0, max = 0;
  // ReLU-activated outputs: the fraction of elements that are exactly zero.
  std::optional<double> zero_fraction;
  // Conv layers: the most active feature maps, (channel, mean activation),
  // most active first (at most 3).
  std::vector<std::pair<int64_t, double>> top_channels;
};

struct PredictionTrace {
  Tensor input;  // the sample as fed (batch 1)
  std::vector<LayerTrace> layers;
  std::vector<double> probabilities;  // softmax of the logits, or the softmax output
  int64_t predicted = -1;
  std::optional<int64_t> label;  // when known (a test-set sample)
};

// Checks that `parameters` holds every parameter of `model` with its exact
// type (extra tensors, such as optimizer state, are ignored) and builds the
// feeds. `source` names the file in errors.
absl::StatusOr<std::map<std::string, Tensor>> ParameterFeeds(const dl::LoweredModel& model,
                                                             const NamedTensors& parameters,
                                                             std::string_view source);

// Row `row` of `images` (u8 [N, H, W] or [N, H, W, C]) as the model's
// single input at batch 1. `what` names the data in errors.
absl::StatusOr<Tensor> SampleInput(const dl::LoweredModel& model, const Tensor& images, int64_t row,
                                   std::string_view what);

// Runs `model` (lowered at batch 1, one input, one classifier output) on
// `input` with the reference interpreter and summarizes every stage.
absl::StatusOr<PredictionTrace> TracePrediction(const dl::LoweredModel& model,
                                                const std::map<std::string, Tensor>& parameters,
                                                const Tensor& input, std::optional<int64_t> label);

// The input as characters by intensity, two per pixel (for an image input
// of shape [1, H, W] or [1, H, W, 1]); empty for other inputs.
std::string DrawInput(const Tensor& input);

// The whole trace as text: the drawing, a line per stage, the class
// probabilities as bars and the verdict.
std::string RenderTrace(const PredictionTrace& trace);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_PREDICTION_TRACE_H_
