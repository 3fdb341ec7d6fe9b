#include "core/fs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

#include "core/errors.hpp"

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

std::string describe_errno(int err) {
  return err == ENOSPC ? "disk full" : std::strerror(err);
}

void sync_path(const fs::path& path, int flags, const fs::path& target) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw IoError(target.string() + ": cannot open " + path.string() + " to sync: " +
                            describe_errno(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw IoError(target.string() + ": cannot sync to disk: " + describe_errno(err));
}

// Removes the temp files of writers of `target` that were killed before their commit (kill -9, a
// power cut): those named "<target>.tmp-PID-..." whose process is gone. A live writer's stays.
void remove_abandoned_temps(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(target.parent_path().empty() ? "." : target.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* after = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &after, 10);
    if (pid <= 0 || *after != '-' || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

}  // namespace

AtomicFile::AtomicFile(fs::path target, bool keep_extension) : target_(std::move(target)) {
  std::random_device rd;
  temp_ = target_;
  temp_ += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  if (keep_extension) temp_ += target_.extension();
  std::error_code ec;
  const fs::path parent = target_.parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw IoError(target_.string() + ": cannot create folder: " + ec.message());
  remove_abandoned_temps(target_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::commit() {
  sync_path(temp_, O_RDONLY, target_);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    throw IoError(target_.string() + ": cannot replace: " + describe_errno(errno));
  }
  committed_ = true;
  const fs::path parent = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  sync_path(parent, O_RDONLY | O_DIRECTORY, target_);
}

void write_file_atomically(const fs::path& path, std::string_view bytes, std::optional<fs::perms> perms) {
  AtomicFile out(path);
  {
    std::ofstream f(out.temp(), std::ios::binary);
    if (perms) {
      std::error_code ec;
      fs::permissions(out.temp(), *perms, ec);
      if (ec) throw IoError(path.string() + ": cannot set its permissions: " + ec.message());
    }
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f.flush()) throw IoError(path.string() + ": cannot write (disk full?)");
  }
  out.commit();
}

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

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot read: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (in.bad()) throw IoError(path.string() + ": read failed: " + std::strerror(errno));
  return bytes;
}

std::string read_private_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw IoError(path.string() + ": cannot read: " + std::strerror(errno));
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    throw IoError(path.string() + ": holds a secret but its group or others may read it (chmod 600 " + path.string() + ")");
  }
  return read_file(path);
}

}  // namespace lockerctl
