#include "runtime/json.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "support/status_macros.h"

namespace dlc {
namespace {

// The message of reading `text` as one string, or "" if it reads.
std::string StringError(std::string_view text) {
  JsonReader reader(text);
  absl::StatusOr<std::string> value = reader.ReadString();
  return value.ok() ? "" : std::string(value.status().message());
}

std::string ReadOneString(std::string_view text) {
  JsonReader reader(text);
  absl::StatusOr<std::string> value = reader.ReadString();
  EXPECT_TRUE(value.ok()) << value.status();
  EXPECT_TRUE(reader.ExpectEnd().ok());
  return value.value_or("");
}

std::string UintError(std::string_view text) {
  JsonReader reader(text);
  absl::StatusOr<uint64_t> value = reader.ReadUint();
  return value.ok() ? "" : std::string(value.status().message());
}

// Reads an object of arrays of integers, e.g. {"a": [1, 2], "b": []}, into
// "a=1,2;b=;" so tests can compare whole structures.
absl::StatusOr<std::string> ReadObjectOfArrays(std::string_view text) {
  JsonReader reader(text);
  std::string out;
  DLC_RETURN_IF_ERROR(reader.BeginObject());
  while (true) {
    DLC_ASSIGN_OR_RETURN(std::optional<std::string> key, reader.NextKey());
    if (!key) break;
    out += *key + "=";
    DLC_RETURN_IF_ERROR(reader.BeginArray());
    for (bool first = true;; first = false) {
      DLC_ASSIGN_OR_RETURN(bool more, reader.NextElement());
      if (!more) break;
      DLC_ASSIGN_OR_RETURN(uint64_t n, reader.ReadUint());
      out += (first ? "" : ",") + std::to_string(n);
    }
    out += ";";
  }
  DLC_RETURN_IF_ERROR(reader.ExpectEnd());
  return out;
}

std::string StructureError(std::string_view text) {
  absl::StatusOr<std::string> value = ReadObjectOfArrays(text);
  return value.ok() ? "" : std::string(value.status().message());
}

TEST(JsonReader, ReadsObjectsAndArraysWithAnyWhitespace) {
  absl::StatusOr<std::string> read =
      ReadObjectOfArrays(" \t\r\n{ \"a\" : [ 1 , 22 ,333 ] ,\"b\":[],\n\"\":[0]}  \n");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "a=1,22,333;b=;=0;");
  read = ReadObjectOfArrays("{}");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "");
}

TEST(JsonReader, PeekNamesTheNextValue) {
  const std::vector<std::pair<std::string, JsonKind>> cases = {
      {" {", JsonKind::kObject},   {"[", JsonKind::kArray},   {"\"", JsonKind::kString},
      {"7", JsonKind::kNumber},    {"-7", JsonKind::kNumber}, {"true", JsonKind::kTrue},
      {"false", JsonKind::kFalse}, {"null", JsonKind::kNull}, {"nul", JsonKind::kInvalid},
      {"x", JsonKind::kInvalid},   {"  ", JsonKind::kEnd}};
  for (const auto& [text, kind] : cases) {
    JsonReader reader(text);
    EXPECT_EQ(reader.Peek(), kind) << text;
  }
}

TEST(JsonReader, StringEscapes) {
  EXPECT_EQ(ReadOneString(R"("a\"b\\c\/d\be\ff\ng\rh\ti")"), "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(ReadOneString(R"("\u0041\u00e9\u20AC\u0000")"),
            std::string("A\xC3\xA9\xE2\x82\xAC\0", 7));
  // U+1F600 as a UTF-16 surrogate pair.
  EXPECT_EQ(ReadOneString(R"("\uD83D\uDE00")"), "\xF0\x9F\x98\x80");
  // Raw UTF-8 passes through unchanged.
  EXPECT_EQ(ReadOneString("\"\xC3\xA9\xF0\x9F\x98\x80\""), "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonReader, RejectsBadEscapes) {
  EXPECT_EQ(StringError(R"("\x")"), "at offset 1: invalid escape: backslash before 'x'");
  EXPECT_EQ(StringError(R"("\u12G4")"), "at offset 5: \\u needs four hex digits, found 'G'");
  EXPECT_EQ(StringError(R"("\u12)"),
            "at offset 5: \\u needs four hex digits, found the end of the text");
  EXPECT_EQ(StringError(R"("\uDE00")"),
            "at offset 1: lone low surrogate \\uDE00 (no high surrogate before it)");
  EXPECT_EQ(StringError(R"("\uD83Dx")"),
            "at offset 1: lone high surrogate \\uD83D (no \\u low surrogate after it)");
  EXPECT_EQ(StringError(R"("\uD83D\u0041")"),
            "at offset 1: high surrogate \\uD83D followed by \\u0041, not a low surrogate");
  EXPECT_EQ(StringError("\"\\"), "at offset 1: unterminated escape sequence");
}

TEST(JsonReader, RejectsBadStringBytes) {
  EXPECT_EQ(StringError("\"abc"), "at offset 0: unterminated string");
  EXPECT_EQ(StringError("\"a\nb\""),
            "at offset 2: control character 0x0A inside a string (JSON needs it escaped)");
  EXPECT_EQ(StringError("\"\xC0\x80\""), "at offset 1: invalid UTF-8 (byte 0xC0) inside a string");
  EXPECT_EQ(StringError("\"\xED\xA0\x80\""),  // an encoded surrogate
            "at offset 1: invalid UTF-8 (byte 0xED) inside a string");
  EXPECT_EQ(StringError("\"\xE2\x82\""), "at offset 1: invalid UTF-8 (byte 0xE2) inside a string");
  EXPECT_EQ(StringError("\"\x80\""), "at offset 1: invalid UTF-8 (byte 0x80) inside a string");
  EXPECT_EQ(StringError("\"\xF4\x90\x80\x80\""),  // beyond U+10FFFF
            "at offset 1: invalid UTF-8 (byte 0xF4) inside a string");
}

TEST(JsonReader, UnsignedIntegers) {
  JsonReader reader("18446744073709551615");
  absl::StatusOr<uint64_t> max = reader.ReadUint();
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_EQ(*max, UINT64_MAX);
  JsonReader zero(" 0 ");
  EXPECT_EQ(zero.ReadUint().value_or(1), 0u);
  EXPECT_TRUE(zero.ExpectEnd().ok());

  EXPECT_EQ(UintError("18446744073709551616"), "at offset 0: integer too large (more than 2^64-1)");
  EXPECT_EQ(UintError("-1"),
            "at offset 0: expected a non-negative integer, found a negative number");
  EXPECT_EQ(UintError("1.5"),
            "at offset 0: expected a non-negative integer, found a number with a fraction or "
            "exponent");
  EXPECT_EQ(UintError("1e3"),
            "at offset 0: expected a non-negative integer, found a number with a fraction or "
            "exponent");
  EXPECT_EQ(UintError("012"), "at offset 0: a number with a leading zero is not valid JSON");
  EXPECT_EQ(UintError("\"3\""), "at offset 0: expected a non-negative integer, found a string");
}

TEST(JsonReader, RejectsWhatHeadersNeverHold) {
  EXPECT_EQ(StringError("true"), "at offset 0: expected a string, found true");
  EXPECT_EQ(StringError("null"), "at offset 0: expected a string, found null");
  EXPECT_EQ(UintError("false"), "at offset 0: expected a non-negative integer, found false");
  EXPECT_EQ(StructureError("[]"), "at offset 0: expected an object, found an array");
}

TEST(JsonReader, RejectsBadStructure) {
  EXPECT_EQ(StructureError(R"({"a" [1]})"),
            "at offset 5: expected ':' after the key, found an array");
  EXPECT_EQ(StructureError(R"({"a":[1] "b":[]})"),
            "at offset 9: expected ',' or '}', found a string");
  EXPECT_EQ(StructureError(R"({"a":[1 2]})"), "at offset 8: expected ',' or ']', found a number");
  EXPECT_EQ(StructureError(R"({"a":[1,]})"),
            "at offset 8: expected a non-negative integer, found ']'");
  EXPECT_EQ(StructureError(R"({"a":[1],})"), "at offset 9: expected a string key, found '}'");
  EXPECT_EQ(StructureError(R"({1:[]})"), "at offset 1: expected a string key, found a number");
  EXPECT_EQ(StructureError(R"({"a":[1])"),
            "at offset 8: expected ',' or '}', found the end of the text");
  EXPECT_EQ(StructureError(R"({"a":[1]} x)"),
            "at offset 10: unexpected 'x' after the end of the JSON value");
  EXPECT_EQ(StructureError(std::string("{}\0", 3)),
            "at offset 2: unexpected byte 0x00 after the end of the JSON value");
  EXPECT_EQ(StructureError(""), "at offset 0: expected an object, found the end of the text");
}

TEST(JsonWriter, EscapesLikeSerdeJson) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c/\b\f\n\r\t\x01\x1f\x7f\0", 15));
  EXPECT_EQ(out, R"("a\"b\\c/\b\f\n\r\t\u0001\u001f)"
                 "\x7f"
                 R"(\u0000")");
  out.clear();
  AppendJsonString(out, "d\xC3\xA9j\xC3\xA0 \xF0\x9F\x98\x80");  // non-ASCII stays raw UTF-8
  EXPECT_EQ(out, "\"d\xC3\xA9j\xC3\xA0 \xF0\x9F\x98\x80\"");
}

TEST(JsonWriter, EveryByteRoundTripsThroughTheReader) {
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) all_ascii.push_back(static_cast<char>(c));
  const std::string text = all_ascii + "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::string json;
  AppendJsonString(json, text);
  EXPECT_EQ(ReadOneString(json), text);
}

TEST(JsonUtf8, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA9 \xEF\xBF\xBF \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // cut short
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

}  // namespace
}  // namespace dlc
