// The graph walk: verify, check the feeds, evaluate nodes in definition order.
#include "ir/interpreter.h"

#include <vector>

#include "absl/status/status.h"
#include "ir/verifier.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

bool IsFed(OpKind op) { return op == OpKind::kInput || op == OpKind::kParameter; }

// Every input and parameter fed with exactly its type, and nothing else fed.
absl::Status CheckFeeds(const Graph& graph, const Feeds& feeds) {
  for (const Node& node : graph.nodes) {
    if (!IsFed(node.op)) continue;
    const std::string_view kind = OpName(node.op);
    auto feed = feeds.find(node.name);
    if (feed == feeds.end()) {
      return absl::InvalidArgumentError(
          StrCat(kind, " %", node.name, " (", node.type.ToString(), ") is not fed"));
    }
    if (feed->second.type() != node.type) {
      return absl::InvalidArgumentError(StrCat(kind, " %", node.name, " has type ",
                                               node.type.ToString(), ", but its feed has type ",
                                               feed->second.type().ToString()));
    }
  }
  for (const auto& [name, tensor] : feeds) {
    std::optional<ValueId> id = graph.Find(name);
    if (!id) {
      return absl::InvalidArgumentError(
          StrCat("feed %", name, " names no value of graph ", graph.name));
    }
    if (!IsFed(graph.node(*id).op)) {
      return absl::InvalidArgumentError(StrCat("feed %", name,
                                               " is not an input or parameter (it is a ",
                                               OpName(graph.node(*id).op), ")"));
    }
  }
  return absl::OkStatus();
}

// Evaluates the nodes marked in `wanted` (which must include every operand of
// a wanted node). Unless `keep_all`, a value is dropped after its last use
// unless it is an output, so long graphs do not hold every intermediate.
absl::StatusOr<std::vector<Tensor>> Evaluate(const Graph& graph, const Feeds& feeds,
                                             const std::vector<bool>& wanted, bool keep_all) {
  std::vector<ValueId> last_use(graph.size(), -1);
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!wanted[id]) continue;
    for (ValueId operand : graph.node(id).operands) last_use[operand] = id;
  }
  std::vector<bool> is_output(graph.size(), false);
  for (ValueId out : graph.outputs) is_output[out] = true;

  std::vector<Tensor> values(graph.size());
  std::vector<const Tensor*> operands;
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!wanted[id]) continue;
    const Node& node = graph.node(id);
    if (IsFed(node.op)) {
      values[id] = feeds.at(node.name);  // present: CheckFeeds ran
      continue;
    }
    operands.clear();
    for (ValueId operand : node.operands) operands.push_back(&values[operand]);
    DLC_ASSIGN_OR_RETURN(values[id], EvaluateNode(node, operands));
    if (keep_all) continue;
    for (ValueId operand : node.operands) {
      if (last_use[operand] == id && !is_output[operand]) values[operand] = Tensor();
    }
  }
  return values;
}

}  // namespace

absl::StatusOr<std::vector<Tensor>> InterpretAll(const Graph& graph, const Feeds& feeds) {
  DLC_RETURN_IF_ERROR(VerifyGraph(graph));
  DLC_RETURN_IF_ERROR(CheckFeeds(graph, feeds));
  return Evaluate(graph, feeds, std::vector<bool>(graph.size(), true), /*keep_all=*/true);
}

absl::StatusOr<std::vector<Tensor>> Interpret(const Graph& graph, const Feeds& feeds) {
  DLC_RETURN_IF_ERROR(VerifyGraph(graph));
  DLC_RETURN_IF_ERROR(CheckFeeds(graph, feeds));
  // Only what the outputs depend on is evaluated: operands come before their
  // users, so one backward sweep finds it.
  std::vector<bool> wanted(graph.size(), false);
  for (ValueId out : graph.outputs) wanted[out] = true;
  for (ValueId id = graph.size() - 1; id >= 0; --id) {
    if (!wanted[id]) continue;
    for (ValueId operand : graph.node(id).operands) wanted[operand] = true;
  }
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> values,
                       Evaluate(graph, feeds, wanted, /*keep_all=*/false));
  std::vector<Tensor> outputs;
  outputs.reserve(graph.outputs.size());
  for (ValueId out : graph.outputs) outputs.push_back(values[out]);
  return outputs;
}

}  // namespace dlc
