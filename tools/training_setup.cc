#include "tools/training_setup.h"

#include "absl/flags/flag.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/status_macros.h"
#include "ir/str_cat.h"
#include "passes/training.h"
#include "runtime/jit/jit_backend.h"
#include "runtime/safetensors.h"
#include "tools/flags.h"
#include "tools/model_loading.h"

namespace dlc::tools {
namespace {

OptimizerSpec ToSpec(const dl::OptimizerConfig& c) {
  OptimizerSpec spec;
  spec.kind = c.kind == dl::OptimizerConfig::Kind::kAdam ? OptimizerSpec::Kind::kAdam
                                                         : OptimizerSpec::Kind::kSgd;
  spec.lr = c.lr;
  spec.beta1 = c.beta1;
  spec.beta2 = c.beta2;
  spec.epsilon = c.epsilon;
  spec.momentum = c.momentum;
  spec.nesterov = c.nesterov;
  spec.weight_decay = c.weight_decay;
  return spec;
}

// The loss takes the logits a final softmax was computed from, else the
// model's output itself.
ForwardModel ToForward(dl::LoweredModel lowered) {
  const ValueId logits = lowered.logits.value_or(lowered.graph.outputs[0]);
  return {std::move(lowered.graph), logits};
}

absl::Status ApplyOverrides(const TrainOverrides& o, dl::TrainConfig& config) {
  if (o.epochs < 0) return absl::InvalidArgumentError(StrCat("--epochs must be positive, got ", o.epochs));
  if (o.batch < 0) return absl::InvalidArgumentError(StrCat("--batch must be positive, got ", o.batch));
  if (o.lr < 0) return absl::InvalidArgumentError(StrCat("--lr must be positive, got ", o.lr));
  if (o.limit < 0) return absl::InvalidArgumentError(StrCat("--limit must be positive, got ", o.limit));
  if (o.epochs > 0) config.epochs = o.epochs;
  if (o.batch > 0) config.batch = o.batch;
  if (o.lr > 0) config.optimizer.lr = o.lr;
  if (o.seed >= 0) config.seed = static_cast<uint64_t>(o.seed);
  if (o.limit > 0) {
    if (!config.data) return absl::InvalidArgumentError("--limit: the train section names no data");
    config.data->limit = o.limit;
  }
  if (o.no_shuffle) config.shuffle = false;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(const std::string& name, int threads) {
  if (name == "interp") return MakeInterpreterBackend();
  if (name == "jit") return jit::MakeJitBackend({threads});
  return absl::InvalidArgumentError(StrCat("--backend=", name,
                                           ": unknown backend (available: jit, interp)"));
}

}  // namespace

absl::StatusOr<TrainingProgram> BuildProgram(const dl::Program& program, const std::string& model,
                                             const dl::OptimizerConfig& optimizer, int64_t batch) {
  // The step is built from the model lowered in training mode (dropout
  // active), evaluation and prediction from the inference-mode lowering.
  DLC_ASSIGN_OR_RETURN(dl::LoweredModel training, dl::LowerModel(program, model, {batch, true}));
  DLC_ASSIGN_OR_RETURN(dl::LoweredModel inference, dl::LowerModel(program, model, {batch, false}));
  return BuildTrainingProgram(ToForward(std::move(training)), ToForward(std::move(inference)),
                              ToSpec(optimizer));
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
  o.threads = static_cast<int>(absl::GetFlag(FLAGS_threads));
  o.init = absl::GetFlag(FLAGS_init);
  return o;
}

absl::StatusOr<TrainingSetup> SetUpTraining(const std::string& path,
                                            const TrainOverrides& overrides) {
  TrainingSetup setup;
  DLC_ASSIGN_OR_RETURN(dl::Program program, dl::LoadProgramFile(path));
  setup.program = std::make_shared<const dl::Program>(std::move(program));
  DLC_ASSIGN_OR_RETURN(setup.model, ChooseModel(*setup.program, overrides.model));
  DLC_ASSIGN_OR_RETURN(setup.config, dl::ResolveTrainConfig(*setup.program, setup.model));
  DLC_RETURN_IF_ERROR(ApplyOverrides(overrides, setup.config));
  if (overrides.threads < 0) {
    return absl::InvalidArgumentError(StrCat("--threads must be positive, got ", overrides.threads));
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
  DLC_ASSIGN_OR_RETURN(setup.trainer, Trainer::Create(std::move(factory), *setup.backend, options));

  if (!overrides.init.empty()) {
    DLC_ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadSafetensors(overrides.init));
    DLC_RETURN_IF_ERROR(setup.trainer->LoadParameters(checkpoint.tensors, overrides.init));
  }
  return setup;
}

absl::Status SaveCheckpoint(const TrainingSetup& setup, const std::string& path, int64_t epochs) {
  Checkpoint checkpoint;
  checkpoint.tensors = setup.trainer->parameters();
  for (const auto& [name, value] : setup.trainer->optimizer_state()) {
    checkpoint.tensors.emplace(name, value);
  }
  checkpoint.metadata = {{"model", setup.model},
                         {"epochs", StrCat(epochs)},
                         {"optimizer", dl::DescribeOptimizer(setup.config.optimizer)},
                         {"producer", "dlc"}};
  return WriteSafetensors(path, checkpoint);
}

absl::StatusOr<LabeledImages> LoadData(const TrainingSetup& setup, std::string_view which) {
  const std::optional<dl::DataSource>& source =
      which == "test" ? setup.config.test : setup.config.data;
  if (!source) {
    return absl::InvalidArgumentError(StrCat("the train section of ", setup.model, " in ",
                                             setup.program->path, " has no '", which, " = idx(...)'"));
  }
  // Labels must name one of the model's output classes.
  const Graph& predict = setup.trainer->program().predict;
  const int64_t classes = predict.type(predict.outputs[0]).shape[1];
  return LoadIdxDataset(source->images, source->labels, static_cast<int>(classes), source->limit);
}

}  // namespace dlc::tools
