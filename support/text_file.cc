#include "support/text_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/str_cat.h"

namespace dlc {

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::error_code ignored;
  const std::filesystem::file_status status = std::filesystem::status(path, ignored);
  if (std::filesystem::is_directory(status)) {
    return absl::InvalidArgumentError(StrCat(path, ": is a directory, not a file"));
  }
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    return absl::InvalidArgumentError(StrCat(path, ": is not a regular file (a pipe or a device)"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(StrCat(path, ": cannot open file"));
  std::stringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return absl::DataLossError(StrCat(path, ": read error"));
  std::string text = contents.str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  return text;
}

}  // namespace dlc
