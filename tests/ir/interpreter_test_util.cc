#include "tests/ir/interpreter_test_util.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "support/status_macros.h"

namespace dlc::testing {

Tensor Make(DType dtype, Shape shape, const std::vector<double>& values) {
  return Tensor::FromVector(dtype, std::move(shape), values);
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.GetDouble(i));
  return out;
}

absl::StatusOr<Tensor> TryEval(OpKind op, const std::vector<Tensor>& operands, Attributes attrs) {
  GraphBuilder builder("one_op");
  std::vector<ValueId> ids;
  Feeds feeds;
  for (size_t i = 0; i < operands.size(); ++i) {
    const std::string name = "a" + std::to_string(i);
    DLC_ASSIGN_OR_RETURN(ValueId id, builder.Input(name, operands[i].type()));
    ids.push_back(id);
    feeds[name] = operands[i];
  }
  DLC_ASSIGN_OR_RETURN(ValueId result, builder.Add(op, ids, std::move(attrs), "q"));
  DLC_ASSIGN_OR_RETURN(Graph graph, std::move(builder).Build({result}));
  DLC_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, Interpret(graph, feeds));
  return outputs[0];
}

Tensor Eval(OpKind op, const std::vector<Tensor>& operands, Attributes attrs) {
  absl::StatusOr<Tensor> result = TryEval(op, operands, std::move(attrs));
  if (!result.ok()) {
    ADD_FAILURE() << result.status();
    return Tensor();
  }
  return *std::move(result);
}

}  // namespace dlc::testing
