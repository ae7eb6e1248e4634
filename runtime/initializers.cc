#include "runtime/initializers.h"

#include <cmath>

#include "ir/enum_attrs.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

// The standard deviation of a standard normal truncated to [-2, 2]; Keras
// divides by it so that the truncated draws have the intended spread.
constexpr double kTruncatedNormalStddev = 0.87962566103423978;

template <typename Fill>
void FillAll(Tensor& tensor, Fill fill) {
  for (int64_t i = 0; i < tensor.num_elements(); ++i) tensor.SetDouble(i, fill());
}

}  // namespace

Fans ComputeFans(const Shape& shape) {
  if (shape.empty()) return {1, 1};
  if (shape.size() == 1) return {static_cast<double>(shape[0]), static_cast<double>(shape[0])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= static_cast<double>(shape[i]);
  return {static_cast<double>(shape[shape.size() - 2]) * receptive,
          static_cast<double>(shape[shape.size() - 1]) * receptive};
}

absl::Status Initialize(std::string_view init, Tensor& tensor, Rng& rng) {
  if (!IsFloat(tensor.dtype())) {
    return absl::InvalidArgumentError(StrCat("cannot initialise a ", tensor.type().ToString(),
                                             " tensor: parameters are f32 or f64"));
  }
  DLC_ASSIGN_OR_RETURN(Initializer kind, ParseEnum<Initializer>(init));
  const Fans fans = ComputeFans(tensor.shape());
  switch (kind) {
    case Initializer::kZeros: FillAll(tensor, [] { return 0.0; }); break;
    case Initializer::kOnes: FillAll(tensor, [] { return 1.0; }); break;
    case Initializer::kGlorotUniform: {
      const double limit = std::sqrt(6.0 / (fans.in + fans.out));
      FillAll(tensor, [&] { return rng.Uniform(-limit, limit); });
      break;
    }
    case Initializer::kHeUniform: {
      const double limit = std::sqrt(6.0 / fans.in);
      FillAll(tensor, [&] { return rng.Uniform(-limit, limit); });
      break;
    }
    case Initializer::kGlorotNormal: {
      const double stddev = std::sqrt(2.0 / (fans.in + fans.out)) / kTruncatedNormalStddev;
      FillAll(tensor, [&] { return stddev * rng.TruncatedNormal(); });
      break;
    }
    case Initializer::kHeNormal: {
      const double stddev = std::sqrt(2.0 / fans.in) / kTruncatedNormalStddev;
      FillAll(tensor, [&] { return stddev * rng.TruncatedNormal(); });
      break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Feeds> InitializeParameters(const Graph& graph, uint64_t seed) {
  Feeds params;
  for (ValueId id : graph.Parameters()) {
    const Node& node = graph.node(id);
    Tensor value(node.type);
    Rng rng(seed, StreamOf(node.name));
    absl::Status status = Initialize(AttrString(node.attrs, "init"), value, rng);
    if (!status.ok()) {
      return absl::InvalidArgumentError(StrCat("parameter %", node.name, ": ", status.message()));
    }
    params.emplace(node.name, std::move(value));
  }
  return params;
}

}  // namespace dlc
