#include "tests/codegen/codegen_test_util.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace dlc::codegen_test {

jit::JitSession& Jit() {
  static jit::JitSession* session = [] {
    absl::StatusOr<std::unique_ptr<jit::JitSession>> created = jit::JitSession::Create();
    if (!created.ok()) {
      std::cerr << "cannot create the JIT session: " << created.status() << "\n";
      std::abort();
    }
    return created->release();
  }();
  return *session;
}

absl::StatusOr<jit::CompiledFunction> CompileUnverified(const LoopProgram& program,
                                                        const codegen::EmitOptions& options) {
  PipelineOptions pipeline_options = PipelineOptionsFor(Jit().target());
  pipeline_options.emit = options;
  pipeline_options.verify_before_codegen = false;
  Pipeline pipeline(std::move(pipeline_options));
  return Jit().Compile(program, pipeline);
}

bool HostHasFeature(const std::string& feature) {
  const llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto it = features.find(feature);
  return it != features.end() && it->second;
}

TestProgram::TestProgram(std::string name) : builder_(program_) { program_.name = std::move(name); }

BufferId TestProgram::Input(std::string name, Type type, int64_t n) {
  inputs_.push_back(builder_.AddBuffer({.name = std::move(name),
                                        .type = type,
                                        .shape = {n},
                                        .kind = loops::BufferKind::kInput,
                                        .values = {}}));
  return inputs_.back();
}

BufferId TestProgram::Output(std::string name, Type type, int64_t n) {
  outputs_.push_back(builder_.AddBuffer({.name = std::move(name),
                                         .type = type,
                                         .shape = {n},
                                         .kind = loops::BufferKind::kOutput,
                                         .values = {}}));
  return outputs_.back();
}

BufferId TestProgram::Temp(std::string name, Type type, int64_t n, int64_t offset) {
  BufferId id = builder_.AddBuffer({.name = std::move(name),
                                    .type = type,
                                    .shape = {n},
                                    .kind = loops::BufferKind::kTemp,
                                    .values = {},
                                    .offset = offset});
  program_.workspace_bytes = std::max(program_.workspace_bytes, offset + n * loops::TypeSize(type));
  return id;
}

BufferId TestProgram::Constant(std::string name, Type type, int64_t n, std::vector<double> values) {
  return builder_.AddBuffer({.name = std::move(name),
                             .type = type,
                             .shape = {n},
                             .kind = loops::BufferKind::kConstant,
                             .values = std::move(values)});
}

void TestProgram::Kernel(std::vector<StmtId> body, std::string name) {
  builder_.AddKernel(std::move(name), std::move(body));
}

void TestProgram::Loop(int64_t n, LoopKind kind, int width,
                       const std::function<std::vector<StmtId>(ExprId)>& body) {
  VarId v = builder_.NewVar();
  Kernel({builder_.For(v, n, body(builder_.Var(v)), kind, width)});
}

absl::StatusOr<int32_t> TestProgram::Run(std::vector<void*> args) {
  if (compiled_ == nullptr) {
    program_.arguments = inputs_;
    program_.arguments.insert(program_.arguments.end(), outputs_.begin(), outputs_.end());
    absl::StatusOr<jit::CompiledFunction> compiled = CompileUnverified(program_);
    if (!compiled.ok()) return compiled.status();
    compiled_ = std::make_unique<jit::CompiledFunction>(std::move(*compiled));
  }
  return compiled_->Invoke(args);
}

}  // namespace dlc::codegen_test
