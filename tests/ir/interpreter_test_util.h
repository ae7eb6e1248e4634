// Helpers shared by the reference interpreter tests (interpreter_*_test.cc):
// building tensors, reading them back, and interpreting one-op graphs.
#ifndef DLC_TESTS_IR_INTERPRETER_TEST_UTIL_H_
#define DLC_TESTS_IR_INTERPRETER_TEST_UTIL_H_

#include <vector>

#include "ir/builder.h"
#include "ir/interpreter.h"

namespace dlc::testing {

// A tensor of `dtype` and `shape` holding `values` in row-major order.
Tensor Make(DType dtype, Shape shape, const std::vector<double>& values);

// Every element read through a double (exact for every dtype).
std::vector<double> Values(const Tensor& t);

// Builds and interprets a one-op graph whose operands are inputs %a0, %a1, ...
absl::StatusOr<Tensor> TryEval(OpKind op, const std::vector<Tensor>& operands,
                               Attributes attrs = {});

// TryEval for tests that expect success: a failure is reported and gives an
// empty tensor.
Tensor Eval(OpKind op, const std::vector<Tensor>& operands, Attributes attrs = {});

}  // namespace dlc::testing

#endif  // DLC_TESTS_IR_INTERPRETER_TEST_UTIL_H_
