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
  for (size_t id = 0; id < program.buffers.size(); ++id) {
    size_t scope;
    switch (program.buffers[id].kind) {
      case BufferKind::kInput:
      case BufferKind::kOutput: scope = state.argument_position[id]; break;
      case BufferKind::kTemp: scope = workspace_scope; break;
      case BufferKind::kConstant:  // never written
      case BufferKind::kLocal:     // never in memory the others can reach
        continue;
    }
    std::vector<llvm::Metadata*> others;
    for (size_t k = 0; k < scopes.size(); ++k) {
      if (k != scope) others.push_back(scopes[k]);
    }
    state.alias_scope[id] = llvm::MDNode::get(state.context, {scopes[scope]});
    if (!others.empty()) state.noalias[id] = llvm::MDNode::get(state.context, others);
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
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    const loops::Kernel& kernel = program.kernels[k];
    if (profile) emitter.builder().CreateCall(profile, {emitter.builder().getInt32(k)});
    absl::Status status = emitter.EmitStmts(kernel.body);
    if (!status.ok()) {
      return absl::Status(status.code(), StrCat("kernel ", kernel.name, ": ", status.message()));
    }
  }
  if (profile) emitter.builder().CreateCall(profile, {emitter.builder().getInt32(-1)});
  emitter.builder().CreateRet(emitter.builder().getInt32(0));

  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(*module, &out)) {
    return absl::InternalError(StrCat("the emitted LLVM IR is invalid: ", out.str()));
  }
  return module;
}

}  // namespace dlc::codegen
