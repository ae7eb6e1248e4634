// The text form of the loop IR, for dumps (`dlc dump --stage=loops`),
// verifier messages and golden tests. Deterministic: the same program
// always prints the same text. It is a dump, not (yet) a parseable format.
//
//   func step(%x f32[2,3] input, %y f32[2,3] output) workspace 64 bytes
//     buffer %t f32[2,3] temp @0
//     buffer %c f32[] constant [0.5]
//     # %y = add
//     for i0 in 0..2 parallel {
//       for i1 in 0..3 vectorized 8 {
//         %y[i0 * 3 + i1] = %x[i0 * 3 + i1] + %c[0]
//       }
//     }
//     check (l >= 0) & (l < 10) else error 1   # label out of range
//
// - Header: the arguments in order (`%name type[shape] input|output`), then
//   the workspace size. Every other buffer gets a `buffer` line: `temp @OFFSET`
//   (just `temp` before memory planning), `constant [v, ...]` (more than 16
//   values elided as `[v0, ..., v7, ... N values]`; one value for a non-scalar
//   as `constant splat v`).
// - Each kernel starts with `# NAME`.
// - Loops: `for iN in 0..EXTENT [parallel | vectorized W | unrolled W] {`;
//   guards `if COND {`; checks `check COND else error CODE   # MESSAGE`;
//   stores `%buf[INDEX] = VALUE`.
// - Expressions are infix with C precedence and the fewest parentheses,
//   except that the operands of & | ^ are parenthesised unless they are
//   atoms or the same operator, and a right operand of equal precedence is
//   parenthesised (a - (b - c)). Loads `%buf[INDEX]`, loop variables `iN`,
//   casts `f32(x)`, unary ops `exp(x)` `log(x)` `sqrt(x)` `abs(x)`
//   `floor(x)`, `-x`, `~x` (integers) and `!x` (i1); max/min/pow as calls
//   `max(a, b)`; compares `== != < <= > >=`; selects `c ? a : b`.
// - Shared subexpressions: one used more than once by a statement (its
//   index and value, or its condition) and at least 16 nodes big as a tree
//   is printed once on a line `let tN = EXPR` before the statement and
//   referred to as `tN` (N counts up through the program), so hashing
//   code that reuses values stays linear in size.
// - Constants: i64 as plain integers (`21632`), f32 with FormatDouble
//   (`0.0`, `0.5`, `inf`, `nan`), i1 as `true`/`false`; other types carry a
//   suffix: `7_i32`, `255_u8`, `0.5_f64`, `30_u64`, `0xbf58476d1ce4e5b9_u64`
//   (u64 in hex from 2^16 on).
//
// Invalid ids print as `<bad expr #N>` and the like, so a broken program can
// still be dumped.
#ifndef DLC_IR_LOOPS_LOOP_PRINTER_H_
#define DLC_IR_LOOPS_LOOP_PRINTER_H_

#include <string>

#include "ir/loops/loop_ir.h"

namespace dlc::loops {

std::string PrintLoopProgram(const LoopProgram& program);

// One expression, as it appears in the program text; shared subexpressions
// (as for `let` lines) come first: "let t0 = ...; t0 ^ (t0 >> 31_u64)".
std::string PrintLoopExpr(const LoopProgram& program, ExprId id);

// One statement (with its body), each line indented by 2 * `indent` spaces
// and ending in a newline.
std::string PrintLoopStmt(const LoopProgram& program, StmtId id, int indent = 0);

// "%name" of a buffer.
std::string LoopBufferRef(const LoopProgram& program, BufferId id);

// "i3".
std::string LoopVarName(VarId var);

std::string_view LoopKindName(LoopKind kind);      // "serial", "parallel", ...
std::string_view BufferKindName(BufferKind kind);  // "input", "output", "temp", "constant"

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_PRINTER_H_
