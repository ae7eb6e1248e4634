// Whether a computation fits in this machine's memory, checked before
// anything is allocated: a step or graph that needs more is an error naming
// its largest buffers, never a std::bad_alloc.
#ifndef DLC_RUNTIME_MEMORY_CHECK_H_
#define DLC_RUNTIME_MEMORY_CHECK_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ir/graph.h"

namespace dlc {

// The machine's physical memory in bytes (0 when the OS does not say).
int64_t PhysicalMemoryBytes();

// "1.5 GiB", "12.0 MiB".
std::string FormatBytes(int64_t bytes);

// ResourceExhausted when `need` bytes are more than the machine has, naming
// `what` and the three largest of `buffers` (bytes, name).
absl::Status CheckFitsInMemory(std::string_view what, int64_t need,
                               std::vector<std::pair<int64_t, std::string>> buffers);

// The reference interpreter keeps every value of `graph`: their total.
absl::Status CheckGraphFitsInMemory(const Graph& graph);

}  // namespace dlc

#endif  // DLC_RUNTIME_MEMORY_CHECK_H_
