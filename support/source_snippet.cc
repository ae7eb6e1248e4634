#include "support/source_snippet.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"

namespace dlc {
namespace {

// Lines are shown whole up to this many columns; a longer one is clipped to
// a window around the caret, with "..." where it was cut.
constexpr size_t kMaxColumns = 160;
constexpr size_t kBeforeCaret = 60;

// How a source byte is shown: control bytes (an escape sequence in the
// source would otherwise reach the terminal) as \xNN, the rest as they are.
std::string Shown(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (c == '\t' || (u >= 0x20 && u != 0x7f)) return std::string(1, c);
  return absl::StrFormat("\\x%02x", u);
}

}  // namespace

std::string SourceSnippet(std::string_view text, int line, int col, int width) {
  if (line < 1) return "";
  size_t begin = 0;
  for (int l = 1; l < line; ++l) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return "";
    ++begin;
  }
  size_t end = text.find('\n', begin);
  std::string_view source_line =
      text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
  if (source_line.ends_with('\r')) source_line.remove_suffix(1);  // CRLF files
  if (source_line.find_first_not_of(" \t\r") == std::string_view::npos) return "";

  std::vector<std::string> shown;
  std::vector<size_t> offset;  // where each byte's text starts on the shown line
  size_t columns = 0;
  for (char c : source_line) {
    offset.push_back(columns);
    shown.push_back(Shown(c));
    columns += shown.back().size();
  }
  const size_t caret = std::min<size_t>(std::max(col, 1) - 1, shown.size());
  const size_t caret_column = caret < offset.size() ? offset[caret] : columns;
  // The window of bytes [first, last) that is shown.
  size_t first = 0, last = shown.size();
  if (columns > kMaxColumns) {
    while (first < caret && caret_column - offset[first] > kBeforeCaret) ++first;
    while (last > first && offset[last - 1] - offset[first] >= kMaxColumns) --last;
  }
  std::string out = "  ";
  std::string marker = "  ";
  if (first > 0) {
    out += "...";
    marker += "   ";
  }
  for (size_t i = first; i < last; ++i) out += shown[i];
  if (last < shown.size()) out += "...";
  // Tabs are kept in the indentation of the caret line so it stays aligned.
  for (size_t i = first; i < caret && i < last; ++i) {
    marker += shown[i] == "\t" ? std::string("\t") : std::string(shown[i].size(), ' ');
  }
  marker += '^';
  marker.append(std::max(width - 1, 0), '~');
  return out + "\n" + marker;
}

}  // namespace dlc
