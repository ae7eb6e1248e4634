// libFuzzer target: any bytes read as a safetensors file must give a
// checkpoint or an error naming the file, never a crash, hang, sanitizer
// report or an allocation the bytes do not pay for (-rss_limit_mb catches
// those). Whatever reads must write back and read again identically.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "runtime/safetensors.h"
#include "tests/fuzz/fuzz_file.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

const dlc::fuzz::ScratchDir& Scratch() {
  static const dlc::fuzz::ScratchDir* dir = new dlc::fuzz::ScratchDir("dlc_safetensors_fuzz");
  return *dir;
}

bool SameTensors(const dlc::NamedTensors& a, const dlc::NamedTensors& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
    if (i->first != j->first || i->second.type() != j->second.type() ||
        i->second.byte_size() != j->second.byte_size() ||
        (i->second.byte_size() > 0 &&
         std::memcmp(i->second.raw_data(), j->second.raw_data(), i->second.byte_size()) != 0)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Scratch().Write("input.safetensors", data, size);
  absl::StatusOr<dlc::Checkpoint> checkpoint = dlc::ReadSafetensors(path);
  if (!checkpoint.ok()) {
    Check(checkpoint.status().message().find(path) != std::string::npos);
    return 0;
  }
  const std::string copy = Scratch().Path("copy.safetensors");
  Check(dlc::WriteSafetensors(copy, *checkpoint).ok());
  absl::StatusOr<dlc::Checkpoint> again = dlc::ReadSafetensors(copy);
  Check(again.ok() && again->metadata == checkpoint->metadata &&
        SameTensors(again->tensors, checkpoint->tensors));
  return 0;
}
