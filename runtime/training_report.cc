#include "runtime/training_report.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "absl/strings/str_format.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

std::string Fixed(double value, int decimals) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.*f", decimals, value);
}

// Shortest faithful-enough text for records: 6 significant digits.
std::string Number(double value, bool json) {
  if (!std::isfinite(value)) {
    if (json) return "null";
    return std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  }
  return absl::StrFormat("%.6g", value);
}

std::string RStrip(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string Overfitting(const TrainingHistory& history) {
  if (!history.test || history.epochs.empty()) return "";
  const double gap = history.epochs.back().accuracy - history.test->accuracy;
  if (!(gap >= kOverfitGap)) return "";
  return StrCat("test accuracy below train by ", Fixed(gap, 4), ": overfitting?");
}

}  // namespace

std::vector<std::string> EpochObservations(const TrainingHistory& history) {
  std::vector<std::string> notes;
  const double chance = history.classes > 0 ? 1.0 / static_cast<double>(history.classes) : 0;
  for (size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochStats& e = history.epochs[i];
    std::string note;
    if (!std::isfinite(e.loss)) {
      note = "loss is not a number: training diverged";
    } else if (i == 0) {
      const std::string where = e.accuracy >= chance + kChanceMargin  ? "above"
                                : e.accuracy > chance - kChanceMargin ? "near"
                                                                      : "below";
      note = StrCat("accuracy ", where, " chance (", Fixed(chance, 2),
                    "): ", where == "above" ? "model starts learning" : "not learning yet");
    } else {
      const EpochStats& prev = history.epochs[i - 1];
      const double accuracy_change = e.accuracy - prev.accuracy;
      if (!std::isfinite(prev.loss)) {
        note = "loss is finite again";
      } else if (e.loss > prev.loss) {
        note = "loss rose: learning rate too high?";
      } else if (accuracy_change >= kAccuracyPlateau) {
        note = "loss falling, accuracy rising";
      } else if (accuracy_change <= -kAccuracyPlateau) {
        note = "loss falling, accuracy fell";
      } else if (prev.loss - e.loss <= 0.001 * prev.loss) {
        note = "loss flat, accuracy plateaued";
      } else {
        note = "loss falling, accuracy plateaued";
      }
    }
    if (i + 1 == history.epochs.size()) {
      if (std::string overfit = Overfitting(history); !overfit.empty()) {
        note = StrCat(note, "; ", overfit);
      }
    }
    notes.push_back(std::move(note));
  }
  return notes;
}

std::string FormatEpochTable(const TrainingHistory& history) {
  const bool with_test = history.test.has_value();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"Epoch", "Loss", "Accuracy"});
  if (with_test) rows.back().push_back("Test accuracy");
  rows.back().push_back("Observation");
  const std::vector<std::string> notes = EpochObservations(history);
  for (size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochStats& e = history.epochs[i];
    rows.push_back({StrCat(e.epoch), Fixed(e.loss, 4), Fixed(e.accuracy, 4)});
    if (with_test) {
      rows.back().push_back(i + 1 == history.epochs.size() ? Fixed(history.test->accuracy, 4) : "");
    }
    rows.back().push_back(notes[i]);
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out += RStrip(std::move(line));
    out += '\n';
  }
  return out;
}

std::string FormatLossChart(const TrainingHistory& history) {
  const std::vector<EpochStats>& epochs = history.epochs;
  if (epochs.empty()) return "Loss\n(no epochs)\n";
  // Which epochs get a column: all, or every `step`-th ending at the last.
  const size_t n = epochs.size();
  const size_t step = (n + kMaxChartColumns - 1) / kMaxChartColumns;
  std::vector<size_t> shown;
  for (size_t i = (n - 1) % step; i < n; i += step) shown.push_back(i);
  double top = 0;
  for (size_t i : shown) {
    if (std::isfinite(epochs[i].loss)) top = std::max(top, epochs[i].loss);
  }
  std::string out = step == 1 ? "Loss\n" : StrCat("Loss (every ", step, " epochs)\n");
  if (!(top > 0)) return StrCat(out, "(no positive finite loss to chart)\n");

  const int decimals = top >= 0.1 ? 2 : 4;
  std::vector<std::string> labels;
  size_t label_width = 0;
  for (int r = 0; r < kChartRows; ++r) {
    labels.push_back(Fixed(top * (kChartRows - r) / kChartRows, decimals));
    label_width = std::max(label_width, labels.back().size());
  }
  const std::string last_epoch = StrCat(epochs[shown.back()].epoch);
  const size_t column = std::max<size_t>(3, last_epoch.size() + 1);
  std::vector<int> heights;
  for (size_t i : shown) {
    const double loss = epochs[i].loss;
    heights.push_back(std::isfinite(loss) && loss > 0
                          ? static_cast<int>(std::lround(loss / top * kChartRows))
                          : 0);
  }
  for (int r = 0; r < kChartRows; ++r) {
    std::string line = std::string(label_width - labels[r].size(), ' ') + labels[r] + " |";
    for (int h : heights) {
      line += h >= kChartRows - r ? '*' : ' ';
      line += std::string(column - 1, ' ');
    }
    out += RStrip(std::move(line));
    out += '\n';
  }
  out += std::string(label_width + 1, ' ') + "+" + std::string(shown.size() * column, '-') + "\n";
  std::string axis(label_width + 2, ' ');
  for (size_t i : shown) {
    const std::string number = StrCat(epochs[i].epoch);
    axis += number + std::string(column - number.size(), ' ');
  }
  out += axis + "Epochs\n";
  return out;
}

std::string FormatCsv(const TrainingHistory& history) {
  std::string out =
      "epoch,loss,accuracy,samples,steps,seconds,test_loss,test_accuracy,test_samples\n";
  for (size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochStats& e = history.epochs[i];
    out += StrCat(e.epoch, ",", Number(e.loss, false), ",", Number(e.accuracy, false), ",",
                  e.samples, ",", e.steps, ",", Fixed(e.seconds, 3), ",");
    if (history.test && i + 1 == history.epochs.size()) {
      out += StrCat(Number(history.test->loss, false), ",", Number(history.test->accuracy, false),
                    ",", history.test->samples);
    } else {
      out += ",,";
    }
    out += '\n';
  }
  return out;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0.9995) return absl::StrFormat("%.0f ms", seconds * 1000);
  return absl::StrFormat("%.1f s", seconds);
}

std::string StepCsvHeader() { return "epoch,step,samples,loss,accuracy,seconds\n"; }

std::string FormatStepRecord(const StepProgress& step, bool json) {
  if (json) {
    return StrCat("{\"epoch\":", step.epoch, ",\"step\":", step.step,
                  ",\"samples\":", step.batch_size, ",\"loss\":", Number(step.batch_loss, true),
                  ",\"accuracy\":", Number(step.batch_accuracy, true),
                  ",\"seconds\":", Fixed(step.seconds, 4), "}\n");
  }
  return StrCat(step.epoch, ",", step.step, ",", step.batch_size, ",",
                Number(step.batch_loss, false), ",", Number(step.batch_accuracy, false), ",",
                Fixed(step.seconds, 4), "\n");
}

std::string FormatJsonLines(const TrainingHistory& history) {
  std::string out;
  for (size_t i = 0; i < history.epochs.size(); ++i) {
    const EpochStats& e = history.epochs[i];
    const std::string seconds = std::isfinite(e.seconds) ? Fixed(e.seconds, 3) : "null";
    out += StrCat("{\"epoch\":", e.epoch, ",\"loss\":", Number(e.loss, true),
                  ",\"accuracy\":", Number(e.accuracy, true), ",\"samples\":", e.samples,
                  ",\"steps\":", e.steps, ",\"seconds\":", seconds);
    if (history.test && i + 1 == history.epochs.size()) {
      out += StrCat(",\"test_loss\":", Number(history.test->loss, true),
                    ",\"test_accuracy\":", Number(history.test->accuracy, true),
                    ",\"test_samples\":", history.test->samples);
    }
    out += "}\n";
  }
  return out;
}

std::string FormatProgressLine(const StepProgress& p) {
  constexpr int kWidth = 20;
  const int64_t steps = std::max<int64_t>(p.steps, 1);
  const int filled = static_cast<int>(kWidth * std::min(p.step, steps) / steps);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const double rate = p.seconds > 0 ? static_cast<double>(p.samples) / p.seconds : 0;
  const double eta =
      p.step > 0 ? p.seconds * static_cast<double>(steps - p.step) / static_cast<double>(p.step)
                 : 0;
  std::string rate_text =
      rate >= 1000 ? absl::StrFormat("%.1fk", rate / 1000) : absl::StrFormat("%.0f", rate);
  return absl::StrFormat("epoch %d  %d/%d [%s]  %s img/s  loss %.4f  acc %.4f  ETA %.1f s", p.epoch,
                         p.step, p.steps, bar, rate_text, p.loss, p.accuracy, eta);
}

}  // namespace dlc
