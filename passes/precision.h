// Changing the float precision of a whole graph: gradient checks run models
// in f64, where finite differences are accurate to ~1e-10.
#ifndef DLC_PASSES_PRECISION_H_
#define DLC_PASSES_PRECISION_H_

#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

// Every f32 value of `graph` becomes `to` (f32 or f64): value types, and the
// attributes that name an element type (cast's `to`, one_hot's and
// random_uniform's `dtype`). The result is verified.
absl::StatusOr<Graph> ConvertFloatPrecision(const Graph& graph, DType to);

}  // namespace dlc

#endif  // DLC_PASSES_PRECISION_H_
