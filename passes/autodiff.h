// Reverse-mode automatic differentiation on the tensor IR. The gradient is
// built as ordinary IR ops appended to the same graph: walking the graph
// backwards from the loss, each op emits its vector-Jacobian product (the
// rules are in vjp_rules.cc, one function per op).
#ifndef DLC_PASSES_AUTODIFF_H_
#define DLC_PASSES_AUTODIFF_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/builder.h"

namespace dlc {

// Appends to the graph in `builder` the gradient of `loss` (a float scalar)
// with respect to each of `wrt`, and returns those gradients in order.
// Only values on a path from some `wrt` to the loss are differentiated; the
// gradient of a value used several times is the sum over its uses; a `wrt`
// value the loss does not depend on gets a zero gradient. If any op on a
// path has no gradient rule, fails listing every such op with its location.
absl::StatusOr<std::vector<ValueId>> AppendGradients(GraphBuilder& builder, ValueId loss,
                                                     std::span<const ValueId> wrt);

}  // namespace dlc

#endif  // DLC_PASSES_AUTODIFF_H_
