#include <gtest/gtest.h>

#include "core/fs.hpp"
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
