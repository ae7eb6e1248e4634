#include "passes/codegen/llvm_types.h"

#include <vector>

#include "ir/convert.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"

namespace dlc::codegen::internal {
namespace {

using loops::Type;

// One element converted as Tensor::SetDouble and the constant op convert it.
// ConvertTo consults the dtype only to single out i1; the C++ type decides
// the rest, so any other dtype stands in for i64 and u64.
template <typename T>
T ConvertElement(double value, Type type) {
  return ConvertTo<T>(value, type == Type::kI1 ? DType::kI1 : DType::kF64);
}

template <typename Stored, typename Element>
llvm::Constant* DataArray(llvm::LLVMContext& context, Type type, std::span<const double> values) {
  std::vector<Stored> elements;
  elements.reserve(values.size());
  for (double value : values) {
    elements.push_back(static_cast<Stored>(ConvertElement<Element>(value, type)));
  }
  return llvm::ConstantDataArray::get(context, elements);
}

}  // namespace

llvm::Type* ScalarType(llvm::LLVMContext& context, Type type) {
  switch (type) {
    case Type::kF32: return llvm::Type::getFloatTy(context);
    case Type::kF64: return llvm::Type::getDoubleTy(context);
    case Type::kI32: return llvm::Type::getInt32Ty(context);
    case Type::kU8: return llvm::Type::getInt8Ty(context);
    case Type::kI1: return llvm::Type::getInt1Ty(context);
    case Type::kI64:
    case Type::kU64: return llvm::Type::getInt64Ty(context);
  }
  return llvm::Type::getInt64Ty(context);
}

llvm::Type* MemoryType(llvm::LLVMContext& context, Type type) {
  return type == Type::kI1 ? llvm::Type::getInt8Ty(context) : ScalarType(context, type);
}

llvm::Type* TypeLike(llvm::Type* scalar, const llvm::Value* like) {
  if (auto* vector = llvm::dyn_cast<llvm::VectorType>(like->getType())) {
    return llvm::VectorType::get(scalar, vector->getElementCount());
  }
  return scalar;
}

llvm::Constant* ScalarConstant(llvm::LLVMContext& context, Type type, double value, uint64_t bits) {
  llvm::Type* llvm_type = ScalarType(context, type);
  switch (type) {
    case Type::kF32: return llvm::ConstantFP::get(llvm_type, static_cast<float>(value));
    case Type::kF64: return llvm::ConstantFP::get(llvm_type, value);
    case Type::kI1: return llvm::ConstantInt::get(llvm_type, value != 0 ? 1 : 0);
    case Type::kU64: return llvm::ConstantInt::get(llvm_type, bits);
    case Type::kI32:
      return llvm::ConstantInt::get(llvm_type, ConvertElement<int32_t>(value, type), true);
    case Type::kU8: return llvm::ConstantInt::get(llvm_type, ConvertElement<uint8_t>(value, type));
    case Type::kI64:
      return llvm::ConstantInt::get(llvm_type, ConvertElement<int64_t>(value, type), true);
  }
  return nullptr;
}

llvm::Constant* ConstantArray(llvm::LLVMContext& context, Type type,
                              std::span<const double> values) {
  switch (type) {
    case Type::kF32: return DataArray<float, float>(context, type, values);
    case Type::kF64: return DataArray<double, double>(context, type, values);
    case Type::kI32: return DataArray<uint32_t, int32_t>(context, type, values);
    case Type::kU8:
    case Type::kI1: return DataArray<uint8_t, uint8_t>(context, type, values);
    case Type::kI64: return DataArray<uint64_t, int64_t>(context, type, values);
    case Type::kU64: return DataArray<uint64_t, uint64_t>(context, type, values);
  }
  return nullptr;
}

}  // namespace dlc::codegen::internal
