#include "passes/codegen/host_caches.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

namespace dlc::codegen {
namespace {

// The first line of a small text file, without surrounding whitespace.
std::optional<std::string> ReadLine(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const size_t begin = line.find_first_not_of(" \t\r");
  const size_t end = line.find_last_not_of(" \t\r");
  if (begin == std::string::npos) return std::string();
  return line.substr(begin, end - begin + 1);
}

// sysfs sizes: "48K", "2048K", "32M", or plain bytes.
std::optional<int64_t> ParseSize(std::string_view text) {
  int64_t value = 0;
  const auto [rest, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || value <= 0) return std::nullopt;
  const std::string_view unit(rest, text.data() + text.size() - rest);
  int shift = 0;
  if (unit == "K")
    shift = 10;
  else if (unit == "M")
    shift = 20;
  else if (unit == "G")
    shift = 30;
  else if (!unit.empty())
    return std::nullopt;
  if (value > (int64_t{1} << (62 - shift))) return std::nullopt;
  return value << shift;
}

int64_t Pick(int64_t first, int64_t second, int64_t typical) {
  if (first > 0) return first;
  return second > 0 ? second : typical;
}

}  // namespace

CacheSizes ReadSysfsCaches(const std::string& dir) {
  CacheSizes sizes;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.path().filename().string().starts_with("index")) continue;
    const std::optional<std::string> level = ReadLine(entry.path() / "level");
    const std::optional<std::string> type = ReadLine(entry.path() / "type");
    const std::optional<std::string> size_text = ReadLine(entry.path() / "size");
    if (!level || !type || !size_text || (*type != "Data" && *type != "Unified")) continue;
    const std::optional<int64_t> size = ParseSize(*size_text);
    if (!size) continue;
    // Several caches of one level (unusual for one core): the largest.
    int64_t* slot = *level == "1"   ? &sizes.l1d
                    : *level == "2" ? &sizes.l2
                    : *level == "3" ? &sizes.l3
                                    : nullptr;
    if (slot != nullptr && *size > *slot) *slot = *size;
  }
  return sizes;
}

CacheSizes SysconfCaches() {
  CacheSizes sizes;
  if (const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE); l1 > 0) sizes.l1d = l1;
  if (const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE); l2 > 0) sizes.l2 = l2;
  if (const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE); l3 > 0) sizes.l3 = l3;
  return sizes;
}

CacheSizes MergeCaches(const CacheSizes& first, const CacheSizes& second) {
  return CacheSizes{Pick(first.l1d, second.l1d, kTypicalCaches.l1d),
                    Pick(first.l2, second.l2, kTypicalCaches.l2),
                    Pick(first.l3, second.l3, kTypicalCaches.l3)};
}

CacheSizes HostCaches() { return MergeCaches(ReadSysfsCaches(kSysfsCacheDir), SysconfCaches()); }

}  // namespace dlc::codegen
