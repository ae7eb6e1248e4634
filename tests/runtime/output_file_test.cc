// Output files reach their path complete or not at all; a device is written
// directly, never replaced; one file cannot be two outputs, or an input.
#include "runtime/output_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/non_finite.h"
#include "runtime/safetensors.h"
#include "tests/runtime/test_files.h"

namespace dlc {
namespace {

using test_files::Bytes;
using test_files::ReadBytes;
using test_files::TempPath;
using test_files::WriteBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> FolderEntries(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

TEST(AtomicFile, TheOldFileStaysUntilCommit) {
  const std::string path = TempPath("log.csv");
  WriteBytes(path, {'o', 'l', 'd'});
  {
    absl::StatusOr<AtomicFile> file = AtomicFile::Create(path, "--log=" + path);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE(file->Write("new").ok());
    EXPECT_EQ(ReadBytes(path), (Bytes{'o', 'l', 'd'}));
    EXPECT_EQ(FolderEntries(path).size(), 2u);  // the file and its temporary
    ASSERT_TRUE(file->Commit().ok());
  }
  EXPECT_EQ(ReadBytes(path), (Bytes{'n', 'e', 'w'}));
  EXPECT_THAT(FolderEntries(path), ElementsAre("log.csv"));
}

TEST(AtomicFile, WithoutCommitNothingChanges) {
  const std::string path = TempPath("log.csv");
  WriteBytes(path, {'o', 'l', 'd'});
  {
    absl::StatusOr<AtomicFile> file = AtomicFile::Create(path, "--log=" + path);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE(file->Write("half").ok());
  }
  EXPECT_EQ(ReadBytes(path), (Bytes{'o', 'l', 'd'}));
  EXPECT_THAT(FolderEntries(path), ElementsAre("log.csv"));
}

TEST(AtomicFile, ASymbolicLinkIsFollowedAndKept) {
  const std::string target = TempPath("real.csv");
  const std::string link = TempPath("link.csv");
  WriteBytes(target, {'o'});
  std::filesystem::create_symlink(target, link);
  ASSERT_TRUE(WriteFileAtomically(link, "--log=" + link, "new").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(ReadBytes(target), (Bytes{'n', 'e', 'w'}));
  EXPECT_THAT(FolderEntries(link), UnorderedElementsAre("real.csv", "link.csv"));
}

// /dev/full: every write fails with ENOSPC, as on a full disk.
TEST(AtomicFile, AFullDeviceIsAWriteErrorNamingThePath) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  const std::string link = TempPath("full.csv");
  std::filesystem::create_symlink("/dev/full", link);
  const absl::Status status = WriteFileAtomically(link, "--log=" + link, "records");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(std::string(status.message()),
            "--log=" + link + ": cannot write: No space left on device");
  struct stat info;
  ASSERT_EQ(::stat("/dev/full", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode)) << "the device was replaced";
}

TEST(AtomicFile, ACheckpointNeverReplacesADevice) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  const std::string link = TempPath("run.st");
  std::filesystem::create_symlink("/dev/full", link);
  Checkpoint checkpoint;
  checkpoint.tensors["w"] = Tensor::FromVector<float>(DType::kF32, {1}, {1.0f});
  const absl::Status status = WriteSafetensors(link, checkpoint);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("is a character device, not a regular file: it cannot be replaced"));
  EXPECT_FALSE(CheckOutputPath(link, "--save=" + link).ok());
  EXPECT_TRUE(CheckOutputPath(link, "--log=" + link, OutputKind::kAllowDevice).ok());
  struct stat info;
  ASSERT_EQ(::stat("/dev/full", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode)) << "the device was replaced";
}

TEST(AtomicFile, LaterWritesAndCommitReportTheFirstFailure) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  absl::StatusOr<AtomicFile> file =
      AtomicFile::Create("/dev/full", "--log-steps=/dev/full", OutputKind::kAllowDevice);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_FALSE(file->Write("a").ok());
  EXPECT_FALSE(file->Write("b").ok());
  EXPECT_EQ(std::string(file->Commit().message()),
            "--log-steps=/dev/full: cannot write: No space left on device");
}

TEST(CheckOutputPath, NamesTheProblemAndChangesNothing) {
  const std::string dir = TempPath("folder");
  std::filesystem::create_directory(dir);
  EXPECT_EQ(std::string(CheckOutputPath(dir, "--plot=" + dir).message()),
            "--plot=" + dir + ": is a directory, not a file");
  const std::string missing = TempPath("missing/out.csv");
  EXPECT_THAT(std::string(CheckOutputPath(missing, "--log=x").message()),
              HasSubstr("--log=x: the directory "));
  const std::string fine = TempPath("fine.csv");
  EXPECT_TRUE(CheckOutputPath(fine, "--log=x").ok());
  EXPECT_FALSE(std::filesystem::exists(fine));
}

TEST(CheckDistinctOutputs, OneFileUnderTwoNames) {
  const std::string a = TempPath("a.csv");
  const std::string b = std::filesystem::path(a).parent_path().string() + "/./a.csv";
  const absl::Status status = CheckDistinctOutputs({{"--log=" + a, a}, {"--save=" + b, b}}, {});
  EXPECT_EQ(std::string(status.message()), "--log=" + a + " and --save=" + b +
                                               " are the same file: one would overwrite the other");
  WriteBytes(a, {1});
  const std::string link = TempPath("link.dl");
  std::filesystem::create_symlink(a, link);
  EXPECT_EQ(
      std::string(CheckDistinctOutputs({{"--save=" + link, link}}, {{"the model", a}}).message()),
      "--save=" + link + " is the model: writing it would destroy an input");
  EXPECT_TRUE(
      CheckDistinctOutputs({{"--log=" + a, a}, {"--plot=", ""}, {"--save=", ""}}, {{"x", ""}})
          .ok());
  EXPECT_TRUE(CheckDistinctOutputs({{"-o", "/dev/stdout"}, {"--header", "/dev/stdout"}}, {}).ok());
}

TEST(CheckAllFinite, NamesTheTensorAndTheElement) {
  std::map<std::string, Tensor> tensors;
  tensors["a"] = Tensor::FromVector<float>(DType::kF32, {2}, {1.0f, 2.0f});
  tensors["b"] = Tensor::FromVector<float>(DType::kF32, {3}, {1.0f, 2.0f, -INFINITY});
  EXPECT_EQ(
      std::string(CheckAllFinite(tensors, "p.st").message()),
      "p.st: tensor b holds -inf at element 2 of f32[3]: the run that saved it diverged; these "
      "values cannot be used");
  tensors["b"] = Tensor::FromVector<float>(DType::kF32, {1}, {NAN});
  EXPECT_THAT(std::string(CheckAllFinite(tensors, "p.st").message()),
              HasSubstr("holds NaN at element 0"));
  tensors.erase("b");
  EXPECT_TRUE(CheckAllFinite(tensors, "p.st").ok());
}

}  // namespace
}  // namespace dlc
