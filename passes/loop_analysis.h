// Facts about loop-IR index expressions that scheduling needs: an index as
// an affine function of the loop variables, and whether a loop's iterations
// touch disjoint memory.
#ifndef DLC_PASSES_LOOP_ANALYSIS_H_
#define DLC_PASSES_LOOP_ANALYSIS_H_

#include <map>
#include <optional>

#include "ir/loops/loop_ir.h"

namespace dlc {

// constant + sum of coefficient * var.
struct Affine {
  int64_t constant = 0;
  std::map<loops::VarId, int64_t> terms;  // no zero coefficients

  int64_t Coefficient(loops::VarId v) const {
    auto it = terms.find(v);
    return it == terms.end() ? 0 : it->second;
  }
};

// The index as an affine function of loop variables, or nullopt when it is
// not one (a load from a buffer, a division, a select...).
std::optional<Affine> AsAffine(const loops::LoopProgram& p, loops::ExprId index);

// Whether expression `id` reads loop variable `var` / loads from `buffer`.
bool ReadsVar(const loops::LoopProgram& p, loops::ExprId id, loops::VarId var);
bool ReadsBuffer(const loops::LoopProgram& p, loops::ExprId id, loops::BufferId buffer);

// Whether the iterations of loop `loop` (a kFor) may run in any order, or
// at once: no iteration writes an element another iteration reads or
// writes. Shown when every access to a buffer the loop writes is
// c * var + (enclosing terms, the same for all of them) + (inner terms and
// a constant, in a range), with one c per buffer, and either all the
// ranges fit a band narrower than |c| or no two of them are a nonzero
// multiple of c apart within the loop's extent (a window's rows written
// side by side). Structural equality of expressions: loops::SameExpr.
bool IterationsIndependent(const loops::LoopProgram& p, loops::StmtId loop);

// Whether any two iterations of the nest below `nest` (a kFor, its
// variable and those of the loops inside varying) that touch one element
// of a buffer the nest writes, one of them writing it, have the same value
// of `var`. Shown when every access to each such buffer uses one affine
// index that reads `var` and takes each element at most once over the
// loops' ranges (its coefficients, by size, each beyond what the smaller
// ones reach). A local (one element) is never shown.
bool ConflictsAgreeOn(const loops::LoopProgram& p, loops::StmtId nest, loops::VarId var);

}  // namespace dlc

#endif  // DLC_PASSES_LOOP_ANALYSIS_H_
