#include "frontend/diagnostics.h"

#include <algorithm>
#include <tuple>

#include "ir/source_snippet.h"
#include "ir/str_cat.h"

namespace dlc::dl {

void Diagnostics::Error(Span span, std::string message, std::string hint) {
  // The same spot and message twice (e.g. reached by two paths) says nothing new.
  for (const Diagnostic& d : errors_) {
    if (d.span.line == span.line && d.span.col == span.col && d.message == message) return;
  }
  errors_.push_back({span, std::move(message), std::move(hint)});
}

std::string Diagnostics::Render() const {
  // By position; errors at the same spot keep the order they were found in.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : errors_) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->span.line, a->span.col, a) < std::tie(b->span.line, b->span.col, b);
  });
  std::string out;
  for (const Diagnostic* error : sorted) {
    const Diagnostic& d = *error;
    if (!out.empty()) out += "\n";
    out += StrCat(path_, ":", d.span.line, ":", d.span.col, ": error: ", d.message);
    std::string snippet = SourceSnippet(text_, d.span.line, d.span.col, d.span.length);
    if (!snippet.empty()) out += StrCat("\n", snippet);
    if (!d.hint.empty()) out += StrCat("\n  hint: ", d.hint);
  }
  if (sorted.size() > 1) out += StrCat("\n", sorted.size(), " errors generated.");
  return out;
}

absl::Status Diagnostics::ToStatus() const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(Render());
}

}  // namespace dlc::dl
