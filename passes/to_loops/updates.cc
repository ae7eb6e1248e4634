// The optimizer's updates of every parameter (and of its state: Adam's
// moments, momentum's velocity) as one kernel, not one per parameter: one
// function and, when the updates are big enough, one parallel dispatch.
//
// An update is an elementwise graph output that nothing reads and that
// reads a parameter of its shape (p' = p - step, with m' and v' fused into
// its loop and stored by it). Each is computed at
// flat indices, its operands of its shape read there and its scalars
// (learning rate, betas) at 0, so any split of its elements computes the
// same bits. Each update's elements are cut into kChunks equal runs of
// whole vectors; one loop over the chunks runs every update's run of that
// chunk (the parallelize pass may give it threads: its iterations write
// disjoint runs), and the remainders, under kChunks vectors per update,
// follow serially.
#include <algorithm>
#include <vector>

#include "passes/to_loops/op_lowering.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

// Chunks of the shared loop: enough for a few threads each, few enough
// that the serial remainders stay small.
constexpr int64_t kChunks = 32;

}  // namespace

absl::StatusOr<std::vector<StmtId>> LowerUpdates(std::vector<OpLowering>& updates) {
  loops::LoopBuilder& b = updates.front().b;
  const int64_t lanes = std::max<int64_t>(1, updates.front().options->vector_lanes_f32);
  std::vector<int64_t> run(updates.size());  // elements per chunk
  std::vector<StmtId> chunk_body, remainders;
  const loops::VarId chunk = b.NewVar();
  absl::Status status;
  for (size_t u = 0; u < updates.size(); ++u) {
    OpLowering& op = updates[u];
    const int64_t elements = op.out_type().num_elements();
    run[u] = elements / (kChunks * lanes) * lanes;
    auto at = [&](ExprId index) {
      absl::StatusOr<std::vector<StmtId>> stmts = ElementwiseAtFlatIndex(op, index);
      if (!stmts.ok()) {
        status = stmts.status();
        return std::vector<StmtId>{};
      }
      return *std::move(stmts);
    };
    if (run[u] > 0) {
      chunk_body.push_back(
          Loop(op, run[u], [&](ExprId i) { return at(b.Add(b.Mul(b.Var(chunk), run[u]), i)); }));
    }
    const int64_t done = kChunks * run[u];
    if (elements > done) {
      remainders.push_back(
          Loop(op, elements - done, [&](ExprId i) { return at(b.AddConst(i, done)); }));
    }
  }
  DLC_RETURN_IF_ERROR(status);
  std::vector<StmtId> body;
  if (!chunk_body.empty()) body.push_back(b.For(chunk, kChunks, std::move(chunk_body)));
  body.insert(body.end(), remainders.begin(), remainders.end());
  return body;
}

}  // namespace dlc::to_loops
