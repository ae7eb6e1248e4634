// Before a data-parallel run's first step: every rank must run the same dlc
// on the same model, flags, starting weights and data, or the ranks would
// sum gradients of different things. Each is compared as a hash.
#ifndef DLC_TOOLS_RANK_AGREEMENT_H_
#define DLC_TOOLS_RANK_AGREEMENT_H_

#include "absl/status/status.h"
#include "runtime/dataset.h"
#include "runtime/distributed/communicator.h"
#include "tools/training_setup.h"

namespace dlc::tools {

// An error naming the first rank that differs from rank 0 and in what: the
// dlc executable, the training step (model, optimizer, batch, seed, epochs),
// the starting parameters and optimizer state, or the training data.
absl::Status CheckRanksAgree(distributed::Communicator& comm, const TrainingSetup& setup,
                             const LabeledImages& data);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_RANK_AGREEMENT_H_
