#include "passes/register_accumulation.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "ir/loops/loop_builder.h"
#include "passes/loop_analysis.h"
#include "passes/loop_rewrite.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

using loops::BufferId;
using loops::Expr;
using loops::ExprId;
using loops::ExprKind;
using loops::LoopKind;
using loops::LoopProgram;
using loops::Stmt;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

// The stores being rewritten: target buffer, its index, its local.
struct Target {
  BufferId buffer;
  ExprId index;
  BufferId local = -1;
};

// Whether every load in `id` of a target buffer reads that target's element.
bool ReadsTargetsOnlyAtTheirIndex(const LoopProgram& p, ExprId id,
                                  const std::vector<Target>& targets) {
  if (id < 0) return true;
  const Expr& e = p.expr(id);
  if (e.kind == ExprKind::kLoad) {
    for (const Target& t : targets) {
      if (e.buffer == t.buffer && !SameExpr(p, e.a, t.index)) return false;
    }
  }
  return ReadsTargetsOnlyAtTheirIndex(p, e.a, targets) &&
         ReadsTargetsOnlyAtTheirIndex(p, e.b, targets) &&
         ReadsTargetsOnlyAtTheirIndex(p, e.c, targets);
}

class Rewriter {
 public:
  Rewriter(LoopProgram& p, const ScheduleOptions& options)
      : p_(p),
        b_(p),
        vector_bytes_(options.vector_bytes),
        max_accumulators_(options.max_accumulators),
        min_vector_extent_(options.min_vector_extent),
        min_reduction_to_split_(options.min_reduction_to_split) {}

  const std::vector<StmtId>& rewritten() const { return rewritten_; }

  // A kernel's statements. Fills of a constant just before an accumulation
  // that rewrites every element of the filled buffer become that
  // accumulation's starting value, and are dropped.
  void VisitKernel(std::vector<StmtId>& body) {
    std::vector<StmtId> kept, fills;
    auto place_fills = [&] {
      for (StmtId fill : fills) {
        bool consumed = false;
        for (const auto& [buffer, f] : fills_) consumed |= f.stmt == fill && f.consumed;
        if (!consumed) kept.push_back(fill);
      }
      fills.clear();
      fills_.clear();
    };
    for (StmtId id : body) {
      if (std::optional<std::pair<BufferId, ExprId>> fill = AsFill(id)) {
        fills_[fill->first] = {id, fill->second, false};
        fills.push_back(id);
        continue;
      }
      std::vector<StmtId> one = {id};
      std::vector<StmtId> loops;
      Visit(one, loops);
      place_fills();
      kept.push_back(one[0]);
    }
    place_fills();
    body = std::move(kept);
  }

 private:
  struct Fill {
    StmtId stmt;
    ExprId value;
    bool consumed;
  };

  // A perfect nest of loops whose innermost body stores only constants,
  // each into a buffer of its own (a pool's running maximum and place
  // start so): its loops and stores.
  struct FillNest {
    std::vector<StmtId> loops;
    std::vector<StmtId> stores;
  };
  std::optional<FillNest> AsFillNest(StmtId id) const {
    FillNest nest;
    std::vector<StmtId> body = {id};
    while (body.size() == 1 && p_.stmt(body[0]).kind == StmtKind::kFor) {
      nest.loops.push_back(body[0]);
      body = p_.stmt(body[0]).body;
    }
    for (StmtId store : body) {
      const Stmt& s = p_.stmt(store);
      if (s.kind != StmtKind::kStore || p_.expr(s.value).kind != ExprKind::kConst)
        return std::nullopt;
      for (StmtId other : nest.stores) {
        if (p_.stmt(other).buffer == s.buffer) return std::nullopt;
      }
      nest.stores.push_back(store);
    }
    if (nest.stores.empty()) return std::nullopt;
    return nest;
  }

  // The store of fill nest `fill` into `buffer`, if it has one.
  std::optional<StmtId> FillStoreTo(StmtId fill, BufferId buffer) const {
    std::optional<FillNest> nest = AsFillNest(fill);
    if (!nest) return std::nullopt;
    for (StmtId store : nest->stores) {
      if (p_.stmt(store).buffer == buffer) return store;
    }
    return std::nullopt;
  }

  // If `id` is a perfect nest storing one constant into one buffer: the
  // buffer and the constant.
  std::optional<std::pair<BufferId, ExprId>> AsFill(StmtId id) const {
    std::optional<FillNest> nest = AsFillNest(id);
    if (!nest || nest->stores.size() != 1) return std::nullopt;
    const Stmt& s = p_.stmt(nest->stores[0]);
    return std::make_pair(s.buffer, s.value);
  }

  // Whether the store `index`, over `loops` (every loop around it whose
  // variable varies), writes each element of `buffer` exactly once: the
  // index is a mixed-radix number of the loop variables, covering the
  // buffer.
  bool WritesEveryElementOnce(ExprId index, const std::vector<StmtId>& loops,
                              BufferId buffer) const {
    std::optional<Affine> affine = AsAffine(p_, index);
    if (!affine || affine->constant != 0) return false;
    std::vector<std::pair<int64_t, int64_t>> digits;  // coefficient, extent
    for (StmtId loop : loops) {
      const Stmt& l = p_.stmt(loop);
      const int64_t c = affine->Coefficient(l.var);
      if (l.extent > 1 && c <= 0) return false;  // repeats the same elements
      if (l.extent > 1) digits.emplace_back(c, l.extent);
    }
    if (digits.size() != affine->terms.size()) return false;  // a variable from elsewhere
    std::sort(digits.begin(), digits.end());
    int64_t next = 1;
    for (const auto& [c, extent] : digits) {
      if (c != next) return false;
      next *= extent;
    }
    return next == p_.buffer(buffer).num_elements();
  }

  // Where the index `index` reaches over `loops` (its other variables
  // fixed) within what fill nest `fill` (AsFillNest) wrote into `buffer`: the range [low,
  // high] of element offsets from the fill's first, and the fill's size S
  // (it wrote all of [0, S)). Nullopt unless both are affine with the same
  // terms outside their own loops and the fill's own terms count [0, S).
  struct Reach {
    int64_t low, high, size;
  };
  std::optional<Reach> ReachInFill(StmtId fill, BufferId buffer, ExprId index,
                                   const std::vector<StmtId>& loops) const {
    const std::optional<StmtId> store = FillStoreTo(fill, buffer);
    if (!store) return std::nullopt;
    const std::vector<StmtId> fill_loops = AsFillNest(fill)->loops;
    std::optional<Affine> f = AsAffine(p_, p_.stmt(*store).index);
    std::optional<Affine> t = AsAffine(p_, index);
    if (!f || !t) return std::nullopt;
    std::map<VarId, int64_t> fill_extent, own_extent;
    for (StmtId l : fill_loops) fill_extent[p_.stmt(l).var] = p_.stmt(l).extent;
    for (StmtId l : loops) own_extent[p_.stmt(l).var] = p_.stmt(l).extent;
    for (const auto& [var, c] : f->terms) {
      if (!fill_extent.count(var) && t->Coefficient(var) != c) return std::nullopt;
    }
    for (const auto& [var, c] : t->terms) {
      if (!own_extent.count(var) && f->Coefficient(var) != c) return std::nullopt;
    }
    std::vector<std::pair<int64_t, int64_t>> digits;
    for (const auto& [var, c] : f->terms) {
      if (fill_extent.count(var) && fill_extent[var] > 1) digits.emplace_back(c, fill_extent[var]);
    }
    std::sort(digits.begin(), digits.end());
    Reach reach{t->constant - f->constant, t->constant - f->constant, 1};
    for (const auto& [c, extent] : digits) {
      if (c != reach.size) return std::nullopt;
      reach.size *= extent;
    }
    for (const auto& [var, c] : t->terms) {
      if (own_extent.count(var)) (c < 0 ? reach.low : reach.high) += c * (own_extent[var] - 1);
    }
    return reach;
  }

  bool FillCovers(StmtId fill, BufferId buffer, ExprId index,
                  const std::vector<StmtId>& loops) const {
    std::optional<Reach> r = ReachInFill(fill, buffer, index, loops);
    return r && r->low >= 0 && r->high < r->size;
  }

  void Visit(std::vector<StmtId>& body, std::vector<StmtId>& loops) {
    std::vector<StmtId> dead;
    for (size_t i = 0; i < body.size(); ++i) {
      // A constant fill of a scratch buffer right before this statement
      // (a convolution's tile, zeroed for each tile of the output).
      sibling_fill_ = -1;
      sibling_fill_dead_ = false;
      if (i > 0 && AsFillNest(body[i - 1])) sibling_fill_ = body[i - 1];
      if (TryRewrite(body[i], loops)) {
        if (sibling_fill_dead_) dead.push_back(body[i - 1]);
        continue;  // nothing more to do below it
      }
      const StmtKind kind = p_.stmt(body[i]).kind;
      if (kind == StmtKind::kFor || kind == StmtKind::kIf) {
        std::vector<StmtId> children = p_.stmt(body[i]).body;
        if (kind == StmtKind::kFor) loops.push_back(body[i]);
        if (kind == StmtKind::kIf) ++guard_depth_;
        Visit(children, loops);
        if (kind == StmtKind::kIf) --guard_depth_;
        if (kind == StmtKind::kFor) loops.pop_back();
        p_.stmts[body[i]].body = std::move(children);
      }
    }
    for (StmtId fill : dead) body.erase(std::find(body.begin(), body.end(), fill));
  }

  // `slot` as the outermost reduction loop r1 of the pattern, inside
  // `enclosing` loops; on success `slot` becomes the moved loop v.
  bool TryRewrite(StmtId& slot, const std::vector<StmtId>& enclosing) {
    std::optional<Match> match = MatchAccumulation(slot, enclosing);
    if (!match) return false;
    Rewrite(*match, slot, enclosing);
    return true;
  }

  // What the pattern found, for Rewrite.
  struct Match {
    StmtId v;                               // the innermost loop, holding the stores
    std::vector<StmtId> stores;             // v's body
    std::vector<StmtId> r_items;            // the reduction loops (and guards), outermost first
    std::vector<StmtId> o_loops, o_guards;  // the loops that choose the element; guards among them
    int64_t copies = 1;                     // combinations of the o loops' values
    std::vector<Target> targets;            // one per store
    std::map<BufferId, bool> covered;       // per target: the nest writes each element once
  };

  // The pattern at `slot`, or nullopt. Changes nothing.
  std::optional<Match> MatchAccumulation(StmtId slot, const std::vector<StmtId>& enclosing) const {
    // A perfect nest of serial loops, maybe with guards (a padded window's
    // "inside the image"), whose innermost loop v holds stores: reduction
    // loops r (no store index reads them), then loops o that choose the
    // element (unrolled away below), then v.
    std::vector<StmtId> chain;
    for (StmtId id = slot;;) {
      const Stmt& s = p_.stmt(id);
      const bool loop = s.kind == StmtKind::kFor && s.loop == LoopKind::kSerial;
      const bool guard = s.kind == StmtKind::kIf && !chain.empty();
      if (!loop && !guard) break;
      chain.push_back(id);
      if (s.body.size() != 1) break;
      const StmtKind next = p_.stmt(s.body[0]).kind;
      if (next != StmtKind::kFor && next != StmtKind::kIf) break;
      id = s.body[0];
    }
    if (chain.size() < 2 || p_.stmt(chain.back()).kind != StmtKind::kFor) return std::nullopt;
    const StmtId v = chain.back();
    chain.pop_back();
    const std::vector<StmtId> stores = p_.stmt(v).body;
    for (StmtId store : stores) {
      const Stmt& s = p_.stmt(store);
      if (s.kind != StmtKind::kStore || p_.buffer(s.buffer).kind == loops::BufferKind::kLocal) {
        return std::nullopt;
      }
    }
    auto in_some_index = [&](StmtId item) {
      if (p_.stmt(item).kind != StmtKind::kFor) return false;  // guards go with the reductions
      for (StmtId store : stores) {
        if (ReadsVar(p_, p_.stmt(store).index, p_.stmt(item).var)) return true;
      }
      return false;
    };
    size_t reductions = 0;
    while (reductions < chain.size() && !in_some_index(chain[reductions])) ++reductions;
    if (reductions == 0) return std::nullopt;
    const std::vector<StmtId> r_items(chain.begin(), chain.begin() + reductions);
    std::vector<StmtId> o_loops, o_guards;  // the guards among the o loops
    for (size_t k = reductions; k < chain.size(); ++k) {
      (p_.stmt(chain[k]).kind == StmtKind::kFor ? o_loops : o_guards).push_back(chain[k]);
    }
    // A guard that differs between lanes would need masks: not taken.
    for (StmtId item : chain) {
      if (p_.stmt(item).kind == StmtKind::kIf && ReadsVar(p_, p_.stmt(item).cond, p_.stmt(v).var)) {
        return std::nullopt;
      }
    }
    int64_t copies = 1;
    for (StmtId o : o_loops) {
      copies *= p_.stmt(o).extent;
      // Each o iteration must own its elements: no two copies may share one.
      if (copies * static_cast<int64_t>(stores.size()) > max_accumulators_ ||
          !IterationsIndependent(p_, o)) {
        return std::nullopt;
      }
    }

    std::vector<Target> targets;
    for (StmtId store : stores) {
      const Stmt& s = p_.stmt(store);
      for (const Target& t : targets) {
        if (t.buffer == s.buffer) return std::nullopt;  // one store per buffer
      }
      targets.push_back({s.buffer, s.index});
    }
    bool accumulates = false;
    for (StmtId store : stores) {
      const Stmt& s = p_.stmt(store);
      for (const Target& t : targets) {
        if (ReadsBuffer(p_, s.index, t.buffer)) return std::nullopt;
        accumulates |= ReadsBuffer(p_, s.value, t.buffer);
      }
      if (!ReadsTargetsOnlyAtTheirIndex(p_, s.value, targets)) return std::nullopt;
    }
    if (!accumulates || !IterationsIndependent(p_, v)) return std::nullopt;

    // Whether the nest is all the kernel statement holds (a perfect nest
    // from the top), so that nothing in it reads a filled buffer first.
    bool whole_statement = guard_depth_ == 0;
    for (StmtId loop : enclosing) whole_statement &= p_.stmt(loop).body.size() == 1;
    std::vector<StmtId> writing = enclosing;
    writing.insert(writing.end(), o_loops.begin(), o_loops.end());
    writing.push_back(v);
    std::map<BufferId, bool> covered;
    for (const Target& t : targets) {
      covered[t.buffer] = whole_statement && WritesEveryElementOnce(t.index, writing, t.buffer);
    }
    return Match{v, stores, r_items, o_loops, o_guards, copies, targets, covered};
  }

  // Moves the matched nest's reduction loops inside v, with the running
  // values in locals; `slot` becomes v (or the split of its vectors).
  void Rewrite(const Match& m, StmtId& slot, const std::vector<StmtId>& enclosing) {
    const StmtId v = m.v;
    const std::vector<StmtId>& stores = m.stores;
    const std::vector<StmtId>& r_items = m.r_items;
    const std::vector<StmtId>& o_loops = m.o_loops;
    const std::vector<StmtId>& o_guards = m.o_guards;
    const std::vector<Target>& targets = m.targets;
    const int64_t copies = m.copies;
    // Locals are named after their buffer; a buffer's later nests (a
    // convolution's per-tap nests, its row segments) number theirs: .acc,
    // .acc_2, .acc_3, ...
    std::map<BufferId, std::string> nest_suffix;
    for (const Target& t : targets) {
      const int nest = ++nests_[t.buffer];
      nest_suffix[t.buffer] = nest > 1 ? StrCat("_", nest) : "";
    }
    // One set of locals per combination of the o loops' values, in their
    // loop order (the order the updates ran in).
    int lanes = 64;
    std::vector<StmtId> init, update, write_back;
    for (int64_t copy = 0; copy < copies; ++copy) {
      Renaming fixed;  // the o loops' variables at this combination
      int64_t rest = copy;
      for (size_t k = o_loops.size(); k-- > 0;) {
        const Stmt& o = p_.stmt(o_loops[k]);
        fixed.vars[o.var] = b_.Index(rest % o.extent);
        rest /= o.extent;
      }
      std::vector<Target> mine = targets;
      for (Target& t : mine) {
        loops::Buffer acc;
        acc.name = StrCat(p_.buffer(t.buffer).name, ".acc", nest_suffix[t.buffer],
                          copies > 1 ? StrCat(".", copy) : "");
        acc.type = p_.buffer(t.buffer).type;
        acc.kind = loops::BufferKind::kLocal;
        t.local = b_.AddBuffer(acc);
        t.index = RewriteExpr(b_, t.index, fixed);
        lanes = std::min(lanes, static_cast<int>(vector_bytes_ / loops::TypeSize(acc.type)));
        // Starting from the filled constant when this nest rewrites every
        // element the fill wrote (so nothing else needs the fill).
        ExprId start = b_.Load(t.buffer, t.index);
        if (auto fill = fills_.find(t.buffer); fill != fills_.end() && m.covered.at(t.buffer)) {
          start = fill->second.value;
          fill->second.consumed = true;
        } else if (std::optional<StmtId> store =
                       sibling_fill_ >= 0 ? FillStoreTo(sibling_fill_, t.buffer) : std::nullopt;
                   store && FillCovers(sibling_fill_, t.buffer, t.index, {v})) {
          // Filled just before: the constant, not a load of it (the fill
          // stays: it may cover more than this nest writes).
          start = p_.stmt(*store).value;
        }
        init.push_back(b_.Store(t.local, b_.Index(0), start));
        write_back.push_back(b_.Store(t.buffer, t.index, b_.Load(t.local, b_.Index(0))));
      }
      std::map<BufferId, ExprId> to_locals;  // each target's loads read its local
      for (const Target& t : mine) to_locals[t.buffer] = b_.Load(t.local, b_.Index(0));
      std::vector<StmtId> updates;
      for (size_t k = 0; k < stores.size(); ++k) {
        const ExprId value = RewriteExpr(b_, p_.stmt(stores[k]).value, fixed);
        updates.push_back(b_.Store(mine[k].local, b_.Index(0), ReplaceLoads(b_, value, to_locals)));
      }
      if (o_guards.empty()) {
        update.insert(update.end(), updates.begin(), updates.end());
      } else {  // the guards among the o loops, at this combination
        ExprId cond = RewriteExpr(b_, p_.stmt(o_guards[0]).cond, fixed);
        for (size_t k = 1; k < o_guards.size(); ++k) {
          cond = b_.And(cond, RewriteExpr(b_, p_.stmt(o_guards[k]).cond, fixed));
        }
        update.push_back(b_.If(cond, updates));
      }
    }
    // The sibling fill is dead when the write-backs rewrite all it wrote:
    // stride-1 runs over v that tile [0, S) exactly.
    if (std::optional<std::pair<BufferId, ExprId>> fill =
            sibling_fill_ >= 0 ? AsFill(sibling_fill_) : std::nullopt;
        fill && targets.size() == 1 && fill->first == targets[0].buffer) {
      std::vector<std::pair<int64_t, int64_t>> runs;
      int64_t size = -1;
      for (StmtId w : write_back) {
        std::optional<Reach> r =
            ReachInFill(sibling_fill_, targets[0].buffer, p_.stmt(w).index, {v});
        std::optional<Affine> a = AsAffine(p_, p_.stmt(w).index);
        if (!r || !a || a->Coefficient(p_.stmt(v).var) != 1) {
          size = -1;
          break;
        }
        runs.emplace_back(r->low, r->high);
        size = r->size;
      }
      std::sort(runs.begin(), runs.end());
      int64_t next = 0;
      for (const auto& [low, high] : runs) next = low == next ? high + 1 : -1;
      sibling_fill_dead_ = size > 0 && next == size;
    }
    p_.stmts[r_items.back()].body = update;
    std::vector<StmtId> body = init;
    body.push_back(r_items.front());
    body.insert(body.end(), write_back.begin(), write_back.end());
    p_.stmts[v].body = body;
    slot = v;
    if (vector_bytes_ > 0 && lanes >= 2 && p_.stmt(v).extent >= min_vector_extent_) {
      p_.stmts[v].loop = LoopKind::kVectorized;
      p_.stmts[v].width = lanes;
      int64_t reduction = 1;
      for (StmtId r : r_items) {
        if (p_.stmt(r).kind == StmtKind::kFor) reduction *= p_.stmt(r).extent;
      }
      // A nest with no loop around it (a filter or bias gradient) would run
      // on one thread: its vectors are split between threads instead.
      if (enclosing.empty() && p_.stmt(v).extent % lanes == 0 && p_.stmt(v).extent >= 2 * lanes &&
          reduction >= min_reduction_to_split_) {
        slot = SplitVectorStepsAcrossThreads(b_, v);
      }
    }
    rewritten_.push_back(v);
  }

  LoopProgram& p_;
  loops::LoopBuilder b_;
  int vector_bytes_;
  int max_accumulators_;
  int64_t min_vector_extent_;
  int64_t min_reduction_to_split_;
  std::vector<StmtId> rewritten_;
  std::map<BufferId, Fill> fills_;  // at the kernel's top level, just before
  std::map<BufferId, int> nests_;   // accumulations rewritten so far, per buffer
  StmtId sibling_fill_ = -1;        // a fill just before the statement being visited
  bool sibling_fill_dead_ = false;  // ... that its rewrite made useless
  int guard_depth_ = 0;             // guards around the statement being visited
};

}  // namespace

std::vector<StmtId> AccumulateInRegisters(LoopProgram& program, const ScheduleOptions& options) {
  Rewriter rewriter(program, options);
  for (loops::Kernel& kernel : program.kernels) rewriter.VisitKernel(kernel.body);
  return rewriter.rewritten();
}

}  // namespace dlc
