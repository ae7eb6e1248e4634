// IDX files, the format of MNIST and Fashion-MNIST: a magic number
// 0x00 0x00 <type code> <rank>, then `rank` big-endian u32 dimensions, then the
// elements in row-major order, big-endian. Files may be gzip-compressed; the
// reader detects that itself.
//
// Type codes dlc reads and writes: 0x08 u8, 0x0C i32, 0x0D f32, 0x0E f64.
#ifndef DLC_RUNTIME_IDX_H_
#define DLC_RUNTIME_IDX_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/tensor.h"

namespace dlc {

// Ranks beyond this are taken as a corrupt header rather than a real data set.
inline constexpr int kMaxIdxRank = 8;

// Reads a whole IDX file, plain or gzip. Every problem (missing file, wrong
// magic, unsupported type, truncated or corrupt data, trailing bytes) is an
// error naming the file; memory grows only as data actually arrives, so a
// header claiming huge dimensions cannot make the reader allocate them.
absl::StatusOr<Tensor> ReadIdx(const std::string& path);

enum class IdxCompression { kNone, kGzip };

// Writes `tensor` (u8, i32, f32 or f64; rank 1..kMaxIdxRank) as an IDX file.
absl::Status WriteIdx(const std::string& path, const Tensor& tensor,
                      IdxCompression compression = IdxCompression::kNone);

}  // namespace dlc

#endif  // DLC_RUNTIME_IDX_H_
