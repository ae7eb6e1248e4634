// Error messages for .dl files, in the form compilers use:
//
//   model.dl:3:7: error: unknown layer 'conv2'
//       h = conv2(h, filters=32)
//           ^~~~~
//     hint: did you mean 'conv2d'?
//
// A Diagnostics collects every error of a run, so independent mistakes are
// all reported at once; ToStatus() turns them into one absl::Status.
#ifndef DLC_FRONTEND_DIAGNOSTICS_H_
#define DLC_FRONTEND_DIAGNOSTICS_H_

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "frontend/ast.h"

namespace dlc::dl {

struct Diagnostic {
  Span span;
  std::string message;
  std::string hint;  // optional
};

class Diagnostics {
 public:
  Diagnostics(std::string path, std::string_view text) : path_(std::move(path)), text_(text) {}

  void Error(Span span, std::string message, std::string hint = "");

  bool has_errors() const { return !errors_.empty(); }
  const std::vector<Diagnostic>& errors() const { return errors_; }

  // Every error rendered with its source line and caret, in order of
  // position, then "N errors generated." when there are several.
  std::string Render() const;
  // OK when there are no errors; otherwise InvalidArgument with Render().
  absl::Status ToStatus() const;

 private:
  std::string path_;
  std::string_view text_;
  std::vector<Diagnostic> errors_;
  absl::flat_hash_set<std::tuple<int, int, std::string>> seen_;  // line, column, message
};

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_DIAGNOSTICS_H_
