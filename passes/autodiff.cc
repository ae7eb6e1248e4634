#include "passes/autodiff.h"

#include "ir/verifier.h"
#include "passes/vjp_rules.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

bool IsSource(OpKind op) {
  return op == OpKind::kInput || op == OpKind::kParameter || op == OpKind::kConstant;
}

// Values whose gradient is needed: float values on a path from a `wrt`
// value to the loss.
std::vector<bool> ActiveValues(const Graph& g, ValueId loss, std::span<const ValueId> wrt) {
  std::vector<bool> from_wrt(g.size(), false), to_loss(g.size(), false);
  for (ValueId v : wrt) from_wrt[v] = true;
  for (ValueId id = 0; id < g.size(); ++id) {
    if (!IsFloat(g.type(id).dtype)) continue;
    for (ValueId operand : g.node(id).operands) from_wrt[id] = from_wrt[id] || from_wrt[operand];
  }
  to_loss[loss] = true;
  for (ValueId id = loss; id >= 0; --id) {
    if (!to_loss[id]) continue;
    for (ValueId operand : g.node(id).operands) to_loss[operand] = true;
  }
  std::vector<bool> active(g.size());
  for (ValueId id = 0; id < g.size(); ++id) {
    active[id] = from_wrt[id] && to_loss[id] && IsFloat(g.type(id).dtype);
  }
  return active;
}

// `base`, or "<base>.<k>" for the first k >= 2 that is free: the graph may
// already hold gradients (AppendGradients called before, second order).
std::string FreshName(const GraphBuilder& builder, const std::string& base) {
  std::string name = base;
  for (int k = 2; builder.graph().Find(name).has_value(); ++k) name = StrCat(base, ".", k);
  return name;
}

// Every active op without a rule, all in one message.
absl::Status CheckRules(const Graph& g, const std::vector<bool>& active) {
  std::vector<std::string> missing;
  for (ValueId id = 0; id < g.size(); ++id) {
    const Node& node = g.node(id);
    if (!active[id] || IsSource(node.op) || FindVjpRule(node.op) != nullptr) continue;
    missing.push_back(StrCat("  ", DescribeNode(g, id)));
  }
  if (missing.empty()) return absl::OkStatus();
  std::string message = StrCat("cannot differentiate: ", missing.size(),
                               missing.size() == 1 ? " op has" : " ops have", " no gradient rule:");
  for (const std::string& m : missing) message += "\n" + m;
  return absl::UnimplementedError(message);
}

}  // namespace

absl::StatusOr<std::vector<ValueId>> AppendGradients(GraphBuilder& builder, ValueId loss,
                                                     std::span<const ValueId> wrt) {
  const TensorType loss_type = builder.type(loss);  // a copy: nodes get added
  if (!IsFloat(loss_type.dtype) || loss_type.rank() != 0) {
    return absl::InvalidArgumentError(StrCat("the loss %", builder.node(loss).name,
                                             " must be a float scalar, got ",
                                             loss_type.ToString()));
  }
  // Rules append nodes, so work on a snapshot of the forward graph's shape.
  const Graph forward = builder.graph();
  const std::vector<bool> active = ActiveValues(forward, loss, wrt);
  DLC_RETURN_IF_ERROR(CheckRules(forward, active));

  // grad[v]: the sum of the contributions to v's gradient seen so far.
  std::vector<std::optional<ValueId>> grad(forward.size());
  std::vector<int> partial_sums(forward.size(), 0);
  auto accumulate = [&](ValueId v, ValueId contribution) -> absl::Status {
    if (!grad[v]) {
      grad[v] = contribution;
      return absl::OkStatus();
    }
    std::string name;
    do {
      name = StrCat(forward.node(v).name, ".grad.partial", ++partial_sums[v]);
    } while (builder.graph().Find(name).has_value());
    DLC_ASSIGN_OR_RETURN(grad[v],
                         builder.Add(OpKind::kAdd, {*grad[v], contribution}, {}, std::move(name)));
    return absl::OkStatus();
  };

  const std::string loss_grad = FreshName(builder, StrCat(forward.node(loss).name, ".grad"));
  DLC_ASSIGN_OR_RETURN(ValueId one, builder.Scalar(loss_type.dtype, 1.0, loss_grad));
  grad[loss] = one;
  for (ValueId y = loss; y >= 0; --y) {
    if (!active[y] || !grad[y]) continue;
    // All users of y come after it, so its gradient is complete: name it
    // (unless it is another value's gradient passed through unchanged).
    if (!builder.node(*grad[y]).name.ends_with(".grad")) {
      (void)builder.Rename(*grad[y], StrCat(forward.node(y).name, ".grad"));
    }
    const Node& node = forward.node(y);
    if (IsSource(node.op)) continue;
    std::vector<bool> needs;
    for (ValueId x : node.operands) needs.push_back(active[x]);
    VjpContext ctx(builder, y, std::move(needs));
    auto contributions = FindVjpRule(node.op)(ctx, *grad[y]);
    if (!contributions.ok()) {
      return absl::Status(
          contributions.status().code(),
          StrCat("gradient of ", DescribeNode(forward, y), ": ", contributions.status().message()));
    }
    for (size_t i = 0; i < node.operands.size() && i < contributions->size(); ++i) {
      const ValueId x = node.operands[i];
      if (!active[x] || !(*contributions)[i]) continue;
      DLC_RETURN_IF_ERROR(accumulate(x, *(*contributions)[i]));
    }
  }

  std::vector<ValueId> result;
  for (ValueId v : wrt) {
    if (grad[v]) {
      result.push_back(*grad[v]);
      continue;
    }
    // The loss does not depend on v: its gradient is zero.
    const TensorType& t = forward.type(v);
    const std::string name = FreshName(builder, StrCat(forward.node(v).name, ".grad"));
    DLC_ASSIGN_OR_RETURN(ValueId zero, builder.Constant(t, {0.0}, name));
    result.push_back(zero);
  }
  return result;
}

}  // namespace dlc
