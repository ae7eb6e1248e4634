#include "runtime/training_report.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace dlc {
namespace {

// Epochs 1, 2, ... with these (loss, accuracy) pairs; 1000 samples in 32
// steps, 0.5 s each.
TrainingHistory History(std::vector<std::pair<double, double>> loss_accuracy) {
  TrainingHistory history;
  int64_t epoch = 0;
  for (auto [loss, accuracy] : loss_accuracy) {
    history.epochs.push_back({.epoch = ++epoch,
                              .loss = loss,
                              .accuracy = accuracy,
                              .samples = 1000,
                              .steps = 32,
                              .seconds = 0.5});
  }
  return history;
}

// The README's run of the seed CNN.
TrainingHistory Seed() {
  TrainingHistory history = History(
      {{1.6776, 0.5390}, {0.7000, 0.8120}, {0.4625, 0.8790}, {0.3572, 0.9000}, {0.3034, 0.9200}});
  return history;
}

std::string Last(const TrainingHistory& history) { return EpochObservations(history).back(); }

TEST(TrainingReportTest, TableWithoutTest) {
  EXPECT_EQ(FormatEpochTable(Seed()),
            "Epoch  Loss    Accuracy  Observation\n"
            "1      1.6776  0.5390    accuracy above chance (0.10): model starts learning\n"
            "2      0.7000  0.8120    loss falling, accuracy rising\n"
            "3      0.4625  0.8790    loss falling, accuracy rising\n"
            "4      0.3572  0.9000    loss falling, accuracy rising\n"
            "5      0.3034  0.9200    loss falling, accuracy rising\n");
}

TEST(TrainingReportTest, TableWithTestAtTheLastEpochOnly) {
  TrainingHistory history = Seed();
  history.test = EvalStats{.loss = 0.3616, .accuracy = 0.8885, .samples = 2000};
  EXPECT_EQ(FormatEpochTable(history),
            "Epoch  Loss    Accuracy  Test accuracy  Observation\n"
            "1      1.6776  0.5390                   "
            "accuracy above chance (0.10): model starts learning\n"
            "2      0.7000  0.8120                   loss falling, accuracy rising\n"
            "3      0.4625  0.8790                   loss falling, accuracy rising\n"
            "4      0.3572  0.9000                   loss falling, accuracy rising\n"
            "5      0.3034  0.9200    0.8885         loss falling, accuracy rising\n");
}

TEST(TrainingReportTest, FirstEpochAgainstChance) {
  EXPECT_EQ(Last(History({{2.3, 0.16}})), "accuracy above chance (0.10): model starts learning");
  EXPECT_EQ(Last(History({{2.3, 0.149}})), "accuracy near chance (0.10): not learning yet");
  EXPECT_EQ(Last(History({{2.3, 0.10}})), "accuracy near chance (0.10): not learning yet");
  EXPECT_EQ(Last(History({{2.3, 0.051}})), "accuracy near chance (0.10): not learning yet");
  EXPECT_EQ(Last(History({{2.3, 0.04}})), "accuracy below chance (0.10): not learning yet");
  TrainingHistory binary = History({{0.69, 0.56}});
  binary.classes = 2;
  EXPECT_EQ(Last(binary), "accuracy above chance (0.50): model starts learning");
  binary.epochs[0].accuracy = 0.5;
  EXPECT_EQ(Last(binary), "accuracy near chance (0.50): not learning yet");
}

TEST(TrainingReportTest, LaterEpochs) {
  EXPECT_EQ(Last(History({{1.0, 0.5}, {1.2, 0.6}})), "loss rose: learning rate too high?");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {1.0001, 0.5}})), "loss rose: learning rate too high?");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {0.9, 0.505}})), "loss falling, accuracy rising");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {0.9, 0.49}})), "loss falling, accuracy fell");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {0.9, 0.504}})), "loss falling, accuracy plateaued");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {0.9, 0.496}})), "loss falling, accuracy plateaued");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {0.9995, 0.502}})), "loss flat, accuracy plateaued");
  EXPECT_EQ(Last(History({{1.0, 0.5}, {1.0, 0.5}})), "loss flat, accuracy plateaued");
}

TEST(TrainingReportTest, Divergence) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::string> notes =
      EpochObservations(History({{nan, 0.1}, {1.0, 0.5}, {inf, 0.1}}));
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0], "loss is not a number: training diverged");
  EXPECT_EQ(notes[1], "loss is finite again");
  EXPECT_EQ(notes[2], "loss is not a number: training diverged");
}

TEST(TrainingReportTest, Overfitting) {
  TrainingHistory history = History({{1.0, 0.5}, {0.5, 0.95}});
  history.test = EvalStats{.loss = 0.9, .accuracy = 0.85, .samples = 100};
  EXPECT_EQ(Last(history),
            "loss falling, accuracy rising; test accuracy below train by 0.1000: overfitting?");
  EXPECT_EQ(EpochObservations(history)[0], "accuracy above chance (0.10): model starts learning");
  history.test->accuracy = 0.91;  // 0.04 below: no note
  EXPECT_EQ(Last(history), "loss falling, accuracy rising");
  history.test->accuracy = 0.97;  // above train
  EXPECT_EQ(Last(history), "loss falling, accuracy rising");
  // A single epoch gets both notes.
  TrainingHistory one = History({{2.0, 0.6}});
  one.test = EvalStats{.loss = 2.5, .accuracy = 0.4, .samples = 100};
  EXPECT_EQ(Last(one),
            "accuracy above chance (0.10): model starts learning; test accuracy below train by "
            "0.2000: overfitting?");
}

TEST(TrainingReportTest, LossChart) {
  EXPECT_EQ(FormatLossChart(Seed()),
            "Loss\n"
            "1.68 |*\n"
            "1.47 |*\n"
            "1.26 |*\n"
            "1.05 |*\n"
            "0.84 |*\n"
            "0.63 |*  *\n"
            "0.42 |*  *  *  *\n"
            "0.21 |*  *  *  *  *\n"
            "     +---------------\n"
            "      1  2  3  4  5  Epochs\n");
}

TEST(TrainingReportTest, LossChartOfOneEpochAndSmallLosses) {
  EXPECT_EQ(FormatLossChart(History({{0.04, 0.9}})),
            "Loss\n"
            "0.0400 |*\n"
            "0.0350 |*\n"
            "0.0300 |*\n"
            "0.0250 |*\n"
            "0.0200 |*\n"
            "0.0150 |*\n"
            "0.0100 |*\n"
            "0.0050 |*\n"
            "       +---\n"
            "        1  Epochs\n");
  EXPECT_EQ(FormatLossChart(TrainingHistory{}), "Loss\n(no epochs)\n");
}

TEST(TrainingReportTest, LongRunsAreDownsampledToTheLastEpoch) {
  std::vector<std::pair<double, double>> epochs;
  for (int i = 0; i < 100; ++i) epochs.push_back({2.0 / (1 + i), 0.5});
  const std::string chart = FormatLossChart(History(epochs));
  // 25 columns (epochs 4, 8, ..., 100), 4 characters each.
  EXPECT_TRUE(chart.starts_with("Loss (every 4 epochs)\n0.50 |*\n")) << chart;
  EXPECT_TRUE(chart.ends_with("     +" + std::string(100, '-') +
                              "\n      4   8   12  16  20  24  28  32  36  40  44  48  52  56  60 "
                              " 64  68  72  76  80  84  88  92  96  100 Epochs\n"))
      << chart;
  // 31 epochs: every 2nd, 16 columns, from epoch 1.
  epochs.resize(31);
  EXPECT_TRUE(FormatLossChart(History(epochs))
                  .ends_with("      1  3  5  7  9  11 13 15 17 19 "
                             "21 23 25 27 29 31 Epochs\n"));
}

TEST(TrainingReportTest, Csv) {
  TrainingHistory history = History({{1.6776, 0.539}, {0.7, 0.812}});
  history.epochs[1].seconds = 0.6254;
  EXPECT_EQ(FormatCsv(history),
            "epoch,loss,accuracy,samples,steps,seconds,test_loss,test_accuracy,test_samples\n"
            "1,1.6776,0.539,1000,32,0.500,,,\n"
            "2,0.7,0.812,1000,32,0.625,,,\n");
  history.test = EvalStats{.loss = 0.3616, .accuracy = 0.8885, .samples = 2000};
  history.epochs[0].loss = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(FormatCsv(history),
            "epoch,loss,accuracy,samples,steps,seconds,test_loss,test_accuracy,test_samples\n"
            "1,nan,0.539,1000,32,0.500,,,\n"
            "2,0.7,0.812,1000,32,0.625,0.3616,0.8885,2000\n");
}

TEST(TrainingReportTest, JsonLines) {
  TrainingHistory history = History({{1.6776, 0.539}, {0.7, 0.812}});
  EXPECT_EQ(FormatJsonLines(history),
            "{\"epoch\":1,\"loss\":1.6776,\"accuracy\":0.539,\"samples\":1000,\"steps\":32,"
            "\"seconds\":0.500}\n"
            "{\"epoch\":2,\"loss\":0.7,\"accuracy\":0.812,\"samples\":1000,\"steps\":32,"
            "\"seconds\":0.500}\n");
  history.test = EvalStats{.loss = 0.3616, .accuracy = 0.8885, .samples = 2000};
  history.epochs[0].loss = std::numeric_limits<double>::infinity();
  EXPECT_EQ(FormatJsonLines(history),
            "{\"epoch\":1,\"loss\":null,\"accuracy\":0.539,\"samples\":1000,\"steps\":32,"
            "\"seconds\":0.500}\n"
            "{\"epoch\":2,\"loss\":0.7,\"accuracy\":0.812,\"samples\":1000,\"steps\":32,"
            "\"seconds\":0.500,\"test_loss\":0.3616,\"test_accuracy\":0.8885,"
            "\"test_samples\":2000}\n");
}

}  // namespace
}  // namespace dlc

namespace dlc {
namespace {

TEST(TrainingReportProgress, DurationsInMillisecondsBelowASecond) {
  EXPECT_EQ(FormatDuration(0.0451), "45 ms");
  EXPECT_EQ(FormatDuration(0.0004), "0 ms");
  EXPECT_EQ(FormatDuration(0.9996), "1.0 s");
  EXPECT_EQ(FormatDuration(12.34), "12.3 s");
}

TEST(TrainingReportProgress, StepRecordsAsCsvAndJsonLines) {
  StepProgress p;
  p.epoch = 2;
  p.step = 7;
  p.batch_size = 32;
  p.batch_loss = 0.53125;
  p.batch_accuracy = 0.84375;
  p.seconds = 0.123456;
  EXPECT_EQ(StepCsvHeader(), "epoch,step,samples,loss,accuracy,seconds\n");
  EXPECT_EQ(FormatStepRecord(p, false), "2,7,32,0.53125,0.84375,0.1235\n");
  EXPECT_EQ(FormatStepRecord(p, true),
            "{\"epoch\":2,\"step\":7,\"samples\":32,\"loss\":0.53125,\"accuracy\":0.84375,"
            "\"seconds\":0.1235}\n");
  p.batch_loss = std::numeric_limits<double>::infinity();
  EXPECT_NE(FormatStepRecord(p, true).find(",\"loss\":null,"), std::string::npos);
}

TEST(TrainingReportProgress, LineShowsStepsBarRateLossAccuracyAndEta) {
  StepProgress p;
  p.epoch = 2;
  p.step = 8;
  p.steps = 32;
  p.samples = 256;
  p.loss = 0.71234;
  p.accuracy = 0.80125;
  p.seconds = 0.5;  // 512 images/s; 24 more steps at 1/16 s each: 1.5 s
  EXPECT_EQ(FormatProgressLine(p),
            "epoch 2  8/32 [=====>              ]  512 img/s  loss 0.7123  acc 0.8013  ETA 1.5 s");
  p.step = 32;
  p.samples = 1000;
  p.seconds = 0.1;
  EXPECT_EQ(
      FormatProgressLine(p),
      "epoch 2  32/32 [====================]  10.0k img/s  loss 0.7123  acc 0.8013  ETA 0.0 s");
}

}  // namespace
}  // namespace dlc
