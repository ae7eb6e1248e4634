#include "runtime/training_plot.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_format.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

constexpr char kTrainColor[] = "#1f77b4";
constexpr char kTestColor[] = "#d62728";
constexpr char kGridColor[] = "#e5e5e5";
constexpr char kAxisColor[] = "#444444";

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Enough decimals to tell the ticks apart.
std::string TickLabel(double value, double step) {
  const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
  return absl::StrFormat("%.*f", decimals, value);
}

// One panel: a plotting area at (left, top) of size (width, height), x from
// epoch 1 to the last, y over the ticks' range.
struct Panel {
  double left, top, width, height;
  int64_t epochs;
  std::vector<double> y_ticks;

  double X(double epoch) const {
    return epochs <= 1 ? left + width / 2
                       : left + (epoch - 1) / static_cast<double>(epochs - 1) * width;
  }
  double Y(double value) const {
    const double low = y_ticks.front(), high = y_ticks.back();
    return top + height - (value - low) / (high - low) * height;
  }
};

std::string Number(double v) { return absl::StrFormat("%.1f", v); }

// Epoch ticks: every epoch up to 10, else about 8 round steps.
std::vector<int64_t> EpochTicks(int64_t epochs) {
  std::vector<int64_t> ticks;
  int64_t step = 1;
  if (epochs > 10) {
    const std::vector<double> nice = NiceTicks(1, static_cast<double>(epochs), 8);
    step = std::max<int64_t>(1, static_cast<int64_t>(nice[1] - nice[0]));
  }
  if (step > 1) ticks.push_back(1);
  for (int64_t e = step; e <= epochs; e += step) {
    if (e >= 1) ticks.push_back(e);
  }
  return ticks;
}

void DrawAxes(std::string& svg, const Panel& p, std::string_view name) {
  const double step = p.y_ticks.size() > 1 ? p.y_ticks[1] - p.y_ticks[0] : 1;
  for (double t : p.y_ticks) {
    const double y = p.Y(t);
    svg += absl::StrFormat(
        "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\"/>\n"
        "<text x=\"%s\" y=\"%s\" text-anchor=\"end\" font-size=\"11\" fill=\"%s\">%s</text>\n",
        Number(p.left), Number(y), Number(p.left + p.width), Number(y), kGridColor,
        Number(p.left - 6), Number(y + 4), kAxisColor, TickLabel(t, step));
  }
  for (int64_t e : EpochTicks(p.epochs)) {
    const double x = p.X(static_cast<double>(e));
    svg += absl::StrFormat(
        "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\"/>\n"
        "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"11\" fill=\"%s\">%d</text>\n",
        Number(x), Number(p.top + p.height), Number(x), Number(p.top + p.height + 4), kAxisColor,
        Number(x), Number(p.top + p.height + 17), kAxisColor, e);
  }
  svg += absl::StrFormat(
      "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"%s\"/>\n"
      "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\" "
      "fill=\"%s\">%s</text>\n"
      "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\" font-size=\"11\" fill=\"%s\">epoch</text>\n",
      Number(p.left), Number(p.top), Number(p.width), Number(p.height), kAxisColor,
      Number(p.left + p.width / 2), Number(p.top - 10), kAxisColor, name,
      Number(p.left + p.width / 2), Number(p.top + p.height + 32), kAxisColor);
}

// The training curve: a polyline per run of finite values, a dot per epoch.
void DrawCurve(std::string& svg, const Panel& p, const std::vector<double>& values) {
  std::string points;
  auto flush = [&] {
    if (!points.empty()) {
      svg += absl::StrFormat(
          "<polyline class=\"train\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
          "points=\"%s\"/>\n",
          kTrainColor, points);
    }
    points.clear();
  };
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      flush();
      continue;
    }
    const double x = p.X(static_cast<double>(i + 1)), y = p.Y(values[i]);
    points += StrCat(points.empty() ? "" : " ", Number(x), ",", Number(y));
  }
  flush();
  if (values.size() <= 60) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) continue;
      svg += absl::StrFormat("<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>\n",
                             Number(p.X(static_cast<double>(i + 1))), Number(p.Y(values[i])),
                             kTrainColor);
    }
  }
}

// The test result: a diamond at the last epoch, its value written on the
// side away from the training curve's last point (`last_train`).
void DrawTestPoint(std::string& svg, const Panel& p, double value, double last_train) {
  if (!std::isfinite(value)) return;
  const double x = p.X(static_cast<double>(p.epochs)), y = p.Y(value);
  const bool label_above = !std::isfinite(last_train) || value >= last_train;
  svg += absl::StrFormat(
      "<path class=\"test\" d=\"M %s %s l 6 6 l -6 6 l -6 -6 z\" fill=\"%s\"/>\n"
      "<text x=\"%s\" y=\"%s\" text-anchor=\"end\" font-size=\"11\" fill=\"%s\">test %s</text>\n",
      Number(x), Number(y - 6), kTestColor, Number(x - 8), Number(label_above ? y - 9 : y + 17),
      kTestColor, absl::StrFormat("%.4f", value));
}

void DrawLegend(std::string& svg, double x, double y, bool with_test) {
  svg += absl::StrFormat(
      "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>\n"
      "<text x=\"%s\" y=\"%s\" font-size=\"11\" fill=\"%s\">training</text>\n",
      Number(x), Number(y), Number(x + 20), Number(y), kTrainColor, Number(x + 25), Number(y + 4),
      kAxisColor);
  if (with_test) {
    svg += absl::StrFormat(
        "<path d=\"M %s %s l 5 5 l -5 5 l -5 -5 z\" fill=\"%s\"/>\n"
        "<text x=\"%s\" y=\"%s\" font-size=\"11\" fill=\"%s\">test (after the last epoch)</text>\n",
        Number(x + 95), Number(y - 5), kTestColor, Number(x + 105), Number(y + 4), kAxisColor);
  }
}

std::pair<double, double> FiniteRange(const std::vector<double>& values,
                                      std::optional<double> extra) {
  double low = INFINITY, high = -INFINITY;
  for (double v : values) {
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  }
  if (extra && std::isfinite(*extra)) low = std::min(low, *extra), high = std::max(high, *extra);
  if (!std::isfinite(low)) return {0, 1};
  return {low, high};
}

}  // namespace

std::vector<double> NiceTicks(double low, double high, int count) {
  if (!(high > low)) high = low + 1;
  const double raw = (high - low) / std::max(count - 1, 1);
  const double power = std::pow(10, std::floor(std::log10(raw)));
  double step = 10 * power;
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw * (1 - 1e-9)) {
      step = m * power;
      break;
    }
  }
  // Multiples of the step, computed as such (not summed) to stay round.
  std::vector<double> ticks;
  const double first = std::floor(low / step + 1e-9);
  for (double k = first; ticks.empty() || ticks.back() < high - 1e-9 * step; k += 1) {
    ticks.push_back(k == 0 ? 0.0 : k * step);
  }
  if (ticks.size() < 2) ticks.push_back(ticks.back() + step);
  return ticks;
}

std::string TrainingPlotSvg(const TrainingHistory& history, std::string_view title) {
  const int64_t epochs = std::max<int64_t>(static_cast<int64_t>(history.epochs.size()), 1);
  std::vector<double> losses, accuracies;
  for (const EpochStats& e : history.epochs) {
    losses.push_back(e.loss);
    accuracies.push_back(e.accuracy);
  }
  std::optional<double> test_loss, test_accuracy;
  if (history.test) test_loss = history.test->loss, test_accuracy = history.test->accuracy;

  // Loss from 0 (its natural floor); accuracy from a round value below the
  // lowest, up to at most 1.
  const double loss_high = FiniteRange(losses, test_loss).second;
  const auto [acc_low, acc_high] = FiniteRange(accuracies, test_accuracy);
  const double acc_floor = std::max(0.0, std::floor(acc_low * 10 - 1e-9) / 10);
  const double acc_ceiling = std::min(1.0, std::max(acc_high, acc_floor + 0.1));

  const double panel_width = 360, panel_height = 230, top = 64;
  Panel loss{70, top, panel_width, panel_height, epochs, NiceTicks(0, loss_high, 6)};
  Panel accuracy{510, top, panel_width, panel_height, epochs, NiceTicks(acc_floor, acc_ceiling, 6)};
  // Accuracy never needs a tick above 1.
  while (accuracy.y_ticks.size() > 2 && accuracy.y_ticks[accuracy.y_ticks.size() - 2] >= 1 - 1e-9) {
    accuracy.y_ticks.pop_back();
  }

  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" fill=\"%s\">%s</text>\n",
      kPlotWidth, kPlotHeight, kPlotWidth, kPlotHeight, kPlotWidth / 2, kAxisColor, Escape(title));
  DrawAxes(svg, loss, "Loss");
  DrawCurve(svg, loss, losses);
  if (test_loss) DrawTestPoint(svg, loss, *test_loss, losses.empty() ? NAN : losses.back());
  DrawAxes(svg, accuracy, "Accuracy");
  DrawCurve(svg, accuracy, accuracies);
  if (test_accuracy) {
    DrawTestPoint(svg, accuracy, *test_accuracy, accuracies.empty() ? NAN : accuracies.back());
  }
  DrawLegend(svg, loss.left, kPlotHeight - 12, history.test.has_value());
  svg += "</svg>\n";
  return svg;
}

}  // namespace dlc
