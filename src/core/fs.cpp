#include "core/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lockerctl {
namespace fs = std::filesystem;

namespace {

// Creates and removes a uniquely named file in `dir`; access(2) alone misses read-only mounts
// and ACLs, a real write does not.
FolderCheck probe_write(const fs::path& dir, FolderCheck::State ok_state) {
  std::string pattern = (dir / ".lockerctl-write-test-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return {FolderCheck::State::NotWritable, std::strerror(errno)};
  ::close(fd);
  ::unlink(pattern.c_str());
  return {ok_state, {}};
}

}  // namespace

FolderCheck check_folder_writable(const fs::path& dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) return {FolderCheck::State::NotAFolder, "not a directory"};
    return probe_write(dir, FolderCheck::State::Writable);
  }
  // Walk up to the nearest existing ancestor: the folder can be created if that one is writable.
  fs::path parent = fs::absolute(dir, ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec)) {
    if (parent == parent.root_path()) break;
    parent = parent.parent_path();
  }
  if (!fs::is_directory(parent, ec)) {
    return {FolderCheck::State::NotWritable, parent.string() + " is not a directory"};
  }
  FolderCheck check = probe_write(parent, FolderCheck::State::Creatable);
  if (!check.usable()) check.reason = parent.string() + ": " + check.reason;
  return check;
}

}  // namespace lockerctl
