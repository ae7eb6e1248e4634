#include "runtime/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "runtime/json.h"
#include "runtime/output_file.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

constexpr int64_t kLengthPrefixBytes = 8;  // the u64 header length
constexpr int64_t kChunkBytes = int64_t{1} << 20;
constexpr std::string_view kMetadataKey = "__metadata__";

// Far beyond any real tensor (NumPy allows 64 dimensions); it keeps a corrupt
// header from growing huge shape vectors.
constexpr int64_t kMaxRank = 64;

// ---------------------------------------------------------------------------
// dtypes

struct FormatDType {
  std::string_view name;
  DType dtype;
};

// In the order the reference writer puts tensors: decreasing alignment.
constexpr FormatDType kFormatDTypes[] = {{"F64", DType::kF64},
                                         {"F32", DType::kF32},
                                         {"I32", DType::kI32},
                                         {"U8", DType::kU8},
                                         {"BOOL", DType::kI1}};
constexpr std::string_view kSupportedDTypes = "F32, F64, I32, U8 and BOOL";

// Valid safetensors dtypes that dlc has no element type for.
constexpr std::string_view kUnsupportedDTypes[] = {
    // clang-format off
    "F16", "BF16", "I8", "I16", "U16", "U32", "I64", "U64", "C64",
    "F8_E5M2", "F8_E4M3", "F8_E8M0",
    "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F6_E2M3", "F6_E3M2", "F4",
    // clang-format on
};

// Position in kFormatDTypes: the writer's primary sort key.
int WriteRank(DType dtype) {
  for (int i = 0; i < static_cast<int>(std::size(kFormatDTypes)); ++i) {
    if (kFormatDTypes[i].dtype == dtype) return i;
  }
  return static_cast<int>(std::size(kFormatDTypes));
}

std::string_view FormatName(DType dtype) { return kFormatDTypes[WriteRank(dtype)].name; }

std::optional<DType> DTypeForFormatName(std::string_view name) {
  for (const FormatDType& d : kFormatDTypes) {
    if (d.name == name) return d.dtype;
  }
  return std::nullopt;
}

bool IsUnsupportedFormatDType(std::string_view name) {
  return std::ranges::find(kUnsupportedDTypes, name) != std::end(kUnsupportedDTypes);
}

// ---------------------------------------------------------------------------
// Errors and byte order

absl::Status FileError(absl::StatusCode code, const std::string& path, std::string_view problem) {
  return absl::Status(code, StrCat("safetensors file '", path, "': ", problem));
}

absl::Status FormatError(const std::string& path, std::string_view problem) {
  return FileError(absl::StatusCode::kInvalidArgument, path, problem);
}

absl::Status SystemError(const std::string& path, std::string_view action, int error) {
  return absl::ErrnoToStatus(error, StrCat("safetensors file '", path, "': ", action));
}

// Tensor names come from files and may hold anything: quote them as JSON does.
std::string Quoted(std::string_view name) {
  std::string out;
  AppendJsonString(out, name);
  return out;
}

std::string TensorLabel(std::string_view name) { return StrCat("tensor ", Quoted(name)); }

// The file is little-endian. Reversing each element's bytes converts both
// ways on a big-endian host; on a little-endian one the bytes are as they are.
void SwapToOrFromLittleEndian(std::span<std::byte> bytes, int64_t element_size) {
  if (std::endian::native == std::endian::little || element_size == 1) return;
  const size_t step = static_cast<size_t>(element_size);
  for (size_t i = 0; i + step <= bytes.size(); i += step) {
    std::reverse(bytes.begin() + i, bytes.begin() + i + step);
  }
}

// ---------------------------------------------------------------------------
// Files

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns errno on failure: close can report a lost write.
  int Close() {
    const int result = ::close(std::exchange(fd_, -1));
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Reads bytes at `offset` until `buffer` is full or the file ends; returns
// how many were read.
absl::StatusOr<int64_t> ReadAt(int fd, const std::string& path, std::span<std::byte> buffer,
                               int64_t offset) {
  size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t got = ::pread(fd, buffer.data() + done, buffer.size() - done,
                                static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return SystemError(path, "read failed", errno);
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return static_cast<int64_t>(done);
}

struct InputFile {
  Fd fd;
  int64_t size = 0;
};

absl::StatusOr<InputFile> OpenInput(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
  // rejected below as not a regular file.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return SystemError(path, "cannot open", errno);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return SystemError(path, "cannot stat", errno);
  if (S_ISDIR(info.st_mode)) return FormatError(path, "is a directory, not a file");
  if (!S_ISREG(info.st_mode)) return FormatError(path, "is not a regular file");
  return InputFile{std::move(fd), static_cast<int64_t>(info.st_size)};
}

// ---------------------------------------------------------------------------
// Reading the header

struct TensorEntry {
  TensorType type;
  uint64_t begin = 0;  // data_offsets, relative to the end of the header
  uint64_t end = 0;
};

struct Header {
  std::map<std::string, TensorEntry> tensors;
  std::map<std::string, std::string> metadata;
};

// The header's length prefix and JSON text, checked against the file size
// before anything is allocated for it.
absl::StatusOr<std::string> ReadHeaderText(const InputFile& file, const std::string& path) {
  if (file.size < kLengthPrefixBytes) {
    return FormatError(path, StrCat("the file is ", file.size,
                                    " bytes, shorter than the 8-byte header length that starts "
                                    "every safetensors file"));
  }
  std::array<std::byte, kLengthPrefixBytes> prefix;
  DLC_ASSIGN_OR_RETURN(int64_t got, ReadAt(file.fd.get(), path, prefix, 0));
  if (got < kLengthPrefixBytes) {
    return FileError(absl::StatusCode::kDataLoss, path,
                     "truncated while reading the header length");
  }
  uint64_t length = 0;
  for (int i = kLengthPrefixBytes - 1; i >= 0; --i) {
    length = (length << 8) | std::to_integer<uint64_t>(prefix[i]);
  }
  if (length > static_cast<uint64_t>(kMaxSafetensorsHeaderBytes)) {
    return FormatError(path, StrCat("header length ", length, " is absurd (the limit is ",
                                    kMaxSafetensorsHeaderBytes,
                                    " bytes); the file is corrupt or not safetensors"));
  }
  const int64_t header_bytes = static_cast<int64_t>(length);
  if (kLengthPrefixBytes + header_bytes > file.size) {
    return FormatError(path, StrCat("header length ", header_bytes, " runs past the end of the ",
                                    file.size, "-byte file"));
  }
  std::string text(static_cast<size_t>(header_bytes), '\0');
  DLC_ASSIGN_OR_RETURN(got, ReadAt(file.fd.get(), path, std::as_writable_bytes(std::span(text)),
                                   kLengthPrefixBytes));
  if (got < header_bytes) {
    return FileError(absl::StatusCode::kDataLoss, path, "truncated while reading the header");
  }
  return text;
}

// Reads the header's JSON straight into a Header, checking each entry as it
// goes. Every error names the file and, inside an entry, the tensor.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, std::string_view text) : path_(path), reader_(text) {}

  absl::StatusOr<Header> Parse() {
    DLC_RETURN_IF_ERROR(ExpectRootObject());
    Header header;
    bool seen_metadata = false;
    while (true) {
      context_.clear();
      DLC_ASSIGN_OR_RETURN(std::optional<std::string> key, Json(reader_.NextKey()));
      if (!key) break;
      if (*key == kMetadataKey) {
        if (seen_metadata) {
          return FormatError(path_, "\"__metadata__\" appears twice in the header");
        }
        seen_metadata = true;
        DLC_RETURN_IF_ERROR(ParseMetadata(header.metadata));
        continue;
      }
      if (header.tensors.contains(*key)) {
        return FormatError(path_, StrCat(TensorLabel(*key), " appears twice in the header"));
      }
      DLC_ASSIGN_OR_RETURN(TensorEntry entry, ParseTensorEntry(*key));
      header.tensors.emplace(std::move(*key), std::move(entry));
    }
    context_.clear();
    DLC_RETURN_IF_ERROR(Json(reader_.ExpectEnd()));
    return header;
  }

 private:
  // A JSON syntax error, placed in the file and the part of the header.
  absl::Status SyntaxError(const absl::Status& status) const {
    const std::string where = context_.empty() ? "header " : StrCat("header, ", context_, ", ");
    return FormatError(path_, StrCat(where, status.message()));
  }
  absl::Status Json(absl::Status status) const {
    return status.ok() ? status : SyntaxError(status);
  }
  template <typename T>
  absl::StatusOr<T> Json(absl::StatusOr<T> result) const {
    if (!result.ok()) return SyntaxError(result.status());
    return result;
  }

  // The next value must be of kind `wanted`. Another kind of value is
  // "<subject> is <kind>, not <description>"; no value at all is a syntax error.
  absl::Status ExpectValue(JsonKind wanted, std::string_view subject,
                           std::string_view description) {
    const JsonKind kind = reader_.Peek();
    if (kind == wanted) return absl::OkStatus();
    if (kind == JsonKind::kInvalid || kind == JsonKind::kEnd) {
      return SyntaxError(reader_.Expected(description));
    }
    return FormatError(path_, StrCat(subject, " is ", JsonKindName(kind), ", not ", description));
  }

  absl::Status ExpectRootObject() {
    if (reader_.Peek() == JsonKind::kEnd) {
      return FormatError(path_, "the header is empty; it must be a JSON object");
    }
    DLC_RETURN_IF_ERROR(ExpectValue(JsonKind::kObject, "the header", "a JSON object"));
    return Json(reader_.BeginObject());
  }

  absl::Status ParseMetadata(std::map<std::string, std::string>& metadata) {
    context_ = "\"__metadata__\"";
    DLC_RETURN_IF_ERROR(ExpectValue(JsonKind::kObject, "\"__metadata__\"", "an object of strings"));
    DLC_RETURN_IF_ERROR(Json(reader_.BeginObject()));
    while (true) {
      DLC_ASSIGN_OR_RETURN(std::optional<std::string> key, Json(reader_.NextKey()));
      if (!key) return absl::OkStatus();
      DLC_RETURN_IF_ERROR(ExpectValue(
          JsonKind::kString, StrCat("the \"__metadata__\" value of ", Quoted(*key)), "a string"));
      DLC_ASSIGN_OR_RETURN(std::string value, Json(reader_.ReadString()));
      if (!metadata.emplace(*key, std::move(value)).second) {
        return FormatError(path_, StrCat("\"__metadata__\" key ", Quoted(*key), " appears twice"));
      }
    }
  }

  absl::StatusOr<TensorEntry> ParseTensorEntry(const std::string& name) {
    const std::string label = TensorLabel(name);
    context_ = label;
    DLC_RETURN_IF_ERROR(ExpectValue(JsonKind::kObject, StrCat("the entry of ", label),
                                    "an object with dtype, shape and data_offsets"));
    DLC_RETURN_IF_ERROR(Json(reader_.BeginObject()));
    std::optional<DType> dtype;
    std::optional<Shape> shape;
    std::optional<std::pair<uint64_t, uint64_t>> offsets;
    while (true) {
      DLC_ASSIGN_OR_RETURN(std::optional<std::string> key, Json(reader_.NextKey()));
      if (!key) break;
      const bool duplicate = (*key == "dtype" && dtype) || (*key == "shape" && shape) ||
                             (*key == "data_offsets" && offsets);
      if (duplicate) return FormatError(path_, StrCat(label, ": ", Quoted(*key), " appears twice"));
      if (*key == "dtype") {
        DLC_ASSIGN_OR_RETURN(dtype, ParseDType(label));
      } else if (*key == "shape") {
        DLC_ASSIGN_OR_RETURN(shape, ParseShape(label));
      } else if (*key == "data_offsets") {
        DLC_ASSIGN_OR_RETURN(offsets, ParseOffsets(label));
      } else {
        return FormatError(path_, StrCat(label, ": unexpected key ", Quoted(*key),
                                         "; an entry has exactly dtype, shape and data_offsets"));
      }
    }
    for (auto [present, key] :
         {std::pair{dtype.has_value(), "dtype"}, std::pair{shape.has_value(), "shape"},
          std::pair{offsets.has_value(), "data_offsets"}}) {
      if (!present) return FormatError(path_, StrCat(label, " has no \"", key, "\""));
    }
    TensorEntry entry{TensorType{*dtype, std::move(*shape)}, offsets->first, offsets->second};
    DLC_RETURN_IF_ERROR(CheckByteLength(label, entry));
    return entry;
  }

  absl::StatusOr<DType> ParseDType(const std::string& label) {
    DLC_RETURN_IF_ERROR(ExpectValue(JsonKind::kString, StrCat("the dtype of ", label), "a string"));
    DLC_ASSIGN_OR_RETURN(std::string name, Json(reader_.ReadString()));
    if (std::optional<DType> dtype = DTypeForFormatName(name)) return *dtype;
    if (IsUnsupportedFormatDType(name)) {
      return FormatError(path_,
                         StrCat(label, " has dtype ", name,
                                ", a safetensors dtype that dlc does not support (dlc reads ",
                                kSupportedDTypes, ")"));
    }
    return FormatError(path_, StrCat(label, " has unknown dtype ", Quoted(name), " (dlc reads ",
                                     kSupportedDTypes, ")"));
  }

  absl::StatusOr<Shape> ParseShape(const std::string& label) {
    DLC_RETURN_IF_ERROR(
        ExpectValue(JsonKind::kArray, StrCat("the shape of ", label), "an array of integers"));
    DLC_RETURN_IF_ERROR(Json(reader_.BeginArray()));
    Shape shape;
    while (true) {
      DLC_ASSIGN_OR_RETURN(bool more, Json(reader_.NextElement()));
      if (!more) return shape;
      if (static_cast<int64_t>(shape.size()) == kMaxRank) {
        return FormatError(path_, StrCat(label, ": shape has more than ", kMaxRank, " dimensions"));
      }
      DLC_ASSIGN_OR_RETURN(uint64_t dim, Json(reader_.ReadUint()));
      if (dim > static_cast<uint64_t>(kMaxDimension)) {
        return FormatError(path_, StrCat(label, ": dimension ", shape.size(), " of the shape is ",
                                         dim, ", beyond dlc's limit of 2^40"));
      }
      shape.push_back(static_cast<int64_t>(dim));
    }
  }

  absl::StatusOr<std::pair<uint64_t, uint64_t>> ParseOffsets(const std::string& label) {
    const std::string wanted = "data_offsets must be [begin, end]";
    DLC_RETURN_IF_ERROR(ExpectValue(JsonKind::kArray, StrCat("the data_offsets of ", label),
                                    "an array [begin, end]"));
    DLC_RETURN_IF_ERROR(Json(reader_.BeginArray()));
    std::vector<uint64_t> numbers;
    while (true) {
      DLC_ASSIGN_OR_RETURN(bool more, Json(reader_.NextElement()));
      if (!more) break;
      if (numbers.size() == 2) {
        return FormatError(path_, StrCat(label, ": ", wanted, ", but it has more than 2 numbers"));
      }
      DLC_ASSIGN_OR_RETURN(uint64_t number, Json(reader_.ReadUint()));
      numbers.push_back(number);
    }
    if (numbers.size() != 2) {
      return FormatError(path_, StrCat(label, ": ", wanted, ", but it has ", numbers.size(),
                                       numbers.size() == 1 ? " number" : " numbers"));
    }
    if (numbers[0] > numbers[1]) {
      return FormatError(path_, StrCat(label, ": data_offsets [", numbers[0], ",", numbers[1],
                                       "] end before they begin"));
    }
    return std::pair{numbers[0], numbers[1]};
  }

  // The offsets must span exactly the bytes that dtype and shape describe.
  absl::Status CheckByteLength(const std::string& label, const TensorEntry& entry) const {
    uint64_t bytes = static_cast<uint64_t>(DTypeSize(entry.type.dtype));
    for (int64_t dim : entry.type.shape) {
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) {
        return FormatError(path_,
                           StrCat(label, " is ", entry.type.ToString(), ", more than 2^64 bytes"));
      }
    }
    const uint64_t span = entry.end - entry.begin;
    if (bytes == span) return absl::OkStatus();
    return FormatError(path_, StrCat(label, " is ", entry.type.ToString(), ", ", bytes,
                                     " bytes, but its data_offsets [", entry.begin, ",", entry.end,
                                     "] span ", span, " bytes"));
  }

  const std::string& path_;
  JsonReader reader_;
  std::string context_;  // the part of the header being read, for syntax errors
};

// ---------------------------------------------------------------------------
// Checking the layout and reading the data

using EntryRef = std::pair<const std::string*, const TensorEntry*>;

std::vector<EntryRef> InDataOrder(const Header& header) {
  std::vector<EntryRef> order;
  for (const auto& [name, entry] : header.tensors) order.emplace_back(&name, &entry);
  std::ranges::sort(order, {}, [](const EntryRef& e) {
    return std::tuple(e.second->begin, e.second->end, std::string_view(*e.first));
  });
  return order;
}

std::string OffsetsText(const TensorEntry& entry) {
  return StrCat("[", entry.begin, ",", entry.end, "]");
}

// Tensors must tile the data exactly: from offset 0, without gaps or
// overlaps, to the last byte of the file.
absl::Status CheckLayout(const std::vector<EntryRef>& order, uint64_t data_bytes,
                         const std::string& path) {
  uint64_t next = 0;  // where the next tensor must begin
  const EntryRef* previous = nullptr;
  for (const EntryRef& current : order) {
    const auto& [name, entry] = current;
    if (entry->begin < next) {
      return FormatError(
          path, StrCat(TensorLabel(*previous->first), " ", OffsetsText(*previous->second), " and ",
                       TensorLabel(*name), " ", OffsetsText(*entry), " overlap"));
    }
    if (entry->begin > next) {
      const std::string before = previous == nullptr ? std::string("the start of the data")
                                                     : StrCat(TensorLabel(*previous->first),
                                                              " (which ends at ", next, ")");
      return FormatError(
          path, StrCat("a gap of ", entry->begin - next, " bytes between ", before, " and ",
                       TensorLabel(*name), " (which begins at ", entry->begin, ")"));
    }
    next = entry->end;
    previous = &current;
  }
  if (next > data_bytes) {
    return FormatError(path, StrCat(TensorLabel(*previous->first), " ends at data offset ", next,
                                    ", beyond the ", data_bytes,
                                    " bytes of data after the header; the file is truncated or "
                                    "the offsets are wrong"));
  }
  if (next < data_bytes) {
    return FormatError(path, StrCat(data_bytes - next, " trailing bytes after the end of the ",
                                    "last tensor's data (at data offset ", next, ")"));
  }
  return absl::OkStatus();
}

// BOOL elements are bytes 0 or 1; anything else would break dlc's i1.
absl::Status CheckBooleans(const Tensor& tensor, const std::string& name, const std::string& path) {
  const std::span<const uint8_t> values = tensor.values<uint8_t>();
  const auto bad = std::ranges::find_if(values, [](uint8_t v) { return v > 1; });
  if (bad == values.end()) return absl::OkStatus();
  return FormatError(path, StrCat(TensorLabel(name), ": BOOL element ", bad - values.begin(),
                                  " is ", static_cast<int>(*bad), "; BOOL bytes must be 0 or 1"));
}

absl::StatusOr<Tensor> ReadTensor(const InputFile& file, const std::string& path,
                                  const std::string& name, const TensorEntry& entry,
                                  int64_t data_start) {
  Tensor tensor(entry.type);
  const std::span<std::byte> bytes(tensor.raw_data(), static_cast<size_t>(tensor.byte_size()));
  DLC_ASSIGN_OR_RETURN(int64_t got, ReadAt(file.fd.get(), path, bytes,
                                           data_start + static_cast<int64_t>(entry.begin)));
  if (got < tensor.byte_size()) {
    return FileError(absl::StatusCode::kDataLoss, path,
                     StrCat("truncated while reading ", TensorLabel(name),
                            " (the file shrank while being read)"));
  }
  SwapToOrFromLittleEndian(bytes, DTypeSize(entry.type.dtype));
  if (entry.type.dtype == DType::kI1) DLC_RETURN_IF_ERROR(CheckBooleans(tensor, name, path));
  return tensor;
}

// ---------------------------------------------------------------------------
// Writing

absl::Status CheckWritable(const std::string& path, const Checkpoint& checkpoint) {
  for (const auto& [key, value] : checkpoint.metadata) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return FormatError(path, StrCat("cannot write metadata key ", Quoted(key),
                                      ": safetensors keys and values must be valid UTF-8"));
    }
  }
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (!IsValidUtf8(name)) {
      return FormatError(path, StrCat("cannot write ", TensorLabel(name),
                                      ": safetensors names must be valid UTF-8"));
    }
    if (name == kMetadataKey) {
      return FormatError(path,
                         "cannot write a tensor named \"__metadata__\": safetensors "
                         "reserves that name for the metadata");
    }
    const TensorType& type = tensor.type();
    if (std::ranges::any_of(type.shape, [](int64_t d) { return d < 0; }) ||
        tensor.byte_size() != type.byte_size()) {
      return FormatError(path, StrCat("cannot write ", TensorLabel(name), " of type ",
                                      type.ToString(), ": it holds ", tensor.byte_size(),
                                      " bytes, not the ", type.byte_size(), " its type needs"));
    }
  }
  return absl::OkStatus();
}

using NamedTensorRef = std::pair<const std::string*, const Tensor*>;

// The reference writer's order: decreasing alignment, then name. With the
// header padded to 8 bytes, every tensor then starts aligned to its element.
std::vector<NamedTensorRef> InWriteOrder(const NamedTensors& tensors) {
  std::vector<NamedTensorRef> order;
  for (const auto& [name, tensor] : tensors) order.emplace_back(&name, &tensor);
  std::ranges::sort(order, {}, [](const NamedTensorRef& t) {
    return std::tuple(WriteRank(t.second->dtype()), std::string_view(*t.first));
  });
  return order;
}

// Compact JSON exactly as the reference (serde_json) writes it, padded with
// spaces to a multiple of 8 bytes.
std::string HeaderJson(const std::vector<NamedTensorRef>& order,
                       const std::map<std::string, std::string>& metadata) {
  std::string json = "{";
  if (!metadata.empty()) {
    AppendJsonString(json, kMetadataKey);
    json += ":{";
    for (const auto& [key, value] : metadata) {
      if (json.back() != '{') json += ',';
      AppendJsonString(json, key);
      json += ':';
      AppendJsonString(json, value);
    }
    json += '}';
  }
  int64_t offset = 0;
  for (const auto& [name, tensor] : order) {
    if (json.back() != '{') json += ',';
    AppendJsonString(json, *name);
    json += StrCat(":{\"dtype\":\"", FormatName(tensor->dtype()),
                   "\",\"shape\":", ShapeToString(tensor->shape()), ",\"data_offsets\":[", offset,
                   ",", offset + tensor->byte_size(), "]}");
    offset += tensor->byte_size();
  }
  json += '}';
  json.resize((json.size() + 7) / 8 * 8, ' ');
  return json;
}

// The length prefix, the header and the tensors' data, the latter a chunk at
// a time in the file's encoding.
absl::Status WriteContents(AtomicFile& file, const std::string& header,
                           const std::vector<NamedTensorRef>& order) {
  std::array<std::byte, kLengthPrefixBytes> prefix;
  for (int i = 0; i < kLengthPrefixBytes; ++i) {
    prefix[i] = static_cast<std::byte>((static_cast<uint64_t>(header.size()) >> (8 * i)) & 0xFF);
  }
  DLC_RETURN_IF_ERROR(file.Write(prefix));
  DLC_RETURN_IF_ERROR(file.Write(std::as_bytes(std::span(header))));
  std::vector<std::byte> chunk;
  for (const auto& [name, tensor] : order) {
    const std::byte* data = tensor->raw_data();
    for (int64_t at = 0; at < tensor->byte_size(); at += kChunkBytes) {
      chunk.assign(data + at, data + std::min(at + kChunkBytes, tensor->byte_size()));
      SwapToOrFromLittleEndian(chunk, DTypeSize(tensor->dtype()));
      if (tensor->dtype() == DType::kI1) {  // readers expect exactly 0 or 1
        for (std::byte& b : chunk) b = b == std::byte{0} ? std::byte{0} : std::byte{1};
      }
      DLC_RETURN_IF_ERROR(file.Write(chunk));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Checkpoint> ReadSafetensors(const std::string& path) {
  DLC_ASSIGN_OR_RETURN(InputFile file, OpenInput(path));
  DLC_ASSIGN_OR_RETURN(std::string header_text, ReadHeaderText(file, path));
  DLC_ASSIGN_OR_RETURN(Header header, HeaderParser(path, header_text).Parse());
  const int64_t data_start = kLengthPrefixBytes + static_cast<int64_t>(header_text.size());
  const std::vector<EntryRef> order = InDataOrder(header);
  DLC_RETURN_IF_ERROR(CheckLayout(order, static_cast<uint64_t>(file.size - data_start), path));

  Checkpoint checkpoint;
  checkpoint.metadata = std::move(header.metadata);
  for (const auto& [name, entry] : order) {
    DLC_ASSIGN_OR_RETURN(Tensor tensor, ReadTensor(file, path, *name, *entry, data_start));
    checkpoint.tensors.emplace(*name, std::move(tensor));
  }
  return checkpoint;
}

absl::Status WriteSafetensors(const std::string& path, const Checkpoint& checkpoint) {
  DLC_RETURN_IF_ERROR(CheckWritable(path, checkpoint));
  const std::vector<NamedTensorRef> order = InWriteOrder(checkpoint.tensors);
  const std::string header = HeaderJson(order, checkpoint.metadata);
  if (static_cast<int64_t>(header.size()) > kMaxSafetensorsHeaderBytes) {
    return FormatError(
        path, StrCat("cannot write a header of ", header.size(),
                     " bytes: readers reject headers over ", kMaxSafetensorsHeaderBytes, " bytes"));
  }
  DLC_ASSIGN_OR_RETURN(AtomicFile file,
                       AtomicFile::Create(path, StrCat("safetensors file '", path, "'")));
  DLC_RETURN_IF_ERROR(WriteContents(file, header, order));
  return file.Commit();
}

}  // namespace dlc
