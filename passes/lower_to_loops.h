// Lowering the tensor IR to the loop IR: every node becomes a kernel of
// loop nests over flat buffers. Inputs and parameters become argument
// buffers, then the outputs; intermediates are temps, not yet placed in the
// workspace (memory_plan.h does that, after scheduling).
// The nests come out in a plain, serial form; scheduling passes decide
// which loops run in parallel, vectorized or unrolled.
#ifndef DLC_PASSES_LOWER_TO_LOOPS_H_
#define DLC_PASSES_LOWER_TO_LOOPS_H_

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/loops/loop_ir.h"

namespace dlc {

// What the lowering needs to know of the target: stride-1 convolutions are
// emitted in the loop order of a register tile (to_loops/conv_tiles.h)
// sized for its vector registers, and a matrix product that reads its
// left operand down the columns in blocks of rows that stay in L2.
struct LowerOptions {
  int64_t vector_lanes_f32 = 16;
  int64_t vector_registers = 32;  // what a tile's accumulators and operands share
  int64_t l2_bytes = 1 << 20;     // cache blocks of strided operands fit in it
  bool register_tiles = true;     // convolutions and matmuls; false: plain nests
  int64_t pixel_tile = 0;         // > 0: every pixel tile's width (RegisterBudget::forced_pixels)
  int64_t max_accumulators = 28;  // what register accumulation keeps in registers per nest
};

struct Fusion;  // fusion.h

// The program's arguments: the graph's inputs and parameters in node order,
// then one buffer per graph output (in output order). Values are fused as
// `fusion` (a plan for `graph`, fusion.h) says.
absl::StatusOr<loops::LoopProgram> LowerToLoops(const Graph& graph, const Fusion& fusion,
                                                const LowerOptions& options);
// The same with the plan PlanFusion makes (for tests of one lowering).
absl::StatusOr<loops::LoopProgram> LowerToLoops(const Graph& graph,
                                                const LowerOptions& options = {});

}  // namespace dlc

#endif  // DLC_PASSES_LOWER_TO_LOOPS_H_
