// The reference interpreter as a Backend.
#include "ir/verifier.h"
#include "runtime/executor.h"

namespace dlc {
namespace {

class InterpreterExecutor : public Executor {
 public:
  explicit InterpreterExecutor(Graph graph) : graph_(std::move(graph)) {}
  absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds, std::vector<Tensor>) override {
    return Interpret(graph_, feeds);
  }
  const Graph& graph() const override { return graph_; }

 private:
  Graph graph_;
};

class InterpreterBackend : public Backend {
 public:
  std::string_view name() const override { return "interp"; }
  absl::StatusOr<std::unique_ptr<Executor>> Compile(const Graph& graph) override {
    if (absl::Status s = VerifyGraph(graph); !s.ok()) return s;
    return std::unique_ptr<Executor>(new InterpreterExecutor(graph));
  }
};

}  // namespace

std::unique_ptr<Backend> MakeInterpreterBackend() { return std::make_unique<InterpreterBackend>(); }

}  // namespace dlc
