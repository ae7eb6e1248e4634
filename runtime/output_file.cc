#include "runtime/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/status/status.h"
#include "support/str_cat.h"

namespace dlc {
namespace {

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Files under /dev (/dev/stdout, /dev/null, a terminal) are written where
// they are: there is nothing to rename over.
bool IsDevicePath(const std::string& path) { return path.starts_with("/dev/"); }

std::string_view KindOf(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The file a rename should replace: `path` with symbolic links followed
// (`path` itself when it does not exist yet, or is a dangling link).
std::string ResolveTarget(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_symlink(path, error)) return path;
  std::filesystem::path target = std::filesystem::weakly_canonical(path, error);
  return error ? path : target.string();
}

// Makes a finished rename survive a crash. Best effort: the file itself is
// complete whatever happens here.
void SyncDirectoryOf(const std::string& path) {
  const int fd = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Temporary files of `path` left by writers that died mid-write (kill -9, a
// crash): "<path>.tmp.<pid>.<n>" of a process that no longer exists. Best
// effort; a live process's temporary (even a reused pid) stays.
void RemoveAbandonedTemporaries(const std::string& path) {
  const std::filesystem::path target(path);
  const std::string prefix = target.filename().string() + ".tmp.";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(DirectoryOf(path), error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    const size_t dot = rest.find('.');
    pid_t pid = 0;
    const auto [end, parsed] =
        std::from_chars(rest.data(), rest.data() + std::min(dot, rest.size()), pid);
    if (parsed != std::errc() || dot == std::string::npos || end != rest.data() + dot || pid <= 0) {
      continue;
    }
    if (::kill(pid, 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), error);
  }
}

}  // namespace

absl::StatusOr<AtomicFile> AtomicFile::Create(const std::string& path, std::string label,
                                              OutputKind kind) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode)) {
    const bool writable_directly = S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode);
    if (kind == OutputKind::kRegularFile || !writable_directly) {
      return absl::InvalidArgumentError(StrCat(label, ": is ", KindOf(info.st_mode),
                                               ", not a regular file: it cannot be replaced"));
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      return absl::ErrnoToStatus(error, StrCat(label, ": cannot open"));
    }
    return AtomicFile(path, path, path, std::move(label), fd, /*direct=*/true);
  }
  if (kind == OutputKind::kAllowDevice && IsDevicePath(path)) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) return AtomicFile(path, path, path, std::move(label), fd, /*direct=*/true);
  }
  static std::atomic<uint64_t> counter{0};
  std::string target = ResolveTarget(path);
  while (true) {
    std::string temp_path = StrCat(target, ".tmp.", ::getpid(), ".", counter++);
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      return AtomicFile(path, std::move(target), std::move(temp_path), std::move(label), fd,
                        /*direct=*/false);
    }
    if (errno != EEXIST) {
      const int error = errno;
      return absl::ErrnoToStatus(
          error, StrCat(label, ": cannot create the temporary file '", temp_path, "'"));
    }
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      target_(std::move(other.target_)),
      temp_path_(std::move(other.temp_path_)),
      label_(std::move(other.label_)),
      fd_(std::exchange(other.fd_, -1)),
      direct_(other.direct_),
      done_(std::exchange(other.done_, true)),
      failed_(std::move(other.failed_)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_ && !direct_) ::unlink(temp_path_.c_str());
}

absl::Status AtomicFile::Error(std::string_view action, int error) const {
  const std::string where =
      direct_ ? std::string(action) : StrCat(action, " the temporary file '", temp_path_, "'");
  return absl::ErrnoToStatus(error, StrCat(label_, ": ", where));
}

absl::Status AtomicFile::Write(std::span<const std::byte> bytes) {
  if (!failed_.ok()) return failed_;
  if (fd_ < 0) return failed_ = absl::FailedPreconditionError(StrCat(label_, ": already closed"));
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd_, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return failed_ = Error("cannot write", errno);
    bytes = bytes.subspan(static_cast<size_t>(wrote));
  }
  return absl::OkStatus();
}

absl::Status AtomicFile::Commit() {
  if (!failed_.ok()) return failed_;
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat(label_, ": already closed"));
  // A device or FIFO may not support fsync (EINVAL); a regular file must.
  if (::fsync(fd_) != 0 && !direct_) return failed_ = Error("cannot flush", errno);
  if (::close(std::exchange(fd_, -1)) != 0) return failed_ = Error("cannot close", errno);
  if (direct_) {
    done_ = true;
    return absl::OkStatus();
  }
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    const int error = errno;
    return failed_ = absl::ErrnoToStatus(
               error,
               StrCat(label_, ": cannot replace it with the temporary file '", temp_path_, "'"));
  }
  done_ = true;
  SyncDirectoryOf(target_);
  RemoveAbandonedTemporaries(target_);
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view label,
                                 std::string_view contents, OutputKind kind) {
  absl::StatusOr<AtomicFile> file = AtomicFile::Create(path, std::string(label), kind);
  if (!file.ok()) return file.status();
  if (absl::Status written = file->Write(contents); !written.ok()) return written;
  return file->Commit();
}

absl::Status CheckOutputPath(const std::string& path, std::string_view label, OutputKind kind) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode))
      return absl::InvalidArgumentError(StrCat(label, ": is a directory, not a file"));
    if (!S_ISREG(info.st_mode)) {
      const bool writable_directly = S_ISCHR(info.st_mode) || S_ISFIFO(info.st_mode);
      if (kind == OutputKind::kRegularFile || !writable_directly) {
        return absl::InvalidArgumentError(StrCat(label, ": is ", KindOf(info.st_mode),
                                                 ", not a regular file: it cannot be replaced"));
      }
      if (::access(path.c_str(), W_OK) != 0) {
        return absl::InvalidArgumentError(StrCat(label, ": cannot write: ", std::strerror(errno)));
      }
      return absl::OkStatus();
    }
  }
  const std::string dir = DirectoryOf(ResolveTarget(path));
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    if (std::filesystem::exists(dir, error)) {
      return absl::InvalidArgumentError(StrCat(label, ": ", dir, " is not a directory"));
    }
    return absl::InvalidArgumentError(StrCat(label, ": the directory ", dir, " does not exist"));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::InvalidArgumentError(
        StrCat(label, ": cannot write in ", dir, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

namespace {

// Two names of one file: the same inode when both exist, else the same
// normalised absolute path.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0) {
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }
  std::error_code error;
  const std::filesystem::path pa = std::filesystem::weakly_canonical(a, error);
  if (error) return a == b;
  const std::filesystem::path pb = std::filesystem::weakly_canonical(b, error);
  if (error) return a == b;
  return pa == pb;
}

}  // namespace

absl::Status CheckDistinctOutputs(const std::vector<NamedPath>& outputs,
                                  const std::vector<NamedPath>& inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].path.empty() || IsDevicePath(outputs[i].path)) continue;
    for (size_t j = 0; j < i; ++j) {
      if (outputs[j].path.empty() || !SameFile(outputs[i].path, outputs[j].path)) continue;
      return absl::InvalidArgumentError(
          StrCat(outputs[j].label, " and ", outputs[i].label,
                 " are the same file: one would overwrite the other"));
    }
    for (const NamedPath& input : inputs) {
      if (input.path.empty() || !SameFile(outputs[i].path, input.path)) continue;
      return absl::InvalidArgumentError(
          StrCat(outputs[i].label, " is ", input.label, ": writing it would destroy an input"));
    }
  }
  return absl::OkStatus();
}

}  // namespace dlc
