#include "runtime/jit/jit_backend.h"

#include <thread>

#include "ir/verifier.h"
#include "runtime/jit/jit.h"
#include "runtime/jit/thread_pool.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::jit {
namespace {

class JitExecutor : public Executor {
 public:
  JitExecutor(Graph graph, loops::LoopProgram program, CompiledFunction function)
      : graph_(std::move(graph)), program_(std::move(program)), function_(std::move(function)) {
    // Each argument's tensor type, looked up once rather than every run.
    size_t output = 0;
    for (loops::BufferId id : program_.arguments) {
      const loops::Buffer& buffer = program_.buffer(id);
      argument_types_.push_back(buffer.kind == loops::BufferKind::kOutput
                                    ? graph_.type(graph_.outputs[output++])
                                    : graph_.type(*graph_.Find(buffer.name)));
    }
  }

  absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds, std::vector<Tensor> reuse) override {
    std::vector<void*> args;
    std::vector<Tensor> outputs;
    outputs.reserve(graph_.outputs.size());
    for (size_t a = 0; a < program_.arguments.size(); ++a) {
      const loops::Buffer& buffer = program_.buffer(program_.arguments[a]);
      const TensorType& type = argument_types_[a];
      if (buffer.kind == loops::BufferKind::kOutput) {
        // The generated code writes every element of an output: old
        // contents need no clearing, a new tensor no zeroing pass.
        const size_t k = outputs.size();
        if (k < reuse.size() && reuse[k].type() == type &&
            reuse[k].byte_size() == type.byte_size()) {
          outputs.push_back(std::move(reuse[k]));
        } else {
          outputs.emplace_back(type);
        }
        args.push_back(outputs.back().raw_data());
        continue;
      }
      auto it = feeds.find(buffer.name);
      if (it == feeds.end()) {
        return absl::InvalidArgumentError(
            StrCat("%", buffer.name, " (", type.ToString(), ") is not fed"));
      }
      if (it->second.type() != type) {
        return absl::InvalidArgumentError(StrCat("%", buffer.name, " is fed ",
                                                 it->second.type().ToString(), ", the graph needs ",
                                                 type.ToString()));
      }
      // The generated code only reads its inputs.
      args.push_back(const_cast<std::byte*>(it->second.raw_data()));
    }
    DLC_RETURN_IF_ERROR(function_.Run(args));
    return outputs;
  }
  const Graph& graph() const override { return graph_; }

 private:
  Graph graph_;
  loops::LoopProgram program_;
  CompiledFunction function_;
  std::vector<TensorType> argument_types_;  // per program argument
};

class JitBackend : public Backend {
 public:
  JitBackend(std::unique_ptr<JitSession> session, const JitOptions& options)
      : session_(std::move(session)), options_(options) {}
  std::string_view name() const override { return "jit"; }

  absl::StatusOr<std::unique_ptr<Executor>> Compile(const Graph& graph) override {
    Pipeline pipeline(options_.pipeline.value_or(PipelineOptionsFor(session_->target())));
    DLC_ASSIGN_OR_RETURN(loops::LoopProgram program, pipeline.LowerToLoops(graph));
    DLC_ASSIGN_OR_RETURN(CompiledFunction function, session_->Compile(program, pipeline));
    if (options_.compiled) options_.compiled(pipeline);
    return std::unique_ptr<Executor>(
        new JitExecutor(graph, std::move(program), std::move(function)));
  }

 private:
  std::unique_ptr<JitSession> session_;
  JitOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> MakeJitBackend(const JitOptions& options) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  SetThreadCount(threads);
  DLC_ASSIGN_OR_RETURN(std::unique_ptr<JitSession> session, JitSession::Create());
  return std::unique_ptr<Backend>(new JitBackend(std::move(session), options));
}

}  // namespace dlc::jit
