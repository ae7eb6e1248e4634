// libFuzzer target: any bytes read as an IDX file, plain or gzip, must give a
// tensor or an error naming the file, never a crash, hang, sanitizer report
// or an allocation the bytes do not pay for (-rss_limit_mb catches those).
// Whatever reads must write back and read again as the same tensor.
//
// The first byte chooses how the rest is stored, so that the fuzzer reaches
// the reader behind zlib too (it would seldom guess a valid deflate stream):
// bit 0 set, gzip-compressed; then bit 1 set, with the last (byte >> 2)
// compressed bytes cut off. Otherwise the rest is written as it is.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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

// A gzip member (header, deflate stream, trailer) holding `data`.
std::vector<uint8_t> Gzip(const uint8_t* data, size_t size) {
  z_stream stream{};
  // 15 + 16: a 32 KiB window with a gzip wrapper.
  Check(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
        Z_OK);
  std::vector<uint8_t> out(deflateBound(&stream, size));
  stream.next_in = const_cast<uint8_t*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  Check(deflate(&stream, Z_FINISH) == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string path;
  if (mode & 1) {
    std::vector<uint8_t> gz = Gzip(data + 1, size - 1);
    if (mode & 2) gz.resize(gz.size() - std::min<size_t>(gz.size(), mode >> 2));
    path = Scratch().Write("input.idx.gz", gz.data(), gz.size());
  } else {
    path = Scratch().Write("input.idx", data + 1, size - 1);
  }
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
