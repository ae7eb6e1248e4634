#include "runtime/idx.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/runtime/test_files.h"

namespace dlc {
namespace {

using test_files::Bytes;
using test_files::Concat;
using test_files::IdxHeader;
using test_files::ReadBytes;
using test_files::TempPath;
using test_files::WriteBytes;
using test_files::WriteGzipBytes;
using ::testing::HasSubstr;

// Reading `path` fails with `code` and exactly "IDX file '<path>': <problem>".
void ExpectReadError(const std::string& path, absl::StatusCode code, const std::string& problem) {
  absl::StatusOr<Tensor> tensor = ReadIdx(path);
  ASSERT_FALSE(tensor.ok()) << "read " << tensor->type().ToString();
  EXPECT_EQ(tensor.status().code(), code) << tensor.status();
  EXPECT_EQ(std::string(tensor.status().message()), "IDX file '" + path + "': " + problem);
}

bool SameBytes(const Tensor& a, const Tensor& b) {
  // memcmp with a null pointer (a zero-size tensor) is undefined, even for 0 bytes.
  return a.type() == b.type() &&
         (a.byte_size() == 0 || std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0);
}

// One tensor per IDX element type, with values that catch byte-order and
// sign mistakes (extremes, negative zero, fractions).
std::vector<Tensor> RoundTripTensors() {
  const double inf = std::numeric_limits<double>::infinity();
  return {
      Tensor::FromVector<int>(DType::kU8, {2, 3}, {0, 1, 127, 128, 254, 255}),
      Tensor::FromVector<int64_t>(DType::kI32, {4},
                                  {std::numeric_limits<int32_t>::min(), -2, 0x01020304,
                                   std::numeric_limits<int32_t>::max()}),
      Tensor::FromVector<double>(DType::kF32, {2, 1, 3}, {1.5, -0.0, 3.25e-38, -7e30, inf, 0.1}),
      Tensor::FromVector<double>(DType::kF64, {3}, {-1e300, 5e-324, 0.1}),
      Tensor(DType::kU8, {0, 28, 28}),  // an empty data set is still a valid file
  };
}

TEST(IdxRoundTrip, PlainFilesGiveBackEveryDType) {
  for (const Tensor& original : RoundTripTensors()) {
    SCOPED_TRACE(original.type().ToString());
    const std::string path = TempPath("t.idx");
    ASSERT_TRUE(WriteIdx(path, original, IdxCompression::kNone).ok());
    absl::StatusOr<Tensor> read = ReadIdx(path);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(SameBytes(*read, original)) << read->ToString();
  }
}

TEST(IdxRoundTrip, GzipFilesGiveBackEveryDType) {
  for (const Tensor& original : RoundTripTensors()) {
    SCOPED_TRACE(original.type().ToString());
    const std::string path = TempPath("t.idx.gz");
    ASSERT_TRUE(WriteIdx(path, original, IdxCompression::kGzip).ok());
    const Bytes bytes = ReadBytes(path);
    ASSERT_GE(bytes.size(), 2u);
    EXPECT_EQ(bytes[0], 0x1f);  // the gzip magic number
    EXPECT_EQ(bytes[1], 0x8b);
    absl::StatusOr<Tensor> read = ReadIdx(path);
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_TRUE(SameBytes(*read, original)) << read->ToString();
  }
}

TEST(IdxWrite, PlainFileIsBigEndianIdx) {
  const std::string path = TempPath("i32.idx");
  ASSERT_TRUE(WriteIdx(path, Tensor::FromVector<int>(DType::kI32, {1, 2}, {0x01020304, -2})).ok());
  EXPECT_EQ(ReadBytes(path),
            Concat(IdxHeader(0x0C, {1, 2}), {0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE}));
}

TEST(IdxRead, HandWrittenBytesOfEachType) {
  const std::string path = TempPath("hand.idx");
  WriteBytes(path, Concat(IdxHeader(0x0D, {2}), {0x3F, 0xC0, 0x00, 0x00, 0xC1, 0x20, 0x00, 0x00}));
  absl::StatusOr<Tensor> f32 = ReadIdx(path);
  ASSERT_TRUE(f32.ok()) << f32.status();
  EXPECT_EQ(f32->type().ToString(), "f32[2]");
  EXPECT_EQ(f32->values<float>()[0], 1.5f);
  EXPECT_EQ(f32->values<float>()[1], -10.0f);

  WriteBytes(path, Concat(IdxHeader(0x0E, {1}), {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18}));
  absl::StatusOr<Tensor> f64 = ReadIdx(path);
  ASSERT_TRUE(f64.ok()) << f64.status();
  EXPECT_EQ(f64->values<double>()[0], std::numbers::pi);

  WriteBytes(path, Concat(IdxHeader(0x08, {1, 2, 1}), {7, 200}));
  absl::StatusOr<Tensor> u8 = ReadIdx(path);
  ASSERT_TRUE(u8.ok()) << u8.status();
  EXPECT_EQ(u8->type().ToString(), "u8[1,2,1]");
  EXPECT_EQ(u8->values<uint8_t>()[1], 200);
}

TEST(IdxWrite, RejectsTensorsIdxCannotHold) {
  const std::string path = TempPath("bad.idx");
  absl::Status i1 = WriteIdx(path, Tensor(DType::kI1, {3}));
  EXPECT_EQ(std::string(i1.message()),
            "IDX file '" + path + "': cannot write a i1[3] tensor: IDX holds u8, i32, f32 or f64");
  absl::Status scalar = WriteIdx(path, Tensor(DType::kU8, {}));
  EXPECT_EQ(std::string(scalar.message()),
            "IDX file '" + path + "': cannot write rank 0: IDX files hold ranks 1 to 8");
}

TEST(IdxWrite, ReportsAFolderThatDoesNotExist) {
  const std::string path = TempPath("no/such/folder/x.idx");
  absl::Status status = WriteIdx(path, Tensor(DType::kU8, {1}));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(status.message()),
            "IDX file '" + path + "': cannot create: No such file or directory");
}

TEST(IdxBadFile, MissingFile) {
  const std::string path = TempPath("missing.idx");
  ExpectReadError(path, absl::StatusCode::kNotFound, "cannot open: No such file or directory");
}

TEST(IdxBadFile, Directory) {
  const std::string path = TempPath("");
  ExpectReadError(path, absl::StatusCode::kInvalidArgument, "is a directory, not a file");
}

TEST(IdxBadFile, WrongMagic) {
  const std::string path = TempPath("magic.idx");
  WriteBytes(path, {0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 9});
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "wrong magic: starts with 0x12 0x34, but an IDX file starts with 0x00 0x00");
}

TEST(IdxBadFile, UnsupportedTypeCodes) {
  const std::string path = TempPath("type.idx");
  WriteBytes(path, Concat(IdxHeader(0x09, {1}), {1}));
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "unsupported type code 0x09 (signed byte); dlc reads 0x08 (u8), 0x0C (i32), "
                  "0x0D (f32), 0x0E (f64)");
  WriteBytes(path, Concat(IdxHeader(0x42, {1}), {1}));
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "unsupported type code 0x42; dlc reads 0x08 (u8), 0x0C (i32), 0x0D (f32), "
                  "0x0E (f64)");
}

TEST(IdxBadFile, RankZeroAndAbsurdRank) {
  const std::string path = TempPath("rank.idx");
  WriteBytes(path, {0, 0, 0x08, 0});
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "rank 0 in the header; dlc reads ranks 1 to 8");
  WriteBytes(path, IdxHeader(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}));
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "rank 9 in the header; dlc reads ranks 1 to 8");
}

TEST(IdxBadFile, TruncatedHeader) {
  const std::string path = TempPath("header.idx");
  WriteBytes(path, {0, 0});
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated header: 2 bytes, but the magic number alone needs 4");
  WriteBytes(path, {0, 0, 0x08, 3, 0, 0, 0, 5, 0, 0});
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated header: rank 3 needs 12 bytes of dimensions, but only 6 follow the "
                  "magic number");
  WriteBytes(path, {});
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated header: 0 bytes, but the magic number alone needs 4");
}

TEST(IdxBadFile, TruncatedDataPlain) {
  const std::string path = TempPath("short.idx");
  WriteBytes(path, Concat(IdxHeader(0x0C, {2, 3}), Bytes(21, 1)));
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated data: the header of i32[2,3] promises 24 data bytes, but only 21 "
                  "follow it");
}

TEST(IdxBadFile, TruncatedDataInACompleteGzipStream) {
  const std::string path = TempPath("short.idx.gz");
  WriteGzipBytes(path, Concat(IdxHeader(0x08, {10}), Bytes(4, 1)));
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated data: the header of u8[10] promises 10 data bytes, but only 4 follow "
                  "it");
}

TEST(IdxBadFile, TruncatedGzipFile) {
  // A real gzip file cut in half: zlib must not pass off the first half as
  // the whole stream.
  const std::string path = TempPath("cut.idx.gz");
  Tensor noise(DType::kI32, {1000});
  for (int i = 0; i < 1000; ++i) noise.SetDouble(i, (i * 2654435761u) >> 3);
  ASSERT_TRUE(WriteIdx(path, noise, IdxCompression::kGzip).ok());
  Bytes bytes = ReadBytes(path);
  bytes.resize(bytes.size() / 2);
  WriteBytes(path, bytes);
  absl::StatusOr<Tensor> read = ReadIdx(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("IDX file '" + path + "': truncated gzip stream: it breaks off after "));
}

TEST(IdxBadFile, GzipFileMissingOnlyItsTrailer) {
  // All the data inflates, but the CRC and length are gone.
  const std::string path = TempPath("notrailer.idx.gz");
  ASSERT_TRUE(WriteIdx(path, Tensor(DType::kU8, {5, 5}), IdxCompression::kGzip).ok());
  Bytes bytes = ReadBytes(path);
  bytes.resize(bytes.size() - 8);
  WriteBytes(path, bytes);
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated gzip stream: it breaks off after 37 decompressed bytes");
}

TEST(IdxBadFile, CorruptGzipChecksum) {
  const std::string path = TempPath("crc.idx.gz");
  ASSERT_TRUE(WriteIdx(path, Tensor(DType::kU8, {5, 5}), IdxCompression::kGzip).ok());
  Bytes bytes = ReadBytes(path);
  bytes[bytes.size() - 8] ^= 0xFF;  // first byte of the CRC-32
  WriteBytes(path, bytes);
  ExpectReadError(path, absl::StatusCode::kDataLoss, "corrupt gzip stream: incorrect data check");
}

TEST(IdxBadFile, TrailingBytes) {
  const std::string plain = TempPath("trailing.idx");
  WriteBytes(plain, Concat(IdxHeader(0x08, {2, 2}), {1, 2, 3, 4, 5, 6, 7}));
  ExpectReadError(plain, absl::StatusCode::kInvalidArgument,
                  "trailing garbage: 3 bytes after the 4 data bytes that the header of u8[2,2] "
                  "promises");
  const std::string gzip = TempPath("trailing.idx.gz");
  WriteGzipBytes(gzip, Concat(IdxHeader(0x0D, {1}), Bytes(100000, 0)));
  ExpectReadError(gzip, absl::StatusCode::kInvalidArgument,
                  "trailing garbage: 99996 bytes after the 4 data bytes that the header of f32[1] "
                  "promises");
}

TEST(IdxBadFile, DimensionsThatOverflow) {
  const std::string path = TempPath("overflow.idx");
  WriteBytes(path, IdxHeader(0x0E, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}));
  ExpectReadError(path, absl::StatusCode::kInvalidArgument,
                  "dimensions [4294967295,4294967295]... describe more than 2^63 bytes; the "
                  "header is corrupt");
}

TEST(IdxBadFile, HugeDimensionsInASmallPlainFile) {
  // 2^62 bytes promised; the reader must notice the missing data, not allocate it.
  const std::string path = TempPath("huge.idx");
  WriteBytes(path, Concat(IdxHeader(0x08, {0x80000000, 0x80000000}), {1, 2, 3}));
  ExpectReadError(path, absl::StatusCode::kDataLoss,
                  "truncated data: the header of u8[2147483648,2147483648] promises "
                  "4611686018427387904 data bytes, but only 3 follow it");
}

TEST(IdxBadFile, HugeDimensionsInASmallGzipFile) {
  const std::string path = TempPath("huge.idx.gz");
  WriteGzipBytes(path, Concat(IdxHeader(0x0C, {60000, 28, 28}), Bytes(1000, 0)));
  absl::StatusOr<Tensor> read = ReadIdx(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("IDX file '" + path +
                        "': header of i32[60000,28,28] promises 188160000 "
                        "data bytes, more than a "));
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("-byte gzip file can hold (deflate inflates at most 1032:1)"));
}

}  // namespace
}  // namespace dlc
