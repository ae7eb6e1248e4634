// Reads the tensor IR's text form (see ir/printer.h). Errors carry
// "file:line:col: message" with the offending line and a caret under it.
// A parsed module is verified before it is returned.
#ifndef DLC_IR_PARSER_H_
#define DLC_IR_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/graph.h"

namespace dlc {

// `filename` is used in messages and node locations only.
absl::StatusOr<Module> ParseModule(std::string_view text, std::string_view filename = "<input>");
// Reads a file and parses it.
absl::StatusOr<Module> ParseModuleFile(const std::string& path);

}  // namespace dlc

#endif  // DLC_IR_PARSER_H_
