// The host's caches: sysfs parsed from a fake tree, and the fallbacks when
// the OS says nothing.
#include "passes/codegen/host_caches.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace dlc::codegen {
namespace {

namespace fs = std::filesystem;

// A sysfs cache directory in a fresh temp dir, removed at the end.
class FakeSysfs {
 public:
  FakeSysfs() {
    std::string name = (fs::temp_directory_path() / "dlc_caches_XXXXXX").string();
    if (mkdtemp(name.data()) != nullptr) dir_ = name;
  }
  ~FakeSysfs() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Add(const std::string& index, const std::string& level, const std::string& type,
           const std::string& size) {
    const fs::path d = dir_ / index;
    fs::create_directories(d);
    std::ofstream(d / "level") << level << "\n";
    std::ofstream(d / "type") << type << "\n";
    std::ofstream(d / "size") << size << "\n";
  }
  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
};

TEST(HostCaches, SysfsGivesDataAndUnifiedCachesPerLevel) {
  FakeSysfs sysfs;
  sysfs.Add("index0", "1", "Data", "48K");
  sysfs.Add("index1", "1", "Instruction", "32K");
  sysfs.Add("index2", "2", "Unified", "2048K");
  sysfs.Add("index3", "3", "Unified", "266240K");
  EXPECT_EQ(ReadSysfsCaches(sysfs.dir()), (CacheSizes{48 << 10, 2 << 20, int64_t{266240} << 10}));
}

TEST(HostCaches, SysfsSkipsWhatDoesNotParse) {
  FakeSysfs sysfs;
  sysfs.Add("index0", "1", "Instruction", "64K");  // no L1 data cache listed
  sysfs.Add("index1", "2", "Unified", "lots");
  sysfs.Add("index2", "3", "Unified", "32M");
  sysfs.Add("index3", "4", "Unified", "128M");  // L4: not modelled
  sysfs.Add("power", "2", "Unified", "1K");     // not an index* entry
  EXPECT_EQ(ReadSysfsCaches(sysfs.dir()), (CacheSizes{0, 0, 32 << 20}));
}

TEST(HostCaches, MissingSysfsGivesZeros) {
  EXPECT_EQ(ReadSysfsCaches("/nonexistent/dlc/cache"), CacheSizes{});
}

TEST(HostCaches, EachLevelFallsBackToSysconfThenTypical) {
  EXPECT_EQ(MergeCaches({32 << 10, 0, 0}, {48 << 10, 2 << 20, 0}),
            (CacheSizes{32 << 10, 2 << 20, kTypicalCaches.l3}));
  EXPECT_EQ(MergeCaches({}, {}), kTypicalCaches);
}

TEST(HostCaches, ThisHostHasEveryLevel) {
  const CacheSizes host = HostCaches();
  EXPECT_GT(host.l1d, 0);
  EXPECT_GE(host.l2, host.l1d);
  EXPECT_GT(host.l3, 0);
}

}  // namespace
}  // namespace dlc::codegen
