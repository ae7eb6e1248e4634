#include "tools/training_setup.h"

#include <cmath>

#include "absl/flags/flag.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "passes/training.h"
#include "runtime/jit/jit_backend.h"
#include "runtime/jit/thread_pool.h"
#include "runtime/safetensors.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "tools/flags.h"
#include "tools/model_loading.h"
#include "tools/pipeline_flags.h"

namespace dlc::tools {
namespace {

// The loss takes the logits a final softmax was computed from, else the
// model's output itself.
ForwardModel ToForward(dl::LoweredModel lowered) {
  const ValueId logits = lowered.logits.value_or(lowered.graph.outputs[0]);
  return {std::move(lowered.graph), logits};
}

absl::Status CheckPositive(std::string_view flag, std::optional<double> value) {
  if (value && !(*value > 0)) {
    return absl::InvalidArgumentError(StrCat("--", flag, " must be positive, got ", *value));
  }
  if (value && !std::isfinite(*value)) {
    return absl::InvalidArgumentError(StrCat("--", flag, " must be finite, got ", *value));
  }
  return absl::OkStatus();
}

absl::Status ApplyOverrides(const TrainOverrides& o, dl::TrainConfig& config) {
  auto as_double = [](std::optional<int64_t> v) -> std::optional<double> {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
  };
  DLC_RETURN_IF_ERROR(CheckPositive("epochs", as_double(o.epochs)));
  DLC_RETURN_IF_ERROR(CheckPositive("batch", as_double(o.batch)));
  DLC_RETURN_IF_ERROR(CheckPositive("lr", o.lr));
  DLC_RETURN_IF_ERROR(CheckPositive("limit", as_double(o.limit)));
  DLC_RETURN_IF_ERROR(CheckPositive("threads", as_double(o.threads)));
  if (o.threads && *o.threads > jit::kMaxThreads) {
    return absl::InvalidArgumentError(
        StrCat("--threads must be at most ", jit::kMaxThreads, ", got ", *o.threads));
  }
  if (o.seed && *o.seed < 0) {
    return absl::InvalidArgumentError(StrCat("--seed must not be negative, got ", *o.seed));
  }
  if (o.epochs) config.epochs = *o.epochs;
  if (o.batch) config.batch = *o.batch;
  if (o.lr) config.optimizer.lr = *o.lr;
  if (o.seed) config.seed = static_cast<uint64_t>(*o.seed);
  if (o.limit) {
    if (!config.data) return absl::InvalidArgumentError("--limit: the train section names no data");
    config.data->limit = *o.limit;
  }
  if (o.no_shuffle) config.shuffle = false;
  return absl::OkStatus();
}

// --resume: the saved run's settings replace the train section's; a flag
// that asks for other ones is an error (the run would not be the same run).
absl::Status AdoptRunSettings(const Checkpoint& checkpoint, const RunState& run,
                              const TrainOverrides& o, const std::string& model,
                              dl::TrainConfig& config) {
  const std::string& source = o.resume;
  auto saved_model = checkpoint.metadata.find("model");
  if (saved_model == checkpoint.metadata.end() || saved_model->second != model) {
    return absl::InvalidArgumentError(
        StrCat(source, " is a checkpoint of model '",
               saved_model == checkpoint.metadata.end() ? "?" : saved_model->second, "', not of '",
               model, "'"));
  }
  auto conflict = [&](std::string_view flag, const std::string& given, const std::string& saved) {
    return absl::InvalidArgumentError(StrCat("--", flag, "=", given,
                                             " contradicts the resumed run's ", saved, " (", source,
                                             "); leave it out to continue the run, "
                                             "or start a new run from those weights with --init"));
  };
  if (o.seed && static_cast<uint64_t>(*o.seed) != run.seed) {
    return conflict("seed", StrCat(*o.seed), StrCat("seed ", run.seed));
  }
  if (o.batch && *o.batch != run.batch) {
    return conflict("batch", StrCat(*o.batch), StrCat("batch ", run.batch));
  }
  if (o.no_shuffle && run.shuffle) return conflict("no-shuffle", "true", "shuffled batches");
  const std::string optimizer = dl::DescribeOptimizer(config.optimizer);
  if (auto it = checkpoint.metadata.find("optimizer");
      it != checkpoint.metadata.end() && it->second != optimizer) {
    return absl::InvalidArgumentError(StrCat(
        source, " was trained with ", it->second, ", this run asks for ", optimizer,
        "; a resumed run keeps its optimizer (start a new run from those weights with --init)"));
  }
  if (o.limit && *o.limit != run.samples) {
    return conflict("limit", StrCat(*o.limit), StrCat(run.samples, " samples per epoch"));
  }
  if (run.batch > run.samples) {  // no run saves this: the metadata was altered
    return absl::InvalidArgumentError(
        StrCat(source, ": metadata 'batch' is ", run.batch, ", larger than the run's ", run.samples,
               " samples per epoch ('samples'): the checkpoint is damaged and cannot be resumed "
               "(--init starts a new run from its weights)"));
  }
  config.seed = run.seed;
  config.batch = run.batch;
  config.shuffle = run.shuffle;
  if (config.data) config.data->limit = run.samples;
  if (!o.epochs) config.epochs = run.total_epochs;
  if (run.epochs_done() >= config.epochs) {
    return absl::InvalidArgumentError(StrCat(source, " has already trained ", run.epochs_done(),
                                             run.epochs_done() == 1 ? " epoch" : " epochs",
                                             ", and this run's total is ", config.epochs,
                                             ": ask for more with --epochs=N"));
  }
  return absl::OkStatus();
}

// The checkpoint must hold the optimizer's state too: without it the run
// would not continue as it was.
absl::Status CheckHasOptimizerState(const Checkpoint& checkpoint, const Trainer& trainer,
                                    const std::string& source) {
  for (const auto& [name, value] : trainer.optimizer_state()) {
    if (!checkpoint.tensors.contains(name)) {
      return absl::InvalidArgumentError(StrCat(source, ": no tensor ", name, " (",
                                               value.type().ToString(),
                                               ") for the optimizer state a resumed run needs"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(const std::string& name,
                                                     std::optional<int64_t> threads) {
  if (name == "interp") return MakeInterpreterBackend();
  if (name == "jit") {
    jit::JitOptions options;
    options.threads = static_cast<int>(threads.value_or(0));
    // --print-after, --time-passes and --verify-each reach the JIT's compiles.
    DLC_ASSIGN_OR_RETURN(codegen::TargetInfo host, codegen::HostTargetInfo());
    DLC_ASSIGN_OR_RETURN(options.pipeline, PipelineOptionsFromFlags(host));
    options.compiled = [](const Pipeline& pipeline) { PrintPipelineTimings(pipeline); };
    return jit::MakeJitBackend(options);
  }
  return absl::InvalidArgumentError(
      StrCat("--backend=", name, ": unknown backend (available: jit, interp)"));
}

}  // namespace

absl::StatusOr<TrainingProgram> BuildProgram(const dl::Program& program, const std::string& model,
                                             const OptimizerSpec& optimizer, int64_t batch) {
  // The step is built from the model lowered in training mode (dropout
  // active), evaluation and prediction from the inference-mode lowering.
  DLC_ASSIGN_OR_RETURN(dl::LoweredModel training, dl::LowerModel(program, model, {batch, true}));
  DLC_ASSIGN_OR_RETURN(dl::LoweredModel inference, dl::LowerModel(program, model, {batch, false}));
  return BuildTrainingProgram(ToForward(std::move(training)), ToForward(std::move(inference)),
                              optimizer);
}

TrainOverrides OverridesFromFlags() {
  TrainOverrides o;
  o.epochs = absl::GetFlag(FLAGS_epochs);
  o.batch = absl::GetFlag(FLAGS_batch);
  o.lr = absl::GetFlag(FLAGS_lr);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.limit = absl::GetFlag(FLAGS_limit);
  o.no_shuffle = absl::GetFlag(FLAGS_no_shuffle);
  o.model = absl::GetFlag(FLAGS_model);
  o.backend = absl::GetFlag(FLAGS_backend);
  o.threads = absl::GetFlag(FLAGS_threads);
  o.init = absl::GetFlag(FLAGS_init);
  o.resume = absl::GetFlag(FLAGS_resume);
  return o;
}

absl::StatusOr<TrainingSetup> SetUpTraining(const std::string& path,
                                            const TrainOverrides& overrides,
                                            distributed::Communicator* comm) {
  TrainingSetup setup;
  DLC_ASSIGN_OR_RETURN(SourceProgram source, LoadSource(path));
  setup.program = std::make_shared<const dl::Program>(std::move(source.program));
  DLC_ASSIGN_OR_RETURN(setup.model, ChooseModel(*setup.program, overrides.model));
  DLC_ASSIGN_OR_RETURN(setup.config, dl::ResolveTrainConfig(*setup.program, setup.model));
  DLC_RETURN_IF_ERROR(ApplyOverrides(overrides, setup.config));
  if (!overrides.init.empty() && !overrides.resume.empty()) {
    return absl::InvalidArgumentError(
        "--init and --resume exclude each other: --init starts a new run from saved weights, "
        "--resume continues the saved run");
  }
  std::optional<Checkpoint> resumed;
  if (!overrides.resume.empty()) {
    DLC_ASSIGN_OR_RETURN(resumed, ReadSafetensors(overrides.resume));
    DLC_ASSIGN_OR_RETURN(setup.resumed, ReadRunStateMetadata(resumed->metadata, overrides.resume));
    setup.resumed_from = overrides.resume;
    DLC_RETURN_IF_ERROR(
        AdoptRunSettings(*resumed, *setup.resumed, overrides, setup.model, setup.config));
  }
  DLC_ASSIGN_OR_RETURN(setup.backend, MakeBackend(overrides.backend, overrides.threads));

  ProgramFactory factory = [program = setup.program, model = setup.model,
                            optimizer = setup.config.optimizer](int64_t batch) {
    return BuildProgram(*program, model, optimizer, batch);
  };
  TrainOptions options;
  options.epochs = setup.config.epochs;
  options.batch = setup.config.batch;
  options.seed = setup.config.seed;
  options.shuffle = setup.config.shuffle;
  options.drop_remainder = setup.config.drop_remainder;
  std::optional<DataParallelPlan> data_parallel;
  if (comm != nullptr && comm->size() > 1) {
    data_parallel.emplace();
    data_parallel->comm = comm;
    data_parallel->gradient_step = [program = setup.program, model = setup.model](
                                       int64_t shard, int64_t batch) -> absl::StatusOr<Graph> {
      DLC_ASSIGN_OR_RETURN(dl::LoweredModel lowered,
                           dl::LowerModel(*program, model, {shard, true}));
      return BuildGradientStep(ToForward(std::move(lowered)), batch);
    };
    data_parallel->update_step = [program = setup.program, model = setup.model,
                                  optimizer = setup.config.optimizer,
                                  batch = setup.config.batch]() -> absl::StatusOr<Graph> {
      DLC_ASSIGN_OR_RETURN(TrainingProgram whole, BuildProgram(*program, model, optimizer, batch));
      return BuildUpdateStep(whole.train_step, optimizer);
    };
  }
  DLC_ASSIGN_OR_RETURN(setup.trainer, Trainer::Create(std::move(factory), *setup.backend, options,
                                                      std::move(data_parallel)));

  if (overrides.init.empty() && !resumed && !source.weights.empty()) {
    // An ONNX model starts from its own weights.
    DLC_RETURN_IF_ERROR(setup.trainer->LoadParameters(source.weights, path));
    setup.weights_from = path;
  }
  if (!overrides.init.empty()) {
    setup.weights_from = overrides.init;
    DLC_ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadSafetensors(overrides.init));
    DLC_RETURN_IF_ERROR(setup.trainer->LoadParameters(checkpoint.tensors, overrides.init));
  }
  if (resumed) {
    DLC_RETURN_IF_ERROR(CheckHasOptimizerState(*resumed, *setup.trainer, overrides.resume));
    DLC_RETURN_IF_ERROR(setup.trainer->LoadParameters(resumed->tensors, overrides.resume));
    if (setup.resumed->partial) setup.trainer->ContinueEpoch(*setup.resumed->partial);
  }
  return setup;
}

RunState CurrentRunState(const TrainingSetup& setup, std::vector<EpochStats> epochs,
                         int64_t samples) {
  RunState state;
  state.seed = setup.config.seed;
  state.batch = setup.config.batch;
  state.shuffle = setup.config.shuffle;
  state.samples = samples;
  state.total_epochs = setup.config.epochs;
  state.epochs = std::move(epochs);
  state.partial = setup.trainer->partial_epoch();
  return state;
}

absl::Status SaveCheckpoint(const TrainingSetup& setup, const std::string& path,
                            const RunState& state) {
  Checkpoint checkpoint;
  checkpoint.tensors = setup.trainer->parameters();
  for (const auto& [name, value] : setup.trainer->optimizer_state()) {
    checkpoint.tensors.emplace(name, value);
  }
  checkpoint.metadata = {{"model", setup.model},
                         {"optimizer", dl::DescribeOptimizer(setup.config.optimizer)},
                         {"producer", "dlc"}};
  AddRunStateMetadata(state, checkpoint.metadata);
  return WriteSafetensors(path, checkpoint);
}

absl::StatusOr<LabeledImages> LoadData(const TrainingSetup& setup, std::string_view which) {
  const std::optional<dl::DataSource>& source =
      which == "test" ? setup.config.test : setup.config.data;
  if (!source) {
    return absl::InvalidArgumentError(StrCat("the train section of ", setup.model, " in ",
                                             setup.program->path, " has no '", which,
                                             " = idx(...)'"));
  }
  // Labels must name one of the model's output classes.
  const Graph& predict = setup.trainer->program().predict;
  const int64_t classes = predict.type(predict.outputs[0]).shape[1];
  absl::StatusOr<LabeledImages> loaded =
      LoadIdxDataset(source->images, source->labels, static_cast<int>(classes), source->limit);
  if (!loaded.ok() && which == "data" && setup.resumed) {
    // The sample count is the checkpoint's: when the data set has fewer, the
    // checkpoint is at fault, not the data set's limit.
    absl::StatusOr<LabeledImages> all =
        LoadIdxDataset(source->images, source->labels, static_cast<int>(classes), -1);
    if (all.ok() && all->size() < setup.resumed->samples) {
      return absl::InvalidArgumentError(StrCat(
          setup.resumed_from, ": metadata 'samples' is ", setup.resumed->samples,
          ", but the run's data set ", source->images, " holds only ", all->size(),
          ": the checkpoint is damaged or belongs to other data, and cannot be resumed (--init "
          "starts a new run from its weights)"));
    }
  }
  DLC_ASSIGN_OR_RETURN(LabeledImages data, std::move(loaded));
  if (absl::Status fits = setup.trainer->CheckData(data); !fits.ok()) {
    return absl::InvalidArgumentError(StrCat(source->images, ": ", fits.message()));
  }
  return data;
}

}  // namespace dlc::tools
