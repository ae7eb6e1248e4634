#include "frontend/lexer.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "support/str_cat.h"

namespace dlc::dl {
namespace {

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }

}  // namespace

std::string Describe(const Token& token) {
  switch (token.kind) {
    case Tok::kEnd: return "end of file";
    case Tok::kIdent: return StrCat("'", token.text, "'");
    case Tok::kNumber: return StrCat("the number ", token.text);
    case Tok::kString: return StrCat("the string \"", token.text, "\"");
    case Tok::kError: return "an invalid token";
    default: return StrCat("'", token.text, "'");
  }
}

Token Lexer::Next() {
  cursor_.SkipSpaceAndComments();
  Token token;
  token.span = {cursor_.line(), cursor_.col(), 1};
  token.first_on_line = cursor_.line() != last_token_line_;
  last_token_line_ = cursor_.line();
  if (cursor_.AtEnd()) return token;

  const char c = Peek();
  auto single = [&](Tok kind) {
    Advance();
    token.kind = kind;
    token.text = std::string(1, c);
    return token;
  };
  switch (c) {
    case '(': return single(Tok::kLParen);
    case ')': return single(Tok::kRParen);
    case '{': return single(Tok::kLBrace);
    case '}': return single(Tok::kRBrace);
    case '[': return single(Tok::kLBracket);
    case ']': return single(Tok::kRBracket);
    case ',': return single(Tok::kComma);
    case '=': return single(Tok::kEquals);
    case ':': return single(Tok::kColon);
    case '/': return single(Tok::kSlash);
    case '-': return single(Tok::kMinus);
    case '"': return String(token);
    default: break;
  }
  if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) return Number(token);
  if (IsNameStart(c)) {
    const size_t start = cursor_.pos();
    while (IsNameChar(Peek())) Advance();
    token.kind = Tok::kIdent;
    token.text = std::string(cursor_.Since(start));
    token.span.length = static_cast<int>(token.text.size());
    return token;
  }
  Advance();
  token.kind = Tok::kError;
  token.text = std::isprint(static_cast<unsigned char>(c))
                   ? StrCat("unexpected character '", std::string(1, c), "'")
                   : StrCat("unexpected byte 0x", absl::Hex(static_cast<unsigned char>(c)));
  return token;
}

Token Lexer::Number(Token token) {
  const size_t start = cursor_.pos();
  bool is_integer = true;
  while (IsDigit(Peek())) Advance();
  if (Peek() == '.') {
    is_integer = false;
    Advance();
    while (IsDigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    is_integer = false;
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!IsDigit(Peek())) {
      token.kind = Tok::kError;
      token.text = "expected digits in the exponent";
      token.span.length = static_cast<int>(cursor_.pos() - start);
      return token;
    }
    while (IsDigit(Peek())) Advance();
  }
  if (IsNameStart(Peek())) {  // 3x3, 10units: a number glued to a name
    while (IsNameChar(Peek())) Advance();
    token.kind = Tok::kError;
    token.text = StrCat("'", cursor_.Since(start), "' is not a number");
    token.span.length = static_cast<int>(cursor_.pos() - start);
    return token;
  }
  token.kind = Tok::kNumber;
  token.text = std::string(cursor_.Since(start));
  token.span.length = static_cast<int>(token.text.size());
  token.number = std::strtod(token.text.c_str(), nullptr);
  token.is_integer = is_integer;
  if (!std::isfinite(token.number)) {
    token.kind = Tok::kError;
    token.text = StrCat("the number ", token.text, " is too large");
  }
  return token;
}

Token Lexer::String(Token token) {
  const size_t start = cursor_.pos();
  Advance();  // opening quote
  std::string value;
  while (true) {
    if (cursor_.AtEnd() || Peek() == '\n') {
      token.kind = Tok::kError;
      token.text = "unterminated string: add the closing '\"'";
      token.span.length = static_cast<int>(cursor_.pos() - start);
      return token;
    }
    const char c = Peek();
    Advance();
    if (c == '"') break;
    if (c == '\\') {
      const char escaped = Peek();
      if (escaped == '"' || escaped == '\\') {
        value += escaped;
        Advance();
        continue;
      }
      if (escaped == 'n') {
        value += '\n';
        Advance();
        continue;
      }
      token.kind = Tok::kError;
      token.text = "unknown escape in string (use \\\", \\\\ or \\n)";
      token.span.col = cursor_.col() - 1;  // at the backslash
      token.span.length = 2;
      return token;
    }
    value += c;
  }
  token.kind = Tok::kString;
  token.text = std::move(value);
  token.span.length = static_cast<int>(cursor_.pos() - start);
  return token;
}

}  // namespace dlc::dl
