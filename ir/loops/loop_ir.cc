#include "ir/loops/loop_ir.h"

namespace dlc::loops {

Type TypeOf(DType dtype) {
  switch (dtype) {
    case DType::kF32: return Type::kF32;
    case DType::kF64: return Type::kF64;
    case DType::kI32: return Type::kI32;
    case DType::kU8: return Type::kU8;
    case DType::kI1: return Type::kI1;
  }
  return Type::kF32;
}

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kF32: return "f32";
    case Type::kF64: return "f64";
    case Type::kI32: return "i32";
    case Type::kU8: return "u8";
    case Type::kI1: return "i1";
    case Type::kI64: return "i64";
    case Type::kU64: return "u64";
  }
  return "?";
}

int64_t TypeSize(Type type) {
  switch (type) {
    case Type::kF32: case Type::kI32: return 4;
    case Type::kF64: case Type::kI64: case Type::kU64: return 8;
    case Type::kU8: case Type::kI1: return 1;
  }
  return 1;
}

bool IsFloatType(Type type) { return type == Type::kF32 || type == Type::kF64; }
bool IsSignedType(Type type) { return type == Type::kI32 || type == Type::kI64; }

}  // namespace dlc::loops
