// The tensor IR's text form: printing, parsing, and parse(print(g)) == g.
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/printer.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Parses `text`, prints it, parses and prints again: both prints must equal `text`.
void ExpectCanonicalRoundTrip(const std::string& text, const std::string& name) {
  auto module = ParseModule(text, name);
  ASSERT_TRUE(module.ok()) << module.status();
  const std::string printed = PrintModule(*module);
  EXPECT_EQ(printed, text);
  auto reparsed = ParseModule(printed, name);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  EXPECT_EQ(PrintModule(*reparsed), printed);
}

TEST(TextForm, EveryOpAndAttributeRoundTrips) {
  ExpectCanonicalRoundTrip(ReadFile(DLC_SOURCE_DIR "/tests/ir/testdata/all_ops.ir"), "all_ops.ir");
}

TEST(TextForm, RoundTripCorpusCoversEveryOp) {
  auto module = ParseModuleFile(DLC_SOURCE_DIR "/tests/ir/testdata/all_ops.ir");
  ASSERT_TRUE(module.ok()) << module.status();
  for (const OpDef& def : AllOpDefs()) {
    bool used = false;
    for (const Graph& graph : module->graphs) used |= !graph.NodesOf(def.kind).empty();
    EXPECT_TRUE(used) << "all_ops.ir has no " << def.name << ": add it to the round-trip corpus";
  }
}

TEST(TextForm, BundledExamplesRoundTrip) {
  for (const char* example : {"mnist_mlp.ir", "mnist_cnn.ir"}) {
    std::string text = ReadFile(std::string(DLC_SOURCE_DIR "/examples/ir/") + example);
    auto module = ParseModule(text, example);
    ASSERT_TRUE(module.ok()) << module.status();
    const std::string printed = PrintModule(*module);
    auto reparsed = ParseModule(printed, example);
    ASSERT_TRUE(reparsed.ok()) << reparsed.status();
    EXPECT_EQ(PrintModule(*reparsed), printed);
  }
}

TEST(TextForm, BuiltGraphRoundTripsAndPrintsReadably) {
  GraphBuilder b("tiny");
  ValueId x = *b.Input("x", {DType::kF32, {2, 3}});
  ValueId w = *b.Parameter("dense.kernel", {DType::kF32, {3, 4}}, "glorot_uniform");
  ValueId y = *b.Add(OpKind::kMatMul, {x, w});
  ValueId r = *b.Add(OpKind::kRelu, {y}, {}, "out");
  auto graph = std::move(b).Build({r});
  ASSERT_TRUE(graph.ok()) << graph.status();
  const std::string expected =
      "graph tiny {\n"
      "  %x = input() : f32[2,3]\n"
      "  %dense.kernel = parameter() {init=\"glorot_uniform\"} : f32[3,4]\n"
      "  %0 = matmul(%x, %dense.kernel) : f32[2,4]\n"
      "  %out = relu(%0) : f32[2,4]\n"
      "  return %out\n"
      "}\n";
  EXPECT_EQ(PrintGraph(*graph), expected);
  auto parsed = ParseModule(expected);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(PrintModule(*parsed), expected);
}

TEST(TextForm, DefaultAttributesAreFilledWhenParsedAndOmittedWhenPrinted) {
  auto module = ParseModule(
      "graph g {\n"
      "  %x = input() : f32[1,4,4,1]\n"
      "  %w = input() : f32[3,3,1,1]\n"
      "  %y = conv2d(%x, %w) {strides=[1,1], padding=\"valid\", dilations=[1,1]} : f32[1,2,2,1]\n"
      "  return %y\n"
      "}\n");
  ASSERT_TRUE(module.ok()) << module.status();
  const Node& conv = module->graphs[0].node(2);
  EXPECT_EQ(AttrInts(conv.attrs, "strides"), (IntList{1, 1}));
  EXPECT_EQ(AttrString(conv.attrs, "padding"), "valid");
  EXPECT_EQ(PrintNode(module->graphs[0], 2), "%y = conv2d(%x, %w) : f32[1,2,2,1]");
}

TEST(TextForm, LenientValuesAreCoercedToTheDeclaredKind) {
  // An int where a float is expected, a scalar where a list is expected.
  auto module = ParseModule(
      "graph g {\n"
      "  %c = constant() {value=2} : f32[3]\n"
      "  %p = pad(%c) {low=[1], high=[0], value=3} : f32[4]\n"
      "  return %p\n"
      "}\n");
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_EQ(PrintNode(module->graphs[0], 0), "%c = constant() {value=[2.0]} : f32[3]");
  EXPECT_EQ(PrintNode(module->graphs[0], 1),
            "%p = pad(%c) {low=[1], high=[0], value=3.0} : f32[4]");
}

TEST(TextForm, CommentsAndBlankLinesAreIgnored) {
  auto module = ParseModule(
      "# leading comment\n\n"
      "graph g {   # trailing comment\n"
      "  %x = input() : f32[]  # scalar\n"
      "  return %x\n"
      "}\n");
  ASSERT_TRUE(module.ok()) << module.status();
  EXPECT_EQ(module->graphs[0].size(), 1);
}

TEST(TextForm, StringsWithEscapesRoundTrip) {
  EXPECT_EQ(AttributeToString(std::string("a\"b\\c\n")), "\"a\\\"b\\\\c\\n\"");
}

TEST(TextForm, FloatsPrintShortestExactText) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(1.0 / 255), "0.00392156862745098");
  EXPECT_EQ(FormatDouble(3), "3.0");
  EXPECT_EQ(FormatDouble(-0.0), "-0.0");
  EXPECT_EQ(FormatDouble(1e-30), "1e-30");
  EXPECT_EQ(FormatDouble(1.0 / 0.0), "inf");
}

TEST(TextForm, DotOutputHasANodePerValueAndAnEdgePerOperand) {
  auto module = ParseModule(
      "graph g {\n"
      "  %x = input() : f32[2]\n"
      "  %y = exp(%x) : f32[2]\n"
      "  %z = add(%x, %y) : f32[2]\n"
      "  return %z\n"
      "}\n");
  ASSERT_TRUE(module.ok()) << module.status();
  const std::string dot = GraphToDot(module->graphs[0]);
  EXPECT_THAT(dot, HasSubstr("digraph \"g\" {"));
  EXPECT_THAT(dot, HasSubstr("n1 [label=\"%y = exp\\nf32[2]\"];"));
  EXPECT_THAT(dot, HasSubstr("n0 -> n2;"));
  EXPECT_THAT(dot, HasSubstr("n1 -> n2;"));
  EXPECT_THAT(dot, HasSubstr("n2 -> out0;"));
}

// ---- parse errors: file:line:col, the source line and a caret -------------

std::string ParseError(const std::string& text) {
  auto module = ParseModule(text, "bad.ir");
  EXPECT_FALSE(module.ok()) << "parsed:\n" << text;
  return module.ok() ? "" : std::string(module.status().message());
}

TEST(ParseErrors, UnknownOpSuggestsTheNearestName) {
  EXPECT_EQ(
      ParseError("graph g {\n  %x = input() : f32[2]\n  %y = rleu(%x) : f32[2]\n  return %y\n}\n"),
      "bad.ir:3:8: error: unknown op 'rleu'; did you mean 'relu'?\n"
      "    %y = rleu(%x) : f32[2]\n"
      "         ^~~~");
}

TEST(ParseErrors, UndefinedValue) {
  EXPECT_EQ(
      ParseError("graph g {\n  %x = input() : f32[2]\n  %y = relu(%z) : f32[2]\n  return %y\n}\n"),
      "bad.ir:3:13: error: undefined value %z\n"
      "    %y = relu(%z) : f32[2]\n"
      "              ^~");
}

TEST(ParseErrors, UseBeforeDefinition) {
  EXPECT_EQ(
      ParseError("graph g {\n  %y = relu(%x) : f32[2]\n  %x = input() : f32[2]\n  return %y\n}\n"),
      "bad.ir:2:13: error: value %x is used before its definition at line 3\n"
      "    %y = relu(%x) : f32[2]\n"
      "              ^~");
}

TEST(ParseErrors, ValueDefinedTwice) {
  EXPECT_THAT(
      ParseError("graph g {\n  %x = input() : f32[2]\n  %x = input() : f32[2]\n  return %x\n}\n"),
      HasSubstr("bad.ir:3:3: error: value %x is already defined at line 2"));
}

TEST(ParseErrors, MissingClosingParenthesis) {
  EXPECT_EQ(ParseError(
                "graph g {\n  %x = input() : f32[2]\n  %y = add(%x %x) : f32[2]\n  return %y\n}\n"),
            "bad.ir:3:15: error: expected ')' after the operands, got %x\n"
            "    %y = add(%x %x) : f32[2]\n"
            "                ^~");
}

TEST(ParseErrors, UnknownAttributeSuggestsTheNearestName) {
  EXPECT_THAT(
      ParseError(
          "graph g {\n  %x = input() : f32[1,4,4,1]\n"
          "  %y = maxpool2d(%x) {window=[2,2], stride=[2,2]} : f32[1,2,2,1]\n  return %y\n}\n"),
      HasSubstr(
          "bad.ir:3:37: error: unknown attribute 'stride' for maxpool2d; did you mean 'strides'?"));
}

TEST(ParseErrors, MissingRequiredAttribute) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2,3]\n  %y = transpose(%x) : f32[3,2]\n  "
                         "return %y\n}\n"),
              HasSubstr("bad.ir:3:8: error: transpose needs attribute 'perm' (int list)"));
}

TEST(ParseErrors, AttributeOfTheWrongKind) {
  EXPECT_THAT(
      ParseError("graph g {\n  %x = input() : f32[2,3]\n  %y = softmax(%x) {axis=\"last\"} : "
                 "f32[2,3]\n  return %y\n}\n"),
      HasSubstr("bad.ir:3:26: error: attribute 'axis' of softmax: expected int, got \"last\""));
}

TEST(ParseErrors, LeakyReluAlphaIsAFloat) {
  EXPECT_THAT(
      ParseError("graph g {\n  %x = input() : f32[2]\n  %y = leaky_relu(%x) {alpha=\"big\"} : "
                 "f32[2]\n  return %y\n}\n"),
      HasSubstr(
          "bad.ir:3:30: error: attribute 'alpha' of leaky_relu: expected float, got \"big\""));
}

TEST(ParseErrors, DeclaredTypeDiffersFromInferredType) {
  EXPECT_EQ(
      ParseError(
          "graph g {\n  %x = input() : f32[2,3]\n  %y = exp(%x) : f32[3,2]\n  return %y\n}\n"),
      "bad.ir:3:3: error: %y = exp: declared type f32[3,2] does not match the type its "
      "operands give, f32[2,3]\n"
      "    %y = exp(%x) : f32[3,2]\n"
      "    ^~");
}

TEST(ParseErrors, InvalidOperandsReportTheTypeRule) {
  EXPECT_EQ(ParseError("graph g {\n  %a = input() : f32[2,3]\n  %b = input() : f32[4]\n"
                       "  %c = add(%a, %b) : f32[2,3]\n  return %c\n}\n"),
            "bad.ir:4:3: error: %c = add: shapes [2,3] and [4] do not broadcast\n"
            "    %c = add(%a, %b) : f32[2,3]\n"
            "    ^~");
}

TEST(ParseErrors, UnknownElementType) {
  EXPECT_THAT(
      ParseError("graph g {\n  %x = input() : f16[2]\n  return %x\n}\n"),
      HasSubstr(
          "bad.ir:2:18: error: unknown element type 'f16' (expected f32, f64, i32, u8 or i1)"));
}

TEST(ParseErrors, NegativeDimension) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[-2]\n  return %x\n}\n"),
              HasSubstr("bad.ir:2:22: error: a dimension must not be negative"));
}

TEST(ParseErrors, MissingReturn) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2]\n}\n"),
              HasSubstr("bad.ir:3:1: error: expected 'return' to end graph g, got '}'"));
}

TEST(ParseErrors, UnterminatedString) {
  EXPECT_THAT(ParseError("graph g {\n  %w = parameter() {init=\"zeros} : f32[2]\n  return %w\n}\n"),
              HasSubstr("bad.ir:2:26: error: unterminated string"));
}

TEST(ParseErrors, IntegerOutOfRange) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[99999999999999999999]\n  return %x\n}\n"),
              HasSubstr("bad.ir:2:22: error: integer 99999999999999999999 is out of range"));
}

TEST(ParseErrors, UnexpectedCharacter) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2] ;\n  return %x\n}\n"),
              HasSubstr("bad.ir:2:25: error: unexpected character ';'"));
}

TEST(ParseErrors, EmptyInput) {
  EXPECT_EQ(ParseError("  # nothing here\n"),
            "bad.ir:2:1: error: expected 'graph', got end of input");
}

TEST(ParseErrors, GraphDefinedTwice) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2]\n  return %x\n}\n"
                         "graph g {\n  %x = input() : f32[2]\n  return %x\n}\n"),
              HasSubstr("bad.ir:5:7: error: graph g is defined twice"));
}

TEST(ParseErrors, MissingFileIsNotFound) {
  auto module = ParseModuleFile("/nonexistent/model.ir");
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(module.status().message(), "/nonexistent/model.ir: cannot open file");
}

// Issue #12: sizes, strides, axes and paddings are finite integers; nan and
// inf there are errors at the number, and a pad value may be +-inf, not nan.
TEST(ParseErrors, NonFiniteNumberInAnIntegerAttribute) {
  EXPECT_THAT(
      ParseError("graph g {\n  %x = input() : f32[1,4,4,1]\n"
                 "  %y = maxpool2d(%x) {window=[2, inf], strides=[2,2]} : f32[1,2,2,1]\n"
                 "  return %y\n}\n"),
      HasSubstr("bad.ir:3:34: error: attribute 'window' of maxpool2d takes finite integers; "
                "inf is not a finite number"));
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2,3]\n"
                         "  %y = softmax(%x) {axis=-inf} : f32[2,3]\n  return %y\n}\n"),
              HasSubstr("bad.ir:3:26: error: attribute 'axis' of softmax takes finite integers; "
                        "-inf is not a finite number"));
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[2,3]\n"
                         "  %y = reshape(%x) {shape=[3, 2.5]} : f32[3,2]\n  return %y\n}\n"),
              HasSubstr("bad.ir:3:31: error: attribute 'shape' of reshape takes finite integers; "
                        "2.5 is not an integer"));
}

TEST(ParseErrors, NanPadValue) {
  EXPECT_THAT(ParseError("graph g {\n  %x = input() : f32[4]\n"
                         "  %y = pad(%x) {low=[1], high=[1], value=nan} : f32[6]\n"
                         "  return %y\n}\n"),
              HasSubstr("bad.ir:3:3: error: %y = pad: the padding value must be a number or +-inf, "
                        "not nan"));
}

}  // namespace
}  // namespace dlc
