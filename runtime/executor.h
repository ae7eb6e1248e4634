// Running a compiled graph: the seam between the trainer and a backend.
// The JIT (runtime/jit/jit_backend.h) is the fast one; the reference
// interpreter is the other, the oracle the JIT is tested against.
#ifndef DLC_RUNTIME_EXECUTOR_H_
#define DLC_RUNTIME_EXECUTOR_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/graph.h"
#include "ir/interpreter.h"
#include "ir/tensor.h"

namespace dlc {

// One graph, ready to run many times.
class Executor {
 public:
  virtual ~Executor() = default;
  // Feeds every input and parameter by name; returns the outputs in order.
  // `reuse` may hold tensors from an earlier run's outputs (same order): a
  // backend may write the new outputs into them instead of allocating (the
  // trainer hands back the parameters a step replaced). None may be fed.
  virtual absl::StatusOr<std::vector<Tensor>> Run(const Feeds& feeds,
                                                  std::vector<Tensor> reuse = {}) = 0;
  virtual const Graph& graph() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  virtual absl::StatusOr<std::unique_ptr<Executor>> Compile(const Graph& graph) = 0;
};

// Evaluates with the reference interpreter (ir/interpreter.h): slow, simple,
// the oracle the other backends are checked against.
std::unique_ptr<Backend> MakeInterpreterBackend();

}  // namespace dlc

#endif  // DLC_RUNTIME_EXECUTOR_H_
