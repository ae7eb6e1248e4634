// LowerToLoops: buffers for every value, one kernel per node (elementwise
// values fused into their users' loops). Temps are left unplanned: memory
// planning is a pipeline step of its own (passes/pipeline.h).
#include "absl/strings/str_format.h"
#include "ir/shape_util.h"
#include "ir/verifier.h"
#include "ir/window.h"
#include "passes/lower_to_loops.h"
#include "passes/to_loops/op_lowering.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace to_loops {

using loops::Buffer;
using loops::BufferKind;

BufferId OpLowering::Temp(Type type, Shape shape, std::string_view suffix) {
  Buffer buffer;
  buffer.name = StrCat(node().name, ".", suffix);
  buffer.type = type;
  buffer.shape = std::move(shape);
  buffer.kind = BufferKind::kTemp;
  return b.AddBuffer(std::move(buffer));
}

ExprId OpLowering::LoadBroadcast(BufferId buffer, const Shape& shape,
                                 std::span<const ExprId> coords) {
  const size_t skip = coords.size() - shape.size();
  return b.Load(buffer, b.FlatIndex(coords.subspan(skip), shape));
}

void OpLowering::Fill(BufferId buffer, const Shape& shape, ExprId value) {
  Emit(b.Nest(shape, [&](std::span<const ExprId> c) {
    return std::vector<StmtId>{b.Store(buffer, b.FlatIndex(c, shape), value)};
  }));
}

StmtId Accumulate(OpLowering& op, BufferId target, ExprId at, ExprId a, ExprId b) {
  ExprId product = op.b.Binary(loops::BinaryOp::kMul, a, b);
  return op.b.Store(target, at, op.b.Binary(loops::BinaryOp::kAdd, op.b.Load(target, at), product));
}

StmtId Loop(OpLowering& op, int64_t extent,
            const std::function<std::vector<StmtId>(ExprId)>& body) {
  const loops::VarId var = op.b.NewVar();
  return op.b.For(var, extent, body(op.b.Var(var)));
}

std::string OpLowering::Describe() const {
  return StrCat("%", node().name, " = ", OpName(node().op));
}

absl::StatusOr<ExprId> OpLowering::ResultValue(std::span<const ExprId> coords, ExprId value,
                                               std::vector<StmtId>& stmts) {
  if (epilogue < 0) return value;
  OpLowering root{b, graph, epilogue, epilogue_out, {}, {}, fusion, value_buffer, options};
  for (ValueId operand : graph.node(epilogue).operands) root.in.push_back((*value_buffer)[operand]);
  root.given = id;
  root.given_value = value;
  return ElementwiseValueAt(root, coords, stmts);
}

absl::StatusOr<std::vector<StmtId>> OpLowering::StoreResult(std::span<const ExprId> coords,
                                                            ExprId value) {
  std::vector<StmtId> stmts;
  DLC_ASSIGN_OR_RETURN(ExprId result, ResultValue(coords, value, stmts));
  const ValueId stored = epilogue < 0 ? id : epilogue;
  stmts.push_back(b.Store(epilogue < 0 ? out : epilogue_out,
                          b.FlatIndex(coords, graph.type(stored).shape), result));
  return stmts;
}

namespace {

// One lowering file per family of ops (OpCategory).
absl::Status LowerNode(OpLowering& op) {
  switch (CategoryOf(op.node().op)) {
    case OpCategory::kSource: return absl::OkStatus();  // arguments and constants need no code
    case OpCategory::kElementwise: return LowerElementwise(op);
    case OpCategory::kDataMovement: return LowerMovement(op);
    case OpCategory::kReduction: return LowerReduction(op);
    case OpCategory::kContraction: return LowerLinear(op);
    case OpCategory::kWindow: return LowerPooling(op);
    case OpCategory::kSoftmaxFamily: return LowerSoftmaxFamily(op);
    case OpCategory::kRandom: return LowerRandom(op);
  }
  return absl::UnimplementedError(StrCat("no loop lowering for ", op.Describe()));
}

// Which nodes' values are graph outputs: they are computed straight into
// their output buffer (the first one, when a value is returned twice).
std::vector<int> FirstOutputIndex(const Graph& graph) {
  std::vector<int> first(graph.size(), -1);
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    if (first[graph.outputs[i]] < 0) first[graph.outputs[i]] = static_cast<int>(i);
  }
  return first;
}

// Per node, the fused values that are graph outputs too (Fusion::stored)
// its kernel stores: those whose chain of fused users ends at it.
std::vector<std::vector<ValueId>> StoredByKernel(const Graph& graph, const Fusion& fusion) {
  std::vector<ValueId> user(graph.size(), -1);  // a fused value's one user
  for (ValueId u = 0; u < graph.size(); ++u) {
    for (ValueId operand : graph.node(u).operands) {
      if (fusion.fused[operand]) user[operand] = u;
    }
  }
  std::vector<std::vector<ValueId>> stored(graph.size());
  for (ValueId v = 0; v < graph.size(); ++v) {
    if (!fusion.stored[v]) continue;
    ValueId at = v;
    while (fusion.fused[at] && user[at] >= 0) at = user[at];
    stored[at].push_back(v);
  }
  return stored;
}

}  // namespace
}  // namespace to_loops

absl::StatusOr<loops::LoopProgram> LowerToLoops(const Graph& graph, const LowerOptions& options) {
  return LowerToLoops(graph, PlanFusion(graph, options), options);
}

absl::StatusOr<loops::LoopProgram> LowerToLoops(const Graph& graph, const Fusion& fusion,
                                                const LowerOptions& options) {
  using namespace to_loops;
  DLC_RETURN_IF_ERROR(VerifyGraph(graph));
  DLC_RETURN_IF_ERROR(CheckFusionFits(graph, fusion));
  loops::LoopProgram program;
  program.name = graph.name;
  loops::LoopBuilder b(program);
  const std::vector<int> first_output = FirstOutputIndex(graph);

  auto make_buffer = [&](const Node& node, BufferKind kind, std::string name) {
    Buffer buffer;
    buffer.name = std::move(name);
    buffer.type = loops::TypeOf(node.type.dtype);
    buffer.shape = node.type.shape;
    buffer.kind = kind;
    return buffer;
  };

  // Arguments first: inputs and parameters, then the outputs.
  std::vector<BufferId> value_buffer(graph.size(), -1);
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
    value_buffer[id] = b.AddBuffer(make_buffer(node, BufferKind::kInput, node.name));
    program.arguments.push_back(value_buffer[id]);
  }
  std::vector<BufferId> output_buffer;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const Node& node = graph.node(graph.outputs[i]);
    // A value computed straight into its output buffer keeps its name; a
    // copy (an input, a constant, a value returned twice) gets its own.
    const bool computed_here = first_output[graph.outputs[i]] == static_cast<int>(i) &&
                               node.op != OpKind::kInput && node.op != OpKind::kParameter &&
                               node.op != OpKind::kConstant;
    const std::string name = computed_here ? node.name : StrCat(node.name, ".output", i);
    output_buffer.push_back(b.AddBuffer(make_buffer(node, BufferKind::kOutput, name)));
    program.arguments.push_back(output_buffer.back());
  }

  // Constants first: a kernel may read one defined after its node (an
  // epilogue reads its root's operands at the producer).
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (node.op != OpKind::kConstant) continue;
    Buffer buffer = make_buffer(node, BufferKind::kConstant, node.name);
    buffer.values = AttrFloats(node.attrs, "value");
    value_buffer[id] = b.AddBuffer(std::move(buffer));
  }

  const std::vector<std::vector<ValueId>> stored_by_kernel = StoredByKernel(graph, fusion);
  // The optimizer's updates: one kernel per group, where its last member is.
  std::vector<ValueId> last_of_group;
  for (ValueId id = 0; id < graph.size(); ++id) {
    const int group = fusion.update_group[id];
    if (group < 0) continue;
    if (group >= static_cast<int>(last_of_group.size())) last_of_group.resize(group + 1, -1);
    last_of_group[group] = id;
  }
  std::vector<OpLowering> updates;
  std::string updates_name;
  // A value's own buffer: its output buffer when it is returned (the first
  // time), else a temp named after it.
  auto own_buffer = [&](ValueId id) {
    const Node& node = graph.node(id);
    if (first_output[id] >= 0) return output_buffer[first_output[id]];
    return b.AddBuffer(make_buffer(node, BufferKind::kTemp, node.name));
  };
  for (ValueId id = 0; id < graph.size(); ++id) {
    const Node& node = graph.node(id);
    if (node.op == OpKind::kInput || node.op == OpKind::kParameter) continue;
    if (fusion.fused[id]) {                                      // computed inside its user's loop
      if (fusion.stored[id]) value_buffer[id] = own_buffer(id);  // ... and stored there
      continue;
    }
    if (fusion.computed_by_producer[id]) continue;  // an epilogue: in its producer's kernel
    if (fusion.per_image[id]) continue;             // in its readers' kernels, image by image
    const bool same_elements = node.op == OpKind::kReshape || node.op == OpKind::kFlatten;
    if (same_elements && first_output[id] < 0 && value_buffer[node.operands[0]] >= 0) {
      // The same elements in the same (row-major) order: the operand's
      // buffer, read with this shape. No kernel, no copy.
      value_buffer[id] = value_buffer[node.operands[0]];
      continue;
    }
    if (node.op == OpKind::kConstant) {
      if (first_output[id] < 0) continue;
    } else if (fusion.epilogue[id] < 0 && fusion.pool[id] < 0) {
      value_buffer[id] = own_buffer(id);
    }
    OpLowering op{b, graph, id, value_buffer[id], {}, {}, &fusion, &value_buffer, &options};
    std::string name = op.Describe();
    // The kernel's name lists every value it computes: "%a = op + %b = op".
    auto also = [&](ValueId v, std::string_view how = "") {
      name = StrCat(name, " + %", graph.node(v).name, " = ", OpName(graph.node(v).op), how);
    };
    if (const int group = fusion.update_group[id]; group >= 0) {
      for (ValueId operand : node.operands) op.in.push_back(value_buffer[operand]);
      for (ValueId stored : stored_by_kernel[id]) also(stored);
      updates_name = StrCat(updates_name, updates_name.empty() ? "" : " + ", name);
      updates.push_back(std::move(op));
      if (id != last_of_group[group]) continue;
      DLC_ASSIGN_OR_RETURN(std::vector<StmtId> body, LowerUpdates(updates));
      b.AddKernel(std::move(updates_name), std::move(body));
      updates.clear();
      updates_name.clear();
      continue;
    }
    if (const ValueId root = fusion.epilogue[id]; root >= 0) {
      // The producer writes the root's value; its own never has a buffer
      // (nor the root's, when the producer pools it).
      if (fusion.pool[id] < 0) value_buffer[root] = own_buffer(root);
      op.epilogue = root;
      op.epilogue_out = value_buffer[root];
      also(root);
    }
    if (const ValueId pool = fusion.pool[id]; pool >= 0) {
      value_buffer[pool] = own_buffer(pool);
      op.pool = pool;
      op.pool_out = value_buffer[pool];
      also(pool);
      if (const ValueId argmax = fusion.sibling[pool]; argmax >= 0) {
        value_buffer[argmax] = own_buffer(argmax);
        op.pool_argmax_out = value_buffer[argmax];
        also(argmax);
      }
    }
    for (ValueId stored : stored_by_kernel[id]) {
      also(stored);
    }
    if (const ValueId sum = fusion.sibling[id]; sum >= 0) {
      value_buffer[sum] = own_buffer(sum);
      op.sibling = sum;
      op.sibling_out = value_buffer[sum];
      also(sum);
    }
    for (ValueId operand : node.operands) {
      op.in.push_back(value_buffer[operand]);
      if (fusion.per_image[operand]) {
        also(operand, " per image");
      }
    }
    if (node.op == OpKind::kConstant) {
      // A constant returned as an output is copied into its output buffer.
      op.out = output_buffer[first_output[id]];
      op.in = {value_buffer[id]};
      const Shape& shape = node.type.shape;
      op.Emit(b.Nest(shape, [&](std::span<const ExprId> c) {
        ExprId index = b.FlatIndex(c, shape);
        const bool splat = program.buffers[value_buffer[id]].values.size() == 1;
        return std::vector<StmtId>{
            b.Store(op.out, index, b.Load(value_buffer[id], splat ? b.Index(0) : index))};
      }));
      value_buffer[id] = op.out;
    } else {
      DLC_RETURN_IF_ERROR(LowerNode(op));
    }
    b.AddKernel(std::move(name), std::move(op.body));
  }

  // Values returned more than once, or inputs returned as they are, are
  // copied into their output buffers.
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const ValueId v = graph.outputs[i];
    if (value_buffer[v] == output_buffer[i]) continue;
    const Shape& shape = graph.type(v).shape;
    std::vector<StmtId> copy = b.Nest(shape, [&](std::span<const ExprId> c) {
      ExprId index = b.FlatIndex(c, shape);
      return std::vector<StmtId>{b.Store(output_buffer[i], index, b.Load(value_buffer[v], index))};
    });
    b.AddKernel(StrCat("output ", i, ": copy of %", graph.node(v).name), std::move(copy));
  }
  return program;
}

}  // namespace dlc
