// The data-parallel step of the Trainer (trainer.h, DataParallelPlan): this
// rank's shard through the gradient step, the sum over the ranks, the update.
#include <chrono>
#include <cmath>
#include <cstring>

#include "passes/training.h"
#include "runtime/distributed/sharding.h"
#include "runtime/non_finite.h"
#include "runtime/trainer.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

absl::StatusOr<Executor*> Trainer::GradientStep(int64_t shard, int64_t batch) {
  auto& executor = gradient_steps_[{shard, batch}];
  if (!executor) {
    DLC_ASSIGN_OR_RETURN(Graph graph, data_parallel_->gradient_step(shard, batch));
    DLC_ASSIGN_OR_RETURN(executor, backend_.Compile(graph));
  }
  return executor.get();
}

absl::StatusOr<Trainer::StepSums> Trainer::DataParallelStep(const LabeledImages& data,
                                                            std::span<const int64_t> rows,
                                                            int64_t epoch, int64_t step,
                                                            bool stop_here) {
  distributed::Communicator& comm = *data_parallel_->comm;
  const std::string where = StrCat("epoch ", epoch, ", step ", step + 1, ": ");
  const int64_t batch = static_cast<int64_t>(rows.size());
  const distributed::Slice shard = distributed::SliceOf(batch, comm.rank(), comm.size());
  const std::vector<std::string>& names = program().parameters;

  // The buffer the ranks sum: every gradient, then the loss summed over the
  // shard, the right predictions and whether this rank was asked to stop.
  int64_t floats = 0;
  for (const std::string& name : names) floats += parameters_.at(name).num_elements();
  sums_.assign(static_cast<size_t>(floats) + 3, 0.0f);
  float* extra = sums_.data() + floats;

  // Compiles (each shard size's first step, the first update) are not
  // counted in the times.
  if (!update_step_) {
    DLC_ASSIGN_OR_RETURN(Graph graph, data_parallel_->update_step());
    DLC_ASSIGN_OR_RETURN(update_step_, backend_.Compile(graph));
  }
  Executor* gradient = nullptr;
  if (shard.size > 0) {
    DLC_ASSIGN_OR_RETURN(gradient, GradientStep(shard.size, batch));
  }
  auto start = std::chrono::steady_clock::now();
  if (gradient != nullptr) {  // a batch smaller than the ranks leaves some idle
    DLC_RETURN_IF_ERROR(Feed(data, rows.subspan(shard.begin, shard.size), gradient->graph()));
    if (gradient->graph().Find("rng_key")) feeds_["rng_key"] = RngKey(epoch, step);
    for (auto& [name, value] : parameters_) feeds_[name] = std::move(value);
    auto outputs = gradient->Run(feeds_);
    for (auto& [name, value] : parameters_) value = std::move(feeds_[name]);
    if (!outputs.ok()) {
      return absl::Status(outputs.status().code(), StrCat(where, outputs.status().message()));
    }
    float* to = sums_.data();
    for (size_t i = 0; i < names.size(); ++i) {
      std::span<const float> g = (*outputs)[2 + i].values<float>();
      std::memcpy(to, g.data(), g.size_bytes());
      to += g.size();
    }
    extra[0] = static_cast<float>((*outputs)[0].GetDouble(0) * static_cast<double>(shard.size));
    extra[1] = static_cast<float>((*outputs)[1].GetDouble(0));
  }
  extra[2] = stop_here ? 1.0f : 0.0f;
  dp_times_.gradient_seconds += SecondsSince(start);

  start = std::chrono::steady_clock::now();
  if (absl::Status summed = comm.AllreduceSumInRankOrder(sums_); !summed.ok()) {
    return absl::Status(summed.code(), StrCat(where, summed.message()));
  }
  dp_times_.allreduce_seconds += SecondsSince(start);
  dp_times_.allreduce_floats = static_cast<int64_t>(sums_.size());

  StepSums result;
  result.loss_sum = extra[0];
  result.loss = result.loss_sum / static_cast<double>(batch);
  result.correct = static_cast<int64_t>(std::lround(extra[1]));
  if (!std::isfinite(result.loss)) {
    return absl::InvalidArgumentError(
        StrCat(where, "the loss is ", std::isnan(result.loss) ? "NaN" : "infinite",
               "; the step was not applied. A lower learning rate may help"));
  }

  start = std::chrono::steady_clock::now();
  const float* from = sums_.data();
  for (const std::string& name : names) {
    Tensor& g = update_feeds_[GradientSumName(name)];
    if (g.type() != parameters_.at(name).type()) g = Tensor(parameters_.at(name).type());
    std::span<float> to = g.values<float>();
    std::memcpy(to.data(), from, to.size_bytes());
    from += to.size();
  }
  for (auto& [name, value] : parameters_) update_feeds_[name] = std::move(value);
  for (auto& [name, value] : state_) update_feeds_[name] = std::move(value);
  auto outputs = update_step_->Run(update_feeds_);
  for (auto& [name, value] : parameters_) value = std::move(update_feeds_[name]);
  for (auto& [name, value] : state_) value = std::move(update_feeds_[name]);
  if (!outputs.ok()) {
    return absl::Status(outputs.status().code(), StrCat(where, outputs.status().message()));
  }
  // Every rank computed the same update: a non-finite value stops them all.
  size_t next = 0;
  auto check = [&](const std::string& name, std::string_view kind) -> absl::Status {
    Tensor& value = (*outputs)[next++];
    if (std::optional<NonFiniteElement> bad = FirstNonFiniteElement(value)) {
      return absl::InvalidArgumentError(StrCat(where, "the update makes ", kind, " ", name, " ",
                                               bad->ToString(), " (element ", bad->index,
                                               "); the step was not applied"));
    }
    return absl::OkStatus();
  };
  for (const std::string& name : names) DLC_RETURN_IF_ERROR(check(name, "parameter"));
  for (const StateTensor& s : program().state)
    DLC_RETURN_IF_ERROR(check(s.name, "optimizer state"));
  next = 0;
  for (const std::string& name : names) parameters_[name] = std::move((*outputs)[next++]);
  for (const StateTensor& s : program().state) state_[s.name] = std::move((*outputs)[next++]);
  dp_times_.update_seconds += SecondsSince(start);
  ++dp_times_.steps;
  stop_agreed_ = extra[2] > 0;
  return result;
}

}  // namespace dlc
