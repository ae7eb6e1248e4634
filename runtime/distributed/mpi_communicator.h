// The Communicator over Open MPI (built only with DLC_WITH_MPI). MPI is
// initialised here and finalised when the communicator is destroyed.
#ifndef DLC_RUNTIME_DISTRIBUTED_MPI_COMMUNICATOR_H_
#define DLC_RUNTIME_DISTRIBUTED_MPI_COMMUNICATOR_H_

#include <memory>

#include "absl/status/statusor.h"
#include "runtime/distributed/communicator.h"

namespace dlc::distributed {

absl::StatusOr<std::unique_ptr<Communicator>> MakeMpiCommunicator(
    const CommunicatorOptions& options);

}  // namespace dlc::distributed

#endif  // DLC_RUNTIME_DISTRIBUTED_MPI_COMMUNICATOR_H_
