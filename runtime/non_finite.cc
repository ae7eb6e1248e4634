#include "runtime/non_finite.h"

#include <algorithm>
#include <cmath>

#include "ir/status_macros.h"
#include "ir/str_cat.h"

namespace dlc {
namespace {

template <typename T>
bool AllFiniteValues(std::span<const T> values) {
  return std::all_of(values.begin(), values.end(), [](T v) { return std::isfinite(v); });
}

template <typename T>
std::optional<NonFiniteElement> FirstNonFiniteOf(std::span<const T> values) {
  const auto it = std::find_if(values.begin(), values.end(), [](T v) { return !std::isfinite(v); });
  if (it == values.end()) return std::nullopt;
  return NonFiniteElement{static_cast<int64_t>(it - values.begin()), static_cast<double>(*it)};
}

}  // namespace

std::string NonFiniteElement::ToString() const {
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "+inf" : "-inf";
}

std::optional<NonFiniteElement> FirstNonFiniteElement(const Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::kF32:
      return FirstNonFiniteOf(tensor.values<float>());
    case DType::kF64:
      return FirstNonFiniteOf(tensor.values<double>());
    default:
      return std::nullopt;
  }
}

absl::Status CheckAllFinite(const std::map<std::string, Tensor>& tensors, std::string_view source) {
  for (const auto& [name, tensor] : tensors) {
    if (std::optional<NonFiniteElement> bad = FirstNonFiniteElement(tensor)) {
      return absl::InvalidArgumentError(StrCat(
          source, ": tensor ", name, " holds ", bad->ToString(), " at element ", bad->index, " of ",
          tensor.type().ToString(), ": the run that saved it diverged; these values cannot be used"));
    }
  }
  return absl::OkStatus();
}

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
