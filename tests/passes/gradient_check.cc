#include "tests/passes/gradient_check.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "ir/builder.h"
#include "passes/autodiff.h"
#include "runtime/random.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::testing {

Feeds MakeFeeds(const Graph& graph, uint64_t seed, int64_t int_range) {
  Feeds feeds;
  for (const Node& node : graph.nodes) {
    if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
    Tensor t(node.type);
    Rng rng(seed, StreamOf(node.name));
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      t.SetDouble(i, IsFloat(t.dtype())
                         ? rng.Uniform(-1, 1)
                         : static_cast<double>(rng.Below(static_cast<uint64_t>(int_range))));
    }
    feeds.emplace(node.name, std::move(t));
  }
  return feeds;
}

absl::StatusOr<GradientCheckResult> CheckGradients(const Graph& graph, const Feeds& feeds,
                                                   const GradientCheckOptions& options) {
  const ValueId loss = graph.outputs.at(0);
  std::vector<ValueId> wrt;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& n = graph.node(id);
    if ((n.op == OpKind::kParameter || n.op == OpKind::kInput) && n.type.dtype == DType::kF64) {
      wrt.push_back(id);
    }
  }
  GraphBuilder builder(graph);
  DLC_ASSIGN_OR_RETURN(std::vector<ValueId> grads, AppendGradients(builder, loss, wrt));
  DLC_ASSIGN_OR_RETURN(Graph with_grads, std::move(builder).Build(grads));
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> analytic, Interpret(with_grads, feeds));

  auto loss_at = [&](const Feeds& f) -> absl::StatusOr<double> {
    DLC_ASSIGN_OR_RETURN(std::vector<Tensor> out, Interpret(graph, f));
    return out[0].GetDouble(0);
  };

  GradientCheckResult result;
  Feeds probe = feeds;
  for (size_t k = 0; k < wrt.size(); ++k) {
    const std::string& name = graph.node(wrt[k]).name;
    Tensor& value = probe.at(name);
    const int64_t n = value.num_elements();
    const int64_t stride = std::max<int64_t>(1, n / options.max_elements_per_value);
    for (int64_t i = 0; i < n; i += stride) {
      const double original = value.GetDouble(i);
      value.SetDouble(i, original + options.step);
      DLC_ASSIGN_OR_RETURN(double plus, loss_at(probe));
      value.SetDouble(i, original - options.step);
      DLC_ASSIGN_OR_RETURN(double minus, loss_at(probe));
      value.SetDouble(i, original);
      const double numeric = (plus - minus) / (2 * options.step);
      const double exact = analytic[k].GetDouble(i);
      const double error =
          std::abs(exact - numeric) / std::max({std::abs(exact), std::abs(numeric), 1e-3});
      ++result.probes;
      if (error > result.max_relative_error) {
        result.max_relative_error = error;
        result.worst = absl::StrFormat("%%%s[%d]: autodiff %.12g, finite difference %.12g", name, i,
                                       exact, numeric);
      }
    }
  }
  return result;
}

}  // namespace dlc::testing
