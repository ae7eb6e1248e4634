// Tokens of the .dl language.
#ifndef DLC_FRONTEND_LEXER_H_
#define DLC_FRONTEND_LEXER_H_

#include <string>
#include <string_view>

#include "frontend/ast.h"
#include "support/source_cursor.h"

namespace dlc::dl {

enum class Tok {
  kEnd,
  kIdent,   // names and keywords (model, train, return)
  kNumber,  // 32, 0.001, 1e-3 (the value is in `number`)
  kString,  // "path" (`text` holds the unescaped contents)
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kEquals,
  kColon,
  kSlash,
  kMinus,
  kError,  // `text` says what is wrong
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // as written (for kString: the contents)
  double number = 0;
  bool is_integer = false;
  Span span;
  bool first_on_line = false;  // where the parser may resume after an error
};

// Splits a .dl source into tokens. '#' starts a comment to the end of the line.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : cursor_(text) {}
  Token Next();

 private:
  char Peek(size_t ahead = 0) const { return cursor_.Peek(ahead); }
  void Advance() { cursor_.Advance(); }
  Token Number(Token token);
  Token String(Token token);

  SourceCursor cursor_;
  int last_token_line_ = 0;
};

// "')'", "a name", ... for "expected X, got Y" messages.
std::string Describe(const Token& token);

}  // namespace dlc::dl

#endif  // DLC_FRONTEND_LEXER_H_
