#include "runtime/trainer.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <utility>

#include "ir/random_hash.h"
#include "ir/verifier.h"
#include "runtime/checkpoint_match.h"
#include "runtime/initializers.h"
#include "runtime/non_finite.h"
#include "runtime/random.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

// The graph's first input that is not %labels and not optimizer state: the
// model's input, fed with images.
// The model's one input, which the data set's images feed. A model with
// several inputs cannot be trained from one image file: an error naming
// them, before any step (not "%y is not fed" at step 1).
absl::StatusOr<ValueId> ImageInput(const Graph& g, const TrainingProgram& program) {
  std::vector<ValueId> inputs;
  for (ValueId id : g.Inputs()) {
    const std::string& name = g.node(id).name;
    bool is_state = false;
    for (const StateTensor& s : program.state) is_state |= s.name == name;
    if (name != "labels" && name != "rng_key" && !is_state) inputs.push_back(id);
  }
  if (inputs.empty())
    return absl::InvalidArgumentError(StrCat("graph ", g.name, " has no model input"));
  if (inputs.size() > 1) {
    std::string names;
    for (ValueId id : inputs) names += StrCat(names.empty() ? "" : ", ", g.node(id).name);
    return absl::InvalidArgumentError(StrCat(
        "the model takes ", inputs.size(), " inputs (", names,
        "), but a train section's data set feeds one: a model trained by dlc train has one input"));
  }
  return inputs[0];
}

// Whether images of `data` feed an input of `input`: the same dtype, or u8
// pixels for an f32 input (an imported ONNX model's), which takes their
// values 0..255.
bool DataFeeds(DType data, DType input) {
  return data == input || (data == DType::kU8 && input == DType::kF32);
}

// Rows `rows` of `source` (first axis) copied into a tensor of `type`, whose
// rows must hold as many elements; u8 values become f32 for an f32 `type`.
Tensor GatherRows(const Tensor& source, std::span<const int64_t> rows, const TensorType& type) {
  if (source.dtype() != type.dtype) {
    const Tensor pixels = GatherRows(source, rows, {source.dtype(), type.shape});
    Tensor out(type);
    std::span<float> to = out.values<float>();
    std::span<const uint8_t> from = pixels.values<uint8_t>();
    for (size_t i = 0; i < to.size() && i < from.size(); ++i) to[i] = from[i];
    return out;
  }
  Tensor out(type);
  const int64_t row_bytes = source.byte_size() / std::max<int64_t>(source.shape()[0], 1);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(source.raw_data() + rows[i] * row_bytes, row_bytes,
                out.raw_data() + static_cast<int64_t>(i) * row_bytes);
  }
  return out;
}

}  // namespace

Tensor Trainer::RngKey(int64_t epoch, int64_t step) const {
  // Dropout's random key: the seed, and a number derived from the epoch and
  // step alone (so a resumed run draws the same masks).
  const uint64_t step_id =
      MixBits((static_cast<uint64_t>(epoch) << 32) | static_cast<uint64_t>(step));
  return Tensor::FromVector<int32_t>(
      DType::kI32, {2},
      std::vector<int32_t>{static_cast<int32_t>(options_.seed), static_cast<int32_t>(step_id)});
}

absl::StatusOr<std::unique_ptr<Trainer>> Trainer::Create(
    ProgramFactory factory, Backend& backend, const TrainOptions& options,
    std::optional<DataParallelPlan> data_parallel) {
  if (options.batch <= 0) {
    return absl::InvalidArgumentError(
        StrCat("the batch size must be positive, got ", options.batch));
  }
  if (options.epochs <= 0) {
    return absl::InvalidArgumentError(StrCat("epochs must be positive, got ", options.epochs));
  }
  std::unique_ptr<Trainer> trainer(new Trainer(std::move(factory), backend, options));
  trainer->data_parallel_ = std::move(data_parallel);
  DLC_ASSIGN_OR_RETURN(Compiled * main, trainer->ForBatch(options.batch));
  DLC_ASSIGN_OR_RETURN(trainer->parameters_,
                       InitializeParameters(main->program.train_step, options.seed));
  for (const StateTensor& s : main->program.state) trainer->state_.emplace(s.name, Tensor(s.type));
  if (trainer->data_parallel_) {
    // The ranks sum gradients as f32.
    for (const auto& [name, value] : trainer->parameters_) {
      if (value.dtype() != DType::kF32) {
        return absl::UnimplementedError(StrCat("data-parallel training sums f32 gradients, but %",
                                               name, " is ", value.type().ToString()));
      }
    }
  }
  return trainer;
}

absl::StatusOr<Trainer::Compiled*> Trainer::ForBatch(int64_t batch) {
  if (auto it = programs_.find(batch); it != programs_.end()) return &it->second;
  Compiled compiled;
  DLC_ASSIGN_OR_RETURN(compiled.program, factory_(batch));
  // Data-parallel training runs the step's two halves instead.
  if (!data_parallel_) {
    DLC_ASSIGN_OR_RETURN(compiled.train, backend_.Compile(compiled.program.train_step));
  }
  DLC_ASSIGN_OR_RETURN(compiled.eval, backend_.Compile(compiled.program.eval_step));
  return &programs_.emplace(batch, std::move(compiled)).first->second;
}

absl::Status Trainer::CheckData(const LabeledImages& data, const Compiled& compiled) const {
  const Graph& g = compiled.program.train_step;
  DLC_ASSIGN_OR_RETURN(ValueId input, ImageInput(g, compiled.program));
  const TensorType& want = g.type(input);
  const Tensor& images = data.images;
  Shape sample(images.shape().begin() + std::min<size_t>(1, images.shape().size()),
               images.shape().end());
  Shape model_sample(want.shape.begin() + 1, want.shape.end());
  if (!DataFeeds(images.dtype(), want.dtype) || !SameSampleShape(sample, model_sample)) {
    return absl::InvalidArgumentError(StrCat("the data's samples are ", DTypeName(images.dtype()),
                                             ShapeToString(sample), " but the model's input %",
                                             g.node(input).name, " takes ", DTypeName(want.dtype),
                                             ShapeToString(model_sample)));
  }
  return absl::OkStatus();
}

absl::Status Trainer::CheckData(const LabeledImages& data) const {
  return CheckData(data, programs_.at(options_.batch));
}

absl::Status Trainer::CheckTrainingData(const LabeledImages& data) const {
  DLC_RETURN_IF_ERROR(CheckData(data));
  if (data.size() < options_.batch) {
    return absl::InvalidArgumentError(StrCat("the batch size ", options_.batch,
                                             " is larger than the ", data.size(),
                                             " training samples"));
  }
  return absl::OkStatus();
}

absl::Status Trainer::Feed(const LabeledImages& data, std::span<const int64_t> rows,
                           const Graph& g) {
  DLC_ASSIGN_OR_RETURN(ValueId input, ImageInput(g, program()));
  feeds_[g.node(input).name] = GatherRows(data.images, rows, g.type(input));
  feeds_["labels"] =
      GatherRows(data.labels, rows, {DType::kU8, {static_cast<int64_t>(rows.size())}});
  return absl::OkStatus();
}

absl::StatusOr<EpochStats> Trainer::TrainEpoch(const LabeledImages& data, int64_t epoch,
                                               const ProgressCallback& progress,
                                               const StopRequested& stop) {
  const auto start = std::chrono::steady_clock::now();
  DLC_RETURN_IF_ERROR(CheckTrainingData(data));
  const int64_t n = data.size();
  // Continue the epoch where a stop left it, with its sums so far.
  PartialEpoch done;
  done.epoch = epoch;
  if (partial_) {
    if (partial_->epoch != epoch) {
      return absl::FailedPreconditionError(StrCat(
          "epoch ", partial_->epoch, " was stopped part-way: finish it before epoch ", epoch));
    }
    done = *partial_;
    partial_.reset();
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (options_.shuffle) {
    Rng rng(options_.seed, StreamOf(StrCat("shuffle.", epoch)));
    for (int64_t i = n - 1; i > 0; --i) {
      std::swap(order[i], order[rng.Below(static_cast<uint64_t>(i) + 1)]);
    }
  }
  const int64_t full = n / options_.batch, rest = n % options_.batch;
  const int64_t steps = full + (rest > 0 && !options_.drop_remainder ? 1 : 0);
  auto elapsed = [&] {
    return done.seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  EpochStats stats;
  stats.epoch = epoch;
  for (int64_t step = done.steps; step < steps; ++step) {
    // Data-parallel, only a stop every rank agreed on counts.
    const bool stop_now = data_parallel_ ? std::exchange(stop_agreed_, false) : stop && stop();
    if (stop_now) {
      stats.interrupted = true;
      if (done.steps > 0) {
        partial_ = done;
        partial_->seconds = elapsed();
      }
      break;
    }
    const int64_t begin = step * options_.batch;
    const int64_t size = std::min(options_.batch, n - begin);
    const std::span<const int64_t> rows = std::span(order).subspan(begin, size);
    DLC_ASSIGN_OR_RETURN(const StepSums sums,
                         data_parallel_ ? DataParallelStep(data, rows, epoch, step, stop && stop())
                                        : SingleStep(data, rows, epoch, step));
    done.loss_sum += sums.loss_sum;
    done.correct += sums.correct;
    done.samples += size;
    done.steps = step + 1;
    if (progress) {
      StepProgress p;
      p.epoch = epoch;
      p.step = done.steps;
      p.steps = steps;
      p.samples = done.samples;
      p.loss = done.loss_sum / static_cast<double>(done.samples);
      p.accuracy = static_cast<double>(done.correct) / static_cast<double>(done.samples);
      p.seconds = elapsed();
      p.batch_size = size;
      p.batch_loss = sums.loss;
      p.batch_accuracy = static_cast<double>(sums.correct) / static_cast<double>(size);
      progress(p);
    }
  }
  stats.samples = done.samples;
  stats.steps = done.steps;
  stats.loss = done.samples > 0 ? done.loss_sum / static_cast<double>(done.samples) : 0;
  stats.accuracy =
      done.samples > 0 ? static_cast<double>(done.correct) / static_cast<double>(done.samples) : 0;
  stats.seconds = elapsed();
  return stats;
}

absl::StatusOr<Trainer::StepSums> Trainer::SingleStep(const LabeledImages& data,
                                                      std::span<const int64_t> rows, int64_t epoch,
                                                      int64_t step) {
  const int64_t size = static_cast<int64_t>(rows.size());
  DLC_ASSIGN_OR_RETURN(Compiled * compiled, ForBatch(size));
  DLC_RETURN_IF_ERROR(Feed(data, rows, compiled->program.train_step));
  if (compiled->program.train_step.Find("rng_key")) feeds_["rng_key"] = RngKey(epoch, step);
  for (auto& [name, value] : parameters_) feeds_[name] = std::move(value);
  for (auto& [name, value] : state_) feeds_[name] = std::move(value);
  auto outputs = compiled->train->Run(feeds_, std::move(compiled->spare));
  compiled->spare.clear();
  // Take the parameters back even on failure, so the trainer stays usable.
  for (auto& [name, value] : parameters_) value = std::move(feeds_[name]);
  for (auto& [name, value] : state_) value = std::move(feeds_[name]);
  if (!outputs.ok()) {
    return absl::Status(outputs.status().code(), StrCat("epoch ", epoch, ", step ", step + 1, ": ",
                                                        outputs.status().message()));
  }
  const double loss = (*outputs)[0].GetDouble(0);
  const TrainingProgram& program = compiled->program;
  const std::string where = StrCat("epoch ", epoch, ", step ", step + 1, ": ");
  if (!std::isfinite(loss)) {
    return NonFiniteStep(*compiled,
                         StrCat(where, "the loss is ", std::isnan(loss) ? "NaN" : "infinite"));
  }
  // A finite loss does not make a finite update: every new parameter and
  // state tensor is checked (one pass over each) before the step counts.
  {
    size_t index = 2;
    auto check = [&](const std::string& name, std::string_view kind) -> absl::Status {
      if (std::optional<NonFiniteElement> bad = FirstNonFiniteElement((*outputs)[index++])) {
        return NonFiniteStep(*compiled, StrCat(where, "the update makes ", kind, " ", name, " ",
                                               bad->ToString(), " (element ", bad->index, ")"));
      }
      return absl::OkStatus();
    };
    for (const std::string& name : program.parameters)
      DLC_RETURN_IF_ERROR(check(name, "parameter"));
    for (const StateTensor& s : program.state)
      DLC_RETURN_IF_ERROR(check(s.name, "optimizer state"));
  }
  StepSums sums;
  sums.loss = loss;
  sums.loss_sum = loss * static_cast<double>(size);
  sums.correct = static_cast<int64_t>((*outputs)[1].GetDouble(0));
  // The step's outputs become the parameters; the ones they replace are
  // the next step's output storage.
  compiled->spare.resize(outputs->size());
  size_t next = 2;
  for (const std::string& name : program.parameters) {
    compiled->spare[next] = std::exchange(parameters_[name], std::move((*outputs)[next]));
    ++next;
  }
  for (const StateTensor& s : program.state) {
    compiled->spare[next] = std::exchange(state_[s.name], std::move((*outputs)[next]));
    ++next;
  }
  return sums;
}

absl::Status Trainer::NonFiniteStep(const Compiled& compiled, std::string_view problem) {
  const std::string what = StrCat(problem, "; the step was not applied");
  // Re-run the step on the reference interpreter, which checks every value.
  Feeds feeds = feeds_;
  for (const auto& [name, value] : parameters_) feeds[name] = value;
  for (const auto& [name, value] : state_) feeds[name] = value;
  const Graph& g = compiled.program.train_step;
  auto culprit = FirstNonFiniteValue(g, feeds);
  if (!culprit.ok()) {
    return absl::InternalError(StrCat(
        what, " (re-running it on the interpreter failed: ", culprit.status().message(), ")"));
  }
  if (!*culprit) {
    return absl::InternalError(
        StrCat(what,
               ". On the reference interpreter every value of the step is "
               "finite: the backend disagrees with it (please report this)"));
  }
  const Node& node = g.node(**culprit);
  const bool fed = node.op == OpKind::kInput || node.op == OpKind::kParameter;
  return absl::InvalidArgumentError(StrCat(
      what, ". The first non-finite value ", fed ? "is fed in: " : "is produced by ",
      DescribeNode(g, **culprit), " ", node.type.ToString(),
      fed ? ". Check the data and the initial parameters" : ". A lower learning rate may help"));
}

absl::StatusOr<EvalStats> Trainer::Evaluate(const LabeledImages& data) {
  DLC_RETURN_IF_ERROR(CheckData(data));
  EvalStats stats;
  double loss_sum = 0;
  int64_t correct = 0;
  std::vector<int64_t> rows;
  for (int64_t begin = 0; begin < data.size(); begin += options_.batch) {
    const int64_t size = std::min(options_.batch, data.size() - begin);
    DLC_ASSIGN_OR_RETURN(Compiled * compiled, ForBatch(size));
    rows.resize(size);
    std::iota(rows.begin(), rows.end(), begin);
    DLC_RETURN_IF_ERROR(Feed(data, rows, compiled->program.train_step));
    Feeds feeds;
    for (const Node& node : compiled->program.eval_step.nodes) {
      if (node.op != OpKind::kInput && node.op != OpKind::kParameter) continue;
      if (auto it = parameters_.find(node.name); it != parameters_.end()) {
        feeds.emplace(node.name, it->second);
      } else {
        feeds.emplace(node.name, feeds_.at(node.name));
      }
    }
    DLC_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, compiled->eval->Run(feeds));
    loss_sum += outputs[0].GetDouble(0) * static_cast<double>(size);
    correct += static_cast<int64_t>(outputs[1].GetDouble(0));
    stats.samples += size;
  }
  if (stats.samples > 0) {
    stats.loss = loss_sum / static_cast<double>(stats.samples);
    stats.accuracy = static_cast<double>(correct) / static_cast<double>(stats.samples);
  }
  return stats;
}

absl::Status Trainer::LoadParameters(const NamedTensors& tensors, std::string_view source) {
  // Every parameter; the optimizer state where the file has it (a file of
  // parameters only starts the state afresh); nothing else is read.
  ExpectedTensors expected;
  expected.others_allowed = true;
  for (const auto& [name, current] : parameters_) expected.needed.emplace(name, current.type());
  for (const auto& [name, current] : state_) expected.optional.emplace(name, current.type());
  DLC_RETURN_IF_ERROR(CheckTensorsMatch(tensors, expected, source));
  // Weights of a run that diverged: a NaN would only come out of the first step.
  NamedTensors used;
  for (const auto& [name, value] : tensors) {
    if (parameters_.contains(name) || state_.contains(name)) used.emplace(name, value);
  }
  DLC_RETURN_IF_ERROR(CheckAllFinite(used, source));
  for (const auto& [name, value] : tensors) {
    if (parameters_.contains(name)) {
      parameters_[name] = value;
    } else if (auto it = state_.find(name); it != state_.end()) {
      it->second = value;
    }
  }
  return absl::OkStatus();
}

}  // namespace dlc
