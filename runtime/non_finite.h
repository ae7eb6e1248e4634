// Finding where a NaN or an infinity first appears in a graph: the
// diagnosis dlc train gives when a step's loss is not finite.
#ifndef DLC_RUNTIME_NON_FINITE_H_
#define DLC_RUNTIME_NON_FINITE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/interpreter.h"

namespace dlc {

// The first value of `graph`, in evaluation order, that holds a NaN or an
// infinity when the graph runs on `feeds`, or nullopt if every value is
// finite. Fed values (inputs and parameters) count too: a parameter that is
// already NaN is the first culprit. The reference interpreter evaluates the
// graph, so any backend's result can be checked against it.
absl::StatusOr<std::optional<ValueId>> FirstNonFiniteValue(const Graph& graph, const Feeds& feeds);

// Whether `tensor` (of any dtype; integers always are) holds only finite numbers.
bool AllFinite(const Tensor& tensor);

}  // namespace dlc

#endif  // DLC_RUNTIME_NON_FINITE_H_
