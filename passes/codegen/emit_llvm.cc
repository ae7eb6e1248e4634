// The module: checks the program's buffer layout, defines the constants,
// the alias scopes and the entry function, and emits the kernels into it.
#include "passes/codegen/emit_llvm.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "passes/codegen/function_emitter.h"
#include "passes/codegen/kernel_signature.h"
#include "passes/codegen/llvm_types.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

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
          return absl::InvalidArgumentError(
              StrCat("local ", buffer.name, " has ", buffer.num_elements(), " elements, not one"));
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

// The alias scopes of a kernel function: one per slot. Accesses to
// different slots never alias: the ABI keeps arguments apart from each
// other and from the workspace, and memory planning gives two temporaries
// the same bytes only if no kernel uses both (the loop verifier checks it
// before code generation). Sets the lists of the buffers of the instance
// being emitted.
void DefineKernelScopes(ModuleState& state, const KernelSignature& signature,
                        std::string_view name) {
  llvm::MDBuilder md(state.context);
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain(name);
  std::vector<llvm::MDNode*> scope_of_slot;
  for (loops::BufferId id : signature.slots) {
    scope_of_slot.push_back(md.createAnonymousAliasScope(domain, state.program.buffer(id).name));
  }
  for (size_t slot = 0; slot < signature.slots.size(); ++slot) {
    const loops::BufferId id = signature.slots[slot];
    state.slot_of[id] = static_cast<int>(slot);
    state.alias_scope[id] = llvm::MDNode::get(state.context, {scope_of_slot[slot]});
    std::vector<llvm::Metadata*> others;
    for (llvm::MDNode* scope : scope_of_slot) {
      if (scope != scope_of_slot[slot]) others.push_back(scope);
    }
    state.noalias[id] = others.empty() ? nullptr : llvm::MDNode::get(state.context, others);
  }
}

// Clears what DefineKernelScopes set for an instance's buffers.
void ForgetKernelSlots(ModuleState& state, const KernelSignature& signature) {
  for (loops::BufferId id : signature.slots) {
    state.slot_of[id] = -1;
    state.alias_scope[id] = nullptr;
    state.noalias[id] = nullptr;
  }
}

// Where each slot of a kernel instance points, as a constant table of
// (argument position, byte offset) pairs: an argument is args[position],
// a temporary lies at its offset in the workspace, args[n].
llvm::Constant* SlotTable(ModuleState& state, const std::vector<int>& argument_position,
                          const KernelSignature& signature, std::string_view name) {
  const loops::LoopProgram& program = state.program;
  std::vector<uint64_t> entries;
  for (loops::BufferId id : signature.slots) {
    const Buffer& buffer = program.buffer(id);
    const bool temp = buffer.kind == BufferKind::kTemp;
    entries.push_back(temp ? program.arguments.size() : argument_position[id]);
    entries.push_back(temp ? buffer.offset : 0);
  }
  llvm::Constant* values = llvm::ConstantDataArray::get(state.context, entries);
  auto* table = new llvm::GlobalVariable(state.module, values->getType(), /*isConstant=*/true,
                                         llvm::GlobalValue::PrivateLinkage, values, name);
  table->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return table;
}

// The kernel function's prologue: its slots' pointers, from `args` and
// the instance's table, into an array the body loads them from (as do its
// outlined parallel loops, which receive the array).
llvm::Value* LoadSlots(llvm::IRBuilder<>& setup, llvm::Value* args, llvm::Value* table,
                       size_t count) {
  llvm::Type* pointer = setup.getPtrTy();
  llvm::Type* i64 = setup.getInt64Ty();
  llvm::Value* slots = setup.CreateAlloca(llvm::ArrayType::get(pointer, std::max<size_t>(count, 1)),
                                          nullptr, "slots");
  for (size_t slot = 0; slot < count; ++slot) {
    llvm::Value* position =
        setup.CreateLoad(i64, setup.CreateConstInBoundsGEP1_64(i64, table, 2 * slot));
    llvm::Value* offset =
        setup.CreateLoad(i64, setup.CreateConstInBoundsGEP1_64(i64, table, 2 * slot + 1));
    llvm::Value* base = setup.CreateAlignedLoad(
        pointer, setup.CreateInBoundsGEP(pointer, args, position), llvm::Align(8));
    setup.CreateStore(setup.CreateInBoundsGEP(setup.getInt8Ty(), base, offset),
                      setup.CreateConstInBoundsGEP1_64(pointer, slots, slot));
  }
  return slots;
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
  std::vector<int> argument_position(program.buffers.size(), -1);
  for (size_t k = 0; k < program.arguments.size(); ++k) {
    argument_position[program.arguments[k]] = static_cast<int>(k);
  }
  state.slot_of.assign(program.buffers.size(), -1);
  state.alias_scope.assign(program.buffers.size(), nullptr);
  state.noalias.assign(program.buffers.size(), nullptr);
  DefineConstants(state);

  llvm::FunctionType* type = llvm::FunctionType::get(llvm::Type::getInt32Ty(context),
                                                     {llvm::PointerType::get(context, 0)}, false);
  llvm::Function* function =
      llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, program.name, *module);
  internal::SetFunctionAttributes(*function, target);
  function->getArg(0)->setName("args");
  function->addParamAttr(0, llvm::Attribute::NoUndef);

  internal::FunctionEmitter emitter(state, function, internal::FailurePath{});
  llvm::FunctionCallee profile;
  if (options.profile_kernels) {
    profile = module->getOrInsertFunction(
        "dlc_profile_kernel", llvm::FunctionType::get(llvm::Type::getVoidTy(context),
                                                      {llvm::Type::getInt32Ty(context)}, false));
  }
  // Each kernel is a function of its own, called in order, so that LLVM
  // optimizes many small functions (linear in the model's size) rather
  // than one that grows with every layer; kernels with the same code share
  // one function (kernel_signature.h), called with a table of where each
  // instance's buffers are. A failed check's code is passed on.
  llvm::Type* pointer = llvm::PointerType::get(context, 0);
  llvm::FunctionType* kernel_type =
      llvm::FunctionType::get(llvm::Type::getInt32Ty(context), {pointer, pointer}, false);
  absl::flat_hash_map<std::string, llvm::Function*> function_of_key;
  llvm::IRBuilder<>& b = emitter.builder();
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    const loops::Kernel& kernel = program.kernels[k];
    const KernelSignature signature = SignatureOf(program, kernel);
    const std::string name = StrCat(program.name, ".kernel.", k);
    llvm::Function* unshared = nullptr;
    llvm::Function*& body = signature.key.empty() ? unshared : function_of_key[signature.key];
    if (body == nullptr) {
      body = llvm::Function::Create(kernel_type, llvm::GlobalValue::InternalLinkage, name, *module);
      internal::SetFunctionAttributes(*body, target);
      body->addFnAttr(llvm::Attribute::NoInline);
      for (unsigned arg = 0; arg < 2; ++arg) body->addParamAttr(arg, llvm::Attribute::NoUndef);
      body->getArg(0)->setName("args");
      body->getArg(1)->setName("table");
      DefineKernelScopes(state, signature, name);
      internal::FunctionEmitter kernel_emitter(state, body, internal::FailurePath{});
      kernel_emitter.SetArgs(LoadSlots(kernel_emitter.setup(), body->getArg(0), body->getArg(1),
                                       signature.slots.size()));
      absl::Status status = kernel_emitter.EmitStmts(kernel.body);
      if (!status.ok()) {
        return absl::Status(status.code(), StrCat("kernel ", kernel.name, ": ", status.message()));
      }
      kernel_emitter.builder().CreateRet(kernel_emitter.builder().getInt32(0));
      ForgetKernelSlots(state, signature);
    }
    if (profile) b.CreateCall(profile, {b.getInt32(k)});
    llvm::Constant* table = SlotTable(state, argument_position, signature, StrCat(name, ".slots"));
    llvm::Value* code = b.CreateCall(body, {function->getArg(0), table});
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
