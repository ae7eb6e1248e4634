// Fusion: which values are computed inside another node's kernel instead of
// a kernel of their own, decided on the tensor IR before lowering (the
// pipeline's `fuse` step, printed by --print-after=fuse). The lowering
// (lower_to_loops.h) then follows the plan; the decisions ask the op
// families' lowerings what they can take (a tiled convolution takes an
// epilogue and a pool, a plain nest does not), so they live with them in
// to_loops/fusion.cc.
//
//  - Fused: an elementwise node computed inside its one user's loop (no
//    buffer, no pass over memory). The user is elementwise too, or a
//    max-pool scatter reading it as its gradient.
//  - Epilogues, the other direction: a producer P (a tiled convolution, a
//    max-pool gradient over tiling windows) whose value's only use is an
//    elementwise chain ending at R, of P's shape, computes R's value as it
//    writes each element of its own (bias and ReLU after a convolution, the
//    ReLU mask after a pooling gradient). P gets no buffer, R no kernel,
//    and the tensor between them never goes to memory.
//  - Siblings: a kernel computes a second value over the same data while it
//    is in cache (a filter gradient its bias gradient; a max-pool its argmax).
//  - Pools: a tiled convolution pools its result band by band.
//  - Per image: a max-pool scatter computed image by image inside each of
//    its readers (tiled convolution gradients).
//  - Updates: the optimizer's parameter updates, several to a kernel.
#ifndef DLC_PASSES_FUSION_H_
#define DLC_PASSES_FUSION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph.h"
#include "passes/lower_to_loops.h"

namespace dlc {

struct Fusion {
  std::vector<bool> fused;  // per node
  // Fused nodes that are graph outputs too: their user's loop stores them
  // as it computes them (the fused node has one use besides being returned).
  std::vector<bool> stored;
  std::vector<ValueId> epilogue;           // per producer: its root R, or -1
  std::vector<bool> computed_by_producer;  // per node: an epilogue's root, or a sibling
  // Per filter gradient: the sum of its dy over batch and pixels (the bias
  // gradient, a reduce_sum) it computes chunk by chunk, while dy is in
  // cache; per maxpool2d: its maxpool2d_argmax. Else -1.
  std::vector<ValueId> sibling;
  // Per convolution: the maxpool2d of disjoint windows, the only user of its
  // value (or of its epilogue root's), that it pools band by band as it
  // computes it, so that only the pooled value (and the argmax) goes to
  // memory. Else -1.
  std::vector<ValueId> pool;
  // Per maxpool2d_scatter: computed by each reader one image at a time into
  // a small buffer it then reads from cache, not as a full-size gradient.
  std::vector<bool> per_image;
  // Per node: the kernel of optimizer updates it is computed in (one of at
  // least two parameter updates), or -1. Updates are grouped in node order,
  // at most kMaxUpdatesPerKernel to a kernel.
  std::vector<int> update_group;
};

// How many parameter updates share a kernel at most. One LLVM function with
// many update loops costs LLVM's optimizer far more than its parts (GVN
// grows faster than the function), and compile time must stay linear in the
// model's size. Groups of equal parameters (a block repeated) also lower to
// equal kernels, which share their code (codegen/kernel_signature.h). 100
// dense(16) layers: 32 per kernel took 1.1 s to compile, 8 took 0.8 s, and
// the step's time did not change; 16 keeps every example model's updates
// (LeNet's 10) in one kernel.
inline constexpr int kMaxUpdatesPerKernel = 16;

// The fusion plan for `graph` lowered with `options`.
Fusion PlanFusion(const Graph& graph, const LowerOptions& options);

// Whether `fusion` is a plan for a graph of `graph`'s size (every per-node
// list as long as the graph).
absl::Status CheckFusionFits(const Graph& graph, const Fusion& fusion);

// The plan as text, one decision per line in node order, e.g.
//   %h = relu: fused into %out
//   %y = conv2d: epilogue %h = relu, pools %p = maxpool2d (argmax %i)
//   %w.new = sub: updates kernel 0
std::string PrintFusion(const Graph& graph, const Fusion& fusion);

}  // namespace dlc

#endif  // DLC_PASSES_FUSION_H_
