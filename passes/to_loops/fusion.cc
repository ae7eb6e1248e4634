// The fusion plan (fusion.h): each decision asks the lowering of the op
// family involved whether it can take the fused value (a tiled convolution
// takes an epilogue and a pool; a plain nest does not).
#include "passes/fusion.h"

#include <functional>

#include "absl/strings/str_join.h"
#include "ir/shape_util.h"
#include "ir/window.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

namespace dlc {
namespace to_loops {
namespace {

// Whether `v`'s value at an element can be had before producer `p`'s kernel
// runs: an argument or constant, a value computed by an earlier kernel, or
// a fused value whose operands all can.
bool ReadyBefore(const Graph& graph, const Fusion& fusion, ValueId v, ValueId p) {
  const OpKind op = graph.node(v).op;
  if (op == OpKind::kInput || op == OpKind::kParameter || op == OpKind::kConstant) return true;
  // A kernel's value, or an epilogue root (its producer precedes it).
  if (!fusion.fused[v]) return v < p;
  for (ValueId operand : graph.node(v).operands) {
    if (!ReadyBefore(graph, fusion, operand, p)) return false;
  }
  return true;
}

// Elementwise nodes fused into their user: those with exactly one use, by
// an elementwise node of the same shape, that are not graph outputs and
// need no runtime check. And producers that take an epilogue: those
// `takes_epilogue` accepts, whose chain's other operands are all computed
// before the producer.
Fusion FindFusion(const Graph& graph, const std::function<bool(ValueId)>& takes_epilogue) {
  std::vector<int> uses(graph.size(), 0);
  std::vector<ValueId> user(graph.size(), -1);
  for (ValueId id = 0; id < graph.size(); ++id) {
    for (ValueId operand : graph.node(id).operands) {
      ++uses[operand];
      user[operand] = id;
    }
  }
  std::vector<int> is_output(graph.size(), 0);  // how often returned
  for (ValueId out : graph.outputs) {
    uses[out] += 2;  // outputs are written out
    ++is_output[out];
  }
  Fusion fusion;
  fusion.fused.assign(graph.size(), false);
  fusion.epilogue.assign(graph.size(), -1);
  fusion.computed_by_producer.assign(graph.size(), false);
  fusion.sibling.assign(graph.size(), -1);
  fusion.pool.assign(graph.size(), -1);
  fusion.per_image.assign(graph.size(), false);
  fusion.stored.assign(graph.size(), false);
  fusion.update_group.assign(graph.size(), -1);
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    const bool checked = node.op == OpKind::kDiv && !IsFloat(node.type.dtype);
    // An elementwise user of the same shape, or a max-pool scatter that
    // reads it as its gradient (at each element of it).
    const Node* u = uses[id] == 1 ? &graph.node(user[id]) : nullptr;
    const bool elementwise_user =
        u != nullptr && IsElementwise(u->op) && u->type.shape == node.type.shape;
    const bool scatter_user =
        u != nullptr && u->op == OpKind::kMaxPool2DScatter && u->operands[0] == id;
    fusion.fused[id] = IsElementwise(node.op) && !checked && (elementwise_user || scatter_user);
    // A graph output used by one elementwise node of its shape besides
    // (an optimizer's new moment, which the parameter's update reads): that
    // node's loop computes it and stores it too, in one pass.
    if (!fusion.fused[id] && IsElementwise(node.op) && !checked && is_output[id] &&
        uses[id] - 2 * is_output[id] == 1 && IsElementwise(graph.node(user[id]).op) &&
        graph.type(user[id]).shape == node.type.shape) {
      fusion.fused[id] = true;
      fusion.stored[id] = true;
    }
  }
  for (ValueId p = 0; p < graph.size(); ++p) {
    if (uses[p] != 1 || !takes_epilogue(p)) continue;
    // Up the chain of fused users to the root that has a kernel.
    ValueId root = user[p];
    if (!IsElementwise(graph.node(root).op) || graph.type(root).shape != graph.type(p).shape)
      continue;
    std::vector<ValueId> chain = {p};
    while (fusion.fused[root]) {
      chain.push_back(root);
      root = user[root];
    }
    chain.push_back(root);
    bool ready = true;
    for (size_t k = 1; k < chain.size() && ready; ++k) {
      for (ValueId operand : graph.node(chain[k]).operands) {
        if (operand != chain[k - 1]) ready &= ReadyBefore(graph, fusion, operand, p);
      }
    }
    if (!ready) continue;
    fusion.epilogue[p] = root;
    fusion.computed_by_producer[root] = true;
  }
  return fusion;
}

// Whether every use of `value` comes after node `producer` (whose kernel
// then may compute it).
bool UsedOnlyAfter(const Graph& graph, ValueId value, ValueId producer) {
  for (ValueId u = 0; u <= producer && u < graph.size(); ++u) {
    for (ValueId operand : graph.node(u).operands) {
      if (operand == value) return false;
    }
  }
  return true;
}

// Siblings (op_lowering.h): a value computed by another node's kernel over
// the same data, when nothing uses it before that kernel has run.
//  - A tiled filter gradient takes the bias gradient of its dy (reduce_sum
//    over batch and pixels).
//  - A maxpool2d takes the maxpool2d_argmax of the same input and window:
//    one scan finds both.
void FindSiblings(const Graph& graph, const LowerOptions& options, Fusion& fusion) {
  for (ValueId f = 0; f < graph.size(); ++f) {
    const Node& producer = graph.node(f);
    const bool filter_grad =
        producer.op == OpKind::kConv2DBackpropFilter && BackpropFilterIsTiled(graph, f, options);
    if (!filter_grad && producer.op != OpKind::kMaxPool2D) continue;
    for (ValueId r = 0; r < graph.size(); ++r) {
      const Node& node = graph.node(r);
      if (fusion.computed_by_producer[r]) continue;
      if (filter_grad) {
        const ValueId dy = producer.operands[1];
        if (node.op != OpKind::kReduceSum || node.operands[0] != dy ||
            AttrBool(node.attrs, "keepdims") || !IsFloat(node.type.dtype)) {
          continue;
        }
        auto axes = NormalizeAxes(AttrInts(node.attrs, "axes"), graph.type(dy).rank());
        if (!axes.ok() || *axes != IntList{0, 1, 2}) continue;
      } else if (node.op != OpKind::kMaxPool2DArgmax || node.operands[0] != producer.operands[0] ||
                 !SamePoolWindow(node.attrs, producer.attrs)) {
        continue;
      }
      if (!UsedOnlyAfter(graph, r, f)) continue;
      fusion.sibling[f] = r;
      fusion.computed_by_producer[r] = true;
      break;
    }
  }
}

// Max-pool scatters that their readers compute image by image (Fusion::
// per_image): every reader is a tiled convolution gradient taking it as
// its output gradient (or the bias gradient its filter gradient computes
// as a sibling), and nothing else needs the full-size value.
void FindPerImageScatters(const Graph& graph, const LowerOptions& options, Fusion& fusion) {
  std::vector<std::vector<ValueId>> users(graph.size());
  for (ValueId id = 0; id < graph.size(); ++id) {
    for (ValueId operand : graph.node(id).operands) users[operand].push_back(id);
  }
  std::vector<bool> is_output(graph.size(), false);
  for (ValueId out : graph.outputs) is_output[out] = true;
  for (ValueId s = 0; s < graph.size(); ++s) {
    if (graph.node(s).op != OpKind::kMaxPool2DScatter || is_output[s] || fusion.epilogue[s] >= 0 ||
        !ScatterIsPerImage(graph, s) || users[s].empty()) {
      continue;
    }
    bool all = true;
    for (ValueId u : users[s]) {
      const Node& user = graph.node(u);
      const bool filter = user.op == OpKind::kConv2DBackpropFilter && user.operands[1] == s &&
                          user.operands[0] != s && BackpropFilterIsTiled(graph, u, options);
      const bool input = user.op == OpKind::kConv2DBackpropInput && user.operands[0] == s &&
                         user.operands[1] != s && BackpropInputIsTiled(graph, u, options);
      bool bias = false;
      for (ValueId f : users[s])
        bias |= fusion.sibling[f] == u && graph.node(f).op == OpKind::kConv2DBackpropFilter;
      all &= filter || input || bias;
    }
    fusion.per_image[s] = all;
  }
}

// The optimizer's updates: elementwise graph outputs that nothing reads,
// that read a parameter of their shape and can be computed at flat indices.
// In groups of kMaxUpdatesPerKernel, in node order, when there are at least
// two (one update is a kernel already).
std::vector<int> GroupUpdates(const Graph& graph, const Fusion& fusion) {
  std::vector<int> uses(graph.size(), 0);
  for (ValueId id = 0; id < graph.size(); ++id) {
    for (ValueId operand : graph.node(id).operands) ++uses[operand];
  }
  std::vector<int> returned(graph.size(), 0);
  for (ValueId out : graph.outputs) ++returned[out];
  std::vector<int> group(graph.size(), -1);
  int count = 0;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (returned[id] == 0 || uses[id] > 0 || !IsFloat(node.type.dtype) || fusion.fused[id] ||
        fusion.computed_by_producer[id] || fusion.per_image[id]) {
      continue;
    }
    // A parameter's update reads the parameter (p - step, p + velocity).
    bool reads_parameter = false;
    for (ValueId operand : node.operands) {
      reads_parameter |= graph.node(operand).op == OpKind::kParameter &&
                         graph.type(operand).shape == node.type.shape;
    }
    if (!reads_parameter || !ComputableAtFlatIndex(graph, fusion, id)) continue;
    group[id] = count++ / kMaxUpdatesPerKernel;
  }
  if (count < 2) group.assign(graph.size(), -1);
  return group;
}

}  // namespace
}  // namespace to_loops

Fusion PlanFusion(const Graph& graph, const LowerOptions& options) {
  using namespace to_loops;
  Fusion fusion = FindFusion(graph, [&](ValueId id) {
    switch (graph.node(id).op) {
      case OpKind::kConv2D: return Conv2DTakesEpilogue(graph, id, options);
      case OpKind::kMaxPool2DGrad:
      case OpKind::kMaxPool2DScatter: return MaxPoolGradTakesEpilogue(graph, id);
      default: return false;
    }
  });
  FindSiblings(graph, options, fusion);
  // Pools: a tiled convolution pools its (epilogue's) result itself.
  for (ValueId id = 0; id < graph.size(); ++id) {
    if (graph.node(id).op != OpKind::kConv2D || !Conv2DTakesEpilogue(graph, id, options)) continue;
    const ValueId pool = FusiblePool(graph, fusion, id, graph.outputs);
    if (pool < 0) continue;
    fusion.pool[id] = pool;
    fusion.computed_by_producer[pool] = true;
  }
  FindPerImageScatters(graph, options, fusion);
  fusion.update_group = GroupUpdates(graph, fusion);
  return fusion;
}

absl::Status CheckFusionFits(const Graph& graph, const Fusion& fusion) {
  const size_t n = graph.size();
  const bool fits = fusion.fused.size() == n && fusion.stored.size() == n &&
                    fusion.epilogue.size() == n && fusion.computed_by_producer.size() == n &&
                    fusion.sibling.size() == n && fusion.pool.size() == n &&
                    fusion.per_image.size() == n && fusion.update_group.size() == n;
  if (fits) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("the fusion plan does not fit graph ", graph.name, " of ", n, " nodes"));
}

std::string PrintFusion(const Graph& graph, const Fusion& fusion) {
  std::vector<ValueId> user(graph.size(), -1);  // a fused value's one user
  for (ValueId u = 0; u < graph.size(); ++u) {
    for (ValueId operand : graph.node(u).operands) {
      if (fusion.fused[operand]) user[operand] = u;
    }
  }
  auto value = [&](ValueId v) {
    return StrCat("%", graph.node(v).name, " = ", OpName(graph.node(v).op));
  };
  std::string out = StrCat("fusion ", graph.name, " {\n");
  for (ValueId id = 0; id < graph.size(); ++id) {
    std::vector<std::string> what;
    if (fusion.fused[id]) {
      what.push_back(StrCat("fused into %", graph.node(user[id]).name,
                            fusion.stored[id] ? ", which stores it" : ""));
    }
    if (fusion.epilogue[id] >= 0) what.push_back(StrCat("epilogue ", value(fusion.epilogue[id])));
    if (const ValueId pool = fusion.pool[id]; pool >= 0) {
      const ValueId argmax = fusion.sibling[pool];
      what.push_back(StrCat("pools ", value(pool),
                            argmax >= 0 ? StrCat(" (argmax %", graph.node(argmax).name, ")") : ""));
    }
    if (fusion.sibling[id] >= 0 && !fusion.computed_by_producer[id]) {  // a pool: under its conv
      what.push_back(StrCat("sibling ", value(fusion.sibling[id])));
    }
    if (fusion.per_image[id]) what.push_back("per image, in each reader's kernel");
    if (fusion.update_group[id] >= 0) {
      what.push_back(StrCat("updates kernel ", fusion.update_group[id]));
    }
    if (what.empty()) continue;
    out += StrCat("  ", value(id), ": ", absl::StrJoin(what, ", "), "\n");
  }
  return out + "}\n";
}

}  // namespace dlc
