// The IDX reader on a data set it did not write: Fashion-MNIST as Debian's
// dataset-fashion-mnist package installs it. scripts/setup.sh installs that
// package, so a missing folder is a broken setup and fails, never skips.
#include <array>
#include <filesystem>

#include "gtest/gtest.h"
#include "runtime/dataset.h"
#include "runtime/idx.h"

namespace dlc {
namespace {

const std::string kFashionDir = "/usr/share/datasets/fashion-mnist/";

class FashionMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::is_directory(kFashionDir))
        << kFashionDir << " does not exist: run scripts/setup.sh, which installs the "
        << "dataset-fashion-mnist package";
  }
};

std::array<int64_t, 10> ClassCounts(const LabeledImages& data) {
  std::array<int64_t, 10> counts{};
  for (uint8_t label : data.labels.values<uint8_t>()) counts.at(label)++;
  return counts;
}

TEST_F(FashionMnist, ReadIdxGivesTheRawShapes) {
  absl::StatusOr<Tensor> images = ReadIdx(kFashionDir + "t10k-images-idx3-ubyte.gz");
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_EQ(images->type().ToString(), "u8[10000,28,28]");
  absl::StatusOr<Tensor> labels = ReadIdx(kFashionDir + "t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ(labels->type().ToString(), "u8[10000]");
}

TEST_F(FashionMnist, TrainSetLoads) {
  absl::StatusOr<LabeledImages> train = LoadIdxDataset(kFashionDir + "train-images-idx3-ubyte.gz",
                                                       kFashionDir + "train-labels-idx1-ubyte.gz");
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->images.type().ToString(), "u8[60000,28,28,1]");
  EXPECT_EQ(train->labels.type().ToString(), "u8[60000]");
  std::array<int64_t, 10> balanced;
  balanced.fill(6000);  // Fashion-MNIST has exactly 6,000 training images per class
  EXPECT_EQ(ClassCounts(*train), balanced);
}

TEST_F(FashionMnist, TestSetLoads) {
  absl::StatusOr<LabeledImages> test = LoadIdxDataset(kFashionDir + "t10k-images-idx3-ubyte.gz",
                                                      kFashionDir + "t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->images.type().ToString(), "u8[10000,28,28,1]");
  EXPECT_EQ(test->labels.type().ToString(), "u8[10000]");
  std::array<int64_t, 10> balanced;
  balanced.fill(1000);
  EXPECT_EQ(ClassCounts(*test), balanced);
}

}  // namespace
}  // namespace dlc
