#include "runtime/json.h"

#include <cstdint>

#include "absl/strings/str_format.h"
#include "support/status_macros.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHighSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

std::string HexByte(char c) { return absl::StrFormat("0x%02X", static_cast<uint8_t>(c)); }

// Printable ASCII quoted, anything else as its byte value.
std::string DescribeChar(char c) {
  if (c > ' ' && c < 0x7F) return StrCat("'", std::string(1, c), "'");
  return StrCat("byte ", HexByte(c));
}

// Length of the well-formed UTF-8 sequence starting at text[at], or 0 if
// there is none: a stray continuation byte, a cut-off sequence, an overlong
// form, a UTF-16 surrogate or a code point beyond U+10FFFF.
size_t ValidUtf8Length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  struct Form {
    uint8_t lead_mask;   // the lead byte's marker bits...
    uint8_t lead_value;  // ...and their value
    size_t length;
    uint32_t smallest;  // code points below this have a shorter encoding
  };
  constexpr Form kForms[] = {
      {0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
  const Form* form = nullptr;
  for (const Form& f : kForms) {
    if ((lead & f.lead_mask) == f.lead_value) form = &f;
  }
  if (form == nullptr) return 0;
  const size_t length = form->length;
  uint32_t code_point = lead & static_cast<uint8_t>(~form->lead_mask);
  if (text.size() - at < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    const uint8_t continuation = byte(at + i);
    if ((continuation & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (continuation & 0x3F);
  }
  if (code_point < form->smallest || code_point > 0x10FFFF) return 0;
  if (IsHighSurrogate(code_point) || IsLowSurrogate(code_point)) return 0;
  return length;
}

void AppendUtf8(std::string& out, uint32_t code_point) {
  const auto add = [&](uint32_t byte) { out.push_back(static_cast<char>(byte)); };
  if (code_point < 0x80) {
    add(code_point);
  } else if (code_point < 0x800) {
    add(0xC0 | (code_point >> 6));
    add(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    add(0xE0 | (code_point >> 12));
    add(0x80 | ((code_point >> 6) & 0x3F));
    add(0x80 | (code_point & 0x3F));
  } else {
    add(0xF0 | (code_point >> 18));
    add(0x80 | ((code_point >> 12) & 0x3F));
    add(0x80 | ((code_point >> 6) & 0x3F));
    add(0x80 | (code_point & 0x3F));
  }
}

}  // namespace

std::string_view JsonKindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kObject: return "an object";
    case JsonKind::kArray: return "an array";
    case JsonKind::kString: return "a string";
    case JsonKind::kNumber: return "a number";
    case JsonKind::kTrue: return "true";
    case JsonKind::kFalse: return "false";
    case JsonKind::kNull: return "null";
    case JsonKind::kInvalid: return "an invalid value";
    case JsonKind::kEnd: return "the end of the text";
  }
  return "an invalid value";
}

size_t JsonReader::NextNonWhitespace() const {
  size_t next = pos_;
  while (next < text_.size() && IsJsonWhitespace(text_[next])) ++next;
  return next;
}

void JsonReader::SkipWhitespace() { pos_ = NextNonWhitespace(); }

JsonKind JsonReader::Peek() {
  SkipWhitespace();
  if (AtEnd()) return JsonKind::kEnd;
  const char c = text_[pos_];
  switch (c) {
    case '{': return JsonKind::kObject;
    case '[': return JsonKind::kArray;
    case '"': return JsonKind::kString;
    case '-': return JsonKind::kNumber;
    default: break;
  }
  if (IsDigit(c)) return JsonKind::kNumber;
  const std::string_view rest = text_.substr(pos_);
  if (rest.starts_with("true")) return JsonKind::kTrue;
  if (rest.starts_with("false")) return JsonKind::kFalse;
  if (rest.starts_with("null")) return JsonKind::kNull;
  return JsonKind::kInvalid;
}

std::string JsonReader::DescribeNext() const {
  const size_t next = NextNonWhitespace();
  if (next >= text_.size()) return "the end of the text";
  const std::string_view rest = text_.substr(next);
  switch (rest[0]) {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case '-': return "a negative number";
    default: break;
  }
  if (IsDigit(rest[0])) return "a number";
  for (std::string_view literal : {"true", "false", "null"}) {
    if (rest.starts_with(literal)) return std::string(literal);
  }
  return DescribeChar(rest[0]);
}

absl::Status JsonReader::ErrorAt(size_t offset, std::string_view problem) const {
  return absl::InvalidArgumentError(StrCat("at offset ", offset, ": ", problem));
}

absl::Status JsonReader::Expected(std::string_view what) const {
  return ErrorAt(NextNonWhitespace(), StrCat("expected ", what, ", found ", DescribeNext()));
}

absl::Status JsonReader::ExpectKind(JsonKind wanted, std::string_view what) {
  if (Peek() == wanted) return absl::OkStatus();
  return Expected(what);
}

absl::Status JsonReader::BeginObject() {
  DLC_RETURN_IF_ERROR(ExpectKind(JsonKind::kObject, "an object"));
  ++pos_;
  open_.push_back({'}', false});
  return absl::OkStatus();
}

absl::Status JsonReader::BeginArray() {
  DLC_RETURN_IF_ERROR(ExpectKind(JsonKind::kArray, "an array"));
  ++pos_;
  open_.push_back({']', false});
  return absl::OkStatus();
}

absl::StatusOr<bool> JsonReader::NextMember(char close) {
  if (open_.empty() || open_.back().close != close) {
    return absl::InternalError("JsonReader: NextKey/NextElement outside an object/array");
  }
  SkipWhitespace();
  if (!AtEnd() && text_[pos_] == close) {
    ++pos_;
    open_.pop_back();
    return false;
  }
  OpenContainer& container = open_.back();
  if (container.has_members) {
    if (AtEnd() || text_[pos_] != ',') {
      return Expected(StrCat("',' or '", std::string(1, close), "'"));
    }
    ++pos_;  // a ',' right before the close is caught when the member is read
  }
  container.has_members = true;
  return true;
}

absl::StatusOr<std::optional<std::string>> JsonReader::NextKey() {
  DLC_ASSIGN_OR_RETURN(bool more, NextMember('}'));
  if (!more) return std::nullopt;
  DLC_RETURN_IF_ERROR(ExpectKind(JsonKind::kString, "a string key"));
  DLC_ASSIGN_OR_RETURN(std::string key, ReadString());
  SkipWhitespace();
  if (AtEnd() || text_[pos_] != ':') return Expected("':' after the key");
  ++pos_;
  return key;
}

absl::StatusOr<bool> JsonReader::NextElement() { return NextMember(']'); }

absl::StatusOr<std::string> JsonReader::ReadString() {
  DLC_RETURN_IF_ERROR(ExpectKind(JsonKind::kString, "a string"));
  const size_t start = pos_++;
  std::string out;
  while (true) {
    if (AtEnd()) return ErrorAt(start, "unterminated string");
    const char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return out;
    }
    if (c == '\\') {
      DLC_RETURN_IF_ERROR(ReadEscape(out));
    } else if (static_cast<uint8_t>(c) < 0x20) {
      return ErrorAt(pos_, StrCat("control character ", HexByte(c),
                                  " inside a string (JSON needs it escaped)"));
    } else if (static_cast<uint8_t>(c) < 0x80) {
      out.push_back(c);
      ++pos_;
    } else {
      DLC_RETURN_IF_ERROR(ReadUtf8Sequence(out));
    }
  }
}

absl::Status JsonReader::ReadUtf8Sequence(std::string& out) {
  const size_t length = ValidUtf8Length(text_, pos_);
  if (length == 0) {
    return ErrorAt(pos_, StrCat("invalid UTF-8 (byte ", HexByte(text_[pos_]), ") inside a string"));
  }
  out.append(text_.substr(pos_, length));
  pos_ += length;
  return absl::OkStatus();
}

absl::Status JsonReader::ReadEscape(std::string& out) {
  const size_t start = pos_++;  // the backslash
  if (AtEnd()) return ErrorAt(start, "unterminated escape sequence");
  const char c = text_[pos_++];
  switch (c) {
    case '"': out.push_back('"'); return absl::OkStatus();
    case '\\': out.push_back('\\'); return absl::OkStatus();
    case '/': out.push_back('/'); return absl::OkStatus();
    case 'b': out.push_back('\b'); return absl::OkStatus();
    case 'f': out.push_back('\f'); return absl::OkStatus();
    case 'n': out.push_back('\n'); return absl::OkStatus();
    case 'r': out.push_back('\r'); return absl::OkStatus();
    case 't': out.push_back('\t'); return absl::OkStatus();
    case 'u': break;
    default: return ErrorAt(start, StrCat("invalid escape: backslash before ", DescribeChar(c)));
  }
  DLC_ASSIGN_OR_RETURN(uint32_t unit, ReadHex4());
  if (IsLowSurrogate(unit)) {
    return ErrorAt(
        start, absl::StrFormat("lone low surrogate \\u%04X (no high surrogate before it)", unit));
  }
  if (IsHighSurrogate(unit)) {
    // Characters beyond U+FFFF are written as a UTF-16 pair: \uD83D\uDE00.
    if (!text_.substr(pos_).starts_with("\\u")) {
      return ErrorAt(
          start,
          absl::StrFormat("lone high surrogate \\u%04X (no \\u low surrogate after it)", unit));
    }
    pos_ += 2;
    DLC_ASSIGN_OR_RETURN(uint32_t low, ReadHex4());
    if (!IsLowSurrogate(low)) {
      return ErrorAt(
          start, absl::StrFormat("high surrogate \\u%04X followed by \\u%04X, not a low surrogate",
                                 unit, low));
    }
    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(out, unit);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> JsonReader::ReadHex4() {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    if (AtEnd()) return ErrorAt(pos_, "\\u needs four hex digits, found the end of the text");
    const char c = text_[pos_];
    uint32_t digit;
    if (IsDigit(c)) {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return ErrorAt(pos_, StrCat("\\u needs four hex digits, found ", DescribeChar(c)));
    }
    value = value * 16 + digit;
    ++pos_;
  }
  return value;
}

absl::StatusOr<uint64_t> JsonReader::ReadUint() {
  constexpr std::string_view kWanted = "a non-negative integer";
  DLC_RETURN_IF_ERROR(ExpectKind(JsonKind::kNumber, kWanted));
  if (text_[pos_] == '-') return Expected(kWanted);  // "found a negative number"
  const size_t start = pos_;
  uint64_t value = 0;
  for (; !AtEnd() && IsDigit(text_[pos_]); ++pos_) {
    if (__builtin_mul_overflow(value, uint64_t{10}, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(text_[pos_] - '0'), &value)) {
      return ErrorAt(start, "integer too large (more than 2^64-1)");
    }
  }
  if (pos_ - start > 1 && text_[start] == '0') {
    return ErrorAt(start, "a number with a leading zero is not valid JSON");
  }
  if (!AtEnd() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    return ErrorAt(start,
                   StrCat("expected ", kWanted, ", found a number with a fraction or exponent"));
  }
  return value;
}

absl::Status JsonReader::ExpectEnd() {
  if (!open_.empty()) return absl::InternalError("JsonReader: ExpectEnd inside an object/array");
  SkipWhitespace();
  if (AtEnd()) return absl::OkStatus();
  return ErrorAt(pos_, StrCat("unexpected ", DescribeNext(), " after the end of the JSON value"));
}

bool IsValidUtf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = ValidUtf8Length(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view utf8) {
  out.push_back('"');
  for (const char c : utf8) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<uint8_t>(c));  // serde_json: lowercase
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace dlc
