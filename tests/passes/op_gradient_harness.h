// Per-op gradient checks: a small f64 graph around the op under test, with
// the loss sum(y * w) for a random w, so that every element of y's gradient
// is different and matters. Autodiff is compared with central finite
// differences on every element of every f64 input (tests/passes/gradient_check.h).
#ifndef DLC_TESTS_PASSES_OP_GRADIENT_HARNESS_H_
#define DLC_TESTS_PASSES_OP_GRADIENT_HARNESS_H_

#include <map>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "tests/passes/gradient_check.h"

namespace dlc::testing {

// The relative error the issue allows between autodiff and finite differences.
inline constexpr double kGradientTolerance = 1e-6;

// How an input's test values are chosen.
enum class Domain {
  kAny,           // uniform in [-1, 1)
  kPositive,      // uniform in [0.5, 2.5): log, sqrt, rsqrt, pow's base
  kAwayFromZero,  // |v| uniform in [0.5, 1.5): divisors
  // All kDistinct inputs of a graph together hold distinct values, shuffled,
  // at least 1e-3 from each other and from 0: no ties or kinks for max, min,
  // relu, reduce_max and maxpool within a finite-difference step.
  kDistinct,
};

class OpGradientGraph {
 public:
  OpGradientGraph() : builder_("op_gradient") {}

  // An input of the graph (f64 inputs are differentiated).
  ValueId Input(const std::string& name, Shape shape, Domain domain = Domain::kAny,
                DType dtype = DType::kF64);
  // Integer (or otherwise hand-picked) values for input `name`, row-major.
  void Set(const std::string& name, std::vector<double> values);
  // A node of the graph under test; a failure to build it fails the test.
  ValueId Op(OpKind op, std::vector<ValueId> operands, Attributes attrs = {});

  // Adds the loss sum(y * w), builds the graph and expects autodiff to match
  // finite differences within `tolerance` on every element of every f64
  // input (w included). Records max_relative_error and probes as test
  // properties and returns the result (empty if something failed to build).
  GradientCheckResult ExpectGradientsMatch(ValueId y, double tolerance = kGradientTolerance,
                                           double step = 1e-6);

  // The gradient of sum(y) with respect to each f64 input, in the order
  // they were added, at the values given to Set (for checks of exact values,
  // at ties and kinks where finite differences do not apply).
  std::vector<std::vector<double>> GradientsOfSum(ValueId y);

  GraphBuilder& builder() { return builder_; }

 private:
  // The graph built so far with the loss sum(y * w) as its only output, and
  // test values for it.
  Graph BuildWithLoss(ValueId y);
  Feeds MakeTestFeeds(const Graph& graph) const;

  GraphBuilder builder_;
  std::map<std::string, Domain> domains_;
  std::map<std::string, std::vector<double>> fixed_;
  std::vector<std::string> input_order_;
  bool failed_ = false;
};

// Records a check's worst error and probe count in the running test's
// properties (accumulated over its checks; see --gtest_output=xml).
void RecordGradientCheck(const GradientCheckResult& result);

// Attribute shorthands.
inline Attributes Axes(IntList axes, bool keepdims = false) {
  return {{"axes", std::move(axes)}, {"keepdims", keepdims}};
}

}  // namespace dlc::testing

#endif  // DLC_TESTS_PASSES_OP_GRADIENT_HARNESS_H_
