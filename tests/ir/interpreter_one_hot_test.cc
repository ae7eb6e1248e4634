// Reference interpreter: one_hot.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/interpreter.h"
#include "ir/status_macros.h"

namespace dlc {
namespace {

using ::testing::ElementsAre;

Tensor Make(DType dtype, Shape shape, const std::vector<double>& values) {
  return Tensor::FromVector(dtype, std::move(shape), values);
}

// Every element read through a double (exact for every dtype).
std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.GetDouble(i));
  return out;
}

// Builds and interprets a one-op graph whose operands are inputs %a0, %a1, ...
absl::StatusOr<Tensor> TryEval(OpKind op, const std::vector<Tensor>& operands,
                               Attributes attrs = {}) {
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

// TryEval for tests that expect success: a failure is reported and gives an
// empty tensor.
Tensor Eval(OpKind op, const std::vector<Tensor>& operands, Attributes attrs = {}) {
  absl::StatusOr<Tensor> result = TryEval(op, operands, std::move(attrs));
  if (!result.ok()) {
    ADD_FAILURE() << result.status();
    return Tensor();
  }
  return *std::move(result);
}

Attributes OneHot(int64_t depth, DType dtype = DType::kF32) {
  return {{"depth", depth}, {"dtype", dtype}};
}

TEST(InterpreterOneHot, PutsAOneAtEachLabel) {
  Tensor r = Eval(OpKind::kOneHot, {Make(DType::kI32, {3}, {0, 2, 1})}, OneHot(3));
  EXPECT_EQ(r.type().ToString(), "f32[3,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 0, 0, 0, 1, 0, 1, 0));
}

TEST(InterpreterOneHot, LabelsOutsideTheDepthGiveAnAllZeroRow) {
  Tensor r = Eval(OpKind::kOneHot, {Make(DType::kI32, {3}, {-1, 3, 1})}, OneHot(3));
  EXPECT_THAT(Values(r), ElementsAre(0, 0, 0, 0, 0, 0, 0, 1, 0));
}

TEST(InterpreterOneHot, U8LabelsOfAnyRankToAnotherDType) {
  // Labels [[0,1],[255,2]], depth 3, as i32: 255 is out of range.
  Tensor r =
      Eval(OpKind::kOneHot, {Make(DType::kU8, {2, 2}, {0, 1, 255, 2})}, OneHot(3, DType::kI32));
  EXPECT_EQ(r.type().ToString(), "i32[2,2,3]");
  EXPECT_THAT(Values(r), ElementsAre(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1));
}

TEST(InterpreterOneHot, ProducesF64AndI1) {
  Tensor labels = Make(DType::kI32, {2}, {1, 0});
  Tensor f64 = Eval(OpKind::kOneHot, {labels}, OneHot(2, DType::kF64));
  EXPECT_EQ(f64.type().ToString(), "f64[2,2]");
  EXPECT_THAT(Values(f64), ElementsAre(0, 1, 1, 0));
  Tensor i1 = Eval(OpKind::kOneHot, {labels}, OneHot(2, DType::kI1));
  EXPECT_EQ(i1.type().ToString(), "i1[2,2]");
  EXPECT_THAT(Values(i1), ElementsAre(0, 1, 1, 0));
}

}  // namespace
}  // namespace dlc
