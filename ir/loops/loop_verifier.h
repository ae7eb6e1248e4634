// Checks that a loop program is well formed, so that the interpreter and the
// LLVM emitter can trust it: ids in range, expressions well typed, loop
// variables in scope, buffers laid out sensibly, and every load and store
// provably inside its buffer. Reports the first problem found; messages
// name the kernel and the offending buffer or expression:
//   "kernel %y = pad: store to %y at index range [-1, 35] outside [0, 35): %y[i0 - 1]"
//
// The rules:
//
// Buffers
// - every buffer has a valid type and kind, dimensions in [0, 2^40] and at
//   most 2^40 elements (names are not checked: they are for reading);
// - i64 and u64 buffers are temps or constants only (no Tensor holds them);
// - a constant has 1 value (a splat) or one per element;
// - a temp's `offset` is -1 (not yet planned; rejected with
//   `require_memory_plan`) or a multiple of 64 with its bytes inside
//   [0, workspace_bytes); two planned temps may share bytes only if no
//   kernel uses both (memory planning reuses the bytes of dead values, and
//   code generation gives each buffer a kernel touches an alias scope of
//   its own);
// - workspace_bytes >= 0.
// Arguments
// - each is an existing input or output buffer, listed once, inputs before
//   outputs; every input and output buffer is an argument.
// Expressions (those reachable from a statement)
// - operands exist and come before their user in the arena (so there are no
//   cycles); kinds, ops and types are valid enum values;
// - integer constants (i64, i32, u8, i1) are integral and within their type
//   (i1: 0 or 1); u64 constants use `bits`;
// - kVar: an existing variable, of type i64; kLoad: an existing buffer, the
//   buffer's type, an i64 index;
// - kUnary/kBinary: operands of the result type; neg, abs, add, sub, mul, div,
//   max, min on any type but i1; rem, shl, shr on integers (i32, u8, i64,
//   u64); and, or, xor on integers and i1; not on integers and i1;
//   exp, log, sqrt, floor, pow on f32/f64;
// - kCompare: operands of one type, result i1; kSelect: an i1 condition,
//   branches of the result type; kCast: any type to any type.
// Statements
// - statement ids exist and each statement appears once in the program (the
//   statements form trees); only kFor and kIf have a body;
// - each loop variable is bound by exactly one kFor (its extent >= 0) and
//   used only inside that loop's body;
// - vectorized loops have width 2, 4, 8, 16, 32 or 64; unrolled loops width
//   >= 1; serial and parallel loops width 1;
// - stores: to an output or temp, i64 index, value of the buffer's type;
// - kIf/kCheck conditions are i1; a kCheck's error code indexes `errors`
//   (1-based).
// Bounds
// - every load (in any expression: values, indices, conditions) and every
//   store has an index provably in [0, num_elements). The index's range is
//   computed by interval arithmetic over the integer expressions:
//   constants; loop variables in [0, extent - 1]; + - * (wrapping: a result
//   that can leave its type's range gives the whole range), max, min,
//   neg, abs, div and rem (any divisor; by 0 gives 0), shl/shr by
//   constants, and/or/xor of non-negative values; a select gives the union
//   of its branches (selects evaluate both branches, so they do not guard);
//   casts from i32/u8/i1 keep the operand's range and saturating casts clamp
//   it; loads of i32/u8/i1 give their type's range, loads of i64 and u64
//   and anything computed from floats give the whole range.
// - Guards: inside the body of a kIf, and after a kCheck for the rest of the
//   statement list that holds it (a failed check ends the function), each
//   conjunct of the condition (the operands of nested i1 `&`) of the form
//   `e OP k` or `k OP e`, with OP one of < <= > >= == and k an integer
//   constant, bounds `e`: wherever an expression structurally equal to `e`
//   (same kinds, ops, types, constants, variables and buffers) occurs inside
//   the guarded statements, its range is intersected with the bound. `e` may
//   be a loop variable, the whole index or any subexpression of it, so a
//   guard on a coordinate `i1 + i4 - 1` bounds a flat index built from that
//   same coordinate expression. A guard whose `e` loads a buffer that the
//   guarded statements store to is ignored.
// - An index whose range is empty (contradictory guards, a loop of extent 0)
//   is unreachable and accepted.
#ifndef DLC_IR_LOOPS_LOOP_VERIFIER_H_
#define DLC_IR_LOOPS_LOOP_VERIFIER_H_

#include "absl/status/status.h"
#include "ir/loops/loop_ir.h"

namespace dlc::loops {

struct LoopVerifyOptions {
  // Every temp must have a workspace offset (what code generation needs).
  // Otherwise an offset of -1 means "not yet planned" and is accepted.
  bool require_memory_plan = false;
};

absl::Status VerifyLoopProgram(const LoopProgram& program, const LoopVerifyOptions& options = {});

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_VERIFIER_H_
