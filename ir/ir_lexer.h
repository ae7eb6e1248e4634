// Tokens of the tensor IR's text form (see ir/printer.h).
#ifndef DLC_IR_IR_LEXER_H_
#define DLC_IR_IR_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "support/source_cursor.h"

namespace dlc {

enum class IrToken {
  kEnd,
  kIdent,  // graph, return, op names, true, false, f32, inf, nan
  kValue,  // %name; text is the name without '%'
  kInt,
  kFloat,
  kString,  // text holds the unescaped contents
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kEquals,
  kColon,
  kError,  // text holds what is wrong
};

struct IrTokenInfo {
  IrToken kind = IrToken::kEnd;
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
  int line = 1, col = 1, length = 1;
};

// Splits text into tokens; '#' starts a comment that runs to the end of the line.
class IrLexer {
 public:
  explicit IrLexer(std::string_view text) : cursor_(text) {}
  IrTokenInfo Next();

 private:
  char Peek(size_t ahead = 0) const { return cursor_.Peek(ahead); }
  void Advance() { cursor_.Advance(); }
  IrTokenInfo LexNumber(IrTokenInfo token);
  IrTokenInfo LexString(IrTokenInfo token);

  SourceCursor cursor_;
};

std::string_view IrTokenName(IrToken kind);  // for "expected X, got Y"

}  // namespace dlc

#endif  // DLC_IR_IR_LEXER_H_
