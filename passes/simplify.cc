#include "passes/simplify.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "ir/verifier.h"
#include "support/status_macros.h"

namespace dlc {
namespace {

// Whether a node is nothing but its op, operands and attributes. Inputs
// and parameters are fed from outside, each its own; a random op's draws
// are meant to be independent of any other's.
bool Mergeable(OpKind op) {
  switch (op) {
    case OpKind::kInput:
    case OpKind::kParameter:
    case OpKind::kRandomUniform: return false;
    default: return true;
  }
}

// Doubles compare by their bits: 0.0 and -0.0 are different constants,
// a NaN is the same as itself.
bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

bool SameAttribute(const Attribute& a, const Attribute& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) return SameBits(*x, std::get<double>(b));
  if (const FloatList* x = std::get_if<FloatList>(&a)) {
    return std::ranges::equal(*x, std::get<FloatList>(b), SameBits);
  }
  return a == b;
}

bool SameAttributes(const Attributes& a, const Attributes& b) {
  return std::ranges::equal(a, b, [](const auto& x, const auto& y) {
    return x.first == y.first && SameAttribute(x.second, y.second);
  });
}

size_t AttributeHash(const Attribute& value) {
  return std::visit(
      [](const auto& v) -> size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) {
          return absl::HashOf(std::bit_cast<uint64_t>(v));
        } else if constexpr (std::is_same_v<T, FloatList>) {
          std::vector<uint64_t> bits;
          bits.reserve(v.size());
          for (double d : v) bits.push_back(std::bit_cast<uint64_t>(d));
          return absl::HashOf(bits);
        } else {
          return absl::HashOf(v);
        }
      },
      value);
}

// Equal nodes (as SameNode decides) hash alike.
size_t NodeHash(const Node& node) {
  size_t hash = absl::HashOf(node.op, node.operands, node.type.dtype, node.type.shape);
  for (const auto& [name, value] : node.attrs)
    hash = absl::HashOf(hash, name, AttributeHash(value));
  return hash;
}

bool SameNode(const Node& a, const Node& b) {
  return a.op == b.op && a.operands == b.operands && a.type == b.type &&
         SameAttributes(a.attrs, b.attrs);
}

}  // namespace

Graph EliminateCommonSubexpressions(const Graph& graph) {
  Graph result = graph;
  // The node each value is replaced by (itself when it stays).
  std::vector<ValueId> replacement(graph.size());
  // Candidates by hash: the earlier nodes that stay.
  absl::flat_hash_map<size_t, std::vector<ValueId>> seen;
  for (ValueId id = 0; id < result.size(); ++id) {
    Node& node = result.nodes[id];
    replacement[id] = id;
    for (ValueId& operand : node.operands) operand = replacement[operand];
    if (!Mergeable(node.op)) continue;
    std::vector<ValueId>& candidates = seen[NodeHash(node)];
    const auto same = std::ranges::find_if(
        candidates, [&](ValueId earlier) { return SameNode(result.node(earlier), node); });
    if (same != candidates.end()) {
      replacement[id] = *same;
    } else {
      candidates.push_back(id);
    }
  }
  for (ValueId& out : result.outputs) out = replacement[out];
  return result;
}

Graph EliminateDeadCode(const Graph& graph) {
  std::vector<bool> needed(graph.size(), false);
  for (ValueId out : graph.outputs) needed[out] = true;
  for (ValueId id = graph.size() - 1; id >= 0; --id) {
    const Node& node = graph.node(id);
    if (node.op == OpKind::kInput || node.op == OpKind::kParameter) needed[id] = true;
    if (!needed[id]) continue;
    for (ValueId operand : node.operands) needed[operand] = true;
  }
  Graph result;
  result.name = graph.name;
  std::vector<ValueId> renumbered(graph.size(), -1);
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (!needed[id]) continue;
    Node node = graph.node(id);
    for (ValueId& operand : node.operands) operand = renumbered[operand];
    renumbered[id] = result.size();
    result.nodes.push_back(std::move(node));
  }
  for (ValueId out : graph.outputs) result.outputs.push_back(renumbered[out]);
  return result;
}

absl::StatusOr<Graph> Simplify(const Graph& graph) {
  Graph simplified = EliminateDeadCode(EliminateCommonSubexpressions(graph));
  if (simplified.size() == graph.size()) return graph;  // nothing merged, nothing dropped
  DLC_RETURN_IF_ERROR(VerifyGraph(simplified));
  return simplified;
}

}  // namespace dlc
