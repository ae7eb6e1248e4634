// The host's data caches as the OS reports them, for sizing cache blocks:
// Linux's sysfs (/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}),
// else glibc's sysconf, else typical values of a current x86 core.
#ifndef DLC_PASSES_CODEGEN_HOST_CACHES_H_
#define DLC_PASSES_CODEGEN_HOST_CACHES_H_

#include <cstdint>
#include <string>

namespace dlc::codegen {

// Bytes per cache level, for one core's view: L1 data, L2 and L3 (data or
// unified; L3 is usually shared by many cores). 0: unknown.
struct CacheSizes {
  int64_t l1d = 0, l2 = 0, l3 = 0;
  bool operator==(const CacheSizes&) const = default;
};

// Typical of a current x86 core; used where the OS says nothing (and for
// a --target-cpu, whose caches nobody reports).
inline constexpr CacheSizes kTypicalCaches{48 << 10, 1 << 20, 32 << 20};

inline constexpr char kSysfsCacheDir[] = "/sys/devices/system/cpu/cpu0/cache";

// The caches listed under `dir` (a sysfs cache directory: index0, index1,
// ... each with level, type and size such as "48K"). Instruction caches and
// entries that do not parse are skipped; a missing directory gives zeros.
CacheSizes ReadSysfsCaches(const std::string& dir);

// The caches glibc reports (it asks the CPU); zeros where it does not know.
CacheSizes SysconfCaches();

// Each size from `first` where known, else from `second`, else typical.
CacheSizes MergeCaches(const CacheSizes& first, const CacheSizes& second);

// This machine's: sysfs, then sysconf, then typical values.
CacheSizes HostCaches();

}  // namespace dlc::codegen

#endif  // DLC_PASSES_CODEGEN_HOST_CACHES_H_
