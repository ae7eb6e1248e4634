// The code the emitter produces, read as text: explicit vector IR, AVX-512
// machine code with FMA on this host, object files, and targets for
// ahead-of-time compilation.
#include "passes/codegen/machine_code.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/emit_llvm.h"
#include "passes/codegen/optimize.h"
#include "tests/codegen/codegen_test_util.h"

namespace dlc::codegen_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// out[i] = a[i] * b[i] + out[i] over 37 elements, vectorized by 16.
void BuildMultiplyAdd(TestProgram& p) {
  BufferId a = p.Input("a", Type::kF32, 37);
  BufferId b = p.Input("b", Type::kF32, 37);
  BufferId out = p.Output("out", Type::kF32, 37);
  p.Loop(37, LoopKind::kVectorized, 16, [&](ExprId i) {
    LoopBuilder& lb = p.b();
    ExprId product = lb.Binary(BinaryOp::kMul, lb.Load(a, i), lb.Load(b, i));
    return std::vector<StmtId>{
        lb.Store(out, i, lb.Binary(BinaryOp::kAdd, product, lb.Load(out, i)))};
  });
  p.program().arguments = {a, b, out};
}

struct Emitted {
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> machine;
};

Emitted Emit(const LoopProgram& program, const codegen::TargetInfo& target) {
  Emitted e;
  absl::StatusOr<std::unique_ptr<llvm::Module>> module =
      codegen::EmitLlvm(program, *e.context, target);
  EXPECT_TRUE(module.ok()) << module.status();
  if (module.ok()) e.module = std::move(*module);
  absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> machine =
      codegen::CreateTargetMachine(target);
  EXPECT_TRUE(machine.ok()) << machine.status();
  if (machine.ok()) e.machine = std::move(*machine);
  return e;
}

TEST(MachineCodeTest, VectorizedLoopIsExplicitVectorIrWithFmulAdd) {
  TestProgram p("muladd");
  BuildMultiplyAdd(p);
  Emitted e = Emit(p.program(), Jit().target());
  ASSERT_NE(e.module, nullptr);
  const std::string ir = codegen::ModuleText(*e.module);
  EXPECT_THAT(ir, HasSubstr("define i32 @muladd(ptr noundef %args)"));
  EXPECT_THAT(ir, HasSubstr("load <16 x float>"));
  EXPECT_THAT(ir, HasSubstr("store <16 x float>"));
  EXPECT_THAT(ir, HasSubstr("@llvm.fmuladd.v16f32"));
  // The tail (37 = 2 * 16 + 5) is one more vector step with 5 lanes on.
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.load.v16f32"));
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.store.v16f32"));
  EXPECT_THAT(ir, HasSubstr("<i1 true, i1 true, i1 true, i1 true, i1 true, i1 false"));
  EXPECT_THAT(ir, HasSubstr("!alias.scope"));
  EXPECT_THAT(ir, Not(HasSubstr("fast")));
}

// On the project's machines (AVX-512 with FMA) both checks run.
TEST(MachineCodeTest, HostAssemblyUsesZmmRegistersAndVfmadd) {
  TestProgram p("muladd");
  BuildMultiplyAdd(p);
  Emitted e = Emit(p.program(), Jit().target());
  ASSERT_NE(e.module, nullptr);
  ASSERT_TRUE(codegen::OptimizeModule(*e.module, *e.machine).ok());
  absl::StatusOr<std::string> assembly = codegen::EmitAssembly(*e.module, *e.machine);
  ASSERT_TRUE(assembly.ok()) << assembly.status();
  EXPECT_THAT(*assembly, HasSubstr("muladd:"));
  if (HostHasFeature("avx512f")) EXPECT_THAT(*assembly, HasSubstr("%zmm"));
  if (HostHasFeature("fma")) EXPECT_THAT(*assembly, HasSubstr("vfmadd"));
}

TEST(MachineCodeTest, GathersAndScattersForIrregularIndices) {
  TestProgram p("gather");
  BufferId x = p.Input("x", Type::kF32, 64);
  BufferId out = p.Output("out", Type::kF32, 64);
  p.Loop(12, LoopKind::kVectorized, 16, [&](ExprId i) {
    LoopBuilder& lb = p.b();
    ExprId five = lb.Mul(i, 5);
    return std::vector<StmtId>{lb.Store(out, five, lb.Load(x, five))};
  });
  p.program().arguments = {x, out};
  Emitted e = Emit(p.program(), Jit().target());
  ASSERT_NE(e.module, nullptr);
  const std::string ir = codegen::ModuleText(*e.module);
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.gather.v16f32"));
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.scatter.v16f32"));
}

TEST(MachineCodeTest, ShortStridedAccessesAreOneWideLoadOrStoreAndAShuffle) {
  // out[3i] = x[2i] (a pool's windows side by side, a planar image's
  // columns): every other (every third) element of a wide vector on.
  TestProgram p("strided");
  BufferId x = p.Input("x", Type::kF32, 64);
  BufferId out = p.Output("out", Type::kF32, 96);
  p.Loop(32, LoopKind::kVectorized, 16, [&](ExprId i) {
    LoopBuilder& lb = p.b();
    return std::vector<StmtId>{lb.Store(out, lb.Mul(i, 3), lb.Load(x, lb.Mul(i, 2)))};
  });
  p.program().arguments = {x, out};
  Emitted e = Emit(p.program(), Jit().target());
  ASSERT_NE(e.module, nullptr);
  const std::string ir = codegen::ModuleText(*e.module);
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.load.v32f32"));
  EXPECT_THAT(ir, HasSubstr("shufflevector <32 x float>"));
  EXPECT_THAT(ir, HasSubstr("@llvm.masked.store.v48f32"));
  EXPECT_THAT(ir, Not(HasSubstr("gather")));
  EXPECT_THAT(ir, Not(HasSubstr("scatter")));
}

TEST(MachineCodeTest, ObjectFileIsElf) {
  TestProgram p("muladd");
  BuildMultiplyAdd(p);
  Emitted e = Emit(p.program(), Jit().target());
  ASSERT_NE(e.module, nullptr);
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("dlc_codegen_test_" + std::to_string(::getpid()) + ".o");
  ASSERT_TRUE(codegen::EmitObjectFile(*e.module, *e.machine, path.string()).ok());
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4),
            "\x7f"
            "ELF");
  std::filesystem::remove(path);
  // The module is still whole: the code generator ran on a copy.
  EXPECT_THAT(codegen::ModuleText(*e.module), HasSubstr("define i32 @muladd"));
}

TEST(MachineCodeTest, AotTargetsKnowTheirVectorWidth) {
  absl::StatusOr<codegen::TargetInfo> avx512 = codegen::TargetInfoForCpu("skylake-avx512", "");
  ASSERT_TRUE(avx512.ok()) << avx512.status();
  EXPECT_EQ(avx512->vector_width_f32, 16);
  absl::StatusOr<codegen::TargetInfo> avx2 = codegen::TargetInfoForCpu("haswell", "");
  ASSERT_TRUE(avx2.ok());
  EXPECT_EQ(avx2->vector_width_f32, 8);
  absl::StatusOr<codegen::TargetInfo> no_avx512 = codegen::TargetInfoForCpu("znver4", "-avx512f");
  ASSERT_TRUE(no_avx512.ok());
  EXPECT_EQ(no_avx512->vector_width_f32, 8);
  absl::StatusOr<codegen::TargetInfo> baseline = codegen::TargetInfoForCpu("x86-64", "");
  ASSERT_TRUE(baseline.ok());
  EXPECT_EQ(baseline->vector_width_f32, 4);
  EXPECT_FALSE(codegen::TargetInfoForCpu("no-such-cpu", "").ok());
}

TEST(MachineCodeTest, HostTargetIsThisCpu) {
  absl::StatusOr<codegen::TargetInfo> host = codegen::HostTargetInfo();
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_FALSE(host->cpu.empty());
  EXPECT_EQ(host->vector_width_f32, HostHasFeature("avx512f") ? 16 : host->vector_width_f32);
  EXPECT_THAT(host->features, HasSubstr(HostHasFeature("avx512f") ? "+avx512f" : "-avx512f"));
}

TEST(MachineCodeTest, AotAssemblyForAnAvx2CpuUsesYmmOnly) {
  absl::StatusOr<codegen::TargetInfo> haswell = codegen::TargetInfoForCpu("haswell", "");
  ASSERT_TRUE(haswell.ok());
  TestProgram p("muladd");
  BuildMultiplyAdd(p);
  for (loops::Stmt& s : p.program().stmts) {
    if (s.kind == loops::StmtKind::kFor) s.width = 8;  // the schedule for an AVX2 machine
  }
  Emitted e = Emit(p.program(), *haswell);
  ASSERT_NE(e.module, nullptr);
  ASSERT_TRUE(codegen::OptimizeModule(*e.module, *e.machine).ok());
  absl::StatusOr<std::string> assembly = codegen::EmitAssembly(*e.module, *e.machine);
  ASSERT_TRUE(assembly.ok());
  EXPECT_THAT(*assembly, HasSubstr("%ymm"));
  EXPECT_THAT(*assembly, HasSubstr("vfmadd"));
  EXPECT_THAT(*assembly, Not(HasSubstr("%zmm")));
}

}  // namespace
}  // namespace dlc::codegen_test
