// What a training run says at its end: the epoch trace table with a
// one-line observation per epoch, a text chart of the loss, and the
// per-epoch records as CSV or JSON lines for other tools.
//
// Everything here is computed from the numbers alone (EpochStats from
// Trainer::TrainEpoch, and the test EvalStats measured once after the last
// epoch); nothing is printed or written to files.
#ifndef DLC_RUNTIME_TRAINING_REPORT_H_
#define DLC_RUNTIME_TRAINING_REPORT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/trainer.h"

namespace dlc {

struct TrainingHistory {
  std::vector<EpochStats> epochs;  // in order, epoch 1 first
  std::optional<EvalStats> test;   // measured after the last epoch, if at all
  int64_t classes = 10;            // chance accuracy is 1 / classes
};

// The first epoch's accuracy must beat chance by this much to count as learning.
inline constexpr double kChanceMargin = 0.05;
// Changes smaller than this (absolute) are "plateaued" accuracy.
inline constexpr double kAccuracyPlateau = 0.005;
// A test accuracy this far (or more) below the last epoch's training
// accuracy is reported as possible overfitting.
inline constexpr double kOverfitGap = 0.05;

// One observation per epoch, from that epoch's numbers and the previous
// epoch's:
//   epoch 1:  "accuracy above chance (0.10): model starts learning" (0.05 or
//             more above 1/classes), else "accuracy near chance (0.10): not
//             learning yet" (within 0.05) or "accuracy below chance ..." (0.05
//             or more below)
//   later:    "loss rose: learning rate too high?"         (loss went up)
//             "loss falling, accuracy rising"             (accuracy up >= 0.005)
//             "loss falling, accuracy fell"               (accuracy down >= 0.005)
//             "loss falling, accuracy plateaued"          (accuracy within 0.005)
//             "loss flat, accuracy plateaued"             (loss within 0.1%, too)
//   any:      "loss is not a number: training diverged"   (NaN or infinite loss)
// The last epoch's observation gains "; test accuracy below train by
// 0.0612: overfitting?" when a test result is 0.05 or more below it.
std::vector<std::string> EpochObservations(const TrainingHistory& history);

// The trace table: Epoch, Loss, Accuracy, Test accuracy (only with a test
// result, filled at the last epoch: it is measured once), Observation.
// Columns are left-aligned and two spaces apart; no trailing spaces.
std::string FormatEpochTable(const TrainingHistory& history);

// A vertical bar chart of the loss: one column per epoch (every k-th epoch
// once there are more than kMaxChartColumns, always ending at the last),
// kChartRows rows with right-aligned loss levels from the largest loss down,
// a column's bar as high as its loss (rounded to a row).
//   Loss
//   1.68 |*
//   1.47 |*
//   ...
//   0.21 |*  *  *  *  *
//        +--------------
//         1  2  3  4  5  Epochs
inline constexpr int kChartRows = 8;
inline constexpr int kMaxChartColumns = 30;
std::string FormatLossChart(const TrainingHistory& history);

// Records: epoch, loss, accuracy, samples, steps, seconds, and test_loss,
// test_accuracy, test_samples (on the last epoch's record, when measured).
// CSV has a header and always the test columns (empty when not measured);
// JSON lines have one object per epoch, the test fields on the last only.
// Non-finite numbers are "nan"/"inf" in CSV, null in JSON.
std::string FormatCsv(const TrainingHistory& history);

// Per-step records (dlc train --log-steps): epoch, step, samples (in the
// batch), loss and accuracy (the batch's), seconds (since the epoch began).
// CSV: the header line, then one line per step; JSON lines: one object.
std::string StepCsvHeader();
std::string FormatStepRecord(const StepProgress& step, bool json);

// "0.8 s" (one decimal) from a second up, "45 ms" below.
std::string FormatDuration(double seconds);

// One line of live progress, as Keras's fit shows it on a terminal:
// "epoch 2  17/32 [=========>         ]  6.1k img/s  loss 0.7123  acc 0.8012  ETA 0.3 s".
std::string FormatProgressLine(const StepProgress& progress);
std::string FormatJsonLines(const TrainingHistory& history);

}  // namespace dlc

#endif  // DLC_RUNTIME_TRAINING_REPORT_H_
