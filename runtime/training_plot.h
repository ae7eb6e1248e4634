// The training curves as a picture: an SVG with two panels side by side,
// the loss and the accuracy over the epochs. The training curve is a line
// with a dot per epoch; the test result, measured once after the last
// epoch, is a labelled diamond at that epoch. Axes have round-number ticks
// and light grid lines; the text uses the system sans-serif font.
//
// The SVG is self-contained (no scripts, styles or external references), so
// browsers, image viewers and GitHub show it as is.
#ifndef DLC_RUNTIME_TRAINING_PLOT_H_
#define DLC_RUNTIME_TRAINING_PLOT_H_

#include <string>
#include <string_view>
#include <vector>

#include "runtime/training_report.h"

namespace dlc {

inline constexpr int kPlotWidth = 880;
inline constexpr int kPlotHeight = 360;

// `title` is shown above the panels (escaped for XML). Non-finite losses are
// left out of the curve (the line breaks there).
std::string TrainingPlotSvg(const TrainingHistory& history, std::string_view title);

// Round-number tick values covering [low, high]: about `count` of them,
// spaced by 1, 2 or 5 times a power of ten, the first <= low and the last
// >= high. For axes; exposed for tests.
std::vector<double> NiceTicks(double low, double high, int count);

}  // namespace dlc

#endif  // DLC_RUNTIME_TRAINING_PLOT_H_
