#include "ir/ir_lexer.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "support/str_cat.h"

namespace dlc {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

}  // namespace

std::string_view IrTokenName(IrToken kind) {
  switch (kind) {
    case IrToken::kEnd: return "end of input";
    case IrToken::kIdent: return "a name";
    case IrToken::kValue: return "a value (%name)";
    case IrToken::kInt: return "an integer";
    case IrToken::kFloat: return "a number";
    case IrToken::kString: return "a string";
    case IrToken::kLParen: return "'('";
    case IrToken::kRParen: return "')'";
    case IrToken::kLBrace: return "'{'";
    case IrToken::kRBrace: return "'}'";
    case IrToken::kLBracket: return "'['";
    case IrToken::kRBracket: return "']'";
    case IrToken::kComma: return "','";
    case IrToken::kEquals: return "'='";
    case IrToken::kColon: return "':'";
    case IrToken::kError: return "an invalid token";
  }
  return "?";
}

IrTokenInfo IrLexer::Next() {
  cursor_.SkipSpaceAndComments();
  IrTokenInfo token;
  token.line = cursor_.line();
  token.col = cursor_.col();
  const size_t start = cursor_.pos();
  if (cursor_.AtEnd()) return token;  // kEnd

  const char c = Peek();
  auto single = [&](IrToken kind) {
    Advance();
    token.kind = kind;
    token.text = std::string(1, c);
    return token;
  };
  switch (c) {
    case '(': return single(IrToken::kLParen);
    case ')': return single(IrToken::kRParen);
    case '{': return single(IrToken::kLBrace);
    case '}': return single(IrToken::kRBrace);
    case '[': return single(IrToken::kLBracket);
    case ']': return single(IrToken::kRBracket);
    case ',': return single(IrToken::kComma);
    case '=': return single(IrToken::kEquals);
    case ':': return single(IrToken::kColon);
    case '"': return LexString(token);
    default: break;
  }
  if (c == '%') {
    Advance();
    while (IsNameChar(Peek())) Advance();
    token.kind = IrToken::kValue;
    token.text = std::string(cursor_.Since(start + 1));
    token.length = static_cast<int>(cursor_.pos() - start);
    if (token.text.empty()) {
      token.kind = IrToken::kError;
      token.text = "expected a value name after '%'";
    }
    return token;
  }
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '-' && (std::isdigit(static_cast<unsigned char>(Peek(1))) || Peek(1) == 'i'))) {
    return LexNumber(token);
  }
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    while (IsNameChar(Peek())) Advance();
    token.kind = IrToken::kIdent;
    token.text = std::string(cursor_.Since(start));
    token.length = static_cast<int>(token.text.size());
    if (token.text == "inf" || token.text == "nan") {
      token.kind = IrToken::kFloat;
      token.float_value = token.text == "inf" ? INFINITY : NAN;
    }
    return token;
  }
  Advance();
  token.kind = IrToken::kError;
  token.text = StrCat("unexpected character '", std::string(1, c), "'");
  return token;
}

IrTokenInfo IrLexer::LexNumber(IrTokenInfo token) {
  const size_t start = cursor_.pos();
  if (Peek() == '-') Advance();
  if (Peek() == 'i') {  // -inf
    while (IsNameChar(Peek())) Advance();
    token.length = static_cast<int>(cursor_.pos() - start);
    if (cursor_.Since(start) != "-inf") {
      token.kind = IrToken::kError;
      token.text = "expected a number after '-'";
      return token;
    }
    token.kind = IrToken::kFloat;
    token.float_value = -INFINITY;
    return token;
  }
  bool is_float = false;
  while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
  if (Peek() == '.') {
    is_float = true;
    Advance();
    while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    is_float = true;
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!std::isdigit(static_cast<unsigned char>(Peek()))) {
      token.kind = IrToken::kError;
      token.text = "expected digits in the exponent";
      token.length = static_cast<int>(cursor_.pos() - start);
      return token;
    }
    while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
  }
  const std::string text(cursor_.Since(start));
  token.text = text;
  token.length = static_cast<int>(text.size());
  if (is_float) {
    token.kind = IrToken::kFloat;
    token.float_value = std::strtod(text.c_str(), nullptr);
    // A literal too large for a double would silently become infinity
    // (write inf for that).
    if (!std::isfinite(token.float_value)) {
      token.kind = IrToken::kError;
      token.text = StrCat("the number ", text,
                          " is too large (the largest is about 1.8e308; write inf for infinity)");
    }
    return token;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), token.int_value);
  if (error != std::errc() || end != text.data() + text.size()) {
    token.kind = IrToken::kError;
    token.text = StrCat("integer ", text, " is out of range");
    return token;
  }
  token.kind = IrToken::kInt;
  return token;
}

IrTokenInfo IrLexer::LexString(IrTokenInfo token) {
  const size_t start = cursor_.pos();
  Advance();  // opening quote
  std::string value;
  while (true) {
    if (cursor_.AtEnd() || Peek() == '\n') {
      token.kind = IrToken::kError;
      token.text = "unterminated string";
      return token;
    }
    char c = Peek();
    Advance();
    if (c == '"') break;
    if (c != '\\') {
      value += c;
      continue;
    }
    char escaped = Peek();
    Advance();
    switch (escaped) {
      case 'n': value += '\n'; break;
      case 't': value += '\t'; break;
      case '"': value += '"'; break;
      case '\\': value += '\\'; break;
      case 'x': {
        int digits = 0, code = 0;
        while (digits < 2 && std::isxdigit(static_cast<unsigned char>(Peek()))) {
          char h = Peek();
          code =
              code * 16 +
              (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
          Advance();
          ++digits;
        }
        if (digits != 2) {
          token.kind = IrToken::kError;
          token.text = "expected two hex digits after \\x";
          return token;
        }
        value += static_cast<char>(code);
        break;
      }
      default:
        token.kind = IrToken::kError;
        token.text = StrCat("unknown escape '\\", std::string(1, escaped), "' in string");
        return token;
    }
  }
  token.kind = IrToken::kString;
  token.text = value;
  token.length = static_cast<int>(cursor_.pos() - start);
  return token;
}

}  // namespace dlc
