#include "tools/data_parallel_bench.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "runtime/random.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/training_setup.h"

namespace dlc::tools {
namespace {

// `n` random samples of the model's input shape and class count.
LabeledImages RandomData(const Trainer& trainer, int64_t n, uint64_t seed) {
  const Graph& predict = trainer.program().predict;
  const TensorType& input = predict.type(predict.Inputs()[0]);
  const int64_t classes = predict.type(predict.outputs[0]).shape[1];
  Shape shape = input.shape;
  shape[0] = n;
  LabeledImages data;
  data.images = Tensor(TensorType{DType::kU8, shape});
  data.labels = Tensor(TensorType{DType::kU8, {n}});
  Rng rng(seed, StreamOf("bench.data"));
  for (uint8_t& v : data.images.values<uint8_t>()) v = static_cast<uint8_t>(rng.Below(256));
  for (uint8_t& v : data.labels.values<uint8_t>())
    v = static_cast<uint8_t>(rng.Below(static_cast<uint64_t>(classes)));
  return data;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

absl::StatusOr<std::string> DataParallelBench(const std::string& path,
                                              distributed::Communicator& comm, int64_t repeats,
                                              int64_t steps) {
  TrainOverrides overrides = OverridesFromFlags();
  overrides.epochs = repeats + 1;
  DLC_ASSIGN_OR_RETURN(TrainingSetup setup, SetUpTraining(path, overrides, &comm));
  const int64_t batch = setup.config.batch;
  const LabeledImages data = RandomData(*setup.trainer, batch * steps, setup.config.seed);
  std::vector<double> seconds, allreduce, gradient, update;
  for (int64_t epoch = 1; epoch <= repeats + 1; ++epoch) {
    const DataParallelTimes before = setup.trainer->data_parallel_times();
    DLC_ASSIGN_OR_RETURN(EpochStats stats, setup.trainer->TrainEpoch(data, epoch));
    const DataParallelTimes& after = setup.trainer->data_parallel_times();
    if (epoch == 1) continue;  // compiles and warm-up
    seconds.push_back(stats.seconds / static_cast<double>(steps));
    allreduce.push_back((after.allreduce_seconds - before.allreduce_seconds) /
                        static_cast<double>(steps));
    gradient.push_back((after.gradient_seconds - before.gradient_seconds) /
                       static_cast<double>(steps));
    update.push_back((after.update_seconds - before.update_seconds) / static_cast<double>(steps));
  }
  const double step = Median(seconds);
  const double total = static_cast<double>(batch) / step;
  const auto& t = setup.trainer->data_parallel_times();
  return absl::StrFormat(
      "%s, data-parallel on %d ranks (MPI), batch %lld (shards of %lld), threads per rank: %s\n"
      "  step (median of %lld epochs of %lld steps): %.3f ms\n"
      "    gradients %.3f ms, sum over the ranks %.3f ms (%lld floats, %.1f%% of the step), "
      "update %.3f ms\n"
      "  images/s: %.0f in total, %.0f per rank\n",
      setup.model, comm.size(), static_cast<long long>(batch),
      static_cast<long long>(batch / comm.size()),
      overrides.threads ? StrCat(*overrides.threads) : std::string("every core"),
      static_cast<long long>(repeats), static_cast<long long>(steps), step * 1e3,
      Median(gradient) * 1e3, Median(allreduce) * 1e3, static_cast<long long>(t.allreduce_floats),
      100 * Median(allreduce) / step, Median(update) * 1e3, total, total / comm.size());
}

}  // namespace dlc::tools
