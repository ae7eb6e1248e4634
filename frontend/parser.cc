#include "frontend/parser.h"

#include <cmath>
#include <optional>

#include "frontend/lexer.h"
#include "support/str_cat.h"
#include "support/text_file.h"

namespace dlc::dl {
namespace {

// Deeper nesting than this is surely a mistake (and would exhaust the stack).
constexpr int kMaxNesting = 64;

class Parser {
 public:
  Parser(std::string_view text, Diagnostics& diags) : lexer_(text), diags_(diags) {
    tok_ = lexer_.Next();
    next_ = lexer_.Next();
  }

  void ParseInto(Program& program) {
    while (tok_.kind != Tok::kEnd) {
      if (AtWord("model")) {
        if (auto model = ParseModel()) {
          if (const Model* first = program.FindModel(model->name)) {
            diags_.Error(model->name_span,
                         StrCat("a model named ", model->name, " is already declared on line ",
                                first->name_span.line));
          }
          program.models.push_back(std::move(*model));
        }
      } else if (AtWord("train")) {
        if (auto train = ParseTrain()) program.trains.push_back(std::move(*train));
      } else {
        Error(tok_, StrCat("expected 'model' or 'train', got ", Describe(tok_)));
        SkipToTopLevel();
      }
    }
  }

 private:
  // ---- tokens ----
  void Advance() {
    prev_line_ = tok_.span.line;
    tok_ = std::move(next_);
    next_ = lexer_.Next();
  }
  bool At(Tok kind) const { return tok_.kind == kind; }
  bool AtWord(std::string_view word) const { return At(Tok::kIdent) && tok_.text == word; }
  bool Accept(Tok kind) {
    if (!At(kind)) return false;
    Advance();
    return true;
  }

  void Error(const Token& at, std::string message, std::string hint = "") {
    // A bad token carries its own, more precise message (and the hint
    // would be about the message it replaces).
    if (at.kind == Tok::kError) {
      message = at.text;
      hint.clear();
    }
    diags_.Error(at.span, std::move(message), std::move(hint));
  }

  // Consumes a token of `kind`; otherwise reports "expected <what>".
  std::optional<Token> Expect(Tok kind, std::string_view what) {
    if (!At(kind)) {
      Error(tok_, StrCat("expected ", what, ", got ", Describe(tok_)));
      return std::nullopt;
    }
    Token t = tok_;
    Advance();
    return t;
  }

  // ---- recovery ----
  // Skips the rest of a broken statement: to the next line's first token,
  // or to the '}' that closes the block.
  void SkipStatement() {
    // An error found at the first token of a later line (a missing ')' at
    // the end of the previous one) resumes right there.
    const bool moved_on = tok_.span.line > statement_start_.line;
    if (!(moved_on && tok_.first_on_line)) Advance();
    while (!At(Tok::kEnd) && !tok_.first_on_line && !At(Tok::kRBrace)) Advance();
  }
  void SkipToTopLevel() {
    Advance();
    while (!At(Tok::kEnd) && !(tok_.first_on_line && (AtWord("model") || AtWord("train")))) {
      Advance();
    }
  }

  // ---- declarations ----
  std::optional<Model> ParseModel() {
    Advance();  // model
    Model model;
    auto name = Expect(Tok::kIdent, "the model's name");
    if (!name) return SkipDeclaration();
    model.name = name->text;
    model.name_span = name->span;
    if (!Expect(Tok::kLParen, "'(' and the model's inputs, e.g. model net(x: f32[784])")) {
      return SkipDeclaration();
    }
    if (!At(Tok::kRParen)) {
      do {
        auto input = ParseInput();
        if (!input) return SkipDeclaration();
        model.inputs.push_back(std::move(*input));
      } while (Accept(Tok::kComma));
    }
    if (!Expect(Tok::kRParen, "',' or ')' after an input") ||
        !Expect(Tok::kLBrace, "'{' to open the model's body")) {
      return SkipDeclaration();
    }
    while (!AtWord("return")) {
      if (At(Tok::kRBrace) || At(Tok::kEnd)) {
        Error(tok_, StrCat("model ", model.name, " has no 'return'"),
              "end the body with: return <value>");
        Accept(Tok::kRBrace);
        return model;
      }
      if (auto assignment = ParseAssignment()) {
        model.body.push_back(std::move(*assignment));
      } else {
        if (broken_assignment_) model.body.push_back(std::move(*broken_assignment_));
        SkipStatement();
      }
    }
    model.return_span = tok_.span;
    Advance();  // return
    do {
      auto result = ParseExpr(0);
      if (!result) {
        SkipStatement();
        break;
      }
      model.results.push_back(std::move(*result));
    } while (Accept(Tok::kComma));
    if (!At(Tok::kRBrace)) {
      Error(tok_, StrCat("expected '}' after the return statement, got ", Describe(tok_)),
            "return must be the model's last statement");
      while (!At(Tok::kRBrace) && !At(Tok::kEnd)) Advance();
    }
    Accept(Tok::kRBrace);
    return model;
  }

  std::optional<ModelInput> ParseInput() {
    ModelInput input;
    auto name = Expect(Tok::kIdent, "an input name");
    if (!name) return std::nullopt;
    input.name = name->text;
    input.name_span = name->span;
    if (!Expect(Tok::kColon, "':' and the input's type, e.g. x: u8[28, 28, 1]")) {
      return std::nullopt;
    }
    auto dtype = Expect(Tok::kIdent, "an element type (f32, f64, i32, u8)");
    if (!dtype) return std::nullopt;
    std::optional<DType> parsed = ParseDType(dtype->text);
    if (!parsed || *parsed == DType::kI1) {
      Error(*dtype, StrCat("unknown element type '", dtype->text, "'"),
            "inputs are f32, f64, i32 or u8");
      return std::nullopt;
    }
    input.dtype = *parsed;
    input.type_span = dtype->span;
    if (!Expect(Tok::kLBracket, "'[' and the shape of one sample")) return std::nullopt;
    do {
      auto dim = Expect(Tok::kNumber, "a dimension");
      if (!dim) return std::nullopt;
      if (!dim->is_integer || dim->number < 1) {
        Error(*dim, StrCat("a dimension must be a positive integer, got ", dim->text));
        return std::nullopt;
      }
      if (dim->number > 1e9) {
        Error(*dim, StrCat("a dimension must be at most 1000000000, got ", dim->text));
        return std::nullopt;
      }
      input.shape.push_back(static_cast<int64_t>(dim->number));
    } while (Accept(Tok::kComma));
    auto close = Expect(Tok::kRBracket, "',' or ']' in the shape");
    if (!close) return std::nullopt;
    input.type_span.length = close->span.col + 1 - input.type_span.col;
    return input;
  }

  std::optional<Assignment> ParseAssignment() {
    statement_start_ = tok_.span;
    broken_assignment_.reset();
    auto name = Expect(Tok::kIdent, "a statement: name = value, or return");
    if (!name) return std::nullopt;
    if (!Expect(Tok::kEquals, StrCat("'=' after '", name->text, "'"))) return std::nullopt;
    // If the value does not parse, the name is still bound (to an error).
    Expr error;
    error.kind = Expr::Kind::kError;
    error.span = tok_.span;
    broken_assignment_ = Assignment{name->text, name->span, error};
    auto value = ParseExpr(0);
    if (!value) return std::nullopt;
    if (!tok_.first_on_line && !At(Tok::kRBrace) && !At(Tok::kEnd)) {
      Error(tok_, StrCat("expected the end of the line after the value, got ", Describe(tok_)),
            "write one statement per line");
      return std::nullopt;
    }
    return Assignment{name->text, name->span, std::move(*value)};
  }

  std::optional<TrainSection> ParseTrain() {
    Advance();  // train
    TrainSection train;
    auto model = Expect(Tok::kIdent, "the name of the model to train");
    if (!model) return SkipDeclaration();
    train.model = model->text;
    train.model_span = model->span;
    if (!Expect(Tok::kLBrace, "'{' to open the train section")) return SkipDeclaration();
    while (!At(Tok::kRBrace)) {
      if (At(Tok::kEnd)) {
        Error(tok_, "expected '}' to close the train section, got end of file");
        return train;
      }
      std::optional<Assignment> setting = ParseAssignment();
      if (!setting) {
        SkipStatement();
        continue;
      }
      train.settings.push_back({setting->name, setting->name_span, std::move(setting->value)});
    }
    Advance();  // }
    return train;
  }

  // After a broken declaration header: on to the next model or train.
  std::nullopt_t SkipDeclaration() {
    while (!At(Tok::kEnd) && !(tok_.first_on_line && (AtWord("model") || AtWord("train")))) {
      Advance();
    }
    return std::nullopt;
  }

  // ---- expressions ----
  std::optional<Expr> ParseExpr(int depth) {
    if (depth > kMaxNesting) {
      Error(tok_, StrCat("expression nested more than ", kMaxNesting, " deep"));
      return std::nullopt;
    }
    Expr e;
    e.span = tok_.span;
    switch (tok_.kind) {
      case Tok::kMinus:
      case Tok::kNumber: return ParseNumber();
      case Tok::kString:
        e.kind = Expr::Kind::kString;
        e.text = tok_.text;
        Advance();
        return e;
      case Tok::kLBracket: return ParseList(depth);
      case Tok::kIdent:
        e.kind = Expr::Kind::kName;
        e.text = tok_.text;
        e.span = tok_.span;
        Advance();
        if (At(Tok::kLParen)) return ParseCall(std::move(e), depth);
        return e;
      default: Error(tok_, StrCat("expected a value, got ", Describe(tok_))); return std::nullopt;
    }
  }

  // 32, -0.5, 1e-3, or a rational such as 1/255.
  std::optional<Expr> ParseNumber() {
    Expr e;
    e.kind = Expr::Kind::kNumber;
    e.span = tok_.span;
    const bool negative = Accept(Tok::kMinus);
    auto numerator = Expect(Tok::kNumber, "a number after '-'");
    if (!numerator) return std::nullopt;
    e.number = negative ? -numerator->number : numerator->number;
    e.is_integer = numerator->is_integer;
    e.text = StrCat(negative ? "-" : "", numerator->text);
    if (Accept(Tok::kSlash)) {
      auto denominator = Expect(Tok::kNumber, "a number after '/'");
      if (!denominator) return std::nullopt;
      if (denominator->number == 0) {
        Error(*denominator, "division by zero");
        return std::nullopt;
      }
      e.number /= denominator->number;
      e.is_integer = false;
      e.text = StrCat(e.text, "/", denominator->text);
      e.span.length = denominator->span.col + denominator->span.length - e.span.col;
      if (!std::isfinite(e.number)) {
        diags_.Error(e.span, StrCat("the number ", e.text, " is too large"));
        return std::nullopt;
      }
    } else {
      e.span.length = numerator->span.col + numerator->span.length - e.span.col;
    }
    return e;
  }

  std::optional<Expr> ParseList(int depth) {
    Expr e;
    e.kind = Expr::Kind::kList;
    e.span = tok_.span;
    Advance();  // [
    while (!At(Tok::kRBracket)) {
      auto item = ParseExpr(depth + 1);
      if (!item) return std::nullopt;
      e.items.push_back(std::move(*item));
      if (!Accept(Tok::kComma)) break;
    }
    auto close = Expect(Tok::kRBracket, "',' or ']' in the list");
    if (!close) return std::nullopt;
    if (close->span.line == e.span.line) e.span.length = close->span.col + 1 - e.span.col;
    return e;
  }

  // After the callee's name: (arg, ..., keyword=arg, ...).
  std::optional<Expr> ParseCall(Expr callee, int depth) {
    Expr e;
    e.kind = Expr::Kind::kCall;
    e.text = std::move(callee.text);
    e.span = callee.span;
    const Span open_paren = tok_.span;
    Advance();  // (
    while (!At(Tok::kRParen)) {
      Argument arg;
      if (At(Tok::kIdent) && next_.kind == Tok::kEquals) {
        arg.keyword = tok_.text;
        arg.keyword_span = tok_.span;
        Advance();
        Advance();
      }
      auto value = ParseExpr(depth + 1);
      if (!value) return std::nullopt;
      arg.value = std::move(*value);
      e.args.push_back(std::move(arg));
      if (!Accept(Tok::kComma)) break;
    }
    if (At(Tok::kRParen)) {
      Advance();
      return e;
    }
    if (tok_.first_on_line && tok_.span.line > open_paren.line) {
      diags_.Error(open_paren, StrCat("the '(' of ", e.text, " is never closed"),
                   StrCat("add ')' at the end of line ", prev_line_));
    } else {
      const bool looks_like_argument =
          At(Tok::kIdent) || At(Tok::kNumber) || At(Tok::kString) || At(Tok::kLBracket);
      Error(tok_, StrCat("expected ',' or ')' in the call of ", e.text, ", got ", Describe(tok_)),
            looks_like_argument ? "is a ',' missing before it?" : "");
    }
    return std::nullopt;
  }

  Lexer lexer_;
  Diagnostics& diags_;
  Token tok_;
  Token next_;
  Span statement_start_;
  std::optional<Assignment> broken_assignment_;  // set while a statement fails
  int prev_line_ = 0;                            // line of the last consumed token
};

}  // namespace

Program ParseProgram(std::string_view text, std::string path, Diagnostics& diags) {
  Program program;
  program.path = std::move(path);
  program.text = std::string(text);
  Parser(text, diags).ParseInto(program);
  return program;
}

absl::StatusOr<Program> ParseProgramText(std::string_view text, std::string path) {
  Diagnostics diags(path, text);
  Program program = ParseProgram(text, path, diags);
  if (diags.has_errors()) return diags.ToStatus();
  return program;
}

absl::StatusOr<std::string> ReadSourceFile(const std::string& path) { return ReadTextFile(path); }

absl::StatusOr<Program> ParseProgramFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSourceFile(path);
  if (!text.ok()) return text.status();
  return ParseProgramText(*text, path);
}

}  // namespace dlc::dl
