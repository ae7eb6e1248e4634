#include "runtime/distributed/communicator.h"

#include <unistd.h>

#include <cstdlib>

#include "support/str_cat.h"

#ifdef DLC_WITH_MPI
#include "runtime/distributed/mpi_communicator.h"
#endif

namespace dlc::distributed {
namespace {

class SingleProcessCommunicator : public Communicator {
 public:
  SingleProcessCommunicator() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0) host_ = name;
  }
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string HostOf(int) const override { return host_; }
  absl::Status AllreduceSumInRankOrder(std::span<float>) override { return absl::OkStatus(); }
  absl::Status CheckSame(std::string_view, uint64_t) override { return absl::OkStatus(); }
  absl::Status Barrier() override { return absl::OkStatus(); }
  void Abort(int) override {}

 private:
  std::string host_ = "localhost";
};

}  // namespace

std::string Communicator::Describe(int rank) const {
  return StrCat("rank ", rank, " on host ", HostOf(rank));
}

std::unique_ptr<Communicator> MakeSingleProcessCommunicator() {
  return std::make_unique<SingleProcessCommunicator>();
}

bool LaunchedByMpi() {
  // Open MPI's launcher sets these in every process it starts (PMIx for
  // other launchers such as srun).
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

absl::StatusOr<std::unique_ptr<Communicator>> ConnectCommunicator(
    const CommunicatorOptions& options) {
  // Not under mpirun: no MPI_Init, so a plain run behaves as it always did.
  if (!LaunchedByMpi()) return MakeSingleProcessCommunicator();
#ifdef DLC_WITH_MPI
  return MakeMpiCommunicator(options);
#else
  (void)options;
  return absl::FailedPreconditionError(
      "this dlc was built without MPI (cmake -DDLC_WITH_MPI=OFF), but it was started by "
      "mpirun: rebuild with DLC_WITH_MPI=ON to train on several processes");
#endif
}

}  // namespace dlc::distributed
