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

#include "nlohmann/json.hpp"
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

// A JSON string's text, escaped as serde_json (the reference safetensors
// writer) does it: \" \\ \b \f \n \r \t, other control characters as \u00xx,
// everything else as it is. Invalid UTF-8 (names come from files and may
// hold anything) shows as U+FFFD.
std::string JsonString(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Whether `text` is valid UTF-8, as JSON strings must be: nlohmann's strict
// writer checks it.
bool IsValidUtf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

// Tensor names come from files and may hold anything: quote them as JSON does.
std::string Quoted(std::string_view name) { return JsonString(name); }

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
// goes, through nlohmann's SAX parser: no document is built, so a hostile
// header costs no more memory than the entries kept. Every error names the
// file and, inside an entry, the tensor.
class HeaderReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit HeaderReader(const std::string& path) : path_(path) {}

  absl::StatusOr<Header> Read(std::string_view text) {
    if (text.find_first_not_of(" \t\n\r") == std::string_view::npos) {
      return FormatError(path_, "the header is empty; it must be a JSON object");
    }
    // nlohmann's lexer takes a NUL byte for the end of the text, and JSON
    // text has none: a header padded with NULs, not spaces, is corrupt.
    if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
      return FormatError(path_, StrCat("header at offset ", nul,
                                       ": unexpected byte 0x00 (JSON text has none; safetensors "
                                       "pads its header with spaces)"));
    }
    try {
      nlohmann::json::sax_parse(text.begin(), text.end(), this);
    } catch (const std::exception& e) {  // the parser reports through parse_error; just in case
      return FormatError(path_, StrCat("header: ", e.what()));
    }
    if (!error_.ok()) return error_;
    return std::move(header_);
  }

  // ---- nlohmann's SAX events (each returns false to stop at an error) ----
  bool null() override { return Unexpected("null"); }
  bool boolean(bool value) override { return Unexpected(value ? "true" : "false"); }
  bool number_integer(number_integer_t) override {  // only negative integers come here
    return Unexpected(InNumbers() ? "a negative number" : "a number");
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (state_ == State::kShapeDims) return Dimension(value);
    if (state_ == State::kOffsetNumbers) return Offset(value);
    return Unexpected("a number");
  }
  bool number_float(number_float_t, const string_t& text) override {
    if (!InNumbers()) return Unexpected("a number");
    const bool integer = text.find_first_of(".eE") == string_t::npos;
    return Unexpected(integer ? "an integer beyond 2^64-1"
                              : "a number with a fraction or exponent");
  }
  bool string(string_t& value) override {
    if (state_ == State::kDType) return DTypeNamed(value);
    if (state_ == State::kMetadataValue) {
      if (!header_.metadata.emplace(key_, std::move(value)).second) {
        return Fail(StrCat("\"__metadata__\" key ", Quoted(key_), " appears twice"));
      }
      state_ = State::kMetadataKeys;
      return true;
    }
    return Unexpected("a string");
  }
  bool binary(binary_t&) override { return Unexpected("binary data"); }
  bool start_object(std::size_t) override {
    switch (state_) {
      case State::kRoot: state_ = State::kTop; return true;
      case State::kMetadata: state_ = State::kMetadataKeys; return true;
      case State::kEntry:
        dtype_.reset(), shape_.reset(), offsets_.reset();
        state_ = State::kEntryKeys;
        return true;
      default: return Unexpected("an object");
    }
  }
  bool start_array(std::size_t) override {
    if (state_ == State::kShape) {
      shape_.emplace();
      state_ = State::kShapeDims;
      return true;
    }
    if (state_ == State::kOffsets) {
      numbers_.clear();
      state_ = State::kOffsetNumbers;
      return true;
    }
    return Unexpected("an array");
  }
  bool key(string_t& key) override {
    if (state_ == State::kTop) return TopKey(std::move(key));
    if (state_ == State::kMetadataKeys) {
      key_ = std::move(key);
      state_ = State::kMetadataValue;
      return true;
    }
    return EntryKey(key);  // kEntryKeys: the parser allows keys in objects only
  }
  bool end_object() override {
    if (state_ == State::kMetadataKeys) return Leave(State::kTop);
    if (state_ == State::kEntryKeys) return EndEntry();
    state_ = State::kDone;  // the root
    return true;
  }
  bool end_array() override {
    if (state_ == State::kShapeDims) return Leave(State::kEntryKeys);
    return EndOffsets();
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 27:
    // syntax error while parsing object - unexpected string literal;
    // expected '}'": the part after the place. The token it quotes ("last
    // read") may hold any bytes; the offset says where instead.
    std::string reason = e.what();
    if (const size_t colon = reason.find(": "); colon != std::string::npos) {
      reason.erase(0, colon + 2);
    }
    if (const size_t at = reason.find("; last read: '"); at != std::string::npos) {
      const size_t end = reason.find("'; ", at + 14);
      reason.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    }
    const std::string where = context_.empty() ? "header " : StrCat("header, ", context_, ", ");
    // `position` counts the bytes read, the offending one included.
    error_ = FormatError(
        path_, StrCat(where, "at offset ", position > 0 ? position - 1 : 0, ": ", reason));
    return false;
  }

 private:
  // Where in the header the next event is.
  enum class State {
    kRoot,           // the header itself: an object
    kTop,            // its keys: "__metadata__" or tensor names
    kMetadata,       // the "__metadata__" value: an object
    kMetadataKeys,   // ... its keys
    kMetadataValue,  // ... a value: a string
    kEntry,          // a tensor's entry: an object
    kEntryKeys,      // ... its keys: dtype, shape, data_offsets
    kDType,          // a string
    kShape,          // an array
    kShapeDims,      // ... of non-negative integers
    kOffsets,        // an array
    kOffsetNumbers,  // ... of two non-negative integers
    kDone,
  };

  bool InNumbers() const { return state_ == State::kShapeDims || state_ == State::kOffsetNumbers; }

  bool Fail(std::string_view problem) {
    error_ = FormatError(path_, problem);
    return false;
  }

  bool Leave(State next) {
    state_ = next;
    if (next == State::kTop) context_.clear();
    return true;
  }

  // A value of kind `kind` where the state wants another.
  bool Unexpected(std::string_view kind) {
    const std::string is = StrCat(" is ", kind, ", not ");
    switch (state_) {
      case State::kRoot: return Fail(StrCat("the header", is, "a JSON object"));
      case State::kMetadata: return Fail(StrCat("\"__metadata__\"", is, "an object of strings"));
      case State::kMetadataValue:
        return Fail(StrCat("the \"__metadata__\" value of ", Quoted(key_), is, "a string"));
      case State::kEntry:
        return Fail(
            StrCat("the entry of ", label_, is, "an object with dtype, shape and data_offsets"));
      case State::kDType: return Fail(StrCat("the dtype of ", label_, is, "a string"));
      case State::kShape: return Fail(StrCat("the shape of ", label_, is, "an array of integers"));
      case State::kShapeDims:
        return Fail(StrCat(label_, ": dimension ", shape_->size(), " of the shape", is,
                           "a non-negative integer"));
      case State::kOffsets:
        return Fail(StrCat("the data_offsets of ", label_, is, "an array [begin, end]"));
      case State::kOffsetNumbers:
        return Fail(StrCat(label_, ": data_offsets number ", numbers_.size(), is,
                           "a non-negative integer"));
      default: return Fail(StrCat("unexpected ", kind, " in the header"));  // not reached
    }
  }

  bool TopKey(std::string key) {
    if (key == kMetadataKey) {
      if (seen_metadata_) return Fail("\"__metadata__\" appears twice in the header");
      seen_metadata_ = true;
      context_ = "\"__metadata__\"";
      state_ = State::kMetadata;
      return true;
    }
    label_ = TensorLabel(key);
    if (header_.tensors.contains(key)) return Fail(StrCat(label_, " appears twice in the header"));
    name_ = std::move(key);
    context_ = label_;
    state_ = State::kEntry;
    return true;
  }

  bool EntryKey(const std::string& key) {
    const bool duplicate = (key == "dtype" && dtype_) || (key == "shape" && shape_) ||
                           (key == "data_offsets" && offsets_);
    if (duplicate) return Fail(StrCat(label_, ": ", Quoted(key), " appears twice"));
    if (key == "dtype") {
      state_ = State::kDType;
    } else if (key == "shape") {
      state_ = State::kShape;
    } else if (key == "data_offsets") {
      state_ = State::kOffsets;
    } else {
      return Fail(StrCat(label_, ": unexpected key ", Quoted(key),
                         "; an entry has exactly dtype, shape and data_offsets"));
    }
    return true;
  }

  bool DTypeNamed(const std::string& name) {
    if (std::optional<DType> dtype = DTypeForFormatName(name)) {
      dtype_ = *dtype;
      return Leave(State::kEntryKeys);
    }
    if (IsUnsupportedFormatDType(name)) {
      return Fail(StrCat(label_, " has dtype ", name,
                         ", a safetensors dtype that dlc does not support (dlc reads ",
                         kSupportedDTypes, ")"));
    }
    return Fail(
        StrCat(label_, " has unknown dtype ", Quoted(name), " (dlc reads ", kSupportedDTypes, ")"));
  }

  bool Dimension(uint64_t dim) {
    if (static_cast<int64_t>(shape_->size()) == kMaxRank) {
      return Fail(StrCat(label_, ": shape has more than ", kMaxRank, " dimensions"));
    }
    if (dim > static_cast<uint64_t>(kMaxDimension)) {
      return Fail(StrCat(label_, ": dimension ", shape_->size(), " of the shape is ", dim,
                         ", beyond dlc's limit of 2^40"));
    }
    shape_->push_back(static_cast<int64_t>(dim));
    return true;
  }

  bool Offset(uint64_t number) {
    if (numbers_.size() == 2) {
      return Fail(StrCat(label_,
                         ": data_offsets must be [begin, end], but it has more than 2 "
                         "numbers"));
    }
    numbers_.push_back(number);
    return true;
  }

  bool EndOffsets() {
    if (numbers_.size() != 2) {
      return Fail(StrCat(label_, ": data_offsets must be [begin, end], but it has ",
                         numbers_.size(), numbers_.size() == 1 ? " number" : " numbers"));
    }
    if (numbers_[0] > numbers_[1]) {
      return Fail(StrCat(label_, ": data_offsets [", numbers_[0], ",", numbers_[1],
                         "] end before they begin"));
    }
    offsets_ = std::pair{numbers_[0], numbers_[1]};
    return Leave(State::kEntryKeys);
  }

  bool EndEntry() {
    for (auto [present, key] :
         {std::pair{dtype_.has_value(), "dtype"}, std::pair{shape_.has_value(), "shape"},
          std::pair{offsets_.has_value(), "data_offsets"}}) {
      if (!present) return Fail(StrCat(label_, " has no \"", key, "\""));
    }
    TensorEntry entry{TensorType{*dtype_, std::move(*shape_)}, offsets_->first, offsets_->second};
    if (absl::Status status = CheckByteLength(entry); !status.ok()) {
      error_ = status;
      return false;
    }
    header_.tensors.emplace(std::move(name_), std::move(entry));
    return Leave(State::kTop);
  }

  // The offsets must span exactly the bytes that dtype and shape describe.
  absl::Status CheckByteLength(const TensorEntry& entry) const {
    uint64_t bytes = static_cast<uint64_t>(DTypeSize(entry.type.dtype));
    for (int64_t dim : entry.type.shape) {
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes)) {
        return FormatError(path_,
                           StrCat(label_, " is ", entry.type.ToString(), ", more than 2^64 bytes"));
      }
    }
    const uint64_t span = entry.end - entry.begin;
    if (bytes == span) return absl::OkStatus();
    return FormatError(path_, StrCat(label_, " is ", entry.type.ToString(), ", ", bytes,
                                     " bytes, but its data_offsets [", entry.begin, ",", entry.end,
                                     "] span ", span, " bytes"));
  }

  const std::string& path_;
  State state_ = State::kRoot;
  Header header_;
  absl::Status error_;
  bool seen_metadata_ = false;
  std::string context_;  // the part of the header being read, for syntax errors
  std::string key_;      // the metadata key whose value comes next
  // The entry being read: its tensor's name and label, and what it has said.
  std::string name_, label_;
  std::optional<DType> dtype_;
  std::optional<Shape> shape_;
  std::optional<std::pair<uint64_t, uint64_t>> offsets_;
  std::vector<uint64_t> numbers_;  // data_offsets so far
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
// spaces to a multiple of 8 bytes: the metadata first, then the tensors in
// data order.
std::string HeaderJson(const std::vector<NamedTensorRef>& order,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  int64_t offset = 0;
  for (const auto& [name, tensor] : order) {
    header[*name] = {{"dtype", FormatName(tensor->dtype())},
                     {"shape", tensor->shape()},
                     {"data_offsets", {offset, offset + tensor->byte_size()}}};
    offset += tensor->byte_size();
  }
  // CheckWritable has made sure every string is valid UTF-8.
  std::string json = header.dump();
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
  DLC_ASSIGN_OR_RETURN(Header header, HeaderReader(path).Read(header_text));
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
