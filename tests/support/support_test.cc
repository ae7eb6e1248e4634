// support/: spelling suggestions, source snippets, reading a source file,
// StrCat and splitting with std::string_view, and the status macros.
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/source_snippet.h"
#include "support/spelling.h"
#include "support/status_macros.h"
#include "support/str_cat.h"
#include "support/str_split.h"
#include "support/text_file.h"

namespace dlc {
namespace {

using ::testing::HasSubstr;

TEST(Spelling, EditDistanceCountsSwapsAsOneEdit) {
  EXPECT_EQ(EditDistance("relu", "relu"), 0);
  EXPECT_EQ(EditDistance("rleu", "relu"), 1);  // neighbours swapped
  EXPECT_EQ(EditDistance("rel", "relu"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
}

TEST(Spelling, ClosestNameOnlyForPlausibleTypos) {
  const std::vector<std::string_view> names = {"relu", "sigmoid", "softmax"};
  EXPECT_EQ(ClosestName("sigmiod", names), "sigmoid");
  EXPECT_EQ(ClosestName("softmx", names), "softmax");
  EXPECT_EQ(ClosestName("tanh", names), std::nullopt);  // far from all
  EXPECT_EQ(ClosestName("relu", names), "relu");        // an exact name is its own nearest
}

TEST(SourceSnippet, CaretUnderTheColumn) {
  const std::string text = "line one\n  %y = add(%x)\nlast";
  // The line indented by two spaces, the caret under column 8 of it.
  EXPECT_EQ(SourceSnippet(text, 2, 8), "    %y = add(%x)\n         ^");
  EXPECT_EQ(SourceSnippet(text, 2, 8, 3), "    %y = add(%x)\n         ^~~");
  EXPECT_EQ(SourceSnippet(text, 9, 1), "");  // no such line
}

TEST(TextFile, ReadsAFileWholeDroppingAByteOrderMark) {
  const std::string path = ::testing::TempDir() + "/support_text.dl";
  std::ofstream(path) << "\xEF\xBB\xBFmodel m() {}\n";
  absl::StatusOr<std::string> text = ReadTextFile(path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "model m() {}\n");
}

TEST(TextFile, MissingFilesAndDirectoriesAreClearErrors) {
  absl::StatusOr<std::string> missing = ReadTextFile(::testing::TempDir() + "/no_such_file.dl");
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no_such_file.dl"));
  absl::StatusOr<std::string> directory = ReadTextFile(::testing::TempDir());
  EXPECT_FALSE(directory.ok());
}

TEST(StrCat, TakesStdStringViews) {
  const std::string_view view = "view";
  EXPECT_EQ(StrCat("a ", view, " ", 3, " ", std::string("s")), "a view 3 s");
}

TEST(SplitSkippingEmpty, DropsEmptyPiecesAndViewsTheText) {
  const std::string_view text = ",a,,bc ,";
  const std::vector<std::string_view> pieces = SplitSkippingEmpty(text, ',');
  EXPECT_THAT(pieces, ::testing::ElementsAre("a", "bc "));
  EXPECT_EQ(pieces[0].data(), text.data() + 1);  // a view, not a copy
  EXPECT_TRUE(SplitSkippingEmpty("", ',').empty());
  EXPECT_TRUE(SplitSkippingEmpty(",,", ',').empty());
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError(StrCat(n, " is odd"));
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  DLC_ASSIGN_OR_RETURN(int half, Half(n));
  DLC_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckQuarter(int n) {
  DLC_RETURN_IF_ERROR(Quarter(n).status());
  return absl::OkStatus();
}

TEST(StatusMacros, ReturnTheFirstError) {
  EXPECT_EQ(*Quarter(12), 3);
  EXPECT_EQ(Quarter(6).status().message(), "3 is odd");
  EXPECT_TRUE(CheckQuarter(8).ok());
  EXPECT_EQ(CheckQuarter(7).message(), "7 is odd");
}

}  // namespace
}  // namespace dlc
