// Checkpoints in the safetensors format (https://huggingface.co/docs/safetensors),
// so that dlc's files load in the Python `safetensors` library and PyTorch, and
// theirs load in dlc.
//
// Layout: 8 bytes little-endian u64 N; N bytes of UTF-8 JSON, an object that
// maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets relative to the first byte after the header) plus an optional
// "__metadata__" object of string -> string; then the tensors' data,
// little-endian, row-major, packed without gaps.
//
// dtypes: F32, F64, I32, U8 and BOOL (one byte per element, 0 or 1) map to
// dlc's f32, f64, i32, u8 and i1. Files holding any other safetensors dtype
// (F16, BF16, I64, ...) are rejected with a message naming it.
//
// The writer produces what the reference implementation does, byte for byte:
// compact JSON with "__metadata__" first (when there is any), then the
// tensors in data order; the header padded with spaces to a multiple of 8
// bytes; tensors sorted by decreasing alignment (F64, F32, I32, U8, BOOL)
// and then by name, so every tensor's data starts aligned to its element size.
#ifndef DLC_RUNTIME_SAFETENSORS_H_
#define DLC_RUNTIME_SAFETENSORS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/tensor.h"

namespace dlc {

// Named tensors, e.g. a model's parameters ("dense.kernel") and optimizer
// state ("adam.m.dense.kernel").
using NamedTensors = std::map<std::string, Tensor>;

struct Checkpoint {
  NamedTensors tensors;
  std::map<std::string, std::string> metadata;  // the header's "__metadata__"
};

// A header longer than this is taken as corruption, as the reference reader does.
inline constexpr int64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// Writes atomically: a temporary file in the same directory, flushed
// (fsync), then renamed over `path`. On any failure the previous file at
// `path` is untouched and the temporary removed. After a successful write,
// temporaries of `path` that writers killed mid-write left behind (their
// process is gone) are removed too. A symbolic link at `path` is followed
// (its target is replaced); a device, FIFO or socket at `path` is an error,
// not replaced (runtime/output_file.h). Names and metadata must be
// valid UTF-8, and no tensor may be called "__metadata__". Errors name the path.
absl::Status WriteSafetensors(const std::string& path, const Checkpoint& checkpoint);

// Reads a whole file. Every problem (unreadable file, bad header, unknown
// or unsupported dtype, sizes that disagree, gaps, overlaps, trailing bytes,
// ...) is an error naming the file and, where there is one, the tensor.
// Nothing is allocated for tensor data before the header has been checked
// against the real size of the file.
absl::StatusOr<Checkpoint> ReadSafetensors(const std::string& path);

}  // namespace dlc

#endif  // DLC_RUNTIME_SAFETENSORS_H_
