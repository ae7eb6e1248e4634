// Where a training run stands, as a checkpoint records it next to the
// parameters and optimizer state: the settings that decide its shuffles and
// dropout masks (seed, batch, shuffling, sample count), the epochs done with
// their numbers, and the epoch in progress. dlc's random streams are
// functions of the seed, the epoch and the step (runtime/random.h), so this
// is the whole random-generator state: a run resumed from it ends
// bit-identical to one that never stopped.
//
// It is stored in the safetensors header's string metadata: numbers in
// decimal, doubles with 17 significant digits (so they read back exactly).
#ifndef DLC_RUNTIME_RUN_STATE_H_
#define DLC_RUNTIME_RUN_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/trainer.h"

namespace dlc {

struct RunState {
  uint64_t seed = 0;
  int64_t batch = 0;
  bool shuffle = true;
  int64_t samples = 0;                  // training samples per epoch
  int64_t total_epochs = 0;             // how many the run was asked for
  std::vector<EpochStats> epochs;       // completed, epoch 1 first
  std::optional<PartialEpoch> partial;  // the next epoch, stopped part-way

  int64_t epochs_done() const { return static_cast<int64_t>(epochs.size()); }
};

// Adds the run's keys ("seed", "batch", "shuffle", "samples",
// "total_epochs", "epochs" (done), "history" and, mid-epoch,
// "epoch_in_progress") to `metadata`.
void AddRunStateMetadata(const RunState& state, std::map<std::string, std::string>& metadata);

// The run state recorded in a checkpoint's metadata; `source` (the file)
// names it in errors. A checkpoint without these keys did not come from
// `dlc train` and cannot be resumed.
absl::StatusOr<RunState> ReadRunStateMetadata(const std::map<std::string, std::string>& metadata,
                                              std::string_view source);

}  // namespace dlc

#endif  // DLC_RUNTIME_RUN_STATE_H_
