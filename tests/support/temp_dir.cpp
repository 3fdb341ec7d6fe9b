#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace lockerctl::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "lockerctl-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  const auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return file;
}

std::filesystem::path source_dir() { return LOCKERCTL_SOURCE_DIR; }

std::filesystem::path shared_data(const std::string& relative) {
  const char* env = std::getenv("LOCKERCTL_SHARED_DATA");
  const std::filesystem::path root =
      env ? std::filesystem::path(env) : source_dir().parent_path() / "shared" / "data";
  const auto path = root / relative;
  return std::filesystem::exists(path) ? path : std::filesystem::path();
}

}  // namespace lockerctl::test
