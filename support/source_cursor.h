// A position in source text with its line and column, as both lexers (the
// IR's and the .dl language's) walk it.
#ifndef DLC_SUPPORT_SOURCE_CURSOR_H_
#define DLC_SUPPORT_SOURCE_CURSOR_H_

#include <cctype>
#include <cstddef>
#include <string_view>

namespace dlc {

class SourceCursor {
 public:
  explicit SourceCursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  // Moves past one character, keeping line and column (1-based) current.
  void Advance() {
    if (Peek() == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  // Skips white space and '#' comments (to the end of the line).
  void SkipSpaceAndComments() {
    while (!AtEnd()) {
      if (std::isspace(static_cast<unsigned char>(Peek()))) {
        Advance();
      } else if (Peek() == '#') {
        while (!AtEnd() && Peek() != '\n') Advance();
      } else {
        break;
      }
    }
  }
  // The text from `start` (a position) to here.
  std::string_view Since(size_t start) const { return text_.substr(start, pos_ - start); }

  size_t pos() const { return pos_; }
  int line() const { return line_; }
  int col() const { return col_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
};

}  // namespace dlc

#endif  // DLC_SUPPORT_SOURCE_CURSOR_H_
