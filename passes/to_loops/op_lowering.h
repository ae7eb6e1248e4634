// Internal to the tensor-to-loops lowering: what one op's lowering works
// with, and the shared helpers. Each op family lives in its own file.
#ifndef DLC_PASSES_TO_LOOPS_OP_LOWERING_H_
#define DLC_PASSES_TO_LOOPS_OP_LOWERING_H_

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph.h"
#include "ir/loops/loop_builder.h"
#include "passes/fusion.h"
#include "passes/lower_to_loops.h"
#include "passes/to_loops/conv_tiles.h"

namespace dlc::to_loops {

using loops::BufferId;
using loops::ExprId;
using loops::StmtId;
using loops::Type;

struct OpLowering {
  loops::LoopBuilder& b;
  const Graph& graph;
  ValueId id;
  BufferId out;              // the node's result
  std::vector<BufferId> in;  // its operands' buffers (-1: a fused operand)
  std::vector<StmtId> body;  // the kernel's statements, in order
  const Fusion* fusion = nullptr;
  const std::vector<BufferId>* value_buffer = nullptr;  // every node's buffer
  const LowerOptions* options = nullptr;
  // With an epilogue (see Fusion): its root and the root's buffer.
  ValueId epilogue = -1;
  BufferId epilogue_out = -1;
  // While an epilogue's value is computed: the producer's value at the
  // element, as an expression (its operand loads are replaced by it).
  ValueId given = -1;
  ExprId given_value = -1;
  // A sibling (see Fusion) this kernel computes too, and its buffer.
  ValueId sibling = -1;
  BufferId sibling_out = -1;

  // A pool (see Fusion) this kernel computes, its buffer, and its argmax
  // sibling's buffer (-1: none).
  ValueId pool = -1;
  BufferId pool_out = -1;
  BufferId pool_argmax_out = -1;

  // The register file's size, for microkernel tiles.
  RegisterBudget budget() const {
    return {.lanes = options->vector_lanes_f32,
            .registers = options->vector_registers,
            .max_accumulators = options->max_accumulators,
            .forced_pixels = options->pixel_tile};
  }
  bool register_tiles() const { return options->register_tiles; }
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
  // Stores the node's `value` at `coords` of its shape, or with an epilogue
  // the root's value there (after any checks the root's formula needs).
  absl::StatusOr<std::vector<StmtId>> StoreResult(std::span<const ExprId> coords, ExprId value);
  // The value StoreResult would store (the epilogue root's, if any), with
  // the checks its formula needs appended to `stmts`.
  absl::StatusOr<ExprId> ResultValue(std::span<const ExprId> coords, ExprId value,
                                     std::vector<StmtId>& stmts);
};

// target[at] += a * b (driver.cc; the accumulations the linear ops emit).
StmtId Accumulate(OpLowering& op, BufferId target, ExprId at, ExprId a, ExprId b);
// A loop of a new variable over [0, extent) around `body`, which is built
// with the variable (driver.cc).
StmtId Loop(OpLowering& op, int64_t extent, const std::function<std::vector<StmtId>(ExprId)>& body);

// An element of a value of shape [outer, length, inner] (the dimensions
// before an axis, the axis, those after it) in a reduction along the axis.
struct AxisElement {
  ExprId reduced;  // its result's flat index, in [outer x inner]
  ExprId flat;     // its own flat index
  ExprId k;        // its place along the axis
};
// A nest over every element of `shape` for a reduction along `axis`
// (along_axis.cc): each result sees its elements in order, k = 0, 1, ...,
// (the interpreter's order), and the results are the innermost loop: the
// inner positions when there are any (side by side in memory), else the
// rows. Register accumulation then keeps each result's running value in a
// register, and vectorization puts results side by side in SIMD lanes;
// with the axis innermost, a short row (10 classes) would be a serial chain
// through memory, too short for vectors of its own.
std::vector<StmtId> AlongAxis(OpLowering& op, const Shape& shape, int64_t axis,
                              const std::function<std::vector<StmtId>(const AxisElement&)>& body);

absl::Status LowerElementwise(OpLowering& op);  // elementwise.cc
// Operand i of `op` at `coords` of the operand's shape: loaded, or computed
// in place when the operand is fused into `op` (a max-pool scatter's
// gradient).
absl::StatusOr<ExprId> OperandValueAt(OpLowering& op, int i, std::span<const ExprId> coords,
                                      std::vector<StmtId>& checks);
// Whether node `id` is elementwise and can be computed at a flat index of
// its result: every operand, through fused ones, of its shape or of one
// element.
bool ComputableAtFlatIndex(const Graph& graph, const Fusion& fusion, ValueId id);
// The statements that compute such a node at flat `index` into op.out (and
// store the fused values that are outputs too, Fusion::stored).
absl::StatusOr<std::vector<StmtId>> ElementwiseAtFlatIndex(OpLowering& op, ExprId index);
// An elementwise node's value at `coords` of its shape, computing fused
// operands in place (and `op.given`'s value where it is an operand).
absl::StatusOr<ExprId> ElementwiseValueAt(OpLowering& op, std::span<const ExprId> coords,
                                          std::vector<StmtId>& checks);
// Whether the lowering of a conv2d / maxpool2d_grad writes each element of
// its result once, in a place where an epilogue can go.
bool Conv2DTakesEpilogue(const Graph& graph, ValueId id, const LowerOptions& options);  // linear.cc
bool MaxPoolGradTakesEpilogue(const Graph& graph, ValueId id);  // pooling.cc
// Whether a conv2d_backprop_filter is tiled (and so can take a sibling),
// and a conv2d_backprop_input.
bool BackpropFilterIsTiled(const Graph& graph, ValueId id,
                           const LowerOptions& options);  // linear.cc
bool BackpropInputIsTiled(const Graph& graph, ValueId id,
                          const LowerOptions& options);  // linear.cc
// One row of a pool fused into its producer (Fusion::pool): the disjoint
// windows of `band` ({N, KH, W, C}: the KH rows of pooled row `ph` of
// image `n`, as the producer computed them), their maxima stored to
// op.pool_out and their places to op.pool_argmax_out (pooling.cc).
// Its per-image scratch (the running maximum and its place), made once
// per kernel; `planar`: the band is stored {N, KH, C, W} (a pixel-lane
// convolution's), and the pooled columns run in SIMD lanes.
struct PoolScratch {
  BufferId best, where;
  bool planar = false;
};
PoolScratch MakePoolScratch(OpLowering& op, const Shape& band_shape, bool planar = false);
std::vector<StmtId> PoolBandRow(OpLowering& op, const PoolScratch& scratch, BufferId band,
                                const Shape& band_shape, int64_t kernel_w, ExprId n, ExprId ph);
// Stores one element (ih, iw, c) of an image.
using ImageStore = std::function<std::vector<StmtId>(ExprId ih, ExprId iw, ExprId c, ExprId value)>;
// Whether a maxpool2d_scatter may be computed image by image (disjoint
// windows), and its statements for image `n` inside `consumer`'s kernel:
// every element of the image once, through `store` (pooling.cc).
// `planar_store`: `store` writes a planar image (a channel's rows
// contiguous), so that with few channels the scatter runs the pooled
// columns in SIMD lanes instead of the channels.
bool ScatterIsPerImage(const Graph& graph, ValueId scatter);
std::vector<StmtId> ScatterImage(OpLowering& consumer, ValueId scatter, ExprId n,
                                 const ImageStore& store, absl::Status& status,
                                 bool planar_store = false);
// The maxpool2d a tiled convolution's result may be pooled by in its own
// kernel (Fusion::pool), or -1 (pooling.cc).
ValueId FusiblePool(const Graph& graph, const Fusion& fusion, ValueId conv,
                    const std::vector<ValueId>& outputs);
// A group of the optimizer's updates (Fusion::update_group) as one kernel's
// statements (updates.cc).
absl::StatusOr<std::vector<StmtId>> LowerUpdates(std::vector<OpLowering>& updates);
absl::Status LowerMovement(OpLowering& op);   // movement.cc
absl::Status LowerReduction(OpLowering& op);  // reductions.cc
absl::Status LowerLinear(OpLowering& op);     // linear.cc: matmul, conv2d and its backprops
absl::Status LowerPooling(OpLowering& op);    // pooling.cc: pools and their gradients
absl::Status LowerSoftmaxFamily(
    OpLowering& op);  // softmax.cc: softmax, log_softmax, cross-entropy, one_hot
absl::Status LowerRandom(OpLowering& op);  // random.cc

}  // namespace dlc::to_loops

#endif  // DLC_PASSES_TO_LOOPS_OP_LOWERING_H_
