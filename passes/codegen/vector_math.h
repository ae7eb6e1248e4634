// Internal to codegen: f32 exp and log as straight-line arithmetic on
// scalars or vectors of float, in the generated code itself.
//
// Why: llvm.exp / llvm.log on <16 x float> become sixteen calls to expf /
// logf, one per lane, with the lanes spilled around each call; the softmax,
// cross-entropy and tanh loops (tanh is 1 - 2/(e^2x + 1) in the loop IR;
// LeNet-5's conv+tanh kernel was half its training step) then run at scalar
// speed. And the house rule is that the generated code does all the
// arithmetic: no precompiled math kernels, no SVML.
//
// Method (Cephes' expf and logf, as straight-line selects):
//   exp: x = k ln2 + r with |r| <= ln2/2 (k by round-to-nearest, ln2 split in
//        two constants so that k ln2_hi is exact), e^r = 1 + r + r^2 P5(r),
//        times 2^k built in the exponent bits, in two halves so that results
//        from FLT_MAX down to the denormals round once.
//   log: x = 2^k m with m in [sqrt(1/2), sqrt(2)) by integer ops on the bits
//        (denormals first scaled by 2^23), log m = t - t^2/2 + t^3 P8(t) with
//        t = m - 1 (exact), plus k ln2 in two parts.
// Error: at most 1.01 ulp (exp) and 0.83 ulp (log), below 8.5e-8 relative,
// measured once over every f32 input, with and without FMA, against f64
// libm; tests/codegen/vector_math_test.cc keeps a sweep of the range under
// 1e-6. Special values follow C: exp(NaN) = NaN, exp(+inf) = +inf,
// exp(-inf) = 0, exp(x >= 88.72284) = +inf, exp(x <= -103.98) = 0, and
// denormal results are kept (gradual underflow, no flush to zero);
// log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(NaN) = NaN, and
// denormal inputs are scaled into the normal range, not taken for 0.
//
// f64 keeps llvm.exp / llvm.log (libm per lane): f64 programs are the
// interpreter's gradient-check precision, not a fast path.
#ifndef DLC_PASSES_CODEGEN_VECTOR_MATH_H_
#define DLC_PASSES_CODEGEN_VECTOR_MATH_H_

#include "llvm/IR/IRBuilder.h"

namespace dlc::codegen::internal {

// e^x and log(x) of `x`, a float or a vector of float. With `fuse`, the
// polynomials' multiply-adds are llvm.fmuladd (one rounding where the
// target has FMA); without, every operation rounds on its own.
llvm::Value* EmitExpF32(llvm::IRBuilder<>& b, llvm::Value* x, bool fuse);
llvm::Value* EmitLogF32(llvm::IRBuilder<>& b, llvm::Value* x, bool fuse);

}  // namespace dlc::codegen::internal

#endif  // DLC_PASSES_CODEGEN_VECTOR_MATH_H_
