#include "frontend/diagnostics.h"

#include <algorithm>
#include <tuple>

#include "support/source_snippet.h"
#include "support/str_cat.h"

namespace dlc::dl {

void Diagnostics::Error(Span span, std::string message, std::string hint) {
  // The same spot and message twice (e.g. reached by two paths) says nothing new.
  if (!seen_.insert({span.line, span.col, message}).second) return;
  errors_.push_back({span, std::move(message), std::move(hint)});
}

std::string Diagnostics::Render() const {
  // By position; errors at the same spot keep the order they were found in.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : errors_) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return std::tie(a->span.line, a->span.col, a) < std::tie(b->span.line, b->span.col, b);
  });
  // Where each line starts, so that each error finds its line at once.
  std::vector<size_t> line_starts = {0};
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts.push_back(i + 1);
  }
  auto line_text = [&](int line) -> std::string_view {
    if (line < 1 || static_cast<size_t>(line) > line_starts.size()) return {};
    const size_t begin = line_starts[line - 1];
    const size_t end = text_.find('\n', begin);
    return text_.substr(begin,
                        end == std::string_view::npos ? std::string_view::npos : end - begin);
  };
  std::string out;
  for (const Diagnostic* error : sorted) {
    const Diagnostic& d = *error;
    if (!out.empty()) out += "\n";
    out += StrCat(path_, ":", d.span.line, ":", d.span.col, ": error: ", d.message);
    std::string snippet = SourceSnippet(line_text(d.span.line), 1, d.span.col, d.span.length);
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
