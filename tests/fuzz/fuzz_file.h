// The IDX and safetensors readers take a path, not bytes: fuzz targets write
// each input to a scratch file first. It lives in /dev/shm when there is one
// (tmpfs: no disk traffic, cheap fsync), else in $TMPDIR or /tmp, and is
// removed when the process exits normally.
#ifndef DLC_TESTS_FUZZ_FUZZ_FILE_H_
#define DLC_TESTS_FUZZ_FUZZ_FILE_H_

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace dlc::fuzz {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    std::error_code error;
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base, error)) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr ? tmp : "/tmp";
    }
    dir_ = base / (name + "." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_, error);
    if (error) std::abort();
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& file) const { return (dir_ / file).string(); }

  // Replaces `file`'s contents with the bytes.
  std::string Write(const std::string& file, const uint8_t* data, size_t size) const {
    const std::string path = Path(file);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) std::abort();
    return path;
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace dlc::fuzz

#endif  // DLC_TESTS_FUZZ_FUZZ_FILE_H_
