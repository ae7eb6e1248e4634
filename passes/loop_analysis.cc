#include "passes/loop_analysis.h"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

namespace dlc {
namespace {

using loops::BinaryOp;
using loops::ExprId;
using loops::ExprKind;
using loops::StmtId;
using loops::StmtKind;
using loops::VarId;

std::optional<Affine> Combine(const Affine& a, const Affine& b, int64_t sign) {
  Affine r = a;
  r.constant += sign * b.constant;
  for (const auto& [v, c] : b.terms) {
    r.terms[v] += sign * c;
    if (r.terms[v] == 0) r.terms.erase(v);
  }
  return r;
}

// Every store, and every load of `buffer`, inside `stmts` (recursively).
struct Access {
  loops::BufferId buffer;
  ExprId index;
  bool is_store;
};

void CollectLoads(const loops::LoopProgram& p, ExprId e, std::vector<Access>& out) {
  if (e < 0) return;
  const loops::Expr& x = p.expr(e);
  if (x.kind == ExprKind::kLoad) out.push_back({x.buffer, x.a, false});
  CollectLoads(p, x.a, out);
  CollectLoads(p, x.b, out);
  CollectLoads(p, x.c, out);
}

void CollectAccesses(const loops::LoopProgram& p, const std::vector<StmtId>& stmts,
                     std::vector<Access>& out) {
  for (StmtId id : stmts) {
    const loops::Stmt& s = p.stmt(id);
    switch (s.kind) {
      case StmtKind::kStore:
        out.push_back({s.buffer, s.index, true});
        CollectLoads(p, s.index, out);
        CollectLoads(p, s.value, out);
        break;
      case StmtKind::kFor: CollectAccesses(p, s.body, out); break;
      case StmtKind::kIf:
        CollectLoads(p, s.cond, out);
        CollectAccesses(p, s.body, out);
        break;
      case StmtKind::kCheck: CollectLoads(p, s.cond, out); break;
    }
  }
}

// The range [lo, hi] of constant + the terms other than v, over the
// variables' ranges (each var in [0, extent)); nullopt if a var is unknown.
std::optional<std::pair<int64_t, int64_t>> RangeWithout(const Affine& a, VarId v,
                                                        const std::map<VarId, int64_t>& extents) {
  int64_t lo = a.constant, hi = a.constant;
  for (const auto& [var, c] : a.terms) {
    if (var == v) continue;
    auto it = extents.find(var);
    if (it == extents.end()) return std::nullopt;
    const int64_t end = c * (it->second - 1);
    lo += std::min<int64_t>(0, end);
    hi += std::max<int64_t>(0, end);
  }
  return std::make_pair(lo, hi);
}

// What the first statement of `stmts` (in execution order) that touches
// local `buffer` does with it.
enum class FirstTouch { kNone, kWrite, kRead };

FirstTouch FirstTouchOf(const loops::LoopProgram& p, const std::vector<StmtId>& stmts,
                        loops::BufferId buffer, bool guarded) {
  for (StmtId id : stmts) {
    const loops::Stmt& s = p.stmt(id);
    switch (s.kind) {
      case StmtKind::kStore:
        if (ReadsBuffer(p, s.index, buffer) || ReadsBuffer(p, s.value, buffer))
          return FirstTouch::kRead;
        if (s.buffer == buffer) return guarded ? FirstTouch::kRead : FirstTouch::kWrite;
        break;
      case StmtKind::kCheck:
        if (ReadsBuffer(p, s.cond, buffer)) return FirstTouch::kRead;
        break;
      case StmtKind::kIf:
        if (ReadsBuffer(p, s.cond, buffer)) return FirstTouch::kRead;
        // A write under a guard may not happen: it does not make the local private.
        if (FirstTouch t = FirstTouchOf(p, s.body, buffer, true); t != FirstTouch::kNone) return t;
        break;
      case StmtKind::kFor:
        if (FirstTouch t = FirstTouchOf(p, s.body, buffer, guarded || s.extent < 1);
            t != FirstTouch::kNone) {
          return t;
        }
        break;
    }
  }
  return FirstTouch::kNone;
}

}  // namespace

// These two run a great many times per compile (register accumulation asks
// them of every statement for every candidate buffer) on small index trees,
// so they recurse directly rather than through loops::AnyExpr, whose
// callback and seen-set cost more than the walk (a convnet compile took
// 0.8 s longer through it).
bool ReadsVar(const loops::LoopProgram& p, ExprId id, VarId var) {
  if (id < 0) return false;
  const loops::Expr& e = p.expr(id);
  if (e.kind == ExprKind::kVar && e.var == var) return true;
  return ReadsVar(p, e.a, var) || ReadsVar(p, e.b, var) || ReadsVar(p, e.c, var);
}

bool ReadsBuffer(const loops::LoopProgram& p, ExprId id, loops::BufferId buffer) {
  if (id < 0) return false;
  const loops::Expr& e = p.expr(id);
  if (e.kind == ExprKind::kLoad && e.buffer == buffer) return true;
  return ReadsBuffer(p, e.a, buffer) || ReadsBuffer(p, e.b, buffer) || ReadsBuffer(p, e.c, buffer);
}

std::optional<Affine> AsAffine(const loops::LoopProgram& p, ExprId index) {
  const loops::Expr& e = p.expr(index);
  switch (e.kind) {
    case ExprKind::kConst: return Affine{static_cast<int64_t>(e.value), {}};
    case ExprKind::kVar: return Affine{0, {{e.var, 1}}};
    case ExprKind::kBinary: {
      auto a = AsAffine(p, e.a);
      auto b = AsAffine(p, e.b);
      if (!a || !b) return std::nullopt;
      if (e.binary == BinaryOp::kAdd) return Combine(*a, *b, 1);
      if (e.binary == BinaryOp::kSub) return Combine(*a, *b, -1);
      if (e.binary == BinaryOp::kMul) {
        const Affine* constant = a->terms.empty() ? &*a : b->terms.empty() ? &*b : nullptr;
        const Affine* other = constant == &*a ? &*b : &*a;
        if (constant == nullptr) return std::nullopt;
        Affine r{other->constant * constant->constant, {}};
        for (const auto& [v, c] : other->terms) {
          if (c * constant->constant != 0) r.terms[v] = c * constant->constant;
        }
        return r;
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

void InnerExtents(const loops::LoopProgram& p, const std::vector<StmtId>& stmts,
                  std::map<VarId, int64_t>& extents) {
  for (StmtId id : stmts) {
    const loops::Stmt& s = p.stmt(id);
    if (s.kind == StmtKind::kFor) extents[s.var] = s.extent;
    InnerExtents(p, s.body, extents);
  }
}

bool IterationsIndependent(const loops::LoopProgram& p, StmtId loop) {
  const loops::Stmt& s = p.stmt(loop);
  if (s.extent <= 1) return true;  // nothing to run in another order
  std::vector<Access> accesses;
  CollectAccesses(p, s.body, accesses);
  // Variables of the loops inside vary within an iteration; those of the
  // enclosing loops are fixed while this loop runs.
  std::map<VarId, int64_t> extents;
  InnerExtents(p, s.body, extents);
  std::map<loops::BufferId, std::map<VarId, int64_t>> enclosing_terms;
  std::map<loops::BufferId, bool> written;
  for (const Access& a : accesses) {
    if (!a.is_store) continue;
    // A local each iteration writes before reading it is that iteration's
    // own (every thread and lane has its copy): it links no iterations.
    if (p.buffer(a.buffer).kind == loops::BufferKind::kLocal &&
        FirstTouchOf(p, s.body, a.buffer, false) == FirstTouch::kWrite) {
      continue;
    }
    written[a.buffer] = true;
  }
  // Every access to a buffer the loop writes is c * var + (something in
  // [lo, hi]) with one c per buffer. Iterations i != j touch one element
  // only if two accesses' ranges differ by c * (j - i): never when all of
  // them fit in one band narrower than |c| (iteration i then touches only
  // [c*i + lo, c*i + hi]), nor when no two ranges are a nonzero multiple
  // of c apart within the loop's extent (a window's rows and columns
  // written side by side: offsets 0, 1, W, W+1 at stride 2).
  struct Ranges {
    int64_t c = 0;
    std::vector<std::pair<int64_t, int64_t>> ranges;
  };
  std::map<loops::BufferId, Ranges> touched;
  for (const Access& a : accesses) {
    if (!written.contains(a.buffer)) continue;
    auto affine = AsAffine(p, a.index);
    if (!affine) return false;
    const int64_t c = affine->Coefficient(s.var);
    // Enclosing variables shift every access to a buffer alike, or the
    // accesses cannot be compared: take them out of the affine form.
    Affine local = *affine;
    std::map<VarId, int64_t> outer;
    for (auto it = local.terms.begin(); it != local.terms.end();) {
      if (it->first != s.var && !extents.contains(it->first)) {
        outer.insert(*it);
        it = local.terms.erase(it);
      } else {
        ++it;
      }
    }
    auto [known, inserted] = enclosing_terms.emplace(a.buffer, outer);
    if (!inserted && known->second != outer) return false;
    auto range = RangeWithout(local, s.var, extents);
    if (c == 0 || !range) return false;
    Ranges& r = touched[a.buffer];
    if (r.c != 0 && r.c != c) return false;
    r.c = c;
    r.ranges.push_back(*range);
  }
  for (const auto& [buffer, r] : touched) {
    const int64_t step = std::abs(r.c);
    int64_t lo = r.ranges[0].first, hi = r.ranges[0].second;
    for (const auto& [first, last] : r.ranges) {
      lo = std::min(lo, first);
      hi = std::max(hi, last);
    }
    if (hi - lo < step) continue;  // one band
    // Differences x - y (x, y in two ranges) span [low, high]: a conflict
    // needs a multiple k * step in it with 1 <= |k| < extent.
    for (const auto& [first_a, last_a] : r.ranges) {
      for (const auto& [first_b, last_b] : r.ranges) {
        const int64_t low = first_a - last_b, high = last_a - first_b;
        for (int64_t k = 1; k < s.extent; ++k) {
          const int64_t d = k * step;
          if ((low <= d && d <= high) || (low <= -d && -d <= high)) return false;
          if (d > high && -d < low) break;  // farther multiples are out of range too
        }
      }
    }
  }
  return true;
}

bool ConflictsAgreeOn(const loops::LoopProgram& p, StmtId nest, VarId var) {
  std::vector<Access> accesses;
  CollectAccesses(p, {nest}, accesses);
  std::map<VarId, int64_t> extents;
  InnerExtents(p, {nest}, extents);
  std::set<loops::BufferId> written;
  for (const Access& a : accesses) {
    if (a.is_store) written.insert(a.buffer);
  }
  std::map<loops::BufferId, ExprId> index_of;
  for (const Access& a : accesses) {
    if (!written.contains(a.buffer)) continue;
    auto [known, inserted] = index_of.emplace(a.buffer, a.index);
    if (!inserted && !SameExpr(p, known->second, a.index)) return false;
  }
  for (const auto& [buffer, index] : index_of) {
    std::optional<Affine> affine = AsAffine(p, index);
    if (!affine || affine->Coefficient(var) == 0) return false;
    // Distinct iterations reach distinct elements when each coefficient
    // (by size) is beyond the farthest the smaller ones reach together.
    std::vector<std::pair<int64_t, int64_t>> digits;  // |coefficient|, extent
    for (const auto& [v, c] : affine->terms) {
      if (auto it = extents.find(v); it != extents.end() && it->second > 1) {
        digits.emplace_back(std::abs(c), it->second);
      }
    }
    std::sort(digits.begin(), digits.end());
    int64_t reach = 0;
    for (const auto& [c, extent] : digits) {
      if (c <= reach) return false;
      reach += c * (extent - 1);
    }
  }
  return true;
}

}  // namespace dlc
