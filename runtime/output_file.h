// Output files that are never half-written: the contents go to a temporary
// file next to the destination, which replaces the destination only when it
// is complete. Checkpoints, logs, plots, headers and object files all go
// through here.
#ifndef DLC_RUNTIME_OUTPUT_FILE_H_
#define DLC_RUNTIME_OUTPUT_FILE_H_

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc {

// What an output file may replace besides a regular file.
enum class OutputKind {
  kRegularFile,  // only a regular file (or nothing): e.g. a checkpoint
  kAllowDevice,  // also a character device or FIFO (/dev/stdout, a pipe), written directly
};

// A temporary file "<path>.tmp.<pid>.<n>" that replaces `path` only on
// Commit(); destroyed without Commit(), it is removed and `path` is as it
// was. A symbolic link at `path` is followed: the file it points to is
// replaced, the link stays. With kAllowDevice, a character device or FIFO
// at `path` is written directly (it cannot be replaced). Every error starts
// with `label` (e.g. "--log=run.csv") and names the temporary file when the
// problem is with it.
class AtomicFile {
 public:
  static absl::StatusOr<AtomicFile> Create(const std::string& path, std::string label,
                                           OutputKind kind = OutputKind::kRegularFile);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  // The first failed write is remembered: later writes and Commit() return it.
  absl::Status Write(std::span<const std::byte> bytes);
  absl::Status Write(std::string_view text) { return Write(std::as_bytes(std::span(text))); }
  // Flushes the data to disk (fsync), then renames the temporary over the
  // destination. Temporaries of the destination that writers killed
  // mid-write left behind (their process is gone) are removed.
  absl::Status Commit();

  const std::string& path() const { return path_; }
  // Where the data goes until Commit() (the destination itself for a device).
  const std::string& temp_path() const { return temp_path_; }

 private:
  AtomicFile(std::string path, std::string target, std::string temp_path, std::string label, int fd,
             bool direct)
      : path_(std::move(path)),
        target_(std::move(target)),
        temp_path_(std::move(temp_path)),
        label_(std::move(label)),
        fd_(fd),
        direct_(direct) {}
  absl::Status Error(std::string_view action, int error) const;

  std::string path_;    // as given
  std::string target_;  // symbolic links resolved: what the rename replaces
  std::string temp_path_;
  std::string label_;
  int fd_ = -1;
  bool direct_ = false;  // a device or FIFO: no temporary, no rename
  bool done_ = false;    // committed, or moved from: nothing to clean up
  absl::Status failed_;
};

// Writes `contents` to `path` through an AtomicFile.
absl::Status WriteFileAtomically(const std::string& path, std::string_view label,
                                 std::string_view contents,
                                 OutputKind kind = OutputKind::kAllowDevice);

// Checks, before any work, that an AtomicFile for `path` can be created:
// the directory exists and is writable, `path` is not a directory, and (for
// kRegularFile) not a device, FIFO or socket. Nothing is created or changed.
absl::Status CheckOutputPath(const std::string& path, std::string_view label,
                             OutputKind kind = OutputKind::kRegularFile);

// A file a command reads or writes, with the flag or role that names it.
struct NamedPath {
  std::string label;  // e.g. "--save=run.st", "the model"
  std::string path;
};

// No two outputs may be one file, and no output may be one of the inputs
// (the same file under any name: links and "./" are seen through). Empty
// paths are ignored.
absl::Status CheckDistinctOutputs(const std::vector<NamedPath>& outputs,
                                  const std::vector<NamedPath>& inputs);

}  // namespace dlc

#endif  // DLC_RUNTIME_OUTPUT_FILE_H_
