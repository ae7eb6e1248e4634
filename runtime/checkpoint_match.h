// Matching a checkpoint's tensors against what a model expects, for every
// command that loads parameters (train --init and --resume, eval, predict):
// each problem is listed (up to ten), each naming the tensor, and a tensor
// the model does not know that looks like a rename of a missing one says so.
#ifndef DLC_RUNTIME_CHECKPOINT_MATCH_H_
#define DLC_RUNTIME_CHECKPOINT_MATCH_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ir/tensor.h"
#include "runtime/safetensors.h"

namespace dlc {

struct ExpectedTensors {
  // Must be there, each of exactly this type (a model's parameters).
  std::map<std::string, TensorType> needed;
  // May be there; if so, of exactly this type (optimizer state).
  std::map<std::string, TensorType> optional;
  // Whether a tensor of any other name is ignored (predict reads the
  // parameters of a checkpoint that also holds optimizer state) or an error.
  bool others_allowed = false;
};

// OK, or an InvalidArgument error listing the problems, e.g.
// "checkpoint model.safetensors: tensor dense.kernel is f32[784,10], the
// model needs f32[784,128]; tensor dense.bias is missing (the model needs
// f32[128])".
absl::Status CheckTensorsMatch(const NamedTensors& loaded, const ExpectedTensors& expected,
                               std::string_view source);

}  // namespace dlc

#endif  // DLC_RUNTIME_CHECKPOINT_MATCH_H_
