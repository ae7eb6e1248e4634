#include "runtime/non_finite.h"

#include <algorithm>
#include <cmath>

#include "ir/status_macros.h"

namespace dlc {
namespace {

template <typename T>
bool AllFiniteValues(std::span<const T> values) {
  return std::all_of(values.begin(), values.end(), [](T v) { return std::isfinite(v); });
}

}  // namespace

bool AllFinite(const Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::kF32:
      return AllFiniteValues(tensor.values<float>());
    case DType::kF64:
      return AllFiniteValues(tensor.values<double>());
    default:
      return true;
  }
}

absl::StatusOr<std::optional<ValueId>> FirstNonFiniteValue(const Graph& graph, const Feeds& feeds) {
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> values, InterpretAll(graph, feeds));
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!AllFinite(values[id])) return id;
  }
  return std::nullopt;
}

}  // namespace dlc
