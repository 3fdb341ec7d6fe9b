#include <gtest/gtest.h>

#include "core/fs.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "core/errors.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl {
namespace {

TEST(CheckFolderWritable, ExistingFolderIsWritable) {
  test::TempDir dir;
  EXPECT_EQ(check_folder_writable(dir.path()).state, FolderCheck::State::Writable);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the probe file must be removed";
}

TEST(CheckFolderWritable, AbsentFolderUnderWritableParentIsCreatable) {
  test::TempDir dir;
  const FolderCheck check = check_folder_writable(dir / "a/b/c");
  EXPECT_EQ(check.state, FolderCheck::State::Creatable);
  EXPECT_TRUE(check.usable());
  EXPECT_FALSE(std::filesystem::exists(dir / "a")) << "checking must not create anything";
}

TEST(CheckFolderWritable, AFileIsNotAFolder) {
  test::TempDir dir;
  const auto file = dir.write("plain.txt", "x");
  const FolderCheck check = check_folder_writable(file);
  EXPECT_EQ(check.state, FolderCheck::State::NotAFolder);
  EXPECT_FALSE(check.usable());
}

TEST(CheckFolderWritable, ProcIsNotWritableEvenForRoot) {
  const FolderCheck check = check_folder_writable("/proc/lockerctl-no-such-folder");
  EXPECT_EQ(check.state, FolderCheck::State::NotWritable);
  EXPECT_NE(check.reason.find("/proc"), std::string::npos) << check.reason;
}

}  // namespace
}  // namespace lockerctl

namespace lockerctl {
namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(AtomicFile, CommitReplacesTheTargetAndLeavesNoTempFile) {
  test::TempDir dir;
  const auto target = dir.write("model.h5", "old");
  {
    AtomicFile file(target);
    std::ofstream(file.temp()) << "new";
    EXPECT_EQ(read_all(target), "old") << "the target is untouched until commit";
    file.commit();
  }
  EXPECT_EQ(read_all(target), "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, AbandonedWriteKeepsTheOldFileAndRemovesTheTemp) {
  test::TempDir dir;
  const auto target = dir.write("model.h5", "old");
  {
    AtomicFile file(target);
    std::ofstream(file.temp()) << "half";
  }
  EXPECT_EQ(read_all(target), "old");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, RemovesTheTempFilesOfKilledWritersOfTheSameTargetOnly) {
  test::TempDir dir;
  const pid_t gone = ::fork();  // a writer that is no more
  if (gone == 0) ::_exit(0);
  ASSERT_GT(gone, 0);
  ::waitpid(gone, nullptr, 0);
  const auto killed = dir.write(fmt::format("model.h5.tmp-{}-123", gone), "half");
  const auto live = dir.write(fmt::format("model.h5.tmp-{}-456", ::getpid()), "being written");
  const auto other_target = dir.write(fmt::format("other.h5.tmp-{}-123", gone), "half");
  const auto not_ours = dir.write("model.h5.tmp-notes", "x");
  AtomicFile file(dir / "model.h5");
  EXPECT_FALSE(std::filesystem::exists(killed));
  EXPECT_TRUE(std::filesystem::exists(live)) << "a live writer keeps its file";
  EXPECT_TRUE(std::filesystem::exists(other_target)) << "another target's leftovers are its own writer's to remove";
  EXPECT_TRUE(std::filesystem::exists(not_ours));
}

TEST(AtomicFile, CreatesTheTargetFolder) {
  test::TempDir dir;
  AtomicFile file(dir / "a/b/out.bin");
  std::ofstream(file.temp()) << "x";
  file.commit();
  EXPECT_EQ(read_all(dir / "a/b/out.bin"), "x");
}

TEST(AtomicFile, CommitWithoutATempFileIsAnIoErrorNamingTheTarget) {
  test::TempDir dir;
  AtomicFile file(dir / "never-written.h5");
  try {
    file.commit();
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("never-written.h5"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lockerctl

namespace lockerctl {
namespace {

TEST(WriteFileAtomically, WritesTheBytesAndLeavesNoTemporaryFile) {
  test::TempDir dir;
  write_file_atomically(dir / "sub/report.json", std::string("{\"a\":1}\0x", 9));
  EXPECT_EQ(read_all(dir / "sub/report.json"), std::string("{\"a\":1}\0x", 9));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"), {}), 1);
}

TEST(WriteFileAtomically, UnwritableTargetIsAnIoErrorNamingIt) {
  try {
    write_file_atomically("/proc/lockerctl-nowhere/x.txt", "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/lockerctl-nowhere"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lockerctl
