// Initial parameter values, as Keras computes them (Glorot-uniform weights
// and zero biases by default), from a seed.
#ifndef DLC_RUNTIME_INITIALIZERS_H_
#define DLC_RUNTIME_INITIALIZERS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/interpreter.h"
#include "ir/tensor.h"
#include "runtime/random.h"

namespace dlc {

// Fan-in and fan-out of a weight of `shape`, as Keras defines them: the last
// two axes are (inputs, outputs) and any axes before them (a conv kernel's
// height and width) multiply both. A rank-1 shape has fan-in = fan-out = its size.
struct Fans {
  double in = 1, out = 1;
};
Fans ComputeFans(const Shape& shape);

// Fills `tensor` (f32 or f64) by `init`: zeros, ones, glorot_uniform,
// glorot_normal, he_normal, he_uniform (the normals are truncated at two
// standard deviations, with Keras's scale correction).
absl::Status Initialize(std::string_view init, Tensor& tensor, Rng& rng);

// Every parameter of `graph`, initialised by its `init` attribute. Each
// parameter draws from its own stream (derived from its name), so adding a
// parameter leaves the others' values unchanged.
absl::StatusOr<Feeds> InitializeParameters(const Graph& graph, uint64_t seed);

}  // namespace dlc

#endif  // DLC_RUNTIME_INITIALIZERS_H_
