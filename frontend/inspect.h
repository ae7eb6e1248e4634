// The data-flow table of a lowered model, as `dlc inspect` prints it: one
// row per stage with input and output shapes (batch included), the
// operation in words, trainable parameters, forward FLOPs and activation
// memory, and totals.
#ifndef DLC_FRONTEND_INSPECT_H_
#define DLC_FRONTEND_INSPECT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/lower.h"

namespace dlc::dl {

struct StageSummary {
  std::string name;       // conv2d_1
  std::string operation;  // "Conv2D: 32 filters 3x3, stride 1, valid padding, relu"
  std::vector<Shape> input_shapes;
  Shape output_shape;
  int64_t parameters = 0;        // trainable values
  int64_t flops = 0;             // forward pass, whole batch
  int64_t activation_bytes = 0;  // the stage's output
};

std::vector<StageSummary> SummarizeStages(const LoweredModel& model);

// A stage's operation as the table and prediction traces show it: the
// layer's familiar (Keras) name and its description, "Conv2D: 32 filters
// 3x3, stride 1, valid padding, relu".
std::string StageTitle(const Stage& stage);

// The table, with a title naming the model and the batch size.
std::string DataFlowTable(const LoweredModel& model, std::string_view model_name);

// 54410 -> "54,410"; 1536 bytes -> "1.5 KiB"; 389376000 -> "389.4M".
std::string WithThousands(int64_t n);
std::string HumanBytes(int64_t bytes);
std::string HumanCount(int64_t n);

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_INSPECT_H_
