// libFuzzer target: any bytes read as an IDX file, plain or gzip, must give a
// tensor or an error naming the file, never a crash, hang, sanitizer report
// or an allocation the bytes do not pay for (-rss_limit_mb catches those).
// Whatever reads must write back and read again as the same tensor.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/idx.h"
#include "tests/fuzz/fuzz_file.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const dlc::fuzz::ScratchDir& Scratch() {
  static const dlc::fuzz::ScratchDir* dir = new dlc::fuzz::ScratchDir("dlc_idx_fuzz");
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Scratch().Write("input.idx", data, size);
  absl::StatusOr<dlc::Tensor> tensor = dlc::ReadIdx(path);
  if (!tensor.ok()) {
    Check(tensor.status().message().find(path) != std::string::npos);
    return 0;
  }
  const std::string copy = Scratch().Path("copy.idx");
  Check(dlc::WriteIdx(copy, *tensor).ok());
  absl::StatusOr<dlc::Tensor> again = dlc::ReadIdx(copy);
  Check(again.ok() && again->type() == tensor->type() &&
        again->byte_size() == tensor->byte_size() &&
        (tensor->byte_size() == 0 ||
         std::memcmp(again->raw_data(), tensor->raw_data(), tensor->byte_size()) == 0));
  return 0;
}
