// Kernels with the same code share one LLVM function (kernel_signature.h):
// their keys, and the shared function run on each instance's buffers.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/kernel_signature.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

using codegen::KernelSignature;
using codegen::SignatureOf;
using ::testing::ElementsAre;

// out[i] = in[i] * factor + 1 over n elements, as a loop of `kind`.
void AddScaleKernel(TestProgram& p, BufferId in, BufferId out, int64_t n, double factor,
                    LoopKind kind = LoopKind::kVectorized, int width = 16) {
  p.Loop(n, kind, kind == LoopKind::kVectorized ? width : 1, [&](ExprId i) {
    LoopBuilder& b = p.b();
    ExprId scaled = b.Binary(BinaryOp::kMul, b.Load(in, i), b.Const(factor, Type::kF32));
    return std::vector<StmtId>{
        b.Store(out, i, b.Binary(BinaryOp::kAdd, scaled, b.Const(1, Type::kF32)))};
  });
}

KernelSignature Signature(TestProgram& p, size_t kernel) {
  const LoopProgram& program = p.program();
  return SignatureOf(program, program.kernels[kernel]);
}

TEST(KernelSignatureTest, KernelsThatDifferOnlyInTheirBuffersHaveOneKey) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, 37);
  BufferId y = p.Input("y", Type::kF32, 37);
  BufferId out1 = p.Output("out1", Type::kF32, 37);
  BufferId out2 = p.Output("out2", Type::kF32, 37);
  AddScaleKernel(p, x, out1, 37, 3);
  AddScaleKernel(p, y, out2, 37, 3);
  const KernelSignature first = Signature(p, 0), second = Signature(p, 1);
  EXPECT_FALSE(first.key.empty());
  EXPECT_EQ(first.key, second.key);
  // Slots in the order the kernel first touches them: the store's buffer,
  // then the load's.
  EXPECT_THAT(first.slots, ElementsAre(out1, x));
  EXPECT_THAT(second.slots, ElementsAre(out2, y));
}

TEST(KernelSignatureTest, AnythingTheCodeDependsOnChangesTheKey) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, 64);
  BufferId out = p.Output("out", Type::kF32, 64);
  BufferId temp = p.Temp("t", Type::kF32, 64, 0);
  BufferId odd_temp = p.Temp("u", Type::kF32, 64, 256 + 32);
  BufferId ints = p.Input("n", Type::kI32, 64);
  BufferId ints_out = p.Output("m", Type::kI32, 64);
  AddScaleKernel(p, x, out, 37, 3);                            // 0: the reference
  AddScaleKernel(p, x, out, 37, 4);                            // 1: another constant
  AddScaleKernel(p, x, out, 38, 3);                            // 2: another extent
  AddScaleKernel(p, x, out, 37, 3, LoopKind::kParallel);       // 3: another loop kind
  AddScaleKernel(p, x, out, 37, 3, LoopKind::kVectorized, 8);  // 4: another width
  AddScaleKernel(p, x, temp, 64, 3);      // 5: another extent, into a temporary
  AddScaleKernel(p, x, odd_temp, 64, 3);  // 6: the same into a temporary aligned to 32 only
  p.Loop(37, LoopKind::kSerial, 1, [&](ExprId i) {  // 7: i32 elements
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{b.Store(ints_out, i, b.Load(ints, i))};
  });
  p.Loop(37, LoopKind::kSerial, 1, [&](ExprId i) {  // 8: the same loop on f32
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{b.Store(out, i, b.Load(x, i))};
  });
  p.Loop(37, LoopKind::kSerial, 1, [&](ExprId i) {  // 9: one buffer read twice
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{
        b.Store(out, i, b.Binary(BinaryOp::kAdd, b.Load(x, i), b.Load(x, i)))};
  });
  p.Loop(37, LoopKind::kSerial, 1, [&](ExprId i) {  // 10: two buffers read once each
    LoopBuilder& b = p.b();
    return std::vector<StmtId>{
        b.Store(out, i, b.Binary(BinaryOp::kAdd, b.Load(x, i), b.Load(out, i)))};
  });
  const size_t kernels = p.program().kernels.size();
  for (size_t k = 0; k < kernels; ++k) {
    for (size_t j = k + 1; j < kernels; ++j) {
      EXPECT_NE(Signature(p, k).key, Signature(p, j).key) << "kernels " << k << " and " << j;
    }
  }
}

// A slot is memory behind a pointer, argument or temporary alike.
TEST(KernelSignatureTest, ArgumentsAndAlignedTemporariesAreAlike) {
  TestProgram p;
  BufferId x = p.Input("x", Type::kF32, 37);
  BufferId out = p.Output("out", Type::kF32, 37);
  BufferId temp = p.Temp("t", Type::kF32, 37, 128);
  AddScaleKernel(p, x, out, 37, 3);
  AddScaleKernel(p, temp, out, 37, 3);
  AddScaleKernel(p, x, temp, 37, 3);
  EXPECT_EQ(Signature(p, 0).key, Signature(p, 1).key);
  EXPECT_EQ(Signature(p, 0).key, Signature(p, 2).key);
  EXPECT_THAT(Signature(p, 2).slots, ElementsAre(temp, x));
}

TEST(KernelSignatureTest, SlotAlignmentFollowsTheWorkspaceOffset) {
  loops::Buffer buffer{.name = "t",
                       .type = Type::kF32,
                       .shape = {4},
                       .kind = loops::BufferKind::kTemp,
                       .values = {},
                       .offset = 0};
  EXPECT_EQ(codegen::SlotAlignment(buffer), 64);
  buffer.offset = 128;
  EXPECT_EQ(codegen::SlotAlignment(buffer), 64);
  buffer.offset = 96;
  EXPECT_EQ(codegen::SlotAlignment(buffer), 32);
  buffer.offset = 4;
  EXPECT_EQ(codegen::SlotAlignment(buffer), 4);
  buffer.kind = loops::BufferKind::kInput;
  EXPECT_EQ(codegen::SlotAlignment(buffer), 64);
}

TEST(KernelSignatureTest, AKernelReferringToNothingSharesNothing) {
  TestProgram p;
  BufferId out = p.Output("out", Type::kF32, 4);
  p.Loop(4, LoopKind::kSerial, 1, [&](ExprId i) {
    // A load of buffer #42, which does not exist (built by hand: the
    // builder would look the buffer up).
    LoopProgram& program = p.program();
    loops::Expr load;
    load.kind = loops::ExprKind::kLoad;
    load.type = Type::kF32;
    load.buffer = 42;
    load.a = i;
    program.exprs.push_back(load);
    const ExprId missing = static_cast<ExprId>(program.exprs.size() - 1);
    return std::vector<StmtId>{p.b().Store(out, i, missing)};
  });
  const KernelSignature signature = Signature(p, 0);
  EXPECT_TRUE(signature.key.empty());
  EXPECT_THAT(signature.slots, ElementsAre(out));  // what does exist still gets its slot
}

// The kernel functions an emitted module defines.
int KernelFunctions(const LoopProgram& program) {
  llvm::LLVMContext context;
  absl::StatusOr<std::unique_ptr<llvm::Module>> module =
      codegen::EmitLlvm(program, context, Jit().target());
  EXPECT_TRUE(module.ok()) << module.status();
  if (!module.ok()) return -1;
  int count = 0;
  for (const llvm::Function& function : **module) {
    if (!function.isDeclaration() && function.getName().contains(".kernel.")) ++count;
  }
  return count;
}

// Equal kernels over arguments and a workspace temporary, and a parallel
// one twice: one function per distinct kernel, each instance computing on
// its own buffers.
TEST(SharedKernelsTest, EqualKernelsShareAFunctionAndEachUsesItsOwnBuffers) {
  TestProgram p("shared");
  BufferId x = p.Input("x", Type::kF32, 37);
  BufferId y = p.Input("y", Type::kF32, 37);
  BufferId out1 = p.Output("out1", Type::kF32, 37);
  BufferId out2 = p.Output("out2", Type::kF32, 37);
  BufferId out3 = p.Output("out3", Type::kF32, 37);
  BufferId out4 = p.Output("out4", Type::kF32, 37);
  BufferId out5 = p.Output("out5", Type::kF32, 37);
  BufferId temp = p.Temp("t", Type::kF32, 37, 192);
  AddScaleKernel(p, x, out1, 37, 3);
  AddScaleKernel(p, y, out2, 37, 3);
  AddScaleKernel(p, y, temp, 37, 3);  // writes a temporary: a slot like any other
  AddScaleKernel(p, temp, out3, 37, 3);
  AddScaleKernel(p, x, out4, 37, 5, LoopKind::kParallel);
  AddScaleKernel(p, y, out5, 37, 5, LoopKind::kParallel);
  p.program().arguments = {x, y, out1, out2, out3, out4, out5};
  // 0 to 3 share (argument or temporary alike); 4 and 5 share.
  EXPECT_EQ(KernelFunctions(p.program()), 2);

  AlignedVector<float> xs(37), ys(37), r1(37), r2(37), r3(37), r4(37), r5(37);
  for (int i = 0; i < 37; ++i) {
    xs[i] = 0.5f * i;
    ys[i] = 100.0f - i;
  }
  absl::StatusOr<int32_t> code =
      p.Run({xs.data(), ys.data(), r1.data(), r2.data(), r3.data(), r4.data(), r5.data()});
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_EQ(*code, 0);
  for (int i = 0; i < 37; ++i) {
    EXPECT_EQ(r1[i], xs[i] * 3 + 1) << i;
    EXPECT_EQ(r2[i], ys[i] * 3 + 1) << i;
    EXPECT_EQ(r3[i], (ys[i] * 3 + 1) * 3 + 1) << i;
    EXPECT_EQ(r4[i], xs[i] * 5 + 1) << i;
    EXPECT_EQ(r5[i], ys[i] * 5 + 1) << i;
  }
}

}  // namespace
}  // namespace dlc::codegen_test
