// Every diagnostic the lexer, parser and lowering can give, each fed the bad
// input it is for and checked whole: file:line:col, message, the source line
// with its caret, and the hint.
#include "frontend/diagnostics.h"

#include <initializer_list>
#include <string>
#include <string_view>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

// `lines` joined by newlines: a source file (with its final newline) or an
// expected message (without).
std::string Source(std::initializer_list<std::string_view> lines) {
  std::string text;
  for (std::string_view line : lines) text += StrCat(line, "\n");
  return text;
}
std::string Lines(std::initializer_list<std::string_view> lines) {
  std::string text = Source(lines);
  text.pop_back();
  return text;
}

// Everything reported for `lines` as file m.dl: the syntax errors, or else
// the errors of lowering each model in turn. Tests here expect errors.
std::string Errors(std::initializer_list<std::string_view> lines, LowerOptions options = {}) {
  absl::StatusOr<Program> program = ParseProgramText(Source(lines), "m.dl");
  if (!program.ok()) return std::string(program.status().message());
  std::string errors;
  for (const Model& model : program->models) {
    absl::StatusOr<LoweredModel> lowered = LowerModel(*program, model.name, options);
    if (!lowered.ok()) errors += StrCat(errors.empty() ? "" : "\n", lowered.status().message());
  }
  return errors.empty() ? "(no errors)" : errors;
}

// ---- rendering ------------------------------------------------------------

TEST(RenderDiagnostics, OneErrorHasNoCount) {
  Diagnostics diags("a.dl", "x = 1\n");
  diags.Error({1, 5, 1}, "bad", "a hint");
  EXPECT_EQ(diags.Render(),
            Lines({"a.dl:1:5: error: bad", "  x = 1", "      ^", "  hint: a hint"}));
}

TEST(RenderDiagnostics, ErrorsAreSortedByPositionAndCounted) {
  Diagnostics diags("a.dl", "ab\ncd\n");
  diags.Error({2, 1, 2}, "second");
  diags.Error({1, 2, 1}, "first");
  EXPECT_EQ(diags.Render(),
            Lines({"a.dl:1:2: error: first", "  ab", "   ^", "a.dl:2:1: error: second", "  cd",
                   "  ^~", "2 errors generated."}));
}

TEST(RenderDiagnostics, TheSameErrorAtTheSameSpotIsReportedOnce) {
  Diagnostics diags("a.dl", "ab\n");
  diags.Error({1, 1, 1}, "twice");
  diags.Error({1, 1, 1}, "twice");
  EXPECT_EQ(diags.errors().size(), 1u);
}

TEST(RenderDiagnostics, TabsInTheIndentationKeepTheCaretAligned) {
  Diagnostics diags("a.dl", "\tx = y\n");
  diags.Error({1, 6, 1}, "here");
  EXPECT_EQ(diags.Render(), Lines({"a.dl:1:6: error: here", "  \tx = y", "  \t    ^"}));
}

TEST(RenderDiagnostics, NoErrorsIsOk) {
  Diagnostics diags("a.dl", "");
  EXPECT_TRUE(diags.ToStatus().ok());
  EXPECT_FALSE(diags.has_errors());
}

// ---- the lexer --------------------------------------------------------------

TEST(LexerDiagnostics, UnexpectedCharacter) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = dense(x, 4) ; 1", "  return h", "}"}),
            Lines({"m.dl:2:19: error: unexpected character ';'", "    h = dense(x, 4) ; 1",
                   "                    ^"}));
}

TEST(LexerDiagnostics, UnexpectedByteIsShownInHex) {
  // The source line is echoed with the control byte escaped (a terminal
  // escape sequence in a .dl must not reach the terminal).
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return \x01x", "}"}),
            Lines({"m.dl:2:10: error: unexpected byte 0x1", "    return \\x01x", "           ^"}));
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return \x1b[31mx", "}"}),
      Lines({"m.dl:2:10: error: unexpected byte 0x1b", "    return \\x1b[31mx", "           ^"}));
}

TEST(LexerDiagnostics, ExponentWithoutDigits) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, 1e)", "}"}),
            Lines({"m.dl:2:21: error: expected digits in the exponent", "    return rescale(x, 1e)",
                   "                      ^~"}));
}

TEST(LexerDiagnostics, NumberGluedToAName) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, filters=2, kernel=3x3)", "}"}),
      Lines({"m.dl:2:38: error: '3x3' is not a number",
             "    return conv2d(x, filters=2, kernel=3x3)",
             "                                       ^~~"}));
}

TEST(LexerDiagnostics, NumberTooLargeForADouble) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, 1e999)", "}"}),
            Lines({"m.dl:2:21: error: the number 1e999 is too large",
                   "    return rescale(x, 1e999)", "                      ^~~~~"}));
}

TEST(LexerDiagnostics, UnterminatedString) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=\"out)", "}"}),
            Lines({"m.dl:2:27: error: unterminated string: add the closing '\"'",
                   "    return dense(x, 4, name=\"out)", "                            ^~~~~"}));
}

TEST(LexerDiagnostics, UnknownEscapeInString) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=\"a\\tb\")", "}"}),
            Lines({"m.dl:2:29: error: unknown escape in string (use \\\", \\\\ or \\n)",
                   "    return dense(x, 4, name=\"a\\tb\")", "                              ^~"}));
}

// ---- the parser: declarations -----------------------------------------------

TEST(ParserDiagnostics, SomethingOtherThanModelOrTrainAtTopLevel) {
  EXPECT_EQ(Errors({"modle m(x: f32[4]) {", "  return x", "}"}),
            Lines({"m.dl:1:1: error: expected 'model' or 'train', got 'modle'",
                   "  modle m(x: f32[4]) {", "  ^~~~~"}));
}

TEST(ParserDiagnostics, ModelWithoutAName) {
  EXPECT_EQ(Errors({"model (x: f32[4]) {", "  return x", "}"}),
            Lines({"m.dl:1:7: error: expected the model's name, got '('", "  model (x: f32[4]) {",
                   "        ^"}));
}

TEST(ParserDiagnostics, ModelWithoutInputListShowsAnExample) {
  EXPECT_EQ(Errors({"model m {", "  return x", "}"}),
            Lines({"m.dl:1:9: error: expected '(' and the model's inputs, e.g. "
                   "model net(x: f32[784]), got '{'",
                   "  model m {", "          ^"}));
}

TEST(ParserDiagnostics, InputWithoutAName) {
  EXPECT_EQ(Errors({"model m(f32[4]) {", "  return x", "}"}),
            Lines({"m.dl:1:12: error: expected ':' and the input's type, e.g. x: u8[28, 28, 1], "
                   "got '['",
                   "  model m(f32[4]) {", "             ^"}));
  EXPECT_EQ(Errors({"model m(4) {", "  return x", "}"}),
            Lines({"m.dl:1:9: error: expected an input name, got the number 4", "  model m(4) {",
                   "          ^"}));
}

TEST(ParserDiagnostics, InputWithoutAnElementType) {
  EXPECT_EQ(Errors({"model m(x: [4]) {", "  return x", "}"}),
            Lines({"m.dl:1:12: error: expected an element type (f32, f64, i32, u8), got '['",
                   "  model m(x: [4]) {", "             ^"}));
}

TEST(ParserDiagnostics, UnknownElementTypeListsTheTypes) {
  EXPECT_EQ(Errors({"model m(x: f16[4]) {", "  return x", "}"}),
            Lines({"m.dl:1:12: error: unknown element type 'f16'", "  model m(x: f16[4]) {",
                   "             ^~~", "  hint: inputs are f32, f64, i32 or u8"}));
}

TEST(ParserDiagnostics, BooleansAreNotAnInputType) {
  EXPECT_EQ(Errors({"model m(x: i1[4]) {", "  return x", "}"}),
            Lines({"m.dl:1:12: error: unknown element type 'i1'", "  model m(x: i1[4]) {",
                   "             ^~", "  hint: inputs are f32, f64, i32 or u8"}));
}

TEST(ParserDiagnostics, InputWithoutAShape) {
  EXPECT_EQ(Errors({"model m(x: f32) {", "  return x", "}"}),
            Lines({"m.dl:1:15: error: expected '[' and the shape of one sample, got ')'",
                   "  model m(x: f32) {", "                ^"}));
}

TEST(ParserDiagnostics, EmptyShape) {
  EXPECT_EQ(Errors({"model m(x: f32[]) {", "  return x", "}"}),
            Lines({"m.dl:1:16: error: expected a dimension, got ']'", "  model m(x: f32[]) {",
                   "                 ^"}));
}

TEST(ParserDiagnostics, DimensionsArePositiveIntegers) {
  EXPECT_EQ(Errors({"model m(x: f32[0]) {", "  return x", "}"}),
            Lines({"m.dl:1:16: error: a dimension must be a positive integer, got 0",
                   "  model m(x: f32[0]) {", "                 ^"}));
  EXPECT_EQ(Errors({"model m(x: f32[2.5]) {", "  return x", "}"}),
            Lines({"m.dl:1:16: error: a dimension must be a positive integer, got 2.5",
                   "  model m(x: f32[2.5]) {", "                 ^~~"}));
  EXPECT_EQ(Errors({"model m(x: f32[2000000000]) {", "  return x", "}"}),
            Lines({"m.dl:1:16: error: a dimension must be at most 1000000000, got 2000000000",
                   "  model m(x: f32[2000000000]) {", "                 ^~~~~~~~~~"}));
}

TEST(ParserDiagnostics, UnclosedShape) {
  EXPECT_EQ(Errors({"model m(x: f32[4 4]) {", "  return x", "}"}),
            Lines({"m.dl:1:18: error: expected ',' or ']' in the shape, got the number 4",
                   "  model m(x: f32[4 4]) {", "                   ^"}));
}

TEST(ParserDiagnostics, UnclosedInputList) {
  EXPECT_EQ(Errors({"model m(x: f32[4] {", "  return x", "}"}),
            Lines({"m.dl:1:19: error: expected ',' or ')' after an input, got '{'",
                   "  model m(x: f32[4] {", "                    ^"}));
}

TEST(ParserDiagnostics, ModelWithoutABody) {
  EXPECT_EQ(Errors({"model m(x: f32[4])", "  return x"}),
            Lines({"m.dl:2:3: error: expected '{' to open the model's body, got 'return'",
                   "    return x", "    ^~~~~~"}));
}

TEST(ParserDiagnostics, ModelWithoutReturn) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = dense(x, 4)", "}"}),
            Lines({"m.dl:3:1: error: model m has no 'return'", "  }", "  ^",
                   "  hint: end the body with: return <value>"}));
}

TEST(ParserDiagnostics, StatementAfterReturn) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return x", "  h = dense(x, 4)", "}"}),
      Lines({"m.dl:3:3: error: expected '}' after the return statement, got 'h'",
             "    h = dense(x, 4)", "    ^", "  hint: return must be the model's last statement"}));
}

TEST(ParserDiagnostics, ModelDeclaredTwice) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return x", "}", "model m(x: f32[8]) {", "  return x",
                    "}"}),
            Lines({"m.dl:4:7: error: a model named m is already declared on line 1",
                   "  model m(x: f32[8]) {", "        ^"}));
}

TEST(ParserDiagnostics, TrainSectionWithoutAModelName) {
  EXPECT_EQ(Errors({"train {", "  batch = 8", "}"}),
            Lines({"m.dl:1:7: error: expected the name of the model to train, got '{'", "  train {",
                   "        ^"}));
}

TEST(ParserDiagnostics, TrainSectionWithoutABrace) {
  EXPECT_EQ(Errors({"train m", "  batch = 8"}),
            Lines({"m.dl:2:3: error: expected '{' to open the train section, got 'batch'",
                   "    batch = 8", "    ^~~~~"}));
}

TEST(ParserDiagnostics, UnclosedTrainSection) {
  // The caret of an error at the end of the file has no line to show.
  EXPECT_EQ(Errors({"train m {", "  batch = 8"}),
            "m.dl:3:1: error: expected '}' to close the train section, got end of file");
}

// ---- the parser: statements and expressions ---------------------------------

TEST(ParserDiagnostics, StatementThatIsNotAnAssignment) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  [x] = 4", "  return x", "}"}),
            Lines({"m.dl:2:3: error: expected a statement: name = value, or return, got '['",
                   "    [x] = 4", "    ^"}));
}

TEST(ParserDiagnostics, AssignmentWithoutEquals) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h dense(x, 4)", "  return h", "}"}),
            Lines({"m.dl:2:5: error: expected '=' after 'h', got 'dense'", "    h dense(x, 4)",
                   "      ^~~~~"}));
}

TEST(ParserDiagnostics, AssignmentWithoutAValue) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = )", "  return x", "}"}),
            Lines({"m.dl:2:7: error: expected a value, got ')'", "    h = )", "        ^"}));
}

TEST(ParserDiagnostics, TwoStatementsOnOneLine) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = dense(x, 4) g = relu(h)", "  return h", "}"}),
            Lines({"m.dl:2:19: error: expected the end of the line after the value, got 'g'",
                   "    h = dense(x, 4) g = relu(h)", "                    ^",
                   "  hint: write one statement per line"}));
}

TEST(ParserDiagnostics, ReturnWithoutAValue) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return", "}"}),
            Lines({"m.dl:3:1: error: expected a value, got '}'", "  }", "  ^"}));
}

TEST(ParserDiagnostics, MinusWithoutANumber) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, -x)", "}"}),
            Lines({"m.dl:2:22: error: expected a number after '-', got 'x'",
                   "    return rescale(x, -x)", "                       ^"}));
}

TEST(ParserDiagnostics, SlashWithoutANumber) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, 1/x)", "}"}),
            Lines({"m.dl:2:23: error: expected a number after '/', got 'x'",
                   "    return rescale(x, 1/x)", "                        ^"}));
}

TEST(ParserDiagnostics, DivisionByZero) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, 1/0)", "}"}),
            Lines({"m.dl:2:23: error: division by zero", "    return rescale(x, 1/0)",
                   "                        ^"}));
}

TEST(ParserDiagnostics, QuotientTooLarge) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return rescale(x, 1e300/1e-300)", "}"}),
            Lines({"m.dl:2:21: error: the number 1e300/1e-300 is too large",
                   "    return rescale(x, 1e300/1e-300)", "                      ^~~~~~~~~~~~"}));
}

TEST(ParserDiagnostics, UnclosedList) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, filters=2, kernel=[3 3])", "}"}),
      Lines({"m.dl:2:41: error: expected ',' or ']' in the list, got the number 3",
             "    return conv2d(x, filters=2, kernel=[3 3])",
             "                                          ^"}));
}

TEST(ParserDiagnostics, MissingCommaBetweenArguments) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x 4)", "}"}),
            Lines({"m.dl:2:18: error: expected ',' or ')' in the call of dense, got the number 4",
                   "    return dense(x 4)", "                   ^",
                   "  hint: is a ',' missing before it?"}));
}

TEST(ParserDiagnostics, StrayTokenInACall) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4}", "}"}),
            Lines({"m.dl:2:20: error: expected ',' or ')' in the call of dense, got '}'",
                   "    return dense(x, 4}", "                     ^"}));
}

TEST(ParserDiagnostics, UnclosedParenthesisPointsAtItAndSaysWhereToClose) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = dense(x, 4", "  return h", "}"}),
            Lines({"m.dl:2:12: error: the '(' of dense is never closed", "    h = dense(x, 4",
                   "             ^", "  hint: add ')' at the end of line 2"}));
}

TEST(ParserDiagnostics, NestingDepthIsLimited) {
  std::string deep = "  return ";
  for (int i = 0; i < 70; ++i) deep += "relu(";
  deep += "x";
  for (int i = 0; i < 70; ++i) deep += ")";
  // The 66th call is one too deep: 9 + 65 * 5 characters precede it. The
  // line is longer than 160 columns: it is shown from 60 columns before the
  // caret, 160 columns wide, with "..." where it is cut.
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", deep, "}"}),
            StrCat("m.dl:2:335: error: expression nested more than 64 deep\n", "  ...",
                   deep.substr(334 - 60, 160), deep.size() > 334 - 60 + 160 ? "..." : "", "\n",
                   std::string(2 + 3 + 60, ' '), "^~~~"));
}

// ---- the parser: recovery -----------------------------------------------------

TEST(ParserRecovery, EveryBrokenStatementIsReported) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  a = dense(x 4)", "  b = = 3", "  c dense(x, 4)",
                    "  return a", "}"}),
            Lines({"m.dl:2:15: error: expected ',' or ')' in the call of dense, got the number 4",
                   "    a = dense(x 4)", "                ^", "  hint: is a ',' missing before it?",
                   "m.dl:3:7: error: expected a value, got '='", "    b = = 3", "        ^",
                   "m.dl:4:5: error: expected '=' after 'c', got 'dense'", "    c dense(x, 4)",
                   "      ^~~~~", "3 errors generated."}));
}

TEST(ParserRecovery, UnclosedParenthesisThenAnotherStatementsError) {
  // The statement after the unclosed '(' is parsed on its own, so its
  // mistake is reported too.
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  h = dense(x, 4", "  h = relu(h h)", "  return h", "}"}),
      Lines({"m.dl:2:12: error: the '(' of dense is never closed", "    h = dense(x, 4",
             "             ^", "  hint: add ')' at the end of line 2",
             "m.dl:3:14: error: expected ',' or ')' in the call of relu, got 'h'",
             "    h = relu(h h)", "               ^", "  hint: is a ',' missing before it?",
             "2 errors generated."}));
}

TEST(ParserRecovery, BrokenModelHeaderSkipsToTheNextDeclaration) {
  EXPECT_EQ(
      Errors({"model a(x: f32[4] {", "  return x", "}", "model b(x: q8[4]) {", "  return x", "}",
              "model c(x: f32[4]) {", "  return x", "}"}),
      Lines({"m.dl:1:19: error: expected ',' or ')' after an input, got '{'",
             "  model a(x: f32[4] {", "                    ^",
             "m.dl:4:12: error: unknown element type 'q8'", "  model b(x: q8[4]) {",
             "             ^~", "  hint: inputs are f32, f64, i32 or u8", "2 errors generated."}));
}

TEST(ParserRecovery, StrayTextBetweenDeclarationsIsReportedOnce) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return x", "}", "oops, more junk here", "train m {",
                    "  batch = 8", "}"}),
            Lines({"m.dl:4:1: error: expected 'model' or 'train', got 'oops'",
                   "  oops, more junk here", "  ^~~~"}));
}

// ---- lowering: names and layers -------------------------------------------------

TEST(LoweringDiagnostics, UnknownNameSuggestsTheNearest) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  hidden = dense(x, 4)", "  return relu(hiden)", "}"}),
            Lines({"m.dl:3:15: error: unknown name 'hiden'", "    return relu(hiden)",
                   "                ^~~~~", "  hint: did you mean 'hidden'?"}));
}

TEST(LoweringDiagnostics, UnknownNameThatIsALayerSaysToCallIt) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return flatten", "}"}),
            Lines({"m.dl:2:10: error: unknown name 'flatten'", "    return flatten",
                   "           ^~~~~~~", "  hint: flatten is a layer: call it, flatten(...)"}));
}

TEST(LoweringDiagnostics, UnknownNameFarFromAnyHasNoHint) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(features, 4)", "}"}),
            Lines({"m.dl:2:16: error: unknown name 'features'", "    return dense(features, 4)",
                   "                 ^~~~~~~~"}));
}

TEST(LoweringDiagnostics, VeryLongNamesGetNoSuggestion) {
  // Suggestions are for typos; comparing long names would cost their
  // lengths' product in time and memory.
  const std::string name(150, 'a');
  const std::string line = StrCat("  return relu(", name, "b)");
  // The line (over 160 columns) is clipped after 160, marked "...".
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", StrCat("  ", name, " = relu(x)"), line, "}"}),
            StrCat("m.dl:3:15: error: unknown name '", name, "b'\n  ", line.substr(0, 160), "...\n",
                   std::string(16, ' '), "^", std::string(150, '~')));
}

TEST(LoweringDiagnostics, OnlyTheFirstFiftyMistakesGetSuggestions) {
  std::string text = "model m(x: f32[4]) {\n";
  for (int i = 0; i < 60; ++i) text += StrCat("  v", i, " = relu(xx)\n");
  text += "  return x\n}\n";
  absl::StatusOr<Program> program = ParseProgramText(text, "m.dl");
  ASSERT_TRUE(program.ok()) << program.status();
  const std::string message(LowerModel(*program, "m", {}).status().message());
  int hints = 0;
  for (size_t at = 0; (at = message.find("hint: did you mean 'x'?", at)) != std::string::npos;
       ++at) {
    ++hints;
  }
  EXPECT_EQ(hints, 50);
  EXPECT_TRUE(message.ends_with("60 errors generated.")) << message;
}

TEST(LoweringDiagnostics, ValueThatIsNotATensor) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return 3", "}"}),
            Lines({"m.dl:2:10: error: expected a value (a name or a layer call), got the number 3",
                   "    return 3", "           ^"}));
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return dense(\"x\", 4)", "}"}),
      Lines({"m.dl:2:16: error: expected a value (a name or a layer call), got the string \"x\"",
             "    return dense(\"x\", 4)", "                 ^~~"}));
}

TEST(LoweringDiagnostics, UnknownLayerSuggestsTheNearest) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2(x, filters=2, kernel=3)", "}"}),
      Lines({"m.dl:2:10: error: unknown layer 'conv2'", "    return conv2(x, filters=2, kernel=3)",
             "           ^~~~~", "  hint: did you mean 'conv2d'?"}));
}

TEST(LoweringDiagnostics, CallingAValueSaysItIsNotALayer) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  hidden = dense(x, 4)", "  return hidden(x)", "}"}),
            Lines({"m.dl:3:10: error: unknown layer 'hidden'", "    return hidden(x)",
                   "           ^~~~~~", "  hint: 'hidden' is a value, not a layer"}));
}

TEST(LoweringDiagnostics, UnknownLayerStillChecksItsArguments) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return batchnorm(dense(x, 4, activation=rleu))", "}"}),
      Lines({"m.dl:2:10: error: unknown layer 'batchnorm'",
             "    return batchnorm(dense(x, 4, activation=rleu))", "           ^~~~~~~~~",
             "m.dl:2:43: error: unknown activation 'rleu'",
             "    return batchnorm(dense(x, 4, activation=rleu))",
             "                                            ^~~~", "  hint: did you mean 'relu'?",
             "2 errors generated."}));
}

TEST(LoweringDiagnostics, InputDeclaredTwice) {
  EXPECT_EQ(Errors({"model m(x: f32[4], x: f32[8]) {", "  return x", "}"}),
            Lines({"m.dl:1:20: error: input 'x' is declared twice",
                   "  model m(x: f32[4], x: f32[8]) {", "                     ^"}));
}

TEST(LoweringDiagnostics, InputTooLargeForTheIr) {
  EXPECT_EQ(
      Errors({"model m(x: f32[1000000, 1000000, 3]) {", "  return flatten(x)", "}"}),
      Lines({"m.dl:1:12: error: input x is too large: a batch of it, "
             "f32[1,1000000,1000000,3], has more than 2^40 values",
             "  model m(x: f32[1000000, 1000000, 3]) {", "             ^~~~~~~~~~~~~~~~~~~~~~~~"}));
}

// ---- lowering: binding arguments ------------------------------------------------

TEST(ArgumentDiagnostics, UnknownArgumentSuggestsTheNearest) {
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, filters=2, kernal=3)", "}"}),
            Lines({"m.dl:2:31: error: conv2d has no argument 'kernal'",
                   "    return conv2d(x, filters=2, kernal=3)",
                   "                                ^~~~~~", "  hint: did you mean 'kernel'?"}));
}

TEST(ArgumentDiagnostics, UnknownArgumentFarFromAnyListsThem) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, momentum=3)", "}"}),
            Lines({"m.dl:2:22: error: dense has no argument 'momentum'",
                   "    return dense(x, 4, momentum=3)", "                       ^~~~~~~~",
                   "  hint: its arguments are: x, units, activation, use_bias, "
                   "kernel_initializer, bias_initializer, name"}));
}

TEST(ArgumentDiagnostics, TheValuesOfAddCannotBeNamed) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return add(x, values=x)", "}"}),
      Lines({"m.dl:2:17: error: add takes its values by position, not as values=",
             "    return add(x, values=x)", "                  ^~~~~~", "  hint: e.g. add(a, b)"}));
}

TEST(ArgumentDiagnostics, MissingRequiredArgumentListsTheArguments) {
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, kernel=3)", "}"}),
            Lines({"m.dl:2:10: error: conv2d needs 'filters' (an integer)",
                   "    return conv2d(x, kernel=3)", "           ^~~~~~",
                   "  hint: its arguments are: x, filters, kernel, strides, padding, dilation, "
                   "activation, use_bias, kernel_initializer, bias_initializer, name"}));
}

TEST(ArgumentDiagnostics, MissingInput) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(units=4)", "}"}),
            Lines({"m.dl:2:10: error: dense needs 'x' (a value (a name or a layer call))",
                   "    return dense(units=4)", "           ^~~~~",
                   "  hint: its arguments are: x, units, activation, use_bias, "
                   "kernel_initializer, bias_initializer, name"}));
}

TEST(ArgumentDiagnostics, MisspelledArgumentIsNotAlsoReportedMissing) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, unit=4)", "}"}),
            Lines({"m.dl:2:19: error: dense has no argument 'unit'", "    return dense(x, unit=4)",
                   "                    ^~~~", "  hint: did you mean 'units'?"}));
}

TEST(ArgumentDiagnostics, TooManyPositionalArguments) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return relu(x, x)", "}"}),
      Lines({"m.dl:2:18: error: relu takes 1 argument, this is one more", "    return relu(x, x)",
             "                   ^", "  hint: its arguments are: x, name"}));
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dropout(x, 0.5, 0.1)", "}"}),
            Lines({"m.dl:2:26: error: dropout takes 2 arguments, this is one more",
                   "    return dropout(x, 0.5, 0.1)", "                           ^~~",
                   "  hint: its arguments are: x, rate, name"}));
}

TEST(ArgumentDiagnostics, ArgumentGivenTwice) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, units=8)", "}"}),
            Lines({"m.dl:2:22: error: argument 'units' of dense is given twice",
                   "    return dense(x, 4, units=8)", "                       ^~~~~"}));
}

TEST(ArgumentDiagnostics, NameArgumentGivenTwiceInOneCall) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=\"a\", name=\"b\")", "}"}),
            Lines({"m.dl:2:32: error: argument 'name' of dense is given twice",
                   "    return dense(x, 4, name=\"a\", name=\"b\")",
                   "                                 ^~~~"}));
}

TEST(ArgumentDiagnostics, NameAlreadyUsedByAnotherLayer) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  a = dense(x, 4, name=\"hidden\")",
              "  return dense(a, 2, name=\"hidden\")", "}"}),
      Lines({"m.dl:3:27: error: the name \"hidden\" is already used",
             "    return dense(a, 2, name=\"hidden\")", "                            ^~~~~~~~"}));
}

TEST(ArgumentDiagnostics, NameOfAnInputIsTaken) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=\"x\")", "}"}),
            Lines({"m.dl:2:27: error: the name \"x\" is already used",
                   "    return dense(x, 4, name=\"x\")", "                            ^~~"}));
}

TEST(ArgumentDiagnostics, NameMustBeAPlainString) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=hidden)", "}"}),
            Lines({"m.dl:2:27: error: name must be a string of letters, digits and '_'",
                   "    return dense(x, 4, name=hidden)", "                            ^~~~~~",
                   "  hint: e.g. name=\"encoder\""}));
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, name=\"a.b\")", "}"}),
            Lines({"m.dl:2:27: error: name must be a string of letters, digits and '_'",
                   "    return dense(x, 4, name=\"a.b\")", "                            ^~~~~",
                   "  hint: e.g. name=\"encoder\""}));
}

TEST(ArgumentDiagnostics, IntegerArgumentOfTheWrongKind) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 2.5)", "}"}),
            Lines({"m.dl:2:19: error: units must be an integer, got the number 2.5",
                   "    return dense(x, 2.5)", "                    ^~~"}));
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, \"ten\")", "}"}),
            Lines({"m.dl:2:19: error: units must be an integer, got the string \"ten\"",
                   "    return dense(x, \"ten\")", "                    ^~~~~"}));
}

TEST(ArgumentDiagnostics, IntegerArgumentTooLarge) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 100000000000000000000)", "}"}),
            Lines({"m.dl:2:19: error: units must be at most 1000000000 in absolute value, "
                   "got 100000000000000000000",
                   "    return dense(x, 100000000000000000000)",
                   "                    ^~~~~~~~~~~~~~~~~~~~~"}));
}

TEST(ArgumentDiagnostics, NumberArgumentOfTheWrongKind) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dropout(x, rate=high)", "}"}),
            Lines({"m.dl:2:26: error: rate must be a number, got 'high'",
                   "    return dropout(x, rate=high)", "                           ^~~~"}));
}

TEST(ArgumentDiagnostics, PairArgumentOfTheWrongKind) {
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, 2, kernel=[1, 2, 3])", "}"}),
            Lines({"m.dl:2:30: error: kernel must be a positive integer or [height, width], "
                   "got the list [1, 2, 3]",
                   "    return conv2d(x, 2, kernel=[1, 2, 3])",
                   "                               ^~~~~~~~~"}));
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, 2, kernel=0)", "}"}),
            Lines({"m.dl:2:30: error: kernel must be a positive integer or [height, width], "
                   "got the number 0",
                   "    return conv2d(x, 2, kernel=0)", "                               ^"}));
}

TEST(ArgumentDiagnostics, PairArgumentTooLarge) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return maxpool2d(x, [2, 5000000])", "}"}),
      Lines({"m.dl:2:27: error: pool must be at most 1000000, got 5000000",
             "    return maxpool2d(x, [2, 5000000])", "                            ^~~~~~~"}));
}

TEST(ArgumentDiagnostics, WordArgumentOfTheWrongKind) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, activation=3)", "}"}),
            Lines({"m.dl:2:33: error: activation must be one of none, linear, relu, leaky_relu, "
                   "sigmoid, tanh, softmax, got the number 3",
                   "    return dense(x, 4, activation=3)", "                                  ^"}));
}

TEST(ArgumentDiagnostics, UnknownActivationSuggestsTheNearest) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return dense(x, 4, activation=\"sigmiod\")", "}"}),
      Lines({"m.dl:2:33: error: unknown activation 'sigmiod'",
             "    return dense(x, 4, activation=\"sigmiod\")",
             "                                  ^~~~~~~~~", "  hint: did you mean 'sigmoid'?"}));
}

TEST(ArgumentDiagnostics, ExplicitPaddingNeedsFourAmountsOfZeroOrMore) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return maxpool2d(x, padding=[1, 1])", "}"}),
      Lines({"m.dl:2:31: error: padding takes valid, same or [top, bottom, left, right], got 2 "
             "amounts",
             "    return maxpool2d(x, padding=[1, 1])", "                                ^~~~~~"}));
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return maxpool2d(x, padding=[0, -1, 0, 0])", "}"}),
      Lines({"m.dl:2:35: error: padding amounts must be integers from 0 to 1000000, got the "
             "number -1",
             "    return maxpool2d(x, padding=[0, -1, 0, 0])",
             "                                    ^~"}));
}

TEST(ArgumentDiagnostics, UnknownWordFarFromAnyListsTheChoices) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return maxpool2d(x, padding=full)", "}"}),
      Lines({"m.dl:2:31: error: unknown padding 'full'", "    return maxpool2d(x, padding=full)",
             "                                ^~~~", "  hint: choose one of valid, same"}));
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return dense(x, 4, kernel_initializer=random)", "}"}),
      Lines({"m.dl:2:41: error: unknown kernel_initializer 'random'",
             "    return dense(x, 4, kernel_initializer=random)",
             "                                          ^~~~~~",
             "  hint: choose one of zeros, ones, glorot_uniform, glorot_normal, he_normal, "
             "he_uniform"}));
}

TEST(ArgumentDiagnostics, BoolArgumentOfTheWrongKind) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, 4, use_bias=1)", "}"}),
            Lines({"m.dl:2:31: error: use_bias must be true or false, got the number 1",
                   "    return dense(x, 4, use_bias=1)", "                                ^"}));
}

// ---- lowering: what each layer checks -------------------------------------------

TEST(LayerDiagnostics, DenseAfterAnImageAsksAboutFlatten) {
  EXPECT_EQ(
      Errors({"model m(x: u8[28, 28, 1]) {", "  return dense(x, 10)", "}"}, {.batch = 32}),
      Lines({"m.dl:2:10: error: dense expects [batch, features], got u8[32,28,28,1] "
             "(input x)",
             "    return dense(x, 10)", "           ^~~~~", "  hint: did you forget flatten?"}));
}

TEST(LayerDiagnostics, DenseUnitsMustBePositive) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dense(x, units=0)", "}"}),
            Lines({"m.dl:2:25: error: units must be positive, got 0",
                   "    return dense(x, units=0)", "                          ^"}));
}

TEST(LayerDiagnostics, DenseKernelTooLargeForTheIr) {
  EXPECT_EQ(Errors({"model m(x: f32[1000000]) {", "  return dense(x, 2000000)", "}"}),
            Lines({"m.dl:2:10: error: dense would need a kernel of f32[1000000,2000000]: "
                   "more than 2^40 values",
                   "    return dense(x, 2000000)", "           ^~~~~"}));
}

TEST(LayerDiagnostics, Conv2DOnARankThreeInputAsksForAChannelAxis) {
  EXPECT_EQ(Errors({"model m(x: u8[28, 28]) {", "  return conv2d(x, filters=8, kernel=3)", "}"}),
            Lines({"m.dl:2:10: error: conv2d expects [batch, height, width, channels], "
                   "got u8[1,28,28] (input x)",
                   "    return conv2d(x, filters=8, kernel=3)", "           ^~~~~~",
                   "  hint: declare the input with a channel axis, e.g. u8[28, 28, 1]"}));
}

TEST(LayerDiagnostics, Conv2DAfterFlattenNamesTheProducer) {
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  h = flatten(x)",
                    "  return conv2d(h, filters=8, kernel=3)", "}"}),
            Lines({"m.dl:3:10: error: conv2d expects [batch, height, width, channels], "
                   "got f32[1,16] from flatten (line 2)",
                   "    return conv2d(h, filters=8, kernel=3)", "           ^~~~~~"}));
}

TEST(LayerDiagnostics, Conv2DFiltersMustBePositive) {
  EXPECT_EQ(
      Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, filters=-2, kernel=3)", "}"}),
      Lines({"m.dl:2:28: error: filters must be positive, got -2",
             "    return conv2d(x, filters=-2, kernel=3)", "                             ^~"}));
}

TEST(LayerDiagnostics, Conv2DKernelLargerThanItsInput) {
  EXPECT_EQ(Errors({"model m(x: f32[4, 4, 1]) {", "  return conv2d(x, filters=2, kernel=5)", "}"}),
            Lines({"m.dl:2:10: error: conv2d on f32[1,4,4,1] (input x): window 5x5 is larger "
                   "than the padded input 4x4",
                   "    return conv2d(x, filters=2, kernel=5)", "           ^~~~~~"}));
}

TEST(LayerDiagnostics, PoolWindowLargerThanItsInput) {
  EXPECT_EQ(
      Errors({"model m(x: f32[28, 28, 1]) {", "  h = conv2d(x, filters=2, kernel=3, strides=8)",
              "  return maxpool2d(h, 5)", "}"}),
      Lines({"m.dl:3:10: error: maxpool2d on f32[1,4,4,2] from conv2d (line 2): window 5x5 "
             "is larger than the padded input 4x4",
             "    return maxpool2d(h, 5)", "           ^~~~~~~~~"}));
}

TEST(LayerDiagnostics, PoolOnAVector) {
  EXPECT_EQ(Errors({"model m(x: f32[16]) {", "  return avgpool2d(x)", "}"}),
            Lines({"m.dl:2:10: error: avgpool2d expects [batch, height, width, channels], "
                   "got f32[1,16] (input x)",
                   "    return avgpool2d(x)", "           ^~~~~~~~~"}));
}

TEST(LayerDiagnostics, DropoutRateMustBeBelowOne) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dropout(x, rate=1)", "}"}),
            Lines({"m.dl:2:26: error: rate must be in [0, 1), got 1",
                   "    return dropout(x, rate=1)", "                           ^"}));
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return dropout(x, -1/2)", "}"}),
            Lines({"m.dl:2:21: error: rate must be in [0, 1), got -1/2",
                   "    return dropout(x, -1/2)", "                      ^~~~"}));
}

TEST(LayerDiagnostics, LeakyReluAlphaMustBeAFiniteNumberNotBelowZero) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return leaky_relu(x, alpha=-0.5)", "}"}),
            Lines({"m.dl:2:30: error: alpha must be a finite number >= 0, got -0.5",
                   "    return leaky_relu(x, alpha=-0.5)", "                               ^~~~"}));
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return leaky_relu(x, 1e39)", "}"}),
            Lines({"m.dl:2:24: error: alpha must be a finite number >= 0, got 1e39",
                   "    return leaky_relu(x, 1e39)", "                         ^~~~"}));
}

TEST(LayerDiagnostics, DropoutKeyNameTakenByTheModel) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = relu(x, name=\"rng_key\")",
                    "  return dropout(h, 0.5)", "}"},
                   {.batch = 1, .training = true}),
            Lines({"m.dl:3:10: error: dropout needs the graph input %rng_key (i32[2]), but a "
                   "value of the model is already called rng_key",
                   "    return dropout(h, 0.5)", "           ^~~~~~~",
                   "  hint: rename the input or layer called rng_key"}));
}

// Issue #12: returning the input (or any non-[batch, classes] value) from a
// trained model failed in the training graph with no file:line.
TEST(LayerDiagnostics, TrainedModelMustReturnScoresPerClass) {
  EXPECT_EQ(Errors({"model m(x: u8[4, 4]) {", "  h = flatten(x)", "  return x", "}"},
                   {.batch = 2, .training = true}),
            Lines({"m.dl:3:10: error: a trained model must return float scores of shape "
                   "[batch, classes] for its loss (softmax_cross_entropy); it returns its input "
                   "x, u8[2,4,4]",
                   "    return x", "           ^",
                   "  hint: end the model with a layer that gives one score per class, such as "
                   "dense(flatten(h), CLASSES, activation=softmax)"}));
  EXPECT_EQ(
      Errors({"model m(x: f32[4]) {", "  return relu(x)", "}"}, {.batch = 2, .training = true}),
      "(no errors)");
  EXPECT_EQ(Errors({"model m(x: f32[4, 4]) {", "  return relu(x)", "}"}, {.batch = 2}),
            "(no errors)");
}

TEST(LayerDiagnostics, AddShapeMismatchNamesBothProducers) {
  EXPECT_EQ(Errors({"model m(x: f32[8, 8, 1]) {", "  a = conv2d(x, filters=4, kernel=3)",
                    "  b = conv2d(x, filters=4, kernel=5)", "  return add(a, b)", "}"}),
            Lines({"m.dl:4:10: error: add needs values of one shape: f32[1,6,6,4] from conv2d "
                   "(line 2) and f32[1,4,4,4] from conv2d_1 (line 3)",
                   "    return add(a, b)", "           ^~~"}));
}

TEST(LayerDiagnostics, AddNeedsTwoValues) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return add(x)", "}"}),
            Lines({"m.dl:2:10: error: add needs at least two values", "    return add(x)",
                   "           ^~~"}));
}

TEST(LayerDiagnostics, ConcatShapeMismatchNamesBothProducers) {
  EXPECT_EQ(Errors({"model m(x: f32[8, 8, 1]) {", "  a = conv2d(x, filters=4, kernel=3)",
                    "  return concat(a, x)", "}"}),
            Lines({"m.dl:3:10: error: concat needs values of one shape except on the joined "
                   "axis: f32[1,6,6,4] from conv2d (line 2) and f32[1,8,8,1] (input x)",
                   "    return concat(a, x)", "           ^~~~~~"}));
}

TEST(LayerDiagnostics, ConcatNeedsTwoValues) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return concat(x, axis=1)", "}"}),
            Lines({"m.dl:2:10: error: concat needs at least two values",
                   "    return concat(x, axis=1)", "           ^~~~~~"}));
}

TEST(LayerDiagnostics, ConcatCannotJoinTheBatchAxis) {
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  return concat(x, x, axis=0)", "}"}),
            Lines({"m.dl:2:28: error: axis 0 is out of range for values of rank 2 (use 1..1 or "
                   "-1..-1; the batch axis cannot be joined)",
                   "    return concat(x, x, axis=0)", "                             ^"}));
}

// ---- several mistakes in one run --------------------------------------------------

TEST(LoweringRecovery, IndependentMistakesAreReportedTogether) {
  EXPECT_EQ(Errors({"model m(x: u8[28, 28, 1]) {", "  h = rescale(x, 1/255)",
                    "  h = conv2(h, filters=32, kernel=3, activation=relu)",
                    "  p = maxpool2d(x, 2, paddin=same)", "  f = flatten(pp)",
                    "  d = dense(f, 10, activation=rellu)",
                    "  return dense(flatten(x), 10, units=3)", "}"}),
            Lines({"m.dl:3:7: error: unknown layer 'conv2'",
                   "    h = conv2(h, filters=32, kernel=3, activation=relu)",
                   "        ^~~~~",
                   "  hint: did you mean 'conv2d'?",
                   "m.dl:4:23: error: maxpool2d has no argument 'paddin'",
                   "    p = maxpool2d(x, 2, paddin=same)",
                   "                        ^~~~~~",
                   "  hint: did you mean 'padding'?",
                   "m.dl:5:15: error: unknown name 'pp'",
                   "    f = flatten(pp)",
                   "                ^~",
                   "  hint: did you mean 'p'?",
                   "m.dl:6:31: error: unknown activation 'rellu'",
                   "    d = dense(f, 10, activation=rellu)",
                   "                                ^~~~~",
                   "  hint: did you mean 'relu'?",
                   "m.dl:7:32: error: argument 'units' of dense is given twice",
                   "    return dense(flatten(x), 10, units=3)",
                   "                                 ^~~~~",
                   "5 errors generated."}));
}

TEST(LoweringRecovery, PoisonedNamesAreNotReportedAgain) {
  // h's statement fails; the statements using h say nothing more, while an
  // independent mistake after them is still found.
  EXPECT_EQ(Errors({"model m(x: f32[4]) {", "  h = dense(x, units=-3)", "  h = dense(h, 4)",
                    "  g = relu(h)", "  return add(g, dense(x, 4, activation=swish))", "}"}),
            Lines({"m.dl:2:22: error: units must be positive, got -3", "    h = dense(x, units=-3)",
                   "                       ^~", "m.dl:5:40: error: unknown activation 'swish'",
                   "    return add(g, dense(x, 4, activation=swish))",
                   "                                         ^~~~~",
                   "  hint: choose one of none, linear, relu, leaky_relu, sigmoid, tanh, softmax",
                   "2 errors generated."}));
}

TEST(LoweringRecovery, EveryModelOfAFileIsCheckedOnItsOwn) {
  EXPECT_EQ(Errors({"model a(x: f32[4]) {", "  return dense(x, 0)", "}", "model b(x: f32[4]) {",
                    "  return relu(y)", "}"}),
            Lines({"m.dl:2:19: error: units must be positive, got 0", "    return dense(x, 0)",
                   "                    ^", "m.dl:5:15: error: unknown name 'y'",
                   "    return relu(y)", "                ^", "  hint: did you mean 'x'?"}));
}

// ---- LowerModel's own preconditions -------------------------------------------------

TEST(LowerModelErrors, UnknownModelIsNotFound) {
  absl::StatusOr<Program> program =
      ParseProgramText(Source({"model m(x: f32[4]) {", "  return x", "}"}), "m.dl");
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<LoweredModel> lowered = LowerModel(*program, "n", {});
  EXPECT_EQ(lowered.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(lowered.status().message(), "m.dl: no model named 'n'");
}

TEST(LowerModelErrors, BatchMustBePositive) {
  absl::StatusOr<Program> program =
      ParseProgramText(Source({"model m(x: f32[4]) {", "  return x", "}"}), "m.dl");
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<LoweredModel> lowered = LowerModel(*program, "m", {.batch = 0});
  EXPECT_EQ(lowered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(lowered.status().message(), "the batch size must be positive, got 0");
}

TEST(ParseProgramFileErrors, MissingFile) {
  absl::StatusOr<Program> program = ParseProgramFile("/nonexistent/m.dl");
  EXPECT_EQ(program.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(program.status().message(), "/nonexistent/m.dl: cannot open file");
}

}  // namespace
}  // namespace dlc::dl
