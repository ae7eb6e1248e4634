// Bad ONNX input gives a clear error, never a crash: missing, empty,
// truncated and non-ONNX files, opsets outside 11..17, cycles, undefined
// values, initializers of the wrong size, and graphs with unsupported ops
// (all of them listed in one error).
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/str_cat.h"
#include "tests/onnx/onnx_test_util.h"

namespace dlc::onnx_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Message(const absl::StatusOr<onnx_import::ImportedModel>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : std::string(result.status().message());
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// x [batch, 4] -> Relu -> y: a valid model to spoil.
::onnx::ModelProto ReluModel(int64_t opset = 13) {
  ::onnx::ModelProto m = NewModel(opset);
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddNode(g, "Relu", {"x"}, {"y"});
  AddOutput(g, "y", 2);
  return m;
}

TEST(Malformed, MissingFileIsNotFound) {
  absl::StatusOr<onnx_import::ImportedModel> r = onnx_import::ImportOnnxFile("/no/such/m.onnx");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(r), HasSubstr("/no/such/m.onnx: cannot open"));
}

TEST(Malformed, EmptyFile) {
  EXPECT_THAT(Message(onnx_import::ImportOnnx("", "e.onnx")),
              AllOf(HasSubstr("e.onnx: not an ONNX model"), HasSubstr("empty or truncated")));
}

TEST(Malformed, TruncatedFilesNeverImport) {
  const std::string bytes = ReadBytes(ModelPath("cnn.onnx"));
  ASSERT_GT(bytes.size(), 1000u);
  // Cut anywhere: in the header, in a node, in the weights, near the end.
  for (size_t size : {size_t{5}, size_t{40}, size_t{300}, bytes.size() / 2, bytes.size() - 3}) {
    const std::string message = Message(onnx_import::ImportOnnx(bytes.substr(0, size), "t.onnx"));
    EXPECT_THAT(message, HasSubstr("t.onnx: ")) << size;
  }
  EXPECT_THAT(Message(onnx_import::ImportOnnx(bytes.substr(0, bytes.size() / 2), "t.onnx")),
              HasSubstr("is the file truncated?"));
}

TEST(Malformed, TextIsNotAnOnnxModel) {
  EXPECT_THAT(Message(onnx_import::ImportOnnx("model m(x: u8[2]) { return x }\n", "m.onnx")),
              HasSubstr("m.onnx: not an ONNX model"));
}

TEST(Malformed, OpsetsOutside11To17) {
  for (int64_t opset : {7, 10, 18, 20}) {
    EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(ReluModel(opset)), "o.onnx")),
                AllOf(HasSubstr(StrCat("opset ", opset, " is not supported")),
                      HasSubstr("opsets 11 to 17")));
  }
  for (int64_t opset : {11, 12, 13, 14, 15, 16, 17}) {
    EXPECT_TRUE(onnx_import::ImportOnnx(Serialize(ReluModel(opset)), "o.onnx").ok()) << opset;
  }
}

TEST(Malformed, NoDefaultDomainOpset) {
  ::onnx::ModelProto m = ReluModel();
  m.mutable_opset_import(0)->set_domain("com.example");
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "d.onnx")),
              HasSubstr("imports no opset of the default ONNX domain"));
}

TEST(Malformed, CycleNamesItsNodes) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddNode(g, "Add", {"x", "b"}, {"a"}, "first");
  AddNode(g, "Relu", {"a"}, {"b"}, "second");
  AddOutput(g, "b", 2);
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "c.onnx")),
              AllOf(HasSubstr("c.onnx: the ONNX graph has a cycle"),
                    HasSubstr("'first' (Add), 'second' (Relu)")));
}

TEST(Malformed, UndefinedValue) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddNode(g, "Add", {"x", "ghost"}, {"y"}, "adder");
  AddOutput(g, "y", 2);
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "u.onnx")),
              HasSubstr("node 'adder' (Add) reads 'ghost', which no node, graph input or "
                        "initializer defines"));
}

TEST(Malformed, InitializerOfTheWrongSize) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4});
  AddInitializer(g, "fc.weight", {3, 4}, {1, 2, 3, 4, 5});  // 12 values needed
  AddNode(g, "Gemm", {"x", "fc.weight"}, {"y"});
  AddOutput(g, "y", 2);
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "w.onnx")),
              HasSubstr("w.onnx: initializer fc.weight: dims [3,4] need 12 values, the tensor "
                        "holds 5"));
  // Raw data of the wrong length too.
  g.mutable_initializer(0)->clear_float_data();
  g.mutable_initializer(0)->set_raw_data(std::string(47, '\0'));
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "w.onnx")),
              HasSubstr("need 12 values, the tensor holds 47 bytes of raw data"));
}

TEST(Malformed, CheckerRejectionsBecomeErrors) {
  ::onnx::ModelProto m = ReluModel();
  m.mutable_graph()->mutable_node(0)->add_input("x");  // Relu takes one input
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "k.onnx")),
              HasSubstr("k.onnx: ONNX's checker rejects the model"));
}

TEST(Malformed, EveryUnsupportedNodeIsListedAtOnce) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 2, 8, 8});
  AddInitializer(g, "w", {4, 1, 3, 3}, std::vector<float>(36, 0.5f));
  auto* conv = AddNode(g, "Conv", {"x", "w"}, {"c"}, "grouped");
  SetInt(conv, "group", 2);
  AddNode(g, "Erf", {"c"}, {"e"}, "erf_node");
  auto* pool = AddNode(g, "AveragePool", {"e"}, {"p"}, "padded_pool");
  SetInts(pool, "kernel_shape", {3, 3});
  SetInts(pool, "pads", {1, 0, 0, 0});
  SetInt(pool, "count_include_pad", 1);
  AddNode(g, "Relu", {"p"}, {"r"}, "fine");
  AddNode(g, "Softplus", {"r"}, {"y"}, "softplus_node");
  AddOutput(g, "y", 4);
  const std::string message = Message(onnx_import::ImportOnnx(Serialize(m), "many.onnx"));
  EXPECT_THAT(message, HasSubstr("many.onnx: cannot import 4 nodes (nothing was written)"));
  EXPECT_THAT(message, HasSubstr("node grouped (Conv): group=2 (a grouped or depthwise "
                                 "convolution): dlc's conv2d has no groups"));
  EXPECT_THAT(message, HasSubstr("node erf_node (Erf): op Erf is not supported (dlc imports "));
  EXPECT_THAT(message, HasSubstr("node padded_pool (AveragePool): AveragePool with "
                                 "count_include_pad=1 divides by the padding too"));
  EXPECT_THAT(message, HasSubstr("node softplus_node (Softplus): op Softplus is not supported"));
  EXPECT_THAT(message, Not(HasSubstr("fine")));
}

// Debian's libonnx divides by these in its shape inference and dies of
// SIGFPE on 0 (found by onnx_import_fuzz): they are checked before it runs.
TEST(Malformed, ZeroStridesDilationsKernelOrGroupAreErrorsNotCrashes) {
  auto pool = [](const std::string& attr, std::vector<int64_t> values) {
    ::onnx::ModelProto m = NewModel();
    auto& g = *m.mutable_graph();
    AddInput(g, "x", {-1, 1, 4, 4});
    auto* n = AddNode(g, "MaxPool", {"x"}, {"y"}, "pool");
    if (attr != "kernel_shape") SetInts(n, "kernel_shape", {2, 2});
    SetInts(n, attr, std::move(values));
    AddOutput(g, "y", 4);
    return Message(onnx_import::ImportOnnx(Serialize(m), "z.onnx"));
  };
  EXPECT_THAT(pool("strides", {0, 1}),
              HasSubstr("z.onnx: node 'pool' (MaxPool): strides must be >= 1, got 0"));
  EXPECT_THAT(pool("dilations", {1, 0}), HasSubstr("dilations must be >= 1, got 0"));
  EXPECT_THAT(pool("kernel_shape", {0, 2}), HasSubstr("kernel_shape must be >= 1, got 0"));
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 1, 4, 4});
  AddInitializer(g, "w", {1, 1, 2, 2}, {1, 1, 1, 1});
  SetInt(AddNode(g, "Conv", {"x", "w"}, {"y"}, "conv"), "group", 0);
  AddOutput(g, "y", 4);
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "z.onnx")),
              HasSubstr("node 'conv' (Conv): group must be >= 1, got 0"));
}

TEST(Malformed, NonFloatInput) {
  ::onnx::ModelProto m = NewModel();
  auto& g = *m.mutable_graph();
  AddInput(g, "x", {-1, 4}, ::onnx::TensorProto::INT64);
  AddNode(g, "Cast", {"x"}, {"y"});
  SetInt(g.mutable_node(0), "to", ::onnx::TensorProto::FLOAT);
  AddOutput(g, "y", 2);
  EXPECT_THAT(Message(onnx_import::ImportOnnx(Serialize(m), "i.onnx")),
              HasSubstr("graph input x is INT64: dlc's imported models take FLOAT (or UINT8 "
                        "pixel) inputs"));
}

}  // namespace
}  // namespace dlc::onnx_test
