// Every command-line flag of dlc, declared once (defined in flags.cc). A
// flag means the same thing in every command that takes it. Numeric
// settings are optional flags: not given (nullopt) is distinct from any value,
// so --epochs=0 is an error rather than "use the default".
#ifndef DLC_TOOLS_FLAGS_H_
#define DLC_TOOLS_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, stage);
ABSL_DECLARE_FLAG(std::string, model);
ABSL_DECLARE_FLAG(std::optional<int64_t>, batch);
ABSL_DECLARE_FLAG(bool, training);
ABSL_DECLARE_FLAG(std::string, graph);
ABSL_DECLARE_FLAG(std::vector<std::string>, input);
ABSL_DECLARE_FLAG(std::optional<int64_t>, seed);
ABSL_DECLARE_FLAG(std::optional<int64_t>, epochs);
ABSL_DECLARE_FLAG(std::optional<double>, lr);
ABSL_DECLARE_FLAG(std::optional<int64_t>, limit);
ABSL_DECLARE_FLAG(bool, no_shuffle);
ABSL_DECLARE_FLAG(std::string, init);
ABSL_DECLARE_FLAG(std::string, save);
ABSL_DECLARE_FLAG(std::string, backend);
ABSL_DECLARE_FLAG(std::optional<int64_t>, threads);
ABSL_DECLARE_FLAG(std::string, o);
ABSL_DECLARE_FLAG(std::string, header);
ABSL_DECLARE_FLAG(std::string, emit);
ABSL_DECLARE_FLAG(std::string, target_cpu);
ABSL_DECLARE_FLAG(std::string, mattr);
ABSL_DECLARE_FLAG(std::string, log);
ABSL_DECLARE_FLAG(std::string, log_steps);
ABSL_DECLARE_FLAG(bool, quiet);
ABSL_DECLARE_FLAG(std::string, plot);
ABSL_DECLARE_FLAG(std::optional<int64_t>, checkpoint_every);
ABSL_DECLARE_FLAG(double, collective_timeout);
ABSL_DECLARE_FLAG(std::string, resume);
ABSL_DECLARE_FLAG(std::optional<int64_t>, index);
ABSL_DECLARE_FLAG(std::string, image);
ABSL_DECLARE_FLAG(std::optional<int64_t>, repeats);
ABSL_DECLARE_FLAG(std::optional<int64_t>, steps);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, kernels);
ABSL_DECLARE_FLAG(bool, no_predict);
ABSL_DECLARE_FLAG(std::string, data);
ABSL_DECLARE_FLAG(std::string, test);
ABSL_DECLARE_FLAG(std::string, weights);

#endif  // DLC_TOOLS_FLAGS_H_
