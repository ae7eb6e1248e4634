// The `train` section of a .dl program, resolved into typed settings:
//
//   train mnist_cnn {
//     data = idx("data/train-images.gz", "data/train-labels.gz", limit=1000)
//     test = idx("data/test-images.gz", "data/test-labels.gz")
//     loss = softmax_cross_entropy
//     optimizer = adam(lr=0.001)          # or sgd(0.05, momentum=0.9, nesterov=true)
//     batch = 32
//     epochs = 5
//     seed = 0
//     shuffle = true
//     drop_remainder = false
//   }
//
// Absent settings keep the defaults below. Every mistake in the section is
// reported at once, with file:line:col, the source line, a caret and a hint.
#ifndef DLC_FRONTEND_TRAIN_CONFIG_H_
#define DLC_FRONTEND_TRAIN_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "ir/optimizer_spec.h"

namespace dlc::dl {

// A data set stored as a pair of IDX files.
struct DataSource {
  // Relative paths are resolved against the folder of the .dl file;
  // absolute paths are kept as written.
  std::string images, labels;
  int64_t limit = -1;  // use the first N samples; -1 = all
};

struct TrainConfig {
  std::optional<DataSource> data, test;
  std::string loss = "softmax_cross_entropy";
  OptimizerSpec optimizer;
  int64_t batch = 32;
  int64_t epochs = 1;
  uint64_t seed = 0;
  bool shuffle = true;
  bool drop_remainder = false;
};

// The train section of `model` resolved. A model without a train section
// gets the defaults and no data. Besides the section's own settings, this
// checks that every train section of the program names a model that exists,
// and that `model` has only one train section. All errors come back as one
// InvalidArgument status holding the rendered diagnostics; a `model` the
// program neither defines nor trains is NotFound.
absl::StatusOr<TrainConfig> ResolveTrainConfig(const Program& program, std::string_view model);

// A one-line summary for tools, e.g.
// "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07)" or
// "sgd(lr=0.05, momentum=0.9, nesterov=true)". Arguments that are off
// (zero weight decay; zero momentum, no nesterov) are left out.
std::string DescribeOptimizer(const OptimizerSpec& optimizer);

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_TRAIN_CONFIG_H_
