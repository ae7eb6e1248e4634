// Checkpoints that survive kill -9: a child process saves checkpoints over
// the same path again and again and is killed with SIGKILL at random moments
// (while writing, flushing or renaming). Whatever moment it dies, the file
// on disk is one complete checkpoint: it loads, and its contents are one of
// those written.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "gtest/gtest.h"
#include "runtime/safetensors.h"
#include "tests/runtime/test_files.h"

namespace dlc {
namespace {

using test_files::TempPath;

// A checkpoint of about 4 MB whose every value is `fill`, so a write takes
// long enough for kills to land inside it.
Checkpoint Filled(float fill) {
  Checkpoint c;
  Tensor t(DType::kF32, {1024, 1024});
  for (float& v : t.values<float>()) v = fill;
  c.tensors.emplace("weights", std::move(t));
  c.metadata = {{"fill", std::to_string(fill)}};
  return c;
}

// Writes checkpoints filled with 1, 2, 1, ... over `path` until killed (or,
// should the parent die, for at most ten seconds).
[[noreturn]] void SaveForever(const std::string& path, const Checkpoint& a, const Checkpoint& b) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; std::chrono::steady_clock::now() - start < std::chrono::seconds(10); ++i) {
    if (!WriteSafetensors(path, i % 2 == 0 ? a : b).ok()) _exit(3);
  }
  _exit(0);
}

// Temporary files of `path` (of process `pid`, when given).
int TemporaryFilesNextTo(const std::string& path, pid_t pid = 0) {
  int count = 0;
  const std::string prefix = std::filesystem::path(path).filename().string() + ".tmp." +
                             (pid > 0 ? std::to_string(pid) + "." : "");
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    if (entry.path().filename().string().starts_with(prefix)) ++count;
  }
  return count;
}

TEST(AtomicSave, KillNineAtRandomMomentsAlwaysLeavesALoadableCheckpoint) {
  const std::string path = TempPath("model.safetensors");
  const Checkpoint ones = Filled(1), twos = Filled(2);
  ASSERT_TRUE(WriteSafetensors(path, ones).ok());
  std::mt19937 random(42);
  int killed_mid_write = 0;
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    const pid_t child = fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) SaveForever(path, twos, ones);
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + random() % 30000));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the saving child ended on its own (status " << status << ") in round " << round;

    // A kill during a write leaves its temporary file behind, never a
    // partial checkpoint at `path`; the next save clears such leftovers.
    killed_mid_write += TemporaryFilesNextTo(path, child) > 0;
    auto loaded = ReadSafetensors(path);
    ASSERT_TRUE(loaded.ok()) << "round " << round << ": " << loaded.status();
    const std::string fill = loaded->metadata.at("fill");
    const float expected = fill == std::to_string(1.0f) ? 1.0f : 2.0f;
    const auto values = loaded->tensors.at("weights").values<float>();
    ASSERT_EQ(values.size(), 1024u * 1024u);
    for (float v : values) ASSERT_EQ(v, expected) << "round " << round << ": a mixed checkpoint";
  }
  // The kills did land inside writes (else this test would prove nothing).
  EXPECT_GT(killed_mid_write, 0);
  // The next save removes what the killed writers left behind.
  ASSERT_TRUE(WriteSafetensors(path, ones).ok());
  EXPECT_EQ(TemporaryFilesNextTo(path), 0);
}

TEST(AtomicSave, ATemporaryOfALiveProcessIsKept) {
  const std::string path = TempPath("live.safetensors");
  const std::string mine = path + ".tmp." + std::to_string(getpid()) + ".999";
  std::FILE* f = std::fopen(mine.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  ASSERT_TRUE(WriteSafetensors(path, Filled(3)).ok());
  EXPECT_TRUE(std::filesystem::exists(mine));  // this process is alive: maybe still writing
  std::filesystem::remove(mine);
}

}  // namespace
}  // namespace dlc
