#include "runtime/safetensors.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/runtime/test_files.h"

namespace dlc {
namespace {

using test_files::Bytes;
using test_files::Concat;
using test_files::ReadBytes;
using test_files::TempPath;
using test_files::WriteBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Bytes LittleEndianU64(uint64_t value) {
  Bytes bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
  return bytes;
}

Bytes TextBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

// A safetensors file by hand: the header's length, the header, the data.
Bytes FileBytes(std::string_view header, const Bytes& data = {}) {
  return Concat(Concat(LittleEndianU64(header.size()), TextBytes(header)), data);
}

// One tensor's entry in a header.
std::string Entry(std::string_view name, std::string_view dtype, std::string_view shape,
                  std::string_view offsets) {
  return std::string("\"") + std::string(name) + "\":{\"dtype\":\"" + std::string(dtype) +
         "\",\"shape\":" + std::string(shape) + ",\"data_offsets\":" + std::string(offsets) + "}";
}

// Reading `path` fails with `code` and exactly "safetensors file '<path>': <problem>".
void ExpectReadError(const std::string& path, const std::string& problem,
                     absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_FALSE(read.ok()) << "read " << read->tensors.size() << " tensors";
  EXPECT_EQ(read.status().code(), code) << read.status();
  EXPECT_EQ(std::string(read.status().message()), "safetensors file '" + path + "': " + problem);
}

// A file with `header` and `data` fails to read with `problem`.
void ExpectBadFile(std::string_view header, const Bytes& data, const std::string& problem) {
  const std::string path = TempPath("bad.safetensors");
  WriteBytes(path, FileBytes(header, data));
  ExpectReadError(path, problem);
}

bool SameTensor(const Tensor& a, const Tensor& b) {
  return a.type() == b.type() && a.byte_size() == b.byte_size() &&
         std::equal(a.raw_data(), a.raw_data() + a.byte_size(), b.raw_data());
}

// Every entry of the folder holding `path`, by file name.
std::vector<std::string> FolderEntries(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// One tensor of each dtype, with values that catch byte-order and sign
// mistakes, plus scalars and zero-size tensors.
Checkpoint EveryKindOfTensor() {
  const double inf = std::numeric_limits<double>::infinity();
  Checkpoint checkpoint;
  NamedTensors& t = checkpoint.tensors;
  t["dense.kernel"] =
      Tensor::FromVector<double>(DType::kF32, {2, 3}, {1.5, -0.0, 3.25e-38, -7e30, inf, 0.1});
  t["f64"] = Tensor::FromVector<double>(DType::kF64, {3}, {-1e300, 5e-324, 0.1});
  t["i32"] = Tensor::FromVector<int64_t>(
      DType::kI32, {2, 2},
      {std::numeric_limits<int32_t>::min(), -2, 0x01020304, std::numeric_limits<int32_t>::max()});
  t["u8"] = Tensor::FromVector<int>(DType::kU8, {4}, {0, 1, 128, 255});
  t["mask"] = Tensor::FromVector<int>(DType::kI1, {5}, {1, 0, 0, 1, 1});
  t["scalar.f32"] = Tensor::FromVector<double>(DType::kF32, {}, {-42.25});
  t["scalar.i32"] = Tensor::FromVector<int>(DType::kI32, {}, {7});
  t["scalar.bool"] = Tensor::FromVector<int>(DType::kI1, {}, {1});
  t["empty.f32"] = Tensor(DType::kF32, {0, 3});
  t["empty.u8"] = Tensor(DType::kU8, {0});
  t["empty.f64"] = Tensor(DType::kF64, {4, 0, 2});
  checkpoint.metadata = {{"format", "dlc"}, {"step", "1200"}, {"note", "quote \" tab \t \xC3\xA9"}};
  return checkpoint;
}

TEST(SafetensorsRoundTrip, EveryDTypeScalarsAndEmptyTensorsWithMetadata) {
  const Checkpoint original = EveryKindOfTensor();
  const std::string path = TempPath("all.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, original).ok());
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->metadata, original.metadata);
  ASSERT_EQ(read->tensors.size(), original.tensors.size());
  for (const auto& [name, tensor] : original.tensors) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(read->tensors.contains(name));
    EXPECT_TRUE(SameTensor(read->tensors.at(name), tensor)) << read->tensors.at(name).ToString();
  }
}

TEST(SafetensorsRoundTrip, EmptyCheckpoint) {
  const std::string path = TempPath("empty.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, Checkpoint{}).ok());
  // "{}" padded with six spaces, as the reference writer does.
  EXPECT_EQ(ReadBytes(path), FileBytes("{}      "));
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->tensors.empty());
  EXPECT_TRUE(read->metadata.empty());
}

TEST(SafetensorsWrite, ExactBytesDerivedFromTheSpec) {
  Checkpoint checkpoint;
  checkpoint.tensors["a"] = Tensor::FromVector<int>(DType::kU8, {3}, {1, 2, 3});
  checkpoint.tensors["b"] = Tensor::FromVector<double>(DType::kF32, {2}, {1.0, -2.0});
  checkpoint.tensors["flag"] = Tensor::FromVector<int>(DType::kI1, {}, {1});
  checkpoint.tensors["i"] = Tensor::FromVector<int>(DType::kI32, {2}, {1, -1});
  checkpoint.tensors["z"] = Tensor::FromVector<double>(DType::kF64, {1}, {0.5});
  checkpoint.metadata["format"] = "pt";
  const std::string path = TempPath("spec.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, checkpoint).ok());

  // Compact JSON, "__metadata__" first, then the tensors in data order:
  // decreasing alignment (F64, F32, I32, U8, BOOL), then name. 306 bytes,
  // padded with 6 spaces to 312 = 0x138.
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("z":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                             R"("i":{"dtype":"I32","shape":[2],"data_offsets":[16,24]},)"
                             R"("a":{"dtype":"U8","shape":[3],"data_offsets":[24,27]},)"
                             R"("flag":{"dtype":"BOOL","shape":[],"data_offsets":[27,28]}})"
                             "      ";
  ASSERT_EQ(header.size(), 312u);
  const Bytes expected =
      Concat(Concat(Bytes{0x38, 0x01, 0, 0, 0, 0, 0, 0}, TextBytes(header)),
             {
                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0x3F,  // z: 0.5 as f64, little-endian
                 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,  // b: 1.0f, -2.0f
                 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,  // i: 1, -1
                 0x01, 0x02, 0x03,                                // a
                 0x01,                                            // flag: one byte
             });
  EXPECT_EQ(ReadBytes(path), expected);
}

// The byte strings the reference implementation's own unit tests expect
// from its writer, spelled out as text.
TEST(SafetensorsWrite, MatchesTheReferenceWritersTestVectors) {
  const Bytes floats = {
      0, 0, 0,    0,     // 0.0f
      0, 0, 0x80, 0x3F,  // 1.0f
      0, 0, 0,    0x40,  // 2.0f
      0, 0, 0x40, 0x40,  // 3.0f
      0, 0, 0x80, 0x40,  // 4.0f
      0, 0, 0xA0, 0x40,  // 5.0f
  };
  const std::string path = TempPath("reference.safetensors");

  Checkpoint unpadded;
  unpadded.tensors["attn.0"] =
      Tensor::FromVector<double>(DType::kF32, {1, 2, 3}, {0, 1, 2, 3, 4, 5});
  ASSERT_TRUE(WriteSafetensors(path, unpadded).ok());
  EXPECT_EQ(
      ReadBytes(path),
      FileBytes(R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})", floats));

  Checkpoint padded;  // a 65-byte header, padded to 72
  padded.tensors["attn0"] =
      Tensor::FromVector<double>(DType::kF32, {1, 1, 2, 3}, {0, 1, 2, 3, 4, 5});
  ASSERT_TRUE(WriteSafetensors(path, padded).ok());
  EXPECT_EQ(ReadBytes(path),
            FileBytes(R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})"
                      "       ",
                      floats));

  Checkpoint metadata_only;
  metadata_only.metadata["framework"] = "pt";
  ASSERT_TRUE(WriteSafetensors(path, metadata_only).ok());
  EXPECT_EQ(ReadBytes(path), FileBytes(R"({"__metadata__":{"framework":"pt"}})"
                                       "     "));
}

TEST(SafetensorsWrite, EscapesNamesAndMetadataLikeTheReference) {
  Checkpoint checkpoint;
  checkpoint.tensors["we\"ird\\name\n\xC3\xA9"] = Tensor(DType::kU8, {0});
  checkpoint.metadata["k\x01"] = "v/";
  const std::string path = TempPath("escape.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, checkpoint).ok());
  const std::string json = R"({"__metadata__":{"k\u0001":"v/"},)"
                           "\"we\\\"ird\\\\name\\n\xC3\xA9\""
                           R"(:{"dtype":"U8","shape":[0],"data_offsets":[0,0]}})";
  EXPECT_EQ(ReadBytes(path), FileBytes(json + std::string((8 - json.size() % 8) % 8, ' ')));
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->metadata, checkpoint.metadata);
  EXPECT_TRUE(read->tensors.contains("we\"ird\\name\n\xC3\xA9"));
}

TEST(SafetensorsWrite, RejectsWhatTheFormatCannotHold) {
  const std::string path = TempPath("reject.safetensors");
  Checkpoint reserved;
  reserved.tensors["__metadata__"] = Tensor(DType::kF32, {1});
  EXPECT_EQ(std::string(WriteSafetensors(path, reserved).message()),
            "safetensors file '" + path +
                "': cannot write a tensor named \"__metadata__\": safetensors reserves that name "
                "for the metadata");
  Checkpoint bad_utf8;
  bad_utf8.tensors["caf\xE9"] = Tensor(DType::kF32, {1});
  EXPECT_EQ(std::string(WriteSafetensors(path, bad_utf8).message()),
            "safetensors file '" + path +
                // The invalid byte shows as U+FFFD: messages stay valid UTF-8.
                "': cannot write tensor \"caf\xEF\xBF\xBD\": safetensors names must be valid "
                "UTF-8");
  Checkpoint hollow;  // a default Tensor claims f32[] but holds no bytes
  hollow.tensors["x"] = Tensor();
  EXPECT_EQ(std::string(WriteSafetensors(path, hollow).message()),
            "safetensors file '" + path +
                "': cannot write tensor \"x\" of type f32[]: it holds 0 bytes, not the 4 its "
                "type needs");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THAT(FolderEntries(path), ElementsAre());
}

TEST(SafetensorsRead, HandWrittenFileInAnyOrderWithPaddingAndWhitespace) {
  // Entries listed out of data order, whitespace inside the JSON, and a
  // header whose length is not a multiple of 8: all valid.
  const std::string header = " { " + Entry("second", "I32", "[1]", "[2,6]") + " ,\n" +
                             Entry("first", "U8", "[ 2 ]", "[0,2]") +
                             R"(, "__metadata__" : {"a":"\u00e9"}}   )";
  const std::string path = TempPath("hand.safetensors");
  WriteBytes(path, FileBytes(header, {7, 8, 0x04, 0x03, 0x02, 0x81}));
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->tensors.at("first").type().ToString(), "u8[2]");
  EXPECT_THAT(read->tensors.at("first").values<uint8_t>(), ElementsAre(7, 8));
  EXPECT_THAT(read->tensors.at("second").values<int32_t>(), ElementsAre(int32_t(0x81020304)));
  EXPECT_EQ(read->metadata.at("a"), "\xC3\xA9");
}

TEST(SafetensorsRead, ZeroSizeTensorsMayShareAnOffset) {
  const std::string header =
      "{" + Entry("a", "F32", "[0]", "[0,0]") + "," + Entry("b", "U8", "[1]", "[0,1]") + "," +
      Entry("c", "F64", "[0,5]", "[1,1]") + "," + Entry("d", "BOOL", "[0]", "[1,1]") + "}";
  const std::string path = TempPath("zeros.safetensors");
  WriteBytes(path, FileBytes(header, {9}));
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->tensors.size(), 4u);
  EXPECT_EQ(read->tensors.at("c").type().ToString(), "f64[0,5]");
}

// --- Bad files: each kind has its own message. ---

TEST(SafetensorsBadFile, MissingFile) {
  ExpectReadError(TempPath("missing.safetensors"), "cannot open: No such file or directory",
                  absl::StatusCode::kNotFound);
}

TEST(SafetensorsBadFile, Directory) { ExpectReadError(TempPath(""), "is a directory, not a file"); }

TEST(SafetensorsBadFile, FifoIsRejectedWithoutWaitingForAWriter) {
  const std::string path = TempPath("pipe.safetensors");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  ExpectReadError(path, "is not a regular file");
}

TEST(SafetensorsBadFile, ShorterThanTheLengthPrefix) {
  const std::string path = TempPath("short.safetensors");
  WriteBytes(path, {8, 0, 0, 0, 0});
  ExpectReadError(path,
                  "the file is 5 bytes, shorter than the 8-byte header length that starts "
                  "every safetensors file");
  WriteBytes(path, {});
  ExpectReadError(path,
                  "the file is 0 bytes, shorter than the 8-byte header length that starts "
                  "every safetensors file");
}

TEST(SafetensorsBadFile, HeaderLengthBeyondTheFile) {
  const std::string path = TempPath("long.safetensors");
  WriteBytes(path, Concat(LittleEndianU64(100), TextBytes("{}")));
  ExpectReadError(path, "header length 100 runs past the end of the 10-byte file");
}

TEST(SafetensorsBadFile, AbsurdHeaderLength) {
  const std::string path = TempPath("absurd.safetensors");
  WriteBytes(path, Concat(LittleEndianU64(100'000'001), TextBytes("{}")));
  ExpectReadError(path,
                  "header length 100000001 is absurd (the limit is 100000000 bytes); the "
                  "file is corrupt or not safetensors");
  WriteBytes(path, Concat(LittleEndianU64(UINT64_MAX), TextBytes("{}")));
  ExpectReadError(path,
                  "header length 18446744073709551615 is absurd (the limit is 100000000 "
                  "bytes); the file is corrupt or not safetensors");
}

TEST(SafetensorsBadFile, HeaderNotValidJson) {
  ExpectBadFile(
      R"({"a":{"dtype":"F32" "shape":[]}})", {},
      "header, tensor \"a\", at offset 26: syntax error while parsing object - unexpected "
      "string literal; expected '}'");
  ExpectBadFile("{\"a\":", {},
                "header, tensor \"a\", at offset 5: syntax error while parsing value - "
                "unexpected end of input; expected '[', '{', or a literal");
  ExpectBadFile(
      "{} x", {},
      "header at offset 3: syntax error while parsing value - invalid literal; expected end "
      "of input");
  ExpectBadFile(std::string("{}\0\0\0\0\0\0", 8), {},  // padded with NULs instead of spaces
                "header at offset 2: unexpected byte 0x00 (JSON text has none; safetensors pads "
                "its header with spaces)");
  ExpectBadFile("{\"caf\xE9\":1}", {},
                "header at offset 6: syntax error while parsing object key - invalid string: "
                "ill-formed UTF-8 byte; expected string literal");
  ExpectBadFile("garbage", {},
                "header at offset 0: syntax error while parsing value - invalid literal");
}

TEST(SafetensorsBadFile, HeaderNotAnObject) {
  ExpectBadFile("[1,2]   ", {}, "the header is an array, not a JSON object");
  ExpectBadFile("\"text\"", {}, "the header is a string, not a JSON object");
  ExpectBadFile("", {}, "the header is empty; it must be a JSON object");
  ExpectBadFile("        ", {}, "the header is empty; it must be a JSON object");
}

TEST(SafetensorsBadFile, EntryMissingAKey) {
  ExpectBadFile(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", Bytes(4),
                "tensor \"w\" has no \"dtype\"");
  ExpectBadFile(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", Bytes(4),
                "tensor \"w\" has no \"shape\"");
  ExpectBadFile(R"({"w":{"dtype":"F32","shape":[1]}})", Bytes(4),
                "tensor \"w\" has no \"data_offsets\"");
}

TEST(SafetensorsBadFile, EntryWithAnExtraOrRepeatedKey) {
  ExpectBadFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offset":0}})", Bytes(4),
                "tensor \"w\": unexpected key \"offset\"; an entry has exactly dtype, shape and "
                "data_offsets");
  ExpectBadFile(R"({"w":{"dtype":"F32","shape":[1],"dtype":"F32","data_offsets":[0,4]}})", Bytes(4),
                "tensor \"w\": \"dtype\" appears twice");
}

TEST(SafetensorsBadFile, EntryOfTheWrongKind) {
  ExpectBadFile(R"({"w":[1]})", {},
                "the entry of tensor \"w\" is an array, not an object with dtype, shape and "
                "data_offsets");
  ExpectBadFile(R"({"w":{"dtype":32}})", {}, "the dtype of tensor \"w\" is a number, not a string");
  ExpectBadFile(R"({"w":{"shape":"[1]"}})", {},
                "the shape of tensor \"w\" is a string, not an array of integers");
  ExpectBadFile(R"({"w":{"data_offsets":null}})", {},
                "the data_offsets of tensor \"w\" is null, not an array [begin, end]");
}

TEST(SafetensorsBadFile, UnsupportedAndUnknownDTypes) {
  ExpectBadFile("{" + Entry("half", "F16", "[2]", "[0,4]") + "}", Bytes(4),
                "tensor \"half\" has dtype F16, a safetensors dtype that dlc does not support "
                "(dlc reads F32, F64, I32, U8 and BOOL)");
  ExpectBadFile("{" + Entry("brain", "BF16", "[2]", "[0,4]") + "}", Bytes(4),
                "tensor \"brain\" has dtype BF16, a safetensors dtype that dlc does not support "
                "(dlc reads F32, F64, I32, U8 and BOOL)");
  ExpectBadFile("{" + Entry("w", "F17", "[2]", "[0,4]") + "}", Bytes(4),
                "tensor \"w\" has unknown dtype \"F17\" (dlc reads F32, F64, I32, U8 and BOOL)");
  ExpectBadFile("{" + Entry("w", "f32", "[2]", "[0,8]") + "}", Bytes(8),
                "tensor \"w\" has unknown dtype \"f32\" (dlc reads F32, F64, I32, U8 and BOOL)");
}

TEST(SafetensorsBadFile, BadShapes) {
  ExpectBadFile("{" + Entry("w", "F32", "[2,-1]", "[0,8]") + "}", Bytes(8),
                "tensor \"w\": dimension 1 of the shape is a negative number, not a "
                "non-negative integer");
  ExpectBadFile("{" + Entry("w", "F32", "[2.0]", "[0,8]") + "}", Bytes(8),
                "tensor \"w\": dimension 0 of the shape is a number with a fraction or "
                "exponent, not a non-negative integer");
  ExpectBadFile("{" + Entry("w", "U8", "[1099511627777]", "[0,0]") + "}", {},
                "tensor \"w\": dimension 0 of the shape is 1099511627777, beyond dlc's limit of "
                "2^40");
  ExpectBadFile("{" + Entry("w", "U8", "[18446744073709551616]", "[0,0]") + "}", {},
                "tensor \"w\": dimension 0 of the shape is an integer beyond 2^64-1, not a "
                "non-negative integer");
  ExpectBadFile("{" + Entry("w", "U8", "[[1]]", "[0,1]") + "}", Bytes(1),
                "tensor \"w\": dimension 0 of the shape is an array, not a non-negative integer");
  std::string rank65 = "[1";
  for (int i = 1; i < 65; ++i) rank65 += ",1";
  ExpectBadFile("{" + Entry("w", "U8", rank65 + "]", "[0,1]") + "}", Bytes(1),
                "tensor \"w\": shape has more than 64 dimensions");
}

TEST(SafetensorsBadFile, ShapeDisagreesWithTheOffsets) {
  ExpectBadFile("{" + Entry("dense.kernel", "F32", "[2,3]", "[0,20]") + "}", Bytes(20),
                "tensor \"dense.kernel\" is f32[2,3], 24 bytes, but its data_offsets [0,20] span "
                "20 bytes");
  ExpectBadFile("{" + Entry("w", "F64", "[1099511627776,1099511627776]", "[0,8]") + "}", Bytes(8),
                "tensor \"w\" is f64[1099511627776,1099511627776], more than 2^64 bytes");
}

TEST(SafetensorsBadFile, MalformedOffsets) {
  ExpectBadFile("{" + Entry("w", "U8", "[0]", "[4,0]") + "}", Bytes(4),
                "tensor \"w\": data_offsets [4,0] end before they begin");
  ExpectBadFile("{" + Entry("w", "U8", "[4]", "[0,4,8]") + "}", Bytes(4),
                "tensor \"w\": data_offsets must be [begin, end], but it has more than 2 numbers");
  ExpectBadFile("{" + Entry("w", "U8", "[4]", "[4]") + "}", Bytes(4),
                "tensor \"w\": data_offsets must be [begin, end], but it has 1 number");
  ExpectBadFile("{" + Entry("w", "U8", "[4]", "[0,-4]") + "}", Bytes(4),
                "tensor \"w\": data_offsets number 1 is a negative number, not a non-negative "
                "integer");
  ExpectBadFile("{" + Entry("w", "U8", "[4]", "[0,true]") + "}", Bytes(4),
                "tensor \"w\": data_offsets number 1 is true, not a non-negative integer");
}

TEST(SafetensorsBadFile, OverlappingTensors) {
  ExpectBadFile(
      "{" + Entry("a", "F32", "[4]", "[0,16]") + "," + Entry("b", "F32", "[2]", "[8,16]") + "}",
      Bytes(16), "tensor \"a\" [0,16] and tensor \"b\" [8,16] overlap");
}

TEST(SafetensorsBadFile, GapsBetweenTensors) {
  ExpectBadFile(
      "{" + Entry("a", "F32", "[1]", "[0,4]") + "," + Entry("b", "F32", "[1]", "[8,12]") + "}",
      Bytes(12),
      "a gap of 4 bytes between tensor \"a\" (which ends at 4) and tensor \"b\" (which "
      "begins at 8)");
  ExpectBadFile("{" + Entry("b", "F32", "[1]", "[4,8]") + "}", Bytes(8),
                "a gap of 4 bytes between the start of the data and tensor \"b\" (which begins "
                "at 4)");
}

TEST(SafetensorsBadFile, OffsetsBeyondTheData) {
  ExpectBadFile("{" + Entry("a", "F32", "[2]", "[0,8]") + "}", Bytes(6),
                "tensor \"a\" ends at data offset 8, beyond the 6 bytes of data after the header; "
                "the file is truncated or the offsets are wrong");
  // Huge but self-consistent offsets cost nothing: they fail before any allocation.
  ExpectBadFile(
      "{" + Entry("a", "U8", "[1099511627776,1024]", "[0,1125899906842624]") + "}", Bytes(6),
      "tensor \"a\" ends at data offset 1125899906842624, beyond the 6 bytes of data after "
      "the header; the file is truncated or the offsets are wrong");
}

TEST(SafetensorsBadFile, TrailingBytes) {
  ExpectBadFile("{" + Entry("a", "U8", "[2]", "[0,2]") + "}", Bytes(5),
                "3 trailing bytes after the end of the last tensor's data (at data offset 2)");
  ExpectBadFile("{}", Bytes(1),
                "1 trailing bytes after the end of the last tensor's data (at data "
                "offset 0)");
}

TEST(SafetensorsBadFile, DuplicateNames) {
  ExpectBadFile(
      "{" + Entry("a", "U8", "[1]", "[0,1]") + "," + Entry("a", "U8", "[1]", "[1,2]") + "}",
      Bytes(2), "tensor \"a\" appears twice in the header");
}

TEST(SafetensorsBadFile, BadMetadata) {
  ExpectBadFile(R"({"__metadata__":{"epochs":3}})", {},
                "the \"__metadata__\" value of \"epochs\" is a number, not a string");
  ExpectBadFile(R"({"__metadata__":{"nested":{"a":"b"}}})", {},
                "the \"__metadata__\" value of \"nested\" is an object, not a string");
  ExpectBadFile(R"({"__metadata__":["a"]})", {},
                "\"__metadata__\" is an array, not an object of strings");
  ExpectBadFile(R"({"__metadata__":{},"__metadata__":{}})", {},
                "\"__metadata__\" appears twice in the header");
  ExpectBadFile(R"({"__metadata__":{"k":"a","k":"b"}})", {},
                "\"__metadata__\" key \"k\" appears twice");
}

TEST(SafetensorsBadFile, BooleansOtherThanZeroOrOne) {
  ExpectBadFile("{" + Entry("mask", "BOOL", "[3]", "[0,3]") + "}", {1, 0, 2},
                "tensor \"mask\": BOOL element 2 is 2; BOOL bytes must be 0 or 1");
}

TEST(SafetensorsBadFile, ControlCharactersInNamesAreQuotedInMessages) {
  ExpectBadFile(R"({"bad\nname":{"dtype":"F16","shape":[],"data_offsets":[0,2]}})", Bytes(2),
                "tensor \"bad\\nname\" has dtype F16, a safetensors dtype that dlc does not "
                "support (dlc reads F32, F64, I32, U8 and BOOL)");
}

// --- Atomic writes ---

Checkpoint SmallCheckpoint(float value) {
  Checkpoint checkpoint;
  checkpoint.tensors["w"] = Tensor::FromVector<float>(DType::kF32, {2}, {value, value});
  return checkpoint;
}

TEST(SafetensorsAtomicWrite, ReplacesAnExistingFile) {
  const std::string path = TempPath("model.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, SmallCheckpoint(1)).ok());
  ASSERT_TRUE(WriteSafetensors(path, SmallCheckpoint(2)).ok());
  absl::StatusOr<Checkpoint> read = ReadSafetensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(read->tensors.at("w").values<float>(), ElementsAre(2.0f, 2.0f));
  EXPECT_THAT(FolderEntries(path), ElementsAre("model.safetensors"));
}

TEST(SafetensorsAtomicWrite, FailedRenameOverADirectoryLeavesItAndNoTemporary) {
  const std::string path = TempPath("model.safetensors");
  std::filesystem::create_directory(path);
  WriteBytes(path + "/inside", {1, 2, 3});
  const absl::Status status = WriteSafetensors(path, SmallCheckpoint(1));
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("safetensors file '" + path +
                                                       "': cannot replace it with the temporary "
                                                       "file '" +
                                                       path + ".tmp."));
  EXPECT_THAT(std::string(status.message()), HasSubstr("': Is a directory"));
  EXPECT_TRUE(std::filesystem::is_directory(path));
  EXPECT_EQ(ReadBytes(path + "/inside"), (Bytes{1, 2, 3}));
  EXPECT_THAT(FolderEntries(path), ElementsAre("model.safetensors"));
}

TEST(SafetensorsAtomicWrite, ParentThatIsAFileFailsCleanly) {
  const std::string parent = TempPath("not_a_folder");
  WriteBytes(parent, {42});
  const std::string path = parent + "/model.safetensors";
  const absl::Status status = WriteSafetensors(path, SmallCheckpoint(1));
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("safetensors file '" + path + "': cannot create the temporary file '" +
                        path + ".tmp."));
  EXPECT_THAT(std::string(status.message()), HasSubstr("': Not a directory"));
  EXPECT_EQ(ReadBytes(parent), Bytes{42});
  EXPECT_THAT(FolderEntries(parent), ElementsAre("not_a_folder"));
}

TEST(SafetensorsAtomicWrite, RejectedCheckpointLeavesTheOldFile) {
  const std::string path = TempPath("model.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, SmallCheckpoint(1)).ok());
  const Bytes before = ReadBytes(path);
  Checkpoint bad = SmallCheckpoint(2);
  bad.tensors["__metadata__"] = Tensor(DType::kU8, {1});
  EXPECT_FALSE(WriteSafetensors(path, bad).ok());
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_THAT(FolderEntries(path), ElementsAre("model.safetensors"));
}

// A write that fails halfway through the data (the file-size limit stops it)
// keeps the previous file and removes the temporary one.
TEST(SafetensorsAtomicWrite, FailureInTheMiddleOfTheDataLeavesTheOldFile) {
  const std::string path = TempPath("model.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, SmallCheckpoint(1)).ok());
  const Bytes before = ReadBytes(path);
  Checkpoint big;
  big.tensors["big"] = Tensor(DType::kF32, {100'000});

  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* const saved_handler = std::signal(SIGXFSZ, SIG_IGN);  // fail the write, not the process
  rlimit limited = saved;
  limited.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  const absl::Status status = WriteSafetensors(path, big);
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);

  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("safetensors file '" + path + "': cannot write the temporary file '"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("': File too large"));
  EXPECT_EQ(ReadBytes(path), before);
  EXPECT_THAT(FolderEntries(path), ElementsAre("model.safetensors"));
}

}  // namespace
}  // namespace dlc
