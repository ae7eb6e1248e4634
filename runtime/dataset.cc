#include "runtime/dataset.h"

#include <algorithm>
#include <cstring>

#include "runtime/idx.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// Rows [start, start + count) of `source` along its first axis, as a tensor of
// shape [count] + row_shape (row_shape holds as many elements as one row).
Tensor CopyRows(const Tensor& source, int64_t start, int64_t count, const Shape& row_shape) {
  Shape shape = {count};
  shape.insert(shape.end(), row_shape.begin(), row_shape.end());
  Tensor rows(source.dtype(), shape);
  const int64_t row_bytes = NumElements(row_shape) * DTypeSize(source.dtype());
  std::memcpy(rows.raw_data(), source.raw_data() + start * row_bytes, count * row_bytes);
  return rows;
}

Shape RowShape(const Tensor& t) { return Shape(t.shape().begin() + 1, t.shape().end()); }

absl::Status CheckLabels(const Tensor& labels, const std::string& path, int num_classes) {
  std::span<const uint8_t> values = labels.values<uint8_t>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] >= num_classes) {
      return Invalid(StrCat("labels file '", path, "': label ", static_cast<int>(values[i]),
                            " at index ", i, " is out of range for ", num_classes,
                            " classes (labels must be 0 to ", num_classes - 1, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LabeledImages> LoadIdxDataset(const std::string& images_path,
                                             const std::string& labels_path, int num_classes,
                                             int64_t limit) {
  if (num_classes < 1 || num_classes > 256) {
    return Invalid(StrCat("data set '", images_path,
                          "': num_classes must be 1 to 256 (labels are u8), got ", num_classes));
  }
  if (limit != -1 && limit <= 0) {
    return Invalid(StrCat("data set '", images_path, "': limit ", limit,
                          " must be positive, or -1 for all samples"));
  }
  DLC_ASSIGN_OR_RETURN(Tensor images, ReadIdx(images_path));
  DLC_ASSIGN_OR_RETURN(Tensor labels, ReadIdx(labels_path));
  if (images.dtype() != DType::kU8 || images.type().rank() != 3) {
    return Invalid(StrCat("images file '", images_path, "' holds ", images.type().ToString(),
                          ", but images must be u8 [N, H, W]"));
  }
  if (labels.dtype() != DType::kU8 || labels.type().rank() != 1) {
    return Invalid(StrCat("labels file '", labels_path, "' holds ", labels.type().ToString(),
                          ", but labels must be u8 [N]"));
  }
  const int64_t count = images.shape()[0];
  if (labels.shape()[0] != count) {
    return Invalid(StrCat("images file '", images_path, "' has ", count,
                          " images but labels file '", labels_path, "' has ", labels.shape()[0],
                          " labels"));
  }
  if (count == 0) {
    return Invalid(StrCat("images file '", images_path, "' holds no samples"));
  }
  DLC_RETURN_IF_ERROR(CheckLabels(labels, labels_path, num_classes));
  if (limit > count) {
    return Invalid(
        StrCat("data set '", images_path, "': limit ", limit, " exceeds its ", count, " samples"));
  }

  const int64_t kept = limit == -1 ? count : limit;
  LabeledImages data;
  data.images = CopyRows(images, 0, kept, {images.shape()[1], images.shape()[2], 1});
  data.labels = CopyRows(labels, 0, kept, {});
  return data;
}

absl::StatusOr<LabeledImages> TakeBatch(const LabeledImages& data, int64_t start, int64_t count) {
  const int64_t size = data.size();
  if (data.images.type().rank() == 0 || data.images.shape()[0] != size) {
    return Invalid(StrCat("cannot take a batch: images ", data.images.type().ToString(),
                          " do not match labels ", data.labels.type().ToString()));
  }
  if (start < 0 || count < 1 || start > size || count > size - start) {
    return Invalid(StrCat("cannot take a batch of ", count, " samples from index ", start,
                          ": the data set has ", size, " samples"));
  }
  LabeledImages batch;
  batch.images = CopyRows(data.images, start, count, RowShape(data.images));
  batch.labels = CopyRows(data.labels, start, count, RowShape(data.labels));
  return batch;
}

bool SameSampleShape(std::span<const int64_t> data, std::span<const int64_t> model) {
  while (!data.empty() && data.back() == 1) data = data.first(data.size() - 1);
  while (!model.empty() && model.back() == 1) model = model.first(model.size() - 1);
  return std::equal(data.begin(), data.end(), model.begin(), model.end());
}

}  // namespace dlc
