#include "ir/source_snippet.h"

#include <algorithm>

namespace dlc {

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
  if (source_line.find_first_not_of(" \t\r") == std::string_view::npos) return "";
  // Tabs are kept in the indentation of the caret line so it stays aligned.
  std::string marker;
  for (int c = 1; c < col && c - 1 < static_cast<int>(source_line.size()); ++c) {
    marker += source_line[c - 1] == '\t' ? '\t' : ' ';
  }
  marker += '^';
  marker.append(std::max(width - 1, 0), '~');
  return "  " + std::string(source_line) + "\n  " + marker;
}

}  // namespace dlc
