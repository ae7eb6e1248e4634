#include "ir/shape_util.h"

#include <algorithm>

#include "absl/status/status.h"
#include "support/str_cat.h"

namespace dlc {

absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Dimension i counted from the right; missing dimensions act as 1.
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      return absl::InvalidArgumentError(
          StrCat("shapes ", ShapeToString(a), " and ", ShapeToString(b), " do not broadcast"));
    }
    result[rank - 1 - i] = da == 1 ? db : da;
  }
  return result;
}

absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(StrCat("axis ", axis, " is out of range for rank ", rank));
  }
  return axis < 0 ? axis + rank : axis;
}

absl::StatusOr<IntList> NormalizeAxes(const IntList& axes, int64_t rank) {
  IntList result;
  for (int64_t axis : axes) {
    auto normalized = NormalizeAxis(axis, rank);
    if (!normalized.ok()) return normalized.status();
    if (std::find(result.begin(), result.end(), *normalized) != result.end()) {
      return absl::InvalidArgumentError(StrCat("axis ", axis, " is repeated"));
    }
    result.push_back(*normalized);
  }
  return result;
}

Shape ReducedShape(const Shape& shape, const IntList& axes, bool keepdims) {
  Shape result;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) {
      result.push_back(shape[i]);
    } else if (keepdims) {
      result.push_back(1);
    }
  }
  return result;
}

}  // namespace dlc
