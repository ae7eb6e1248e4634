#include "tools/aot.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "frontend/lower.h"
#include "ir/loops/loop_printer.h"
#include "ir/tensor_type.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The roles of a function's arguments: inputs by name (parameters and
// state are named in the training program), outputs by position (train_step
// returns %loss, %correct, the parameters' updates, then the state's).
std::vector<AotArgument> DescribeArguments(const loops::LoopProgram& program,
                                           const TrainingProgram& training, bool is_train_step) {
  std::vector<std::string> state_names;
  for (const StateTensor& s : training.state) state_names.push_back(s.name);
  std::vector<AotArgument> arguments;
  int output_index = 0;
  const int num_parameters = static_cast<int>(training.parameters.size());
  for (loops::BufferId id : program.arguments) {
    const loops::Buffer& buffer = program.buffer(id);
    AotArgument a;
    a.name = buffer.name;
    a.type = buffer.type;
    a.shape = buffer.shape;
    a.bytes = buffer.num_elements() * loops::TypeSize(buffer.type);
    if (buffer.kind == loops::BufferKind::kInput) {
      if (Contains(training.parameters, buffer.name)) {
        a.role = AotRole::kParameter;
      } else if (Contains(state_names, buffer.name)) {
        a.role = AotRole::kState;
      } else {
        a.role = AotRole::kInput;
      }
    } else {
      const int j = output_index++;
      if (!is_train_step || j < 2) {
        a.role = AotRole::kOutput;
      } else if (j < 2 + num_parameters) {
        a.role = AotRole::kNextParameter;
      } else {
        a.role = AotRole::kNextState;
      }
    }
    arguments.push_back(std::move(a));
  }
  return arguments;
}

// "mnist_mlp" -> "MNIST_MLP": a C macro prefix.
std::string MacroName(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  }
  return out;
}

std::string_view CType(loops::Type type) {
  switch (type) {
    case loops::Type::kF32: return "float";
    case loops::Type::kF64: return "double";
    case loops::Type::kI32: return "int32_t";
    case loops::Type::kU8: return "uint8_t";
    case loops::Type::kI1: return "uint8_t (0/1)";
    case loops::Type::kI64: return "int64_t";
    case loops::Type::kU64: return "uint64_t";
  }
  return "?";
}

std::string_view RoleName(AotRole role) {
  switch (role) {
    case AotRole::kInput: return "input";
    case AotRole::kParameter: return "parameter";
    case AotRole::kState: return "optimizer state";
    case AotRole::kOutput: return "output";
    case AotRole::kNextParameter: return "output: updated parameter";
    case AotRole::kNextState: return "output: updated state";
  }
  return "?";
}

std::string_view Summary(std::string_view kind) {
  if (kind == "train_step") {
    return "one optimizer step on a batch: forward, loss, gradients, update";
  }
  if (kind == "eval_step") return "loss and correct predictions on a batch (no update)";
  return "class probabilities for a batch";
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string PadLeft(std::string s, size_t width) {
  if (s.size() < width) s.insert(0, width - s.size(), ' ');
  return s;
}

void AppendFunction(std::string& out, const AotFunction& f) {
  const std::string prefix = MacroName(f.program.name);
  const size_t n = f.arguments.size();
  out += StrCat("/* ---- ", f.program.name, ": ", Summary(f.kind), " ----\n *\n");
  size_t name_width = 4;
  size_t shape_width = 5;
  for (const AotArgument& a : f.arguments) {
    name_width = std::max(name_width, a.name.size());
    shape_width = std::max(shape_width, ShapeToString(a.shape).size());
  }
  out += StrCat(" *   args[i]  ", Pad("name", name_width), "  ", Pad("C type", 14), "  ",
                Pad("shape", shape_width), "  ", PadLeft("bytes", 9), "  what\n");
  for (size_t i = 0; i < n; ++i) {
    const AotArgument& a = f.arguments[i];
    std::string what(RoleName(a.role));
    if (a.role == AotRole::kNextParameter || a.role == AotRole::kNextState) {
      // The input it replaces: the same name without ".next".
      std::string base = a.name;
      if (base.size() > 5 && base.ends_with(".next")) base.resize(base.size() - 5);
      what = StrCat(what, ", next call's ", base);
    } else if (a.role == AotRole::kInput && a.name == "rng_key") {
      what = "input: dropout's random key {seed, step}; vary step per call";
    } else if (a.role == AotRole::kInput && a.name == "labels") {
      what = "input: the class of each sample";
    }
    out +=
        StrCat(" *   ", PadLeft(StrCat(i), 7), "  ", Pad(a.name, name_width), "  ",
               Pad(std::string(CType(a.type)), 14), "  ", Pad(ShapeToString(a.shape), shape_width),
               "  ", PadLeft(StrCat(a.bytes), 9), "  ", what, "\n");
  }
  out += StrCat(" *   ", PadLeft(StrCat(n), 7), "  ", Pad("(workspace)", name_width), "  ",
                Pad("", 14), "  ", Pad("", shape_width), "  ",
                PadLeft(StrCat(f.program.workspace_bytes), 9), "  scratch, ", prefix,
                "_WORKSPACE_BYTES\n");
  out += " *\n";
  if (f.kind == "train_step") {
    out +=
        " * The outputs after loss and correct are the updated parameters and\n"
        " * optimizer state, in the order of the inputs they replace: pass them as\n"
        " * those inputs to the next call (swapping the pointers is enough). The\n"
        " * optimizer state starts at zero.\n *\n";
  }
  if (f.program.errors.empty()) {
    out += " * Returns 0; there are no error codes.\n */\n";
  } else {
    out += " * Returns 0, or an error code:\n";
    for (size_t k = 0; k < f.program.errors.size(); ++k) {
      out += StrCat(" *   ", k + 1, "  ", f.program.errors[k], "\n");
    }
    out += " */\n";
  }
  out += StrCat("#define ", prefix, "_NUM_ARGS ", n, "\n");
  out += StrCat("#define ", prefix, "_WORKSPACE_BYTES ", f.program.workspace_bytes, "\n");
  out += "\n";
}

}  // namespace

absl::StatusOr<AotModel> BuildAotModel(const dl::Program& program, const std::string& model,
                                       const OptimizerSpec& optimizer, int64_t batch,
                                       Pipeline& pipeline) {
  if (pipeline.options().schedule.min_parallel_work > 0) {
    return absl::InternalError("an ahead-of-time pipeline must not make parallel loops");
  }
  AotModel aot;
  aot.model = model;
  aot.batch = batch;
  DLC_ASSIGN_OR_RETURN(aot.training, BuildProgram(program, model, optimizer, batch));
  const std::pair<const char*, const Graph*> graphs[] = {
      {"train_step", &aot.training.train_step},
      {"eval_step", &aot.training.eval_step},
      {"predict", &aot.training.predict},
  };
  for (const auto& [kind, graph] : graphs) {
    AotFunction f;
    f.kind = kind;
    DLC_ASSIGN_OR_RETURN(f.program, pipeline.LowerToLoops(*graph));
    f.program.name = StrCat(model, "_", kind);
    f.arguments = DescribeArguments(f.program, aot.training, f.kind == "train_step");
    aot.functions.push_back(std::move(f));
  }
  return aot;
}

absl::StatusOr<std::unique_ptr<llvm::Module>> EmitAotModule(const AotModel& model,
                                                            Pipeline& pipeline,
                                                            llvm::LLVMContext& context,
                                                            const codegen::TargetInfo& target,
                                                            llvm::TargetMachine& machine) {
  std::unique_ptr<llvm::Module> merged;
  for (const AotFunction& f : model.functions) {
    DLC_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module,
                         pipeline.EmitLlvm(f.program, context, target));
    if (!merged) {
      merged = std::move(module);
      merged->setModuleIdentifier(model.model);
      continue;
    }
    // Private and internal symbols (constants) that clash are renamed.
    if (llvm::Linker::linkModules(*merged, std::move(module))) {
      return absl::InternalError(StrCat("cannot link ", f.program.name, " into the module"));
    }
  }
  DLC_RETURN_IF_ERROR(pipeline.Optimize(*merged, machine));
  return merged;
}

std::string AotLoopsText(const AotModel& model) {
  std::string out;
  for (const AotFunction& f : model.functions) {
    if (!out.empty()) out += "\n";
    out += loops::PrintLoopProgram(f.program);
  }
  return out;
}

std::string AotHeader(const AotModel& model, const codegen::TargetInfo& target) {
  const std::string prefix = MacroName(model.model);
  const std::string guard = StrCat(prefix, "_H_");
  std::string out;
  out += StrCat("/* ", model.model, ": training and inference compiled ahead of time by dlc\n",
                " * for ", target.triple, " (cpu ", target.cpu, ").\n",
                " *\n"
                " * Three functions with one calling convention:\n"
                " *\n"
                " *   int32_t f(void** args);\n"
                " *\n"
                " *   args[0 .. N-1]  the argument buffers, in the order listed for f\n"
                " *   args[N]         a scratch workspace of <F>_WORKSPACE_BYTES bytes\n"
                " *\n"
                " * Buffers are dense, row-major arrays of the listed C type. Every buffer\n"
                " * and the workspace must be 64-byte aligned (aligned_alloc(64, size),\n"
                " * with size rounded up to a multiple of 64), and no two may overlap.\n"
                " * The batch size is fixed at compile time: ",
                prefix,
                "_BATCH.\n"
                " * The functions keep no state and need no runtime library; calls on\n"
                " * different buffers and workspaces may run concurrently.\n"
                " * Each returns 0 on success, else an error code listed with it.\n"
                " */\n"
                "#ifndef ",
                guard, "\n#define ", guard, "\n\n#include <stdint.h>\n\n");
  out += StrCat("#define ", prefix, "_BATCH ", model.batch, "\n\n");
  for (const AotFunction& f : model.functions) AppendFunction(out, f);
  out += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const AotFunction& f : model.functions) {
    out += StrCat("int32_t ", f.program.name, "(void** args);\n");
  }
  out +=
      StrCat("\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif  /* ", guard, " */\n");
  return out;
}

}  // namespace dlc::tools
