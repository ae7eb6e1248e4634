#include "runtime/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/status/status.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

// Reads and writes go through buffers of this size, so memory follows the
// data that is really there, never what a header claims.
constexpr int64_t kChunkBytes = int64_t{1} << 20;

// Deflate expands at most about 1032:1, so a gzip file of n bytes cannot
// inflate to more than this factor times n.
constexpr int64_t kMaxInflateRatio = 1032;

struct IdxType {
  uint8_t code;
  DType dtype;
};
constexpr IdxType kIdxTypes[] = {
    {0x08, DType::kU8}, {0x0C, DType::kI32}, {0x0D, DType::kF32}, {0x0E, DType::kF64}};
constexpr std::string_view kSupportedTypes = "0x08 (u8), 0x0C (i32), 0x0D (f32), 0x0E (f64)";

std::optional<DType> DTypeForCode(uint8_t code) {
  for (const IdxType& t : kIdxTypes) {
    if (t.code == code) return t.dtype;
  }
  return std::nullopt;
}

std::optional<uint8_t> CodeForDType(DType dtype) {
  for (const IdxType& t : kIdxTypes) {
    if (t.dtype == dtype) return t.code;
  }
  return std::nullopt;
}

// Names the IDX codes that exist but that dlc does not read.
std::string_view KnownCodeName(uint8_t code) {
  switch (code) {
    case 0x09: return " (signed byte)";
    case 0x0B: return " (short)";
    default: return "";
  }
}

std::string Hex(uint8_t byte) { return absl::StrFormat("0x%02X", byte); }

absl::Status FileError(absl::StatusCode code, const std::string& path, std::string_view problem) {
  return absl::Status(code, StrCat("IDX file '", path, "': ", problem));
}

// `action` failed with `error`. zlib fails without errno only when it runs
// out of memory.
absl::Status SystemError(const std::string& path, std::string_view action, int error) {
  if (error == 0)
    return FileError(absl::StatusCode::kResourceExhausted, path, StrCat(action, ": out of memory"));
  return absl::ErrnoToStatus(error, StrCat("IDX file '", path, "': ", action));
}

// IDX stores elements big-endian. Reversing each element's bytes converts
// both ways, so reading and writing share this.
void SwapBigEndianInPlace(std::span<std::byte> bytes, int64_t element_size) {
  if (std::endian::native == std::endian::big || element_size == 1) return;
  const size_t step = static_cast<size_t>(element_size);
  for (size_t i = 0; i + step <= bytes.size(); i += step) {
    std::reverse(bytes.begin() + i, bytes.begin() + i + step);
  }
}

uint32_t LoadBigEndianU32(const std::byte* p) {
  return (std::to_integer<uint32_t>(p[0]) << 24) | (std::to_integer<uint32_t>(p[1]) << 16) |
         (std::to_integer<uint32_t>(p[2]) << 8) | std::to_integer<uint32_t>(p[3]);
}

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFilePtr = std::unique_ptr<gzFile_s, GzCloser>;

// An open input file. zlib's gz* calls read plain files unchanged and
// inflate gzip ones, so the rest of the reader does not care which it is.
class IdxInput {
 public:
  static absl::StatusOr<IdxInput> Open(const std::string& path) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
      return FileError(absl::StatusCode::kInvalidArgument, path, "is a directory, not a file");
    }
    // A FIFO or a device would block or never end: data sets are files.
    const std::filesystem::file_status status = std::filesystem::status(path, ignored);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
      return FileError(absl::StatusCode::kInvalidArgument, path,
                       "is not a regular file (a pipe or a device): data sets are read from files");
    }
    errno = 0;
    GzFilePtr file(gzopen(path.c_str(), "rb"));
    if (file == nullptr) {
      const int error = errno;
      return SystemError(path, "cannot open", error);
    }
    gzbuffer(file.get(), 128 * 1024);
    return IdxInput(path, std::move(file));
  }

  // Fills `buffer` unless the data ends first and returns the bytes read. A
  // gzip stream that is cut short or corrupt is an error, not a short read.
  absl::StatusOr<int64_t> Read(std::span<std::byte> buffer) {
    int64_t total = 0;
    const int64_t wanted = static_cast<int64_t>(buffer.size());
    while (total < wanted) {
      const auto chunk = static_cast<unsigned>(std::min(wanted - total, kChunkBytes));
      const int got = gzread(file_.get(), buffer.data() + total, chunk);
      if (got <= 0) break;
      total += got;
    }
    bytes_read_ += total;
    // zlib notes a cut-off stream as soon as it reads ahead to the end of
    // the file, yet still hands out everything it inflated; so only a short
    // read asks whether the stream ended well.
    if (total < wanted) DLC_RETURN_IF_ERROR(StreamError());
    return total;
  }

  // Meaningful after the first Read.
  bool compressed() const { return gzdirect(file_.get()) == 0; }
  const std::string& path() const { return path_; }

 private:
  IdxInput(std::string path, GzFilePtr file) : path_(std::move(path)), file_(std::move(file)) {}

  absl::Status StreamError() const {
    int zlib_error = Z_OK;
    const char* message = gzerror(file_.get(), &zlib_error);
    switch (zlib_error) {
      case Z_OK: return absl::OkStatus();
      case Z_BUF_ERROR:  // zlib's "unexpected end of file" inside a gzip stream
        return FileError(absl::StatusCode::kDataLoss, path_,
                         StrCat("truncated gzip stream: it breaks off after ", bytes_read_,
                                " decompressed bytes"));
      case Z_ERRNO: return SystemError(path_, "read failed", errno);
      default: {
        // zlib prefixes its message with the path, which FileError adds too.
        std::string_view text = message;
        if (text.starts_with(path_ + ": ")) text.remove_prefix(path_.size() + 2);
        return FileError(absl::StatusCode::kDataLoss, path_, StrCat("corrupt gzip stream: ", text));
      }
    }
  }

  std::string path_;
  GzFilePtr file_;
  int64_t bytes_read_ = 0;
};

struct IdxHeader {
  TensorType type;
  int64_t data_bytes = 0;  // what the dimensions promise
};

absl::StatusOr<IdxHeader> ReadHeader(IdxInput& in) {
  const std::string& path = in.path();
  std::array<std::byte, 4> magic;
  DLC_ASSIGN_OR_RETURN(int64_t got, in.Read(magic));
  if (got < 4) {
    return FileError(
        absl::StatusCode::kDataLoss, path,
        StrCat("truncated header: ", got, " bytes, but the magic number alone needs 4"));
  }
  const auto byte = [&](int i) { return std::to_integer<uint8_t>(magic[i]); };
  if (byte(0) != 0 || byte(1) != 0) {
    return FileError(absl::StatusCode::kInvalidArgument, path,
                     StrCat("wrong magic: starts with ", Hex(byte(0)), " ", Hex(byte(1)),
                            ", but an IDX file starts with 0x00 0x00"));
  }
  std::optional<DType> dtype = DTypeForCode(byte(2));
  if (!dtype) {
    return FileError(absl::StatusCode::kInvalidArgument, path,
                     StrCat("unsupported type code ", Hex(byte(2)), KnownCodeName(byte(2)),
                            "; dlc reads ", kSupportedTypes));
  }
  const int rank = byte(3);
  if (rank == 0 || rank > kMaxIdxRank) {
    return FileError(absl::StatusCode::kInvalidArgument, path,
                     StrCat("rank ", rank, " in the header; dlc reads ranks 1 to ", kMaxIdxRank));
  }

  std::vector<std::byte> dims(4 * rank);
  DLC_ASSIGN_OR_RETURN(got, in.Read(dims));
  if (got < static_cast<int64_t>(dims.size())) {
    return FileError(absl::StatusCode::kDataLoss, path,
                     StrCat("truncated header: rank ", rank, " needs ", dims.size(),
                            " bytes of dimensions, but only ", got, " follow the magic number"));
  }
  IdxHeader header;
  header.type.dtype = *dtype;
  int64_t bytes = DTypeSize(*dtype);
  for (int i = 0; i < rank; ++i) {
    const int64_t dim = LoadBigEndianU32(&dims[4 * i]);
    header.type.shape.push_back(dim);
    if (__builtin_mul_overflow(bytes, dim, &bytes)) {
      return FileError(absl::StatusCode::kInvalidArgument, path,
                       StrCat("dimensions ", ShapeToString(header.type.shape),
                              "... describe more than 2^63 bytes; the header is corrupt"));
    }
  }
  header.data_bytes = bytes;
  return header;
}

// Rejects a header that promises more than the file could possibly hold,
// before anything is read or allocated for it.
absl::Status CheckPlausibleSize(const IdxInput& in, const IdxHeader& header) {
  std::error_code error;
  const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(in.path(), error));
  if (error || !in.compressed()) return absl::OkStatus();  // plain files: the read will tell
  if (header.data_bytes / kMaxInflateRatio <= file_bytes) return absl::OkStatus();
  return FileError(absl::StatusCode::kInvalidArgument, in.path(),
                   StrCat("header of ", header.type.ToString(), " promises ", header.data_bytes,
                          " data bytes, more than a ", file_bytes,
                          "-byte gzip file can hold (deflate inflates at most ", kMaxInflateRatio,
                          ":1); the header is corrupt or the file truncated"));
}

// Reads the promised data in chunks, so a lying header costs no more memory
// than the bytes that are really there.
absl::StatusOr<std::vector<std::byte>> ReadData(IdxInput& in, const IdxHeader& header) {
  std::vector<std::byte> data;
  while (static_cast<int64_t>(data.size()) < header.data_bytes) {
    const int64_t have = static_cast<int64_t>(data.size());
    const int64_t chunk = std::min(header.data_bytes - have, kChunkBytes);
    data.resize(have + chunk);
    DLC_ASSIGN_OR_RETURN(int64_t got, in.Read(std::span(data).subspan(have)));
    if (got < chunk) {
      return FileError(
          absl::StatusCode::kDataLoss, in.path(),
          StrCat("truncated data: the header of ", header.type.ToString(), " promises ",
                 header.data_bytes, " data bytes, but only ", have + got, " follow it"));
    }
  }
  return data;
}

// Reading past the promised data must find nothing. For gzip this read also
// checks the stream's trailer (CRC and length).
absl::Status ExpectEnd(IdxInput& in, const IdxHeader& header) {
  std::vector<std::byte> scratch(64 * 1024);
  int64_t extra = 0;
  while (true) {
    DLC_ASSIGN_OR_RETURN(int64_t got, in.Read(scratch));
    extra += got;
    if (got < static_cast<int64_t>(scratch.size())) break;
  }
  if (extra == 0) return absl::OkStatus();
  return FileError(absl::StatusCode::kInvalidArgument, in.path(),
                   StrCat("trailing garbage: ", extra, " bytes after the ", header.data_bytes,
                          " data bytes that the header of ", header.type.ToString(), " promises"));
}

}  // namespace

absl::StatusOr<Tensor> ReadIdx(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(IdxInput in, IdxInput::Open(path));
  DLC_ASSIGN_OR_RETURN(IdxHeader header, ReadHeader(in));
  DLC_RETURN_IF_ERROR(CheckPlausibleSize(in, header));
  DLC_ASSIGN_OR_RETURN(std::vector<std::byte> data, ReadData(in, header));
  DLC_RETURN_IF_ERROR(ExpectEnd(in, header));

  SwapBigEndianInPlace(data, DTypeSize(header.type.dtype));
  Tensor tensor(header.type);
  if (!data.empty()) std::memcpy(tensor.raw_data(), data.data(), data.size());
  return tensor;
}

absl::Status WriteIdx(const std::string& path, const Tensor& tensor, IdxCompression compression) {
  const std::optional<uint8_t> code = CodeForDType(tensor.dtype());
  if (!code) {
    return FileError(absl::StatusCode::kInvalidArgument, path,
                     StrCat("cannot write a ", tensor.type().ToString(),
                            " tensor: IDX holds u8, i32, f32 or f64"));
  }
  const int64_t rank = tensor.type().rank();
  if (rank == 0 || rank > kMaxIdxRank) {
    return FileError(
        absl::StatusCode::kInvalidArgument, path,
        StrCat("cannot write rank ", rank, ": IDX files hold ranks 1 to ", kMaxIdxRank));
  }
  std::vector<std::byte> header = {std::byte{0}, std::byte{0}, std::byte{*code},
                                   static_cast<std::byte>(rank)};
  for (int64_t dim : tensor.shape()) {
    if (dim < 0 || dim > int64_t{UINT32_MAX}) {
      return FileError(
          absl::StatusCode::kInvalidArgument, path,
          StrCat("cannot write shape ", ShapeToString(tensor.shape()), ": IDX dimensions are u32"));
    }
    for (int shift = 24; shift >= 0; shift -= 8) {
      header.push_back(static_cast<std::byte>((dim >> shift) & 0xFF));
    }
  }

  errno = 0;
  // "T" writes the bytes as they are; "9" is gzip at maximum compression.
  GzFilePtr file(gzopen(path.c_str(), compression == IdxCompression::kGzip ? "wb9" : "wbT"));
  if (file == nullptr) {
    const int error = errno;
    return SystemError(path, "cannot create", error);
  }
  const auto write = [&](std::span<const std::byte> bytes) {
    return gzwrite(file.get(), bytes.data(), static_cast<unsigned>(bytes.size())) ==
           static_cast<int>(bytes.size());
  };
  bool ok = write(header);
  std::vector<std::byte> chunk;
  const std::byte* data = tensor.raw_data();
  for (int64_t at = 0; ok && at < tensor.byte_size(); at += kChunkBytes) {
    chunk.assign(data + at, data + std::min(at + kChunkBytes, tensor.byte_size()));
    SwapBigEndianInPlace(chunk, DTypeSize(tensor.dtype()));
    ok = write(chunk);
  }
  // Closing flushes the last compressed block, so it can fail too.
  ok = gzclose(file.release()) == Z_OK && ok;
  if (!ok) {
    const int error = errno;
    if (error == 0) return FileError(absl::StatusCode::kInternal, path, "write failed");
    return SystemError(path, "write failed", error);
  }
  return absl::OkStatus();
}

}  // namespace dlc
