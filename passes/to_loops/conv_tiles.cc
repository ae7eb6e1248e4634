#include "passes/to_loops/conv_tiles.h"

#include <algorithm>
#include <vector>

namespace dlc::to_loops {
namespace {

// More vectors side by side than this gain little and cost code size.
constexpr int64_t kMaxVectors = 4;

std::vector<int64_t> Divisors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

// FMAs per load of a tile with `a` broadcast scalars and `b` vectors.
double Score(int64_t fmas, int64_t loads) {
  return static_cast<double>(fmas) / static_cast<double>(loads);
}

// The vector counts a channel split can use.
std::vector<ChannelSplit> ChannelSplits(int64_t channels, int64_t lanes) {
  if (lanes < 2 || channels % lanes != 0) return {ChannelSplit{1, 1, channels}};
  const int64_t vectors = channels / lanes;
  std::vector<ChannelSplit> splits;
  for (int64_t v : Divisors(vectors)) {
    if (v <= kMaxVectors) splits.push_back(ChannelSplit{vectors / v, v, lanes});
  }
  return splits;
}

}  // namespace

PixelTile ChoosePixelTile(int64_t width, int64_t out_channels, const RegisterBudget& budget) {
  PixelTile best;
  double best_score = -1;
  for (const ChannelSplit& split : ChannelSplits(out_channels, budget.lanes)) {
    // Accumulators, the weight vectors and the broadcast input.
    const int64_t most = std::max<int64_t>(
        1, std::min(budget.registers - split.vectors - 1, budget.max_accumulators) / split.vectors);
    if (budget.forced_pixels > 0) {
      const int64_t pixels = std::min(width, budget.forced_pixels);
      const bool fits = pixels <= most || split.vectors == 1;
      const double score = fits ? Score(pixels * split.vectors, pixels + split.vectors) : -1;
      if (score > best_score) {
        best_score = score;
        best = PixelTile{pixels, split};
      }
      continue;
    }
    int64_t pixels = std::min(width, most);
    if (pixels < width) {
      // A divisor of the row avoids a remainder tile, unless it is much
      // smaller than what fits.
      int64_t divisor = 1;
      for (int64_t d : Divisors(width)) {
        if (d <= most) divisor = d;
      }
      if (2 * divisor >= most) pixels = divisor;
    }
    const double score = Score(pixels * split.vectors, pixels + split.vectors);
    if (score > best_score) {
      best_score = score;
      best = PixelTile{pixels, split};
    }
  }
  return best;
}

std::optional<PixelLaneTile> ChoosePixelLaneTile(int64_t height, int64_t width,
                                                 int64_t out_channels, int64_t band_rows,
                                                 const RegisterBudget& budget) {
  if (budget.lanes < 2 || out_channels >= budget.lanes) return std::nullopt;
  // The row in the fewest vectors that split it evenly.
  int64_t vectors = (width + budget.lanes - 1) / budget.lanes;
  if (vectors > 2 || width % vectors != 0) return std::nullopt;
  const int64_t lanes = width / vectors;
  // Lanes busy per FMA must beat the channel vector's.
  if (lanes <= out_channels) return std::nullopt;
  // Rows whose accumulators (rows x vectors x channels), row vectors loaded
  // per tap (each used by every channel) and one broadcast weight fit.
  const int64_t most = std::min((budget.registers - 1) / (vectors * (out_channels + 1)),
                                budget.max_accumulators / (vectors * out_channels));
  if (band_rows > 0) {
    if (most < band_rows) return std::nullopt;
    return PixelLaneTile{band_rows, vectors, lanes};
  }
  if (most < 1) return std::nullopt;
  // As many rows as fit, a shorter tile for the rest: every row a tile
  // adds shares the weights' broadcasts.
  const int64_t rows = std::min(height, most);
  return PixelLaneTile{rows, vectors, lanes};
}

std::optional<PixelLaneFilterTile> ChoosePixelLaneFilterTile(int64_t kh, int64_t kw,
                                                             int64_t in_channels,
                                                             int64_t out_channels, int64_t width,
                                                             const RegisterBudget& budget) {
  if (in_channels != 1 || budget.lanes < 2 || out_channels >= budget.lanes) return std::nullopt;
  const int64_t vectors = (width + budget.lanes - 1) / budget.lanes;
  if (vectors > 2 || width % vectors != 0 || width / vectors <= out_channels) return std::nullopt;
  std::optional<PixelLaneFilterTile> best;
  double best_score = -1;
  const std::pair<int64_t, int64_t> taps[] = {{1, 1}, {1, kw}, {kh, kw}};
  for (const auto& [th, tw] : taps) {
    for (int64_t outputs : Divisors(out_channels)) {
      const int64_t accumulators = th * tw * outputs;
      // Accumulators, the output-gradient vectors and one input vector.
      if (accumulators > budget.max_accumulators || accumulators + outputs + 1 > budget.registers)
        continue;
      // Per step: th x tw input vectors and `outputs` gradient vectors.
      const double score = Score(accumulators, th * tw + outputs);
      if (score > best_score) {
        best_score = score;
        best = PixelLaneFilterTile{th, tw, outputs, vectors, width / vectors};
      }
    }
  }
  return best;
}

FilterTile ChooseFilterTile(int64_t kh, int64_t kw, int64_t in_channels, int64_t out_channels,
                            const RegisterBudget& budget) {
  FilterTile best;
  double best_score = -1;
  int64_t best_accumulators = 0;
  const std::pair<int64_t, int64_t> taps[] = {{1, 1}, {1, kw}, {kh, kw}};
  for (const ChannelSplit& split : ChannelSplits(out_channels, budget.lanes)) {
    for (const auto& [th, tw] : taps) {
      for (int64_t inputs : Divisors(in_channels)) {
        const int64_t accumulators = th * tw * inputs * split.vectors;
        // Accumulators, the output-gradient vectors and the broadcast input.
        if (accumulators + split.vectors + 1 > budget.registers ||
            accumulators > budget.max_accumulators)
          continue;
        const double score = Score(accumulators, th * tw * inputs + split.vectors);
        if (score > best_score || (score == best_score && accumulators > best_accumulators)) {
          best_score = score;
          best_accumulators = accumulators;
          best = FilterTile{th, tw, inputs, split};
        }
      }
    }
  }
  return best;
}

int64_t BatchChunks(int64_t batch) {
  for (int64_t chunks = 8; chunks > 1; --chunks) {
    if (batch % chunks == 0 && batch / chunks >= 16) return chunks;
  }
  return 1;
}

}  // namespace dlc::to_loops
