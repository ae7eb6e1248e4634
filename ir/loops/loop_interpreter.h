// The loop IR's reference interpreter: runs a LoopProgram on concrete
// tensors, every loop serially whatever its kind (the kinds are hints for
// code generation and never change results). It is the oracle the LLVM
// emitter is checked against, so its arithmetic is defined exactly, and
// generated code must match it bit for bit:
//
// - f32 arithmetic is done in f32 and f64 in f64 (exp, log, sqrt, pow and
//   floor as the C library's float/double functions, as the tensor
//   interpreter computes them); max and min return a NaN operand if there is
//   one (the first), else the larger/smaller (max(-0, +0) is its first
//   operand, as in the tensor interpreter).
// - Integer add, sub, mul, neg and abs wrap (i32, i64 two's complement; u8
//   modulo 2^8, u64 modulo 2^64). Integer div truncates, rem takes the sign
//   of the dividend; a divisor of 0 gives 0 for both, and MIN / -1 gives MIN
//   (MIN % -1 gives 0). Shift amounts are taken modulo the bit width
//   (amount & (bits - 1)); shr is arithmetic for i32/i64 and logical for u8
//   and u64. Comparisons are signed for i32/i64 and unsigned for u8/u64.
//   not is bitwise (~x) on integers and logical on i1.
// - Casts follow ir/convert.h: to i1 is (x != 0) (NaN gives 1); float to an
//   integer truncates toward zero and saturates to the type's range, NaN
//   gives 0 (for u64 the range is [0, 2^64 - 1]); f64 to f32 rounds to
//   nearest; an integer to a float rounds once, like a C cast (i64 and u64
//   to f32 included); integer to integer saturates (i64 -> i32, i32 -> u8,
//   u64 -> i32, ...) except that i64 <-> u64 reinterpret the 64 bits and
//   i32 -> u64 sign-extends (as i32 -> i64 -> u64).
// - Constants: integer constants hold exact values (the verifier requires
//   it), u64 constants their `bits`; constant buffers convert each double as
//   a cast from f64 does.
// - A select evaluates only the branch it picks (the verifier makes every
//   load in bounds, so evaluating both would give the same result).
//
// The workspace (every temp) and the output buffers start filled with 0xff
// bytes (NaN for floats, -1 for signed integers), so a program that reads an
// element before writing it gives visibly wrong results rather than zeros.
#ifndef DLC_IR_LOOPS_LOOP_INTERPRETER_H_
#define DLC_IR_LOOPS_LOOP_INTERPRETER_H_

#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/loops/loop_ir.h"
#include "ir/tensor.h"

namespace dlc::loops {

// Verifies `program` (memory planning not required: an unplanned temp gets
// memory of its own), checks that `inputs` match the input arguments (in
// argument order) in type and shape, runs every kernel in order and returns
// the output arguments, in argument order. A failed kCheck stops the program
// and returns InvalidArgumentError with the program's message for its error
// code.
absl::StatusOr<std::vector<Tensor>> RunLoopProgram(const LoopProgram& program,
                                                   std::span<const Tensor* const> inputs);
// The same with each input argument taken from `feeds` by its buffer's name
// (a graph's input and parameter names, as the lowering keeps them); a
// missing one is NotFound.
absl::StatusOr<std::vector<Tensor>> RunLoopProgramOnFeeds(
    const LoopProgram& program, const std::map<std::string, Tensor>& feeds);

}  // namespace dlc::loops

#endif  // DLC_IR_LOOPS_LOOP_INTERPRETER_H_
