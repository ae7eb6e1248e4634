// The module: checks the program's buffer layout, defines the constants,
// the alias scopes and the entry function, and emits the kernels into it.
#include "passes/codegen/emit_llvm.h"

#include "absl/container/flat_hash_set.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/llvm_types.h"

namespace dlc::codegen {
namespace {

using internal::ModuleState;
using loops::Buffer;
using loops::BufferKind;

// What the emitter relies on and the loop verifier may not have been asked
// to check: arguments, workspace offsets, constant sizes.
absl::Status CheckLayout(const loops::LoopProgram& program) {
  if (program.name.empty()) return absl::InvalidArgumentError("the program has no name");
  if (program.num_vars < 0) return absl::InvalidArgumentError("negative variable count");
  absl::flat_hash_set<loops::BufferId> arguments;
  for (loops::BufferId id : program.arguments) {
    if (id < 0 || id >= static_cast<loops::BufferId>(program.buffers.size())) {
      return absl::InvalidArgumentError(StrCat("argument buffer #", id, " does not exist"));
    }
    const Buffer& buffer = program.buffer(id);
    if (buffer.kind != BufferKind::kInput && buffer.kind != BufferKind::kOutput) {
      return absl::InvalidArgumentError(
          StrCat("argument ", buffer.name, " is neither an input nor an output"));
    }
    if (!arguments.insert(id).second) {
      return absl::InvalidArgumentError(StrCat("argument ", buffer.name, " is listed twice"));
    }
  }
  for (size_t id = 0; id < program.buffers.size(); ++id) {
    const Buffer& buffer = program.buffers[id];
    const int64_t bytes = buffer.num_elements() * loops::TypeSize(buffer.type);
    switch (buffer.kind) {
      case BufferKind::kInput:
      case BufferKind::kOutput:
        if (!arguments.contains(static_cast<loops::BufferId>(id))) {
          return absl::InvalidArgumentError(StrCat(buffer.name, " is not an argument"));
        }
        break;
      case BufferKind::kTemp:
        if (buffer.offset < 0) {
          return absl::InvalidArgumentError(StrCat(
              "temporary ", buffer.name, " has no workspace offset (memory planning has not run)"));
        }
        if (buffer.offset + bytes > program.workspace_bytes) {
          return absl::InvalidArgumentError(
              StrCat("temporary ", buffer.name, " (", bytes, " bytes at ", buffer.offset,
                     ") does not fit the workspace of ", program.workspace_bytes, " bytes"));
        }
        break;
      case BufferKind::kConstant:
        if (buffer.values.size() != 1 &&
            static_cast<int64_t>(buffer.values.size()) != buffer.num_elements()) {
          return absl::InvalidArgumentError(StrCat("constant ", buffer.name, " has ",
                                                   buffer.values.size(), " values for ",
                                                   buffer.num_elements(), " elements"));
        }
        break;
      case BufferKind::kLocal:
        if (buffer.num_elements() != 1) {
          return absl::InvalidArgumentError(StrCat("local ", buffer.name, " has ",
                                                   buffer.num_elements(), " elements, not one"));
        }
        break;
    }
  }
  return absl::OkStatus();
}

void DefineConstants(ModuleState& state) {
  state.constant_globals.assign(state.program.buffers.size(), nullptr);
  for (size_t id = 0; id < state.program.buffers.size(); ++id) {
    const Buffer& buffer = state.program.buffers[id];
    if (buffer.kind != BufferKind::kConstant || buffer.values.size() == 1) continue;
    llvm::Constant* elements = internal::ConstantArray(state.context, buffer.type, buffer.values);
    auto* global = new llvm::GlobalVariable(state.module, elements->getType(), /*isConstant=*/true,
                                            llvm::GlobalValue::PrivateLinkage, elements,
                                            StrCat("const.", buffer.name));
    global->setAlignment(llvm::Align(64));
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    state.constant_globals[id] = global;
  }
}

// One alias scope per argument and one for the workspace: accesses to
// different arguments, or to an argument and a temporary, never alias (the
// ABI's promise). Temporaries share the workspace scope because memory
// planning may place two of them in the same bytes at different times.
void DefineAliasScopes(ModuleState& state) {
  const loops::LoopProgram& program = state.program;
  llvm::MDBuilder md(state.context);
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain("dlc.buffers");
  std::vector<llvm::Metadata*> scopes;
  for (loops::BufferId id : program.arguments) {
    scopes.push_back(md.createAnonymousAliasScope(domain, program.buffer(id).name));
  }
  const size_t workspace_scope = scopes.size();
  scopes.push_back(md.createAnonymousAliasScope(domain, "workspace"));

  state.alias_scope.assign(program.buffers.size(), nullptr);
  state.noalias.assign(program.buffers.size(), nullptr);
  state.scope_of.assign(program.buffers.size(), -1);
  for (size_t id = 0; id < program.buffers.size(); ++id) {
    switch (program.buffers[id].kind) {
      case BufferKind::kInput:
      case BufferKind::kOutput: state.scope_of[id] = state.argument_position[id]; break;
      case BufferKind::kTemp: state.scope_of[id] = static_cast<int>(workspace_scope); break;
      case BufferKind::kConstant:  // never written
      case BufferKind::kLocal:     // never in memory the others can reach
        continue;
    }
    state.alias_scope[id] = llvm::MDNode::get(state.context, {scopes[state.scope_of[id]]});
  }
  state.scopes = std::move(scopes);
}

// The buffers `stmts` load or store, into `used`.
void CollectBuffers(const loops::LoopProgram& p, loops::ExprId id, std::vector<bool>& used) {
  if (id < 0) return;
  const loops::Expr& e = p.expr(id);
  if (e.kind == loops::ExprKind::kLoad) used[e.buffer] = true;
  CollectBuffers(p, e.a, used);
  CollectBuffers(p, e.b, used);
  CollectBuffers(p, e.c, used);
}
void CollectBuffers(const loops::LoopProgram& p, const std::vector<loops::StmtId>& stmts,
                    std::vector<bool>& used) {
  for (loops::StmtId id : stmts) {
    const loops::Stmt& s = p.stmt(id);
    if (s.kind == loops::StmtKind::kStore) used[s.buffer] = true;
    CollectBuffers(p, s.index, used);
    CollectBuffers(p, s.value, used);
    CollectBuffers(p, s.cond, used);
    CollectBuffers(p, s.body, used);
  }
}

// Sets the !noalias lists for a kernel: each buffer it touches is apart
// from every other scope it touches.
void SetKernelNoAlias(ModuleState& state, const loops::Kernel& kernel) {
  std::vector<bool> used(state.program.buffers.size(), false);
  CollectBuffers(state.program, kernel.body, used);
  std::vector<bool> scope_used(state.scopes.size(), false);
  for (size_t id = 0; id < used.size(); ++id) {
    if (used[id] && state.scope_of[id] >= 0) scope_used[state.scope_of[id]] = true;
  }
  for (size_t id = 0; id < used.size(); ++id) {
    if (!used[id] || state.scope_of[id] < 0) continue;
    std::vector<llvm::Metadata*> others;
    for (size_t k = 0; k < state.scopes.size(); ++k) {
      if (scope_used[k] && static_cast<int>(k) != state.scope_of[id]) others.push_back(state.scopes[k]);
    }
    state.noalias[id] = others.empty() ? nullptr : llvm::MDNode::get(state.context, others);
  }
}

}  // namespace

namespace internal {

void SetFunctionAttributes(llvm::Function& function, const TargetInfo& target) {
  function.addFnAttr(llvm::Attribute::NoUnwind);
  if (!target.cpu.empty()) function.addFnAttr("target-cpu", target.cpu);
  if (!target.features.empty()) function.addFnAttr("target-features", target.features);
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<llvm::Module>> EmitLlvm(const loops::LoopProgram& program,
                                                       llvm::LLVMContext& context,
                                                       const TargetInfo& target,
                                                       const EmitOptions& options) {
  DLC_RETURN_IF_ERROR(CheckLayout(program));
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, CreateTargetMachine(target));
  auto module = std::make_unique<llvm::Module>(program.name, context);
  module->setTargetTriple(target.triple);
  module->setDataLayout(machine->createDataLayout());

  ModuleState state(program, target, options, context, *module);
  state.argument_position.assign(program.buffers.size(), -1);
  for (size_t k = 0; k < program.arguments.size(); ++k) {
    state.argument_position[program.arguments[k]] = static_cast<int>(k);
  }
  DefineConstants(state);
  DefineAliasScopes(state);

  llvm::FunctionType* type = llvm::FunctionType::get(llvm::Type::getInt32Ty(context),
                                                     {llvm::PointerType::get(context, 0)}, false);
  llvm::Function* function =
      llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, program.name, *module);
  internal::SetFunctionAttributes(*function, target);
  function->getArg(0)->setName("args");
  function->addParamAttr(0, llvm::Attribute::NoUndef);

  internal::FunctionEmitter emitter(state, function, internal::FailurePath{});
  emitter.SetArgs(function->getArg(0));
  llvm::FunctionCallee profile;
  if (options.profile_kernels) {
    profile = module->getOrInsertFunction(
        "dlc_profile_kernel", llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                                      {llvm::Type::getInt32Ty(context)}, false));
  }
  // Each kernel is a function of its own, called in order, so that LLVM
  // optimizes many small functions (linear in the model's size) rather
  // than one that grows with every layer. A failed check's code is passed on.
  llvm::IRBuilder<>& b = emitter.builder();
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    const loops::Kernel& kernel = program.kernels[k];
    if (profile) b.CreateCall(profile, {b.getInt32(k)});
    SetKernelNoAlias(state, kernel);
    llvm::Function* body = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage,
                                                  StrCat(program.name, ".kernel.", k), *module);
    internal::SetFunctionAttributes(*body, target);
    body->addFnAttr(llvm::Attribute::NoInline);
    body->addParamAttr(0, llvm::Attribute::NoUndef);
    internal::FunctionEmitter kernel_emitter(state, body, internal::FailurePath{});
    kernel_emitter.SetArgs(body->getArg(0));
    absl::Status status = kernel_emitter.EmitStmts(kernel.body);
    if (!status.ok()) {
      return absl::Status(status.code(), StrCat("kernel ", kernel.name, ": ", status.message()));
    }
    kernel_emitter.builder().CreateRet(kernel_emitter.builder().getInt32(0));
    llvm::Value* code = b.CreateCall(body, {function->getArg(0)});
    if (!program.errors.empty()) {
      llvm::BasicBlock* failed = llvm::BasicBlock::Create(context, "failed", function);
      llvm::BasicBlock* next = llvm::BasicBlock::Create(context, "next", function);
      b.CreateCondBr(b.CreateICmpNE(code, b.getInt32(0)), failed, next);
      b.SetInsertPoint(failed);
      if (profile) b.CreateCall(profile, {b.getInt32(-1)});
      b.CreateRet(code);
      b.SetInsertPoint(next);
    }
  }
  if (profile) b.CreateCall(profile, {b.getInt32(-1)});
  b.CreateRet(b.getInt32(0));

  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(*module, &out)) {
    return absl::InternalError(StrCat("the emitted LLVM IR is invalid: ", out.str()));
  }
  return module;
}

}  // namespace dlc::codegen
