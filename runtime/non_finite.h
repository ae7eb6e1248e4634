// Finding where a NaN or an infinity first appears in a graph: the
// diagnosis dlc train gives when a step's loss is not finite.
#ifndef DLC_RUNTIME_NON_FINITE_H_
#define DLC_RUNTIME_NON_FINITE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

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

// The first element of `tensor` that is a NaN or an infinity: its index and
// value; nullopt when every element is finite (integers always are).
struct NonFiniteElement {
  int64_t index = 0;
  double value = 0;
  // "NaN", "+inf" or "-inf".
  std::string ToString() const;
};
std::optional<NonFiniteElement> FirstNonFiniteElement(const Tensor& tensor);

// An error naming the first tensor of `tensors` that holds a NaN or an
// infinity, the element and its value ("run.st: tensor dense.kernel holds
// NaN at element 0 of f32[784,128]: ..."); `source` names where they came from.
absl::Status CheckAllFinite(const std::map<std::string, Tensor>& tensors, std::string_view source);

}  // namespace dlc

#endif  // DLC_RUNTIME_NON_FINITE_H_
