#pragma once

#include <filesystem>
#include <string>

namespace lockerctl::test {

/// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  /// Writes `text` to `name` inside the folder and returns the file's path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/// The repository root, for tests that read shipped files such as configs/default.yaml.
std::filesystem::path source_dir();

/// `relative` inside the team's shared data folder ($LOCKERCTL_SHARED_DATA, else ../shared/data
/// beside the repository), or "" when it is not there. Tests that need it skip without it.
std::filesystem::path shared_data(const std::string& relative);

}  // namespace lockerctl::test
