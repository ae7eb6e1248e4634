// Internal to the tensor-to-loops lowering: what one op's lowering works
// with, and the shared helpers. Each op family lives in its own file.
#ifndef DLC_PASSES_TO_LOOPS_OP_LOWERING_H_
#define DLC_PASSES_TO_LOOPS_OP_LOWERING_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph.h"
#include "ir/loops/loop_builder.h"
#include "passes/lower_to_loops.h"
#include "passes/to_loops/conv_tiles.h"

namespace dlc::to_loops {

using loops::BufferId;
using loops::ExprId;
using loops::StmtId;
using loops::Type;

// Elementwise nodes computed inside their one user's loop instead of in a
// kernel of their own (no buffer, no pass over memory): see FusedInto.
struct Fusion {
  std::vector<bool> fused;  // per node
};

struct OpLowering {
  loops::LoopBuilder& b;
  const Graph& graph;
  ValueId id;
  BufferId out;                 // the node's result
  std::vector<BufferId> in;     // its operands' buffers (-1: a fused operand)
  std::vector<StmtId> body;     // the kernel's statements, in order
  const Fusion* fusion = nullptr;
  const std::vector<BufferId>* value_buffer = nullptr;  // every node's buffer
  const LowerOptions* options = nullptr;

  // The register file's size, for microkernel tiles.
  RegisterBudget budget() const {
    return {options->vector_lanes_f32, options->vector_registers};
  }
  bool tile_convolutions() const { return options->tile_convolutions; }
  int64_t l2_bytes() const { return options->l2_bytes; }

  const Node& node() const { return graph.node(id); }
  const TensorType& in_type(int i) const { return graph.type(node().operands[i]); }
  const TensorType& out_type() const { return node().type; }
  Type elem() const { return loops::TypeOf(out_type().dtype); }

  // A scratch buffer for this kernel (reduction accumulators and the like).
  BufferId Temp(Type type, Shape shape, std::string_view suffix);
  // Loads `buffer` of `shape` at the coordinates of a value of rank
  // coords.size() that it broadcasts to (numpy rules, aligned at the right).
  ExprId LoadBroadcast(BufferId buffer, const Shape& shape, std::span<const ExprId> coords);
  ExprId Zero(Type type) { return b.Const(0, type); }
  void Emit(std::vector<StmtId> stmts) { body.insert(body.end(), stmts.begin(), stmts.end()); }
  // Fills every element of `buffer` (of `shape`) with `value`.
  void Fill(BufferId buffer, const Shape& shape, ExprId value);
  // "%y = conv2d", for kernel names and error messages.
  std::string Describe() const;
};

absl::Status LowerElementwise(OpLowering& op);   // elementwise.cc
// Which elementwise nodes to fuse into their user (elementwise.cc): those
// with exactly one use, by an elementwise node of the same shape, that are
// not graph outputs and need no runtime check.
Fusion FindFusion(const Graph& graph);
absl::Status LowerMovement(OpLowering& op);      // movement.cc
absl::Status LowerReduction(OpLowering& op);     // reductions.cc
absl::Status LowerLinear(OpLowering& op);        // linear.cc: matmul, conv2d and its backprops
absl::Status LowerPooling(OpLowering& op);       // pooling.cc: pools and their gradients
absl::Status LowerSoftmaxFamily(OpLowering& op); // softmax.cc: softmax, log_softmax, cross-entropy, one_hot
absl::Status LowerRandom(OpLowering& op);        // random.cc

}  // namespace dlc::to_loops

#endif  // DLC_PASSES_TO_LOOPS_OP_LOWERING_H_
