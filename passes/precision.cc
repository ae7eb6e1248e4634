#include "passes/precision.h"

#include "ir/verifier.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {

absl::StatusOr<Graph> ConvertFloatPrecision(const Graph& graph, DType to) {
  if (!IsFloat(to)) {
    return absl::InvalidArgumentError(StrCat("precision must be f32 or f64, got ", DTypeName(to)));
  }
  Graph result = graph;
  auto convert = [to](DType d) { return d == DType::kF32 ? to : d; };
  for (Node& node : result.nodes) {
    node.type.dtype = convert(node.type.dtype);
    for (auto& [name, value] : node.attrs) {
      if (DType* d = std::get_if<DType>(&value)) *d = convert(*d);
    }
  }
  DLC_RETURN_IF_ERROR(VerifyGraph(result));
  return result;
}

}  // namespace dlc
