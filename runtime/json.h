// A minimal, strict JSON reader and writer for file headers (safetensors).
//
// JsonReader is a pull parser: the caller says what it expects next (an
// object, a key, a string, an unsigned integer, ...) and the reader checks
// the text against it. It never recurses and builds no document tree, so a
// hostile input costs no more memory than the values the caller keeps.
//
// It reads the JSON subset such headers use: objects, arrays, strings (every
// escape including \uXXXX and surrogate pairs; UTF-8 checked) and
// non-negative integers up to 2^64-1. true, false, null, negative numbers,
// fractions and exponents are rejected with a message that says so.
#ifndef DLC_RUNTIME_JSON_H_
#define DLC_RUNTIME_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc {

// What a JSON value is, judged by its first character.
enum class JsonKind { kObject, kArray, kString, kNumber, kTrue, kFalse, kNull, kInvalid, kEnd };

// "an object", "a string", "true", ..., for messages such as "is a number, not a string".
std::string_view JsonKindName(JsonKind kind);

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  // The kind of the next value; consumes only whitespace. kTrue, kFalse and
  // kNull only when the whole literal is there.
  JsonKind Peek();

  // Consumes '{'. Then NextKey() until it returns nullopt.
  absl::Status BeginObject();
  // The next member's key (the ':' after it consumed; the caller reads the
  // value next), or nullopt once the object's closing '}' is consumed.
  absl::StatusOr<std::optional<std::string>> NextKey();

  // Consumes '['. Then NextElement() until it returns false.
  absl::Status BeginArray();
  // True if another element follows (the caller reads it next); false once
  // the array's closing ']' is consumed.
  absl::StatusOr<bool> NextElement();

  absl::StatusOr<std::string> ReadString();
  absl::StatusOr<uint64_t> ReadUint();

  // Only whitespace may follow the top-level value.
  absl::Status ExpectEnd();

  // Byte offset of the next unread character.
  int64_t offset() const { return static_cast<int64_t>(pos_); }

  // "at offset N: expected <what>, found <what is there>", for callers that
  // found something other than what they wanted.
  absl::Status Expected(std::string_view what) const;

 private:
  struct OpenContainer {
    char close;        // '}' or ']'
    bool has_members;  // whether a ',' must come before the next member
  };

  size_t NextNonWhitespace() const;
  void SkipWhitespace();
  bool AtEnd() const { return pos_ >= text_.size(); }
  // "'x'", "byte 0xC3" or "the end of the text": what stands at the cursor.
  std::string DescribeNext() const;
  absl::Status ErrorAt(size_t offset, std::string_view problem) const;
  absl::Status ExpectKind(JsonKind wanted, std::string_view what);
  // After the opening element of a container: '}' / ']' ends it, else a ','
  // must separate members. True if another member follows.
  absl::StatusOr<bool> NextMember(char close);
  absl::Status ReadEscape(std::string& out);
  absl::StatusOr<uint32_t> ReadHex4();
  absl::Status ReadUtf8Sequence(std::string& out);

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<OpenContainer> open_;
};

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at
// most U+10FFFF), as JSON text must be.
bool IsValidUtf8(std::string_view text);

// Appends `utf8` as a JSON string literal, escaped exactly as serde_json
// (and so the reference safetensors writer) does: \" \\ \b \f \n \r \t,
// other control characters as \u00XX, everything else as is.
void AppendJsonString(std::string& out, std::string_view utf8);

}  // namespace dlc

#endif  // DLC_RUNTIME_JSON_H_
