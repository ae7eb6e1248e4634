// random_uniform: ir/random_hash.h's counter-based hash, in u64 arithmetic,
// so generated code draws exactly the interpreter's numbers.
#include "ir/random_hash.h"
#include "passes/to_loops/op_lowering.h"
#include "support/str_cat.h"

namespace dlc::to_loops {
namespace {

using loops::BinaryOp;

// SplitMix64's finaliser (MixBits).
ExprId Mix(loops::LoopBuilder& b, ExprId z) {
  z = b.Binary(BinaryOp::kMul, b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(30))),
               b.U64(0xbf58476d1ce4e5b9ULL));
  z = b.Binary(BinaryOp::kMul, b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(27))),
               b.U64(0x94d049bb133111ebULL));
  return b.Binary(BinaryOp::kXor, z, b.Binary(BinaryOp::kShr, z, b.U64(31)));
}

}  // namespace

absl::Status LowerRandom(OpLowering& op) {
  loops::LoopBuilder& b = op.b;
  const int64_t n = op.out_type().num_elements();
  const uint64_t stream = static_cast<uint64_t>(AttrInt(op.node().attrs, "stream"));
  // key = (u32(seed) << 32) | u32(step)
  ExprId low32 = b.U64(0xffffffffULL);
  ExprId seed = b.Binary(BinaryOp::kAnd, b.Cast(Type::kU64, b.Load(op.in[0], b.Index(0))), low32);
  ExprId step = b.Binary(BinaryOp::kAnd, b.Cast(Type::kU64, b.Load(op.in[0], b.Index(1))), low32);
  ExprId key = b.Binary(BinaryOp::kOr, b.Binary(BinaryOp::kShl, seed, b.U64(32)), step);
  op.Emit(b.Nest({n}, [&](std::span<const ExprId> i) {
    ExprId counter =
        b.Binary(BinaryOp::kAdd, b.U64(stream * 0x9e3779b97f4a7c15ULL), b.Cast(Type::kU64, i[0]));
    ExprId bits = Mix(b, b.Binary(BinaryOp::kXor, key, Mix(b, counter)));
    ExprId top24 = b.Binary(BinaryOp::kShr, bits, b.U64(40));
    ExprId uniform =
        b.Binary(BinaryOp::kMul, b.Cast(op.elem(), top24), b.Const(0x1.0p-24, op.elem()));
    return std::vector<StmtId>{b.Store(op.out, i[0], uniform)};
  }));
  return absl::OkStatus();
}

}  // namespace dlc::to_loops
