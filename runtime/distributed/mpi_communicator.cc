#include "runtime/distributed/mpi_communicator.h"

#include <mpi.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/distributed/sharding.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc::distributed {
namespace {

using Clock = std::chrono::steady_clock;

// Message tags of the two phases of the reduction.
constexpr int kReduceTag = 1, kGatherTag = 2;

std::string MpiError(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<size_t>(length));
}

class MpiCommunicator : public Communicator {
 public:
  explicit MpiCommunicator(const CommunicatorOptions& options) : options_(options) {}
  ~MpiCommunicator() override {
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }

  absl::Status Init() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
      return absl::UnavailableError("MPI_Init failed");
    }
    // Errors come back as codes (made into Status) instead of ending the job.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    DLC_RETURN_IF_ERROR(Check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup"));
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    // Every rank's host, for messages that name a rank.
    char name[MPI_MAX_PROCESSOR_NAME] = {};
    int length = 0;
    MPI_Get_processor_name(name, &length);
    std::vector<char> names(static_cast<size_t>(size_) * MPI_MAX_PROCESSOR_NAME);
    MPI_Request request;
    DLC_RETURN_IF_ERROR(Check(MPI_Iallgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names.data(),
                                             MPI_MAX_PROCESSOR_NAME, MPI_CHAR, comm_, &request),
                              "MPI_Iallgather"));
    DLC_RETURN_IF_ERROR(WaitCollective(request, "the start-up exchange of host names"));
    for (int r = 0; r < size_; ++r) hosts_.emplace_back(&names[r * MPI_MAX_PROCESSOR_NAME]);
    return absl::OkStatus();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string HostOf(int rank) const override {
    return rank >= 0 && rank < static_cast<int>(hosts_.size()) ? hosts_[rank] : "?";
  }

  // A reduce-scatter then an allgather, over point-to-point messages so that
  // the order of the additions is ours (rank order) and a missing rank can be
  // named: rank c owns chunk c of the buffer, receives every rank's copy of
  // it, adds them in rank order and sends the sum back to every rank.
  absl::Status AllreduceSumInRankOrder(std::span<float> values) override {
    if (size_ == 1) return absl::OkStatus();
    const int64_t n = static_cast<int64_t>(values.size());
    const Slice mine = SliceOf(n, rank_, size_);
    if (SliceOf(n, 0, size_).size > INT32_MAX) {
      return absl::InvalidArgumentError(StrCat("a chunk of ", n, " floats is too large for MPI"));
    }
    staging_.resize(static_cast<size_t>(mine.size) * size_);
    std::vector<MPI_Request> requests;
    std::vector<int> peers;  // the rank each request talks to
    for (int s = 0; s < size_; ++s) {
      if (s == rank_) continue;
      requests.emplace_back();
      peers.push_back(s);
      DLC_RETURN_IF_ERROR(
          Check(MPI_Irecv(staging_.data() + s * mine.size, static_cast<int>(mine.size), MPI_FLOAT,
                          s, kReduceTag, comm_, &requests.back()),
                "MPI_Irecv"));
    }
    for (int c = 0; c < size_; ++c) {
      if (c == rank_) continue;
      const Slice chunk = SliceOf(n, c, size_);
      requests.emplace_back();
      peers.push_back(c);
      DLC_RETURN_IF_ERROR(Check(MPI_Isend(values.data() + chunk.begin, static_cast<int>(chunk.size),
                                          MPI_FLOAT, c, kReduceTag, comm_, &requests.back()),
                                "MPI_Isend"));
    }
    DLC_RETURN_IF_ERROR(WaitPeers(requests, peers, "the gradient sum"));
    std::copy_n(values.data() + mine.begin, mine.size, staging_.data() + rank_ * mine.size);
    float* sum = values.data() + mine.begin;
    std::copy_n(staging_.data(), mine.size, sum);
    for (int s = 1; s < size_; ++s) {
      const float* part = staging_.data() + s * mine.size;
      for (int64_t i = 0; i < mine.size; ++i) sum[i] += part[i];
    }
    requests.clear();
    peers.clear();
    for (int c = 0; c < size_; ++c) {
      if (c == rank_) continue;
      const Slice chunk = SliceOf(n, c, size_);
      requests.emplace_back();
      peers.push_back(c);
      DLC_RETURN_IF_ERROR(Check(MPI_Irecv(values.data() + chunk.begin, static_cast<int>(chunk.size),
                                          MPI_FLOAT, c, kGatherTag, comm_, &requests.back()),
                                "MPI_Irecv"));
      requests.emplace_back();
      peers.push_back(c);
      DLC_RETURN_IF_ERROR(Check(MPI_Isend(sum, static_cast<int>(mine.size), MPI_FLOAT, c,
                                          kGatherTag, comm_, &requests.back()),
                                "MPI_Isend"));
    }
    return WaitPeers(requests, peers, "the gradient sum");
  }

  absl::Status CheckSame(std::string_view what, uint64_t value) override {
    std::vector<uint64_t> all(static_cast<size_t>(size_));
    MPI_Request request;
    DLC_RETURN_IF_ERROR(
        Check(MPI_Iallgather(&value, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, comm_, &request),
              "MPI_Iallgather"));
    DLC_RETURN_IF_ERROR(WaitCollective(request, StrCat("the check of the ", what)));
    for (int r = 1; r < size_; ++r) {
      if (all[r] != all[0]) {
        return absl::FailedPreconditionError(
            StrCat(Describe(r), " has a different ", what, " than ", Describe(0),
                   ": every rank must run the same dlc on the same model, data and flags"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Barrier() override {
    MPI_Request request;
    DLC_RETURN_IF_ERROR(Check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier"));
    return WaitCollective(request, "a barrier");
  }

  void Abort(int exit_code) override { MPI_Abort(MPI_COMM_WORLD, exit_code); }

 private:
  absl::Status Check(int code, std::string_view call) const {
    if (code == MPI_SUCCESS) return absl::OkStatus();
    return absl::UnavailableError(StrCat(call, " failed: ", MpiError(code)));
  }

  // Polls `done` until it says true or the deadline passes: spinning first
  // (a step's messages usually arrive within microseconds), then sleeping
  // briefly between polls so waiting ranks leave the cores to working ones.
  template <typename Done>
  absl::StatusOr<bool> PollUntilDeadline(Done done) const {
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(options_.timeout_seconds));
    for (int polls = 0;; ++polls) {
      DLC_ASSIGN_OR_RETURN(bool finished, done());
      if (finished) return true;
      if (Clock::now() > deadline) return false;
      if (polls > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  // Waits for point-to-point requests; on timeout, names the ranks whose
  // messages did not come.
  absl::Status WaitPeers(std::vector<MPI_Request>& requests, const std::vector<int>& peers,
                         std::string_view what) const {
    DLC_ASSIGN_OR_RETURN(
        bool finished, PollUntilDeadline([&]() -> absl::StatusOr<bool> {
          // MPI_Testsome (unlike MPI_Testall) frees each finished
          // request, so the ones left name who is missing.
          int count = 0;
          indices_.resize(requests.size());
          DLC_RETURN_IF_ERROR(Check(MPI_Testsome(static_cast<int>(requests.size()), requests.data(),
                                                 &count, indices_.data(), MPI_STATUSES_IGNORE),
                                    "MPI_Testsome"));
          return count == MPI_UNDEFINED;
        }));
    if (finished) return absl::OkStatus();
    std::string missing;
    std::vector<bool> named(static_cast<size_t>(size_));
    for (size_t i = 0; i < requests.size(); ++i) {
      if (requests[i] == MPI_REQUEST_NULL || named[peers[i]]) continue;
      named[peers[i]] = true;
      missing += StrCat(missing.empty() ? "" : ", ", Describe(peers[i]));
    }
    return absl::DeadlineExceededError(
        StrCat("waited ", options_.timeout_seconds, " s in ", what, " for ", missing,
               ", which did not answer: it died, hangs or is far behind"));
  }

  absl::Status WaitCollective(MPI_Request& request, std::string_view what) const {
    DLC_ASSIGN_OR_RETURN(
        bool finished, PollUntilDeadline([&]() -> absl::StatusOr<bool> {
          int flag = 0;
          DLC_RETURN_IF_ERROR(Check(MPI_Test(&request, &flag, MPI_STATUS_IGNORE), "MPI_Test"));
          return flag != 0;
        }));
    if (finished) return absl::OkStatus();
    return absl::DeadlineExceededError(
        StrCat("waited ", options_.timeout_seconds, " s in ", what,
               " for the other ranks: one of them died, hangs or is far behind"));
  }

  CommunicatorOptions options_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::vector<std::string> hosts_;
  std::vector<float> staging_;        // every rank's copy of this rank's chunk
  mutable std::vector<int> indices_;  // MPI_Testsome's output
};

}  // namespace

absl::StatusOr<std::unique_ptr<Communicator>> MakeMpiCommunicator(
    const CommunicatorOptions& options) {
  auto comm = std::make_unique<MpiCommunicator>(options);
  DLC_RETURN_IF_ERROR(comm->Init());
  return std::unique_ptr<Communicator>(std::move(comm));
}

}  // namespace dlc::distributed
