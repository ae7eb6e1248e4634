// Labeled image data sets stored as a pair of IDX files (MNIST layout).
#ifndef DLC_RUNTIME_DATASET_H_
#define DLC_RUNTIME_DATASET_H_

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "ir/tensor.h"

namespace dlc {

struct LabeledImages {
  Tensor images;  // u8 [N, H, W, 1]: NHWC with one channel
  Tensor labels;  // u8 [N], each < the number of classes

  int64_t size() const { return labels.shape().empty() ? 0 : labels.shape()[0]; }
};

// Loads images (u8 [N, H, W]) and labels (u8 [N]) from IDX files, plain or
// gzip, and adds the channel axis. Checks that the counts agree and every
// label is below `num_classes`; keeps only the first `limit` samples unless
// `limit` is -1. Errors name the file(s) at fault.
absl::StatusOr<LabeledImages> LoadIdxDataset(const std::string& images_path,
                                             const std::string& labels_path, int num_classes = 10,
                                             int64_t limit = -1);

// A copy of samples [start, start + count) of `data`.
// Whether images of `data` (one sample's dimensions, as stored: IDX images
// are rows x columns) fit a model input of `model` (rows x columns x
// channels): the same dimensions, where a trailing dimension of 1 may be
// left out. 14x56 or 784x1 data do not fit a 28x28x1 input, though they
// have as many values.
bool SameSampleShape(std::span<const int64_t> data, std::span<const int64_t> model);

absl::StatusOr<LabeledImages> TakeBatch(const LabeledImages& data, int64_t start, int64_t count);

}  // namespace dlc

#endif  // DLC_RUNTIME_DATASET_H_
