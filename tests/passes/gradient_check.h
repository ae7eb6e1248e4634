// Checks autodiff against central finite differences, in f64.
#ifndef DLC_TESTS_PASSES_GRADIENT_CHECK_H_
#define DLC_TESTS_PASSES_GRADIENT_CHECK_H_

#include <string>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/interpreter.h"

namespace dlc::testing {

struct GradientCheckOptions {
  double step = 1e-6;               // h in (f(x + h) - f(x - h)) / 2h
  double tolerance = 1e-6;          // on the relative error
  int max_elements_per_value = 64;  // elements probed per differentiated value
};

struct GradientCheckResult {
  double max_relative_error = 0;
  std::string worst;  // "%w[5]: autodiff 0.123, finite difference 0.124"
  int64_t probes = 0;
};

// `graph` (f64) has a scalar first output, the loss. Differentiates it with
// respect to every parameter and every f64 input, and compares each with
// central differences of the loss evaluated by the interpreter. Relative
// error: |a - n| / max(|a|, |n|, 1e-3) (absolute near zero).
absl::StatusOr<GradientCheckResult> CheckGradients(const Graph& graph, const Feeds& feeds,
                                                   const GradientCheckOptions& options = {});

// Deterministic test values in [-1, 1) for every input and parameter of
// `graph` (integer inputs get values in [0, `int_range`)).
Feeds MakeFeeds(const Graph& graph, uint64_t seed, int64_t int_range = 10);

}  // namespace dlc::testing

#endif  // DLC_TESTS_PASSES_GRADIENT_CHECK_H_
