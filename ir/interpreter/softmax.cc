// softmax, log_softmax {axis} and softmax_cross_entropy, all computed from
// x - max(x) along the axis so large inputs (1000, 1001) neither overflow
// exp nor lose the answer:
//   log_softmax(x)_j = x_j - max - log(sum_i exp(x_i - max))
//   softmax(x)_j     = exp(x_j - max) / sum_i exp(x_i - max)
// A row containing +inf, or only -inf, gives NaN (as in TensorFlow).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "ir/interpreter/dispatch.h"
#include "ir/interpreter/indexing.h"
#include "ir/interpreter/kernels.h"
#include "ir/shape_util.h"

namespace dlc::interpreter_internal {
namespace {

// max and log(sum(exp(x - max))) of the `count` elements x[0], x[stride], ...
template <typename T>
struct RowStats {
  T max;
  T log_sum_exp_shifted;
};

template <typename T>
RowStats<T> StatsOf(const T* x, int64_t count, int64_t stride) {
  T max = -std::numeric_limits<T>::infinity();
  for (int64_t a = 0; a < count; ++a) max = std::max(max, x[a * stride]);
  T sum = 0;
  for (int64_t a = 0; a < count; ++a) sum += std::exp(x[a * stride] - max);
  return {max, std::log(sum)};
}

absl::StatusOr<Tensor> Softmax(const Node& node, const Tensor& x, bool take_log) {
  auto axis = NormalizeAxis(AttrInt(node.attrs, "axis"), x.type().rank());
  if (!axis.ok()) return axis.status();
  const AxisSplit split = SplitAtAxis(x.shape(), *axis);
  return DispatchFloat(x.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
    using T = typename decltype(tag)::type;
    Tensor out(node.type);
    std::span<const T> in = x.values<T>();
    std::span<T> values = out.values<T>();
    for (int64_t o = 0; o < split.outer; ++o) {
      for (int64_t i = 0; i < split.inner; ++i) {
        const int64_t first = split.Offset(o, 0, i);
        const RowStats<T> stats = StatsOf(in.data() + first, split.axis_size, split.inner);
        for (int64_t a = 0; a < split.axis_size; ++a) {
          const int64_t at = split.Offset(o, a, i);
          const T log_p = in[at] - stats.max - stats.log_sum_exp_shifted;
          values[at] = take_log ? log_p : std::exp(log_p);
        }
      }
    }
    return out;
  });
}

// Mean over the batch of -log_softmax(logits[n])[labels[n]].
absl::StatusOr<Tensor> SoftmaxCrossEntropy(const Node& node, const Tensor& logits,
                                           const Tensor& labels) {
  const int64_t batch = logits.shape()[0];
  const int64_t classes = logits.shape()[1];
  return DispatchInteger(labels.dtype(), [&](auto label_tag) {
    using L = typename decltype(label_tag)::type;
    std::span<const L> label_values = labels.values<L>();
    return DispatchFloat(logits.dtype(), [&](auto tag) -> absl::StatusOr<Tensor> {
      using T = typename decltype(tag)::type;
      std::span<const T> in = logits.values<T>();
      T total = 0;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t label = label_values[n];
        if (label < 0 || label >= classes) {
          return absl::InvalidArgumentError(
              StrCat("batch row ", n, " has label ", label, ", outside [0, ", classes, ")"));
        }
        const T* row = in.data() + n * classes;
        const RowStats<T> stats = StatsOf(row, classes, 1);
        total += stats.max + stats.log_sum_exp_shifted - row[label];
      }
      Tensor out(node.type);
      out.values<T>()[0] = total / static_cast<T>(batch);
      return out;
    });
  });
}

}  // namespace

absl::StatusOr<Tensor> EvalSoftmaxFamily(const Node& node, Operands in) {
  switch (node.op) {
    case OpKind::kSoftmax: return Softmax(node, *in[0], /*take_log=*/false);
    case OpKind::kLogSoftmax: return Softmax(node, *in[0], /*take_log=*/true);
    case OpKind::kSoftmaxCrossEntropy: return SoftmaxCrossEntropy(node, *in[0], *in[1]);
    case OpKind::kOneHot: return EvalOneHot(node, in);
    default: return absl::InternalError(StrCat(OpName(node.op), " is not a softmax op"));
  }
}

}  // namespace dlc::interpreter_internal
