#include "runtime/non_finite.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

template <typename T>
bool AnyNonFinite(std::span<const T> values);

template <typename T>
bool AllFiniteValues(std::span<const T> values) {
  return !AnyNonFinite(values);
}

// Whether any value is NaN or infinite: its exponent bits all set. A
// branch-free OR over the bits, which the compiler vectorizes, so the
// trainer's check of every updated tensor after each step runs at memory
// speed; only a hit pays for finding the element.
template <typename T>
bool AnyNonFinite(std::span<const T> values) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits kExponent =
      sizeof(T) == 4 ? static_cast<Bits>(0x7f800000u) : static_cast<Bits>(0x7ff0000000000000ull);
  Bits any = 0;
  for (const T& v : values) {
    Bits bits;
    std::memcpy(&bits, &v, sizeof(T));
    any |= static_cast<Bits>((bits & kExponent) == kExponent);
  }
  return any != 0;
}

template <typename T>
std::optional<NonFiniteElement> FirstNonFiniteOf(std::span<const T> values) {
  if (!AnyNonFinite(values)) return std::nullopt;
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
    case DType::kF32: return FirstNonFiniteOf(tensor.values<float>());
    case DType::kF64: return FirstNonFiniteOf(tensor.values<double>());
    default: return std::nullopt;
  }
}

absl::Status CheckAllFinite(const std::map<std::string, Tensor>& tensors, std::string_view source) {
  for (const auto& [name, tensor] : tensors) {
    if (std::optional<NonFiniteElement> bad = FirstNonFiniteElement(tensor)) {
      return absl::InvalidArgumentError(
          StrCat(source, ": tensor ", name, " holds ", bad->ToString(), " at element ", bad->index,
                 " of ", tensor.type().ToString(),
                 ": the run that saved it diverged; these values cannot be used"));
    }
  }
  return absl::OkStatus();
}

bool AllFinite(const Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::kF32: return AllFiniteValues(tensor.values<float>());
    case DType::kF64: return AllFiniteValues(tensor.values<double>());
    default: return true;
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
