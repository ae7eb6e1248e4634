#include "passes/pool_masks.h"

#include <optional>

#include "absl/container/flat_hash_set.h"
#include "ir/verifier.h"
#include "ir/window.h"
#include "passes/simplify.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

bool IsScalar(const Graph& graph, ValueId v) { return graph.type(v).shape.empty(); }

bool IsZeroConstant(const Graph& graph, ValueId v) {
  const Node& node = graph.node(v);
  if (node.op != OpKind::kConstant || !IsScalar(graph, v)) return false;
  const FloatList values = AttrFloats(node.attrs, "value");
  return values.size() == 1 && values[0] == 0;
}

// select(compare(y, k), scatter(dp, argmax(y)), 0), either way round, and
// the pool of y it can move onto.
struct Match {
  ValueId compare, scatter, zero, pooled;
  bool scatter_first;  // select(c, s, 0) rather than select(c, 0, s)
};

std::optional<Match> MatchMask(const Graph& graph, const std::vector<std::vector<ValueId>>& users,
                               ValueId id) {
  const Node& select = graph.node(id);
  if (select.op != OpKind::kSelect) return std::nullopt;
  Match m;
  const ValueId a = select.operands[1], b = select.operands[2];
  if (graph.node(a).op == OpKind::kMaxPool2DScatter && IsZeroConstant(graph, b)) {
    m.scatter = a, m.zero = b, m.scatter_first = true;
  } else if (graph.node(b).op == OpKind::kMaxPool2DScatter && IsZeroConstant(graph, a)) {
    m.scatter = b, m.zero = a, m.scatter_first = false;
  } else {
    return std::nullopt;
  }
  m.compare = select.operands[0];
  const Node& compare = graph.node(m.compare);
  const Node& argmax = graph.node(graph.node(m.scatter).operands[1]);
  if (compare.op != OpKind::kCompare || argmax.op != OpKind::kMaxPool2DArgmax) return std::nullopt;
  const ValueId y = argmax.operands[0];
  // compare(y, k) or compare(k, y), k a scalar.
  const ValueId lhs = compare.operands[0], rhs = compare.operands[1];
  if (!((lhs == y && IsScalar(graph, rhs)) || (rhs == y && IsScalar(graph, lhs))))
    return std::nullopt;
  for (ValueId user : users[y]) {
    const Node& pool = graph.node(user);
    if (pool.op == OpKind::kMaxPool2D && user < id && SamePoolWindow(pool.attrs, argmax.attrs)) {
      m.pooled = user;
      return m;
    }
  }
  return std::nullopt;
}

std::vector<std::vector<ValueId>> Users(const Graph& graph) {
  std::vector<std::vector<ValueId>> users(graph.size());
  for (ValueId id = 0; id < graph.size(); ++id) {
    for (ValueId operand : graph.node(id).operands) users[operand].push_back(id);
  }
  return users;
}

}  // namespace

absl::StatusOr<Graph> MovePoolMasks(const Graph& graph) {
  const std::vector<std::vector<ValueId>> users = Users(graph);
  absl::flat_hash_set<std::string> names;
  for (const Node& node : graph.nodes) names.insert(node.name);
  auto fresh = [&](const std::string& base) {
    std::string name = base;
    for (int i = 2; names.contains(name); ++i) name = StrCat(base, i);
    names.insert(name);
    return name;
  };

  Graph result;
  result.name = graph.name;
  std::vector<ValueId> renumbered(graph.size(), -1);
  bool changed = false;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    std::optional<Match> m = MatchMask(graph, users, id);
    if (!m) {
      Node copy = node;
      for (ValueId& operand : copy.operands) operand = renumbered[operand];
      renumbered[id] = result.size();
      result.nodes.push_back(std::move(copy));
      continue;
    }
    changed = true;
    const Node& compare = graph.node(m->compare);
    const Node& scatter = graph.node(m->scatter);
    const ValueId y = graph.node(scatter.operands[1]).operands[0];
    auto add = [&](Node n) {
      result.nodes.push_back(std::move(n));
      return result.size() - 1;
    };
    // compare(p, k): the same test on the pool's output.
    Node mask = compare;
    for (ValueId& operand : mask.operands) operand = renumbered[operand == y ? m->pooled : operand];
    mask.type = TensorType{DType::kI1, graph.type(m->pooled).shape};
    mask.name = fresh(StrCat(node.name, ".pooled_mask"));
    mask.loc = node.loc;
    const ValueId new_mask = add(std::move(mask));
    // select(mask, dp, 0) (or the other way round).
    const ValueId dp = renumbered[scatter.operands[0]], zero = renumbered[m->zero];
    Node masked{OpKind::kSelect,
                {new_mask, m->scatter_first ? dp : zero, m->scatter_first ? zero : dp},
                {},
                graph.type(scatter.operands[0]),
                fresh(StrCat(node.name, ".pooled_grad")),
                node.loc};
    const ValueId new_masked = add(std::move(masked));
    // scatter(masked, argmax) in the select's place, under its name.
    Node routed = scatter;
    routed.operands = {new_masked, renumbered[scatter.operands[1]]};
    routed.type = node.type;
    routed.name = node.name;
    routed.loc = node.loc;
    renumbered[id] = add(std::move(routed));
  }
  if (!changed) return graph;
  for (ValueId out : graph.outputs) result.outputs.push_back(renumbered[out]);
  Graph pruned = EliminateDeadCode(result);
  DLC_RETURN_IF_ERROR(VerifyGraph(pruned));
  return pruned;
}

}  // namespace dlc
