// Executors may write a run's outputs into tensors handed back from an
// earlier run (the trainer recycles the parameters each step replaces), and
// the results are the same as in fresh tensors.
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "runtime/executor.h"
#include "runtime/jit/jit_backend.h"

namespace dlc {
namespace {

TEST(OutputReuse, JitWritesIntoHandedBackTensorsOfTheRightType) {
  auto module = ParseModule(R"(graph g {
    %x = input() : f32[40]
    %y = exp(%x) : f32[40]
    %s = reduce_sum(%y) {axes=[0]} : f32[]
    return %y, %s
  })");
  ASSERT_TRUE(module.ok()) << module.status();
  auto backend = jit::MakeJitBackend();
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto executor = (*backend)->Compile(module->graphs[0]);
  ASSERT_TRUE(executor.ok()) << executor.status();
  Feeds feeds;
  Tensor x(DType::kF32, {40});
  for (int64_t i = 0; i < 40; ++i) x.SetDouble(i, 0.05 * static_cast<double>(i));
  feeds.emplace("x", x);

  auto first = (*executor)->Run(feeds);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::vector<Tensor> expected = *first;
  // Scribble over the handed-back storage: every element must be rewritten.
  std::vector<Tensor> reuse = std::move(*first);
  for (Tensor& t : reuse) {
    for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, -7);
  }
  const std::byte* storage = reuse[0].raw_data();
  auto second = (*executor)->Run(feeds, std::move(reuse));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)[0].raw_data(), storage);  // written in place
  for (size_t k = 0; k < expected.size(); ++k) {
    for (int64_t i = 0; i < expected[k].num_elements(); ++i) {
      EXPECT_EQ((*second)[k].GetDouble(i), expected[k].GetDouble(i)) << k << "[" << i << "]";
    }
  }

  // A tensor of another type, or an empty one, is not used.
  std::vector<Tensor> wrong;
  wrong.emplace_back(DType::kF32, std::vector<int64_t>{39});
  wrong.emplace_back();
  const std::byte* other = wrong[0].raw_data();
  auto third = (*executor)->Run(feeds, std::move(wrong));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_NE((*third)[0].raw_data(), other);
  EXPECT_EQ((*third)[1].GetDouble(0), expected[1].GetDouble(0));
}

}  // namespace
}  // namespace dlc
