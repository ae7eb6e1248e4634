// Internal to codegen: loop-IR types and constants as LLVM types and
// constants.
#ifndef DLC_PASSES_CODEGEN_LLVM_TYPES_H_
#define DLC_PASSES_CODEGEN_LLVM_TYPES_H_

#include <cstdint>
#include <span>

#include "ir/loops/loop_ir.h"
#include "llvm/IR/Constant.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Type.h"

namespace dlc::codegen::internal {

// The type values of `type` have in registers: float, double, i32, i8, i1,
// i64 (u64 is i64: signedness lives in the operations).
llvm::Type* ScalarType(llvm::LLVMContext& context, loops::Type type);

// The type elements of `type` have in memory: as ScalarType, except that
// i1 is one byte (0 or 1), as Tensor stores it.
llvm::Type* MemoryType(llvm::LLVMContext& context, loops::Type type);

// `scalar`, or <n x scalar> when `like` is a vector of n lanes.
llvm::Type* TypeLike(llvm::Type* scalar, const llvm::Value* like);

// A constant of `type` (ScalarType) from a double, converted as the
// interpreters convert constants (ir/convert.h); u64 takes `bits` instead.
llvm::Constant* ScalarConstant(llvm::LLVMContext& context, loops::Type type, double value,
                               uint64_t bits);

// The elements of a constant buffer as an LLVM array of MemoryType.
llvm::Constant* ConstantArray(llvm::LLVMContext& context, loops::Type type,
                              std::span<const double> values);

}  // namespace dlc::codegen::internal

#endif  // DLC_PASSES_CODEGEN_LLVM_TYPES_H_
