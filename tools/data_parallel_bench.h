// dlc bench under mpirun: the throughput of data-parallel training steps
// (each rank's shard through the gradient step, the sum over the ranks, the
// update), with the time spent in the sum.
#ifndef DLC_TOOLS_DATA_PARALLEL_BENCH_H_
#define DLC_TOOLS_DATA_PARALLEL_BENCH_H_

#include <string>

#include "absl/status/statusor.h"
#include "runtime/distributed/communicator.h"

namespace dlc::tools {

// Trains `path`'s model data-parallel on random images for `repeats` timed
// epochs of `steps` steps (after one untimed) and reports, on rank 0, the
// median epoch's images/s per rank and in total and where a step's time goes.
absl::StatusOr<std::string> DataParallelBench(const std::string& path,
                                              distributed::Communicator& comm, int64_t repeats,
                                              int64_t steps);

}  // namespace dlc::tools

#endif  // DLC_TOOLS_DATA_PARALLEL_BENCH_H_
