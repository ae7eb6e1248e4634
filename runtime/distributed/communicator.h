// The collectives data-parallel training needs, behind one interface: the
// trainer and the tools talk to a Communicator, never to MPI. The
// single-process version (one rank) does nothing; the MPI one
// (mpi_communicator.cc, built with DLC_WITH_MPI) is used when dlc runs
// under mpirun. Every wait of the MPI version has a deadline: a rank that
// died or hangs makes the others fail with an error naming it, never hang.
// Errors do not name the rank they happen on: the caller adds Describe().
#ifndef DLC_RUNTIME_DISTRIBUTED_COMMUNICATOR_H_
#define DLC_RUNTIME_DISTRIBUTED_COMMUNICATOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace dlc::distributed {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // The host a rank runs on (its MPI processor name).
  virtual std::string HostOf(int rank) const = 0;

  // Replaces `values` on every rank by their sum over the ranks. The sum of
  // each element is ((v0 + v1) + v2) + ... in rank order, whatever the
  // timing: every rank gets the same bits, and a run repeats exactly.
  virtual absl::Status AllreduceSumInRankOrder(std::span<float> values) = 0;
  // OK when every rank passes the same `value`; else an error naming the
  // first rank whose value differs from rank 0's and what `what` is.
  virtual absl::Status CheckSame(std::string_view what, uint64_t value) = 0;
  virtual absl::Status Barrier() = 0;
  // Ends every rank of the job with `exit_code` (after this rank reported
  // why). The single-process version returns: the caller exits.
  virtual void Abort(int exit_code) = 0;

  // "rank 1 on host node7", for messages.
  std::string Describe(int rank) const;
  std::string Describe() const { return Describe(this->rank()); }
};

struct CommunicatorOptions {
  // How long any collective may wait for the other ranks.
  double timeout_seconds = 300;
};

// One rank, nothing to talk to: every collective returns at once.
std::unique_ptr<Communicator> MakeSingleProcessCommunicator();

// Whether this process was started by mpirun (Open MPI's environment).
bool LaunchedByMpi();

// The MPI communicator when launched by mpirun and built with MPI, else the
// single-process one. Under mpirun without MPI support: an error.
absl::StatusOr<std::unique_ptr<Communicator>> ConnectCommunicator(
    const CommunicatorOptions& options);

}  // namespace dlc::distributed

#endif  // DLC_RUNTIME_DISTRIBUTED_COMMUNICATOR_H_
