// Every tuning knob of the compile (ScheduleOptions) by name, so one flag
// (`--schedule=register_block=4,l2_bytes=512K`) can override any of them for
// an experiment, and the tools can show the host model a compile used.
#ifndef DLC_PASSES_SCHEDULE_KNOBS_H_
#define DLC_PASSES_SCHEDULE_KNOBS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "passes/schedule.h"

namespace dlc {

// The knobs' keys, in the order they are listed and shown.
const std::vector<std::string_view>& ScheduleKeys();

// Applies "key=value,key=value" to `options` (dashes in a key read as
// underscores, as in flag names). Sizes take a K, M or G suffix
// (KiB, MiB, GiB); switches take true/false or 1/0. An unknown key, a bad
// or out-of-range value, or a key given twice is an error naming the valid
// keys or range. An empty spec changes nothing.
absl::Status ApplyScheduleOverrides(std::string_view spec, ScheduleOptions& options);

// Each knob's key and value, in ScheduleKeys() order.
std::vector<std::pair<std::string_view, int64_t>> ScheduleValues(const ScheduleOptions& options);

// One line on the model a compile used, e.g. "sapphirerapids, 16 f32 lanes,
// 32 vector registers, L1d 48 KiB, L2 2 MiB, L3 260 MiB; overrides:
// register_block=4 (model: 8)": the values of `used`, and every knob where
// it differs from `model` (what the target alone gives).
std::string DescribeHostModel(std::string_view cpu, const ScheduleOptions& model,
                              const ScheduleOptions& used);

}  // namespace dlc

#endif  // DLC_PASSES_SCHEDULE_KNOBS_H_
