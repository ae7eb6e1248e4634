// Parses .dl source into a syntax tree. After a syntax error the parser
// resumes at the next line, so independent mistakes are reported together.
#ifndef DLC_FRONTEND_PARSER_H_
#define DLC_FRONTEND_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "frontend/ast.h"
#include "frontend/diagnostics.h"

namespace dlc::dl {

// Parses `text` (read from `path`), reporting every syntax error to `diags`.
// The returned tree holds whatever parsed; it is meaningful only when
// `diags` has no errors.
Program ParseProgram(std::string_view text, std::string path, Diagnostics& diags);

// The contents of a source file, or NotFound / DataLoss naming it.
absl::StatusOr<std::string> ReadSourceFile(const std::string& path);

// Reads and parses a file; fails with all its syntax errors, rendered.
absl::StatusOr<Program> ParseProgramFile(const std::string& path);
// The same for source held in memory.
absl::StatusOr<Program> ParseProgramText(std::string_view text, std::string path);

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_PARSER_H_
