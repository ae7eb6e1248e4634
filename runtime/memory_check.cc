#include "runtime/memory_check.h"

#include <unistd.h>

#include <algorithm>
#include <functional>

#include "absl/strings/str_format.h"
#include "support/str_cat.h"

namespace dlc {

int64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : 0;
}

std::string FormatBytes(int64_t bytes) {
  const double gib = static_cast<double>(bytes) / static_cast<double>(int64_t{1} << 30);
  if (gib >= 1) return absl::StrFormat("%.1f GiB", gib);
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / static_cast<double>(1 << 20));
}

absl::Status CheckFitsInMemory(std::string_view what, int64_t need,
                               std::vector<std::pair<int64_t, std::string>> buffers) {
  const int64_t machine = PhysicalMemoryBytes();
  if (machine == 0 || need <= machine) return absl::OkStatus();
  std::sort(buffers.begin(), buffers.end(), std::greater<>());
  std::string largest;
  for (size_t k = 0; k < std::min<size_t>(3, buffers.size()); ++k) {
    largest += StrCat(k == 0 ? "" : ", ", buffers[k].second, " ", FormatBytes(buffers[k].first));
  }
  return absl::ResourceExhaustedError(StrCat(
      what, " needs ", FormatBytes(need), " of memory, more than this machine's ",
      FormatBytes(machine), "; the largest: ", largest, ". A smaller batch or model may help"));
}

absl::Status CheckGraphFitsInMemory(const Graph& graph) {
  std::vector<std::pair<int64_t, std::string>> values;
  int64_t need = 0;
  for (const Node& node : graph.nodes) {
    const int64_t bytes = node.type.byte_size();
    need += bytes;
    values.emplace_back(bytes, "%" + node.name);
  }
  return CheckFitsInMemory(StrCat("evaluating ", graph.name), need, std::move(values));
}

}  // namespace dlc
