// Reading a source file (a .dl model, a .ir module) whole, with the errors a
// user can act on: a directory or a pipe given as the file, a file that
// cannot be opened. A UTF-8 byte-order mark at the start (some editors
// write one) is dropped.
#ifndef DLC_SUPPORT_TEXT_FILE_H_
#define DLC_SUPPORT_TEXT_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace dlc {

absl::StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace dlc

#endif  // DLC_SUPPORT_TEXT_FILE_H_
