#include "passes/transforms/pack.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "ir/loops/loop_builder.h"
#include "ir/loops/loop_printer.h"
#include "ir/loops/loop_walk.h"
#include "passes/loop_analysis.h"
#include "passes/loop_nest.h"
#include "passes/loop_rewrite.h"
#include "passes/transforms/loop_checks.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::transforms {
namespace {

using loops::BufferId;
using loops::Expr;
using loops::ExprId;
using loops::ExprKind;
using loops::LoopProgram;
using loops::StmtId;
using loops::StmtKind;

// What the nest reads of the buffer: the index of its loads, and the loops
// (outermost first) around the first of them.
struct Reads {
  ExprId index = -1;
  bool other_index = false;  // another load uses a different index
  bool guarded = false;      // a load sits under a guard of the nest
  std::vector<StmtId> loops;
};

void FindLoadsIn(const LoopProgram& p, ExprId e, BufferId buffer, const std::vector<StmtId>& loops,
                 bool guarded, Reads& reads) {
  if (e < 0) return;
  const Expr& x = p.expr(e);
  if (x.kind == ExprKind::kLoad && x.buffer == buffer) {
    if (reads.index < 0) {
      reads.index = x.a;
      reads.loops = loops;
    } else if (!SameExpr(p, reads.index, x.a)) {
      reads.other_index = true;
    }
    reads.guarded |= guarded;
  }
  FindLoadsIn(p, x.a, buffer, loops, guarded, reads);
  FindLoadsIn(p, x.b, buffer, loops, guarded, reads);
  FindLoadsIn(p, x.c, buffer, loops, guarded, reads);
}

void FindLoads(const LoopProgram& p, StmtId id, BufferId buffer, std::vector<StmtId>& loops,
               bool guarded, Reads& reads) {
  const loops::Stmt& s = p.stmt(id);
  FindLoadsIn(p, s.index, buffer, loops, guarded, reads);
  FindLoadsIn(p, s.value, buffer, loops, guarded, reads);
  FindLoadsIn(p, s.cond, buffer, loops, guarded, reads);
  if (s.kind == StmtKind::kFor) loops.push_back(id);
  for (StmtId child : s.body)
    FindLoads(p, child, buffer, loops, guarded || s.kind == StmtKind::kIf, reads);
  if (s.kind == StmtKind::kFor) loops.pop_back();
}

bool LoadsAnything(const LoopProgram& p, ExprId e) {
  if (e < 0) return false;
  const Expr& x = p.expr(e);
  return x.kind == ExprKind::kLoad || LoadsAnything(p, x.a) || LoadsAnything(p, x.b) ||
         LoadsAnything(p, x.c);
}

// `<name>.pack`, or `.pack_2`, ... when the name is taken.
std::string PackName(const LoopProgram& p, const std::string& name) {
  std::set<std::string> taken;
  for (const loops::Buffer& buffer : p.buffers) taken.insert(buffer.name);
  std::string candidate = StrCat(name, ".pack");
  for (int n = 2; taken.contains(candidate); ++n) candidate = StrCat(name, ".pack_", n);
  return candidate;
}

}  // namespace

absl::StatusOr<Packed> Pack(LoopProgram& p, StmtId loop, BufferId buffer) {
  if (loop < 0 || loop >= static_cast<StmtId>(p.stmts.size()) ||
      p.stmt(loop).kind != StmtKind::kFor) {
    return absl::InvalidArgumentError(StrCat(Describe(p, loop), " is not a loop"));
  }
  std::optional<StmtPlace> place = FindStmt(p, loop);
  if (!place) return absl::InvalidArgumentError(StrCat(Describe(p, loop), " is in no kernel"));
  if (buffer < 0 || buffer >= static_cast<BufferId>(p.buffers.size())) {
    return absl::InvalidArgumentError(StrCat("buffer ", buffer, " does not exist"));
  }
  if (p.buffer(buffer).kind == loops::BufferKind::kLocal) {
    return absl::InvalidArgumentError(
        StrCat(loops::LoopBufferRef(p, buffer), " is a local (a register): nothing to pack"));
  }
  const std::string what =
      StrCat("packing ", loops::LoopBufferRef(p, buffer), " for ", Describe(p, loop));
  const std::vector<BufferId> written = BuffersWritten(p, loop);
  if (std::find(written.begin(), written.end(), buffer) != written.end()) {
    return absl::FailedPreconditionError(StrCat(what, ": the nest writes it"));
  }
  if (HoldsCheck(p, loop))
    return absl::FailedPreconditionError(StrCat(what, ": the nest holds checks"));
  Reads reads;
  std::vector<StmtId> loops_around;
  FindLoads(p, loop, buffer, loops_around, false, reads);
  if (reads.index < 0)
    return absl::InvalidArgumentError(StrCat(what, ": the nest does not read it"));
  if (reads.other_index) {
    return absl::FailedPreconditionError(
        StrCat(what, ": the nest reads it at more than one index"));
  }
  if (reads.guarded)
    return absl::FailedPreconditionError(StrCat(what, ": a load is under a guard"));
  if (LoadsAnything(p, reads.index)) {
    return absl::FailedPreconditionError(StrCat(what, ": its index loads from memory"));
  }

  // The packed dimensions: the nest's loops the index reads, outermost first.
  std::vector<StmtId> dims;
  Shape shape;
  for (StmtId l : reads.loops) {
    if (!ReadsVar(p, reads.index, p.stmt(l).var)) continue;
    dims.push_back(l);
    shape.push_back(p.stmt(l).extent);
  }
  loops::LoopBuilder b(p);
  loops::Buffer packed;
  packed.name = PackName(p, p.buffer(buffer).name);
  packed.type = p.buffer(buffer).type;
  packed.shape = shape;
  packed.kind = loops::BufferKind::kTemp;
  Packed result{.buffer = b.AddBuffer(packed)};
  const ExprId index = reads.index;
  result.copy = b.Nest(shape, [&](std::span<const ExprId> coords) {
    Renaming at;
    for (size_t d = 0; d < dims.size(); ++d) at.vars[p.stmt(dims[d]).var] = coords[d];
    return std::vector<StmtId>{b.Store(result.buffer, b.FlatIndex(coords, shape),
                                       b.Load(buffer, RewriteExpr(b, index, at)))};
  })[0];
  std::vector<ExprId> own;
  for (StmtId l : dims) own.push_back(b.Var(p.stmt(l).var));
  const std::map<BufferId, ExprId> packed_load = {
      {buffer, b.Load(result.buffer, b.FlatIndex(own, shape))}};
  loops::RewriteStmtExprs(p, loop, [&](ExprId e) { return ReplaceLoads(b, e, packed_load); });
  std::vector<StmtId>& list = ListAt(p, *place);
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(place->index), result.copy);
  return result;
}

}  // namespace dlc::transforms
