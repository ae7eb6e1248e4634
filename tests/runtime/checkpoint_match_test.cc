// Matching a checkpoint's tensors against a model (runtime/checkpoint_match.h):
// every problem listed with its tensor, renames pointed out, optional
// tensors (optimizer state) and tensors the caller ignores.
#include "runtime/checkpoint_match.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;

std::map<std::string, TensorType> ModelNeeds() {
  return {{"dense.bias", {DType::kF32, {128}}},
          {"dense.kernel", {DType::kF32, {784, 128}}},
          {"step", {DType::kI32, {}}}};
}

// Exactly these tensors, nothing else.
ExpectedTensors Strict(std::map<std::string, TensorType> needed) {
  ExpectedTensors expected;
  expected.needed = std::move(needed);
  return expected;
}

NamedTensors Matching() {
  NamedTensors tensors;
  for (const auto& [name, type] : ModelNeeds()) tensors[name] = Tensor(type);
  return tensors;
}

TEST(CheckTensorsMatch, AcceptsExactlyWhatTheModelNeeds) {
  EXPECT_TRUE(CheckTensorsMatch(Matching(), Strict(ModelNeeds()), "model.safetensors").ok());
  EXPECT_TRUE(CheckTensorsMatch({}, ExpectedTensors{}, "empty.safetensors").ok());
}

TEST(CheckTensorsMatch, WrongShapeOrDType) {
  NamedTensors loaded = Matching();
  loaded["dense.kernel"] = Tensor(DType::kF32, {784, 10});
  absl::Status status = CheckTensorsMatch(loaded, Strict(ModelNeeds()), "model.safetensors");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "checkpoint model.safetensors: tensor dense.kernel is f32[784,10], the model needs "
            "f32[784,128]");
  loaded = Matching();
  loaded["step"] = Tensor(DType::kF32, {});
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, Strict(ModelNeeds()), "m").message()),
            "checkpoint m: tensor step is f32[], the model needs i32[]");
}

TEST(CheckTensorsMatch, MissingTensor) {
  NamedTensors loaded = Matching();
  loaded.erase("dense.bias");
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, Strict(ModelNeeds()), "m").message()),
            "checkpoint m: tensor dense.bias is missing (the model needs f32[128])");
}

TEST(CheckTensorsMatch, ExtraTensorsAndRenames) {
  NamedTensors loaded = Matching();
  loaded["adam.m.dense.bias"] = Tensor(DType::kF32, {128});
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, Strict(ModelNeeds()), "m").message()),
            "checkpoint m: unexpected tensor adam.m.dense.bias (f32[128]): the model has no "
            "tensor of that name");

  loaded = Matching();
  loaded["dense_1.kernel"] = std::move(loaded["dense.kernel"]);
  loaded.erase("dense.kernel");
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, Strict(ModelNeeds()), "m").message()),
            "checkpoint m: tensor dense.kernel is missing (the model needs f32[784,128]); "
            "unexpected tensor dense_1.kernel (f32[784,128]): the model has no tensor of that "
            "name; it looks like a rename of dense.kernel");
}

TEST(CheckTensorsMatch, ListsAtMostTenProblems) {
  std::map<std::string, TensorType> expected;
  for (int i = 0; i < 12; ++i) expected["p" + std::to_string(10 + i)] = {DType::kU8, {1}};
  const std::string message(CheckTensorsMatch({}, Strict(expected), "m").message());
  EXPECT_THAT(message, HasSubstr("tensor p19 is missing (the model needs u8[1]); and 2 more "
                                 "problems"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("p20")));
}

// Optimizer state may be there; if it is, its type must be right.
TEST(CheckTensorsMatch, OptionalTensorsMayBeAbsentButNotWrong) {
  ExpectedTensors expected = Strict(ModelNeeds());
  expected.optional = {{"adam.m.dense.bias", {DType::kF32, {128}}}};
  EXPECT_TRUE(CheckTensorsMatch(Matching(), expected, "m").ok());
  NamedTensors loaded = Matching();
  loaded["adam.m.dense.bias"] = Tensor(DType::kF32, {128});
  EXPECT_TRUE(CheckTensorsMatch(loaded, expected, "m").ok());
  loaded["adam.m.dense.bias"] = Tensor(DType::kF32, {10});
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, expected, "m").message()),
            "checkpoint m: tensor adam.m.dense.bias is f32[10], the model needs f32[128]");
}

// predict reads a training checkpoint's parameters and ignores its state;
// a missing parameter is still an error.
TEST(CheckTensorsMatch, OthersAllowedAreIgnored) {
  ExpectedTensors expected = Strict(ModelNeeds());
  expected.others_allowed = true;
  NamedTensors loaded = Matching();
  loaded["adam.v.dense.kernel"] = Tensor(DType::kF32, {784, 128});
  EXPECT_TRUE(CheckTensorsMatch(loaded, expected, "m").ok());
  loaded.erase("dense.bias");
  EXPECT_EQ(std::string(CheckTensorsMatch(loaded, expected, "m").message()),
            "checkpoint m: tensor dense.bias is missing (the model needs f32[128])");
}

}  // namespace
}  // namespace dlc
