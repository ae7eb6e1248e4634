// Helpers for runtime tests that need files on disk: a fresh temporary folder
// per test and writers for raw (possibly broken) bytes.
#ifndef DLC_TESTS_RUNTIME_TEST_FILES_H_
#define DLC_TESTS_RUNTIME_TEST_FILES_H_

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace dlc::test_files {

using Bytes = std::vector<uint8_t>;

// A path in a folder that belongs to the running test alone. The folder is
// emptied when a test first asks for it, so reruns reuse it instead of
// piling up folders.
inline std::string TempPath(const std::string& name) {
  static const ::testing::TestInfo* emptied_for = nullptr;
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    "dlc_runtime_tests" /
                                    (std::string(test->test_suite_name()) + "." + test->name());
  if (emptied_for != test) {
    std::filesystem::remove_all(dir);
    emptied_for = test;
  }
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

inline void WriteBytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

// `bytes` as one complete gzip stream.
inline void WriteGzipBytes(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << "cannot create " << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

inline Bytes ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An IDX header: magic 0x00 0x00 <type code> <rank>, then big-endian u32 dims.
inline Bytes IdxHeader(uint8_t type_code, const std::vector<uint32_t>& dims) {
  Bytes bytes = {0, 0, type_code, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(d >> shift));
  }
  return bytes;
}

inline Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace dlc::test_files

#endif  // DLC_TESTS_RUNTIME_TEST_FILES_H_
