#include "evidence/store.hpp"

#include "core/fs.hpp"
#include "net/crypto.hpp"

namespace lockerctl::evidence {

std::string media_type(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".mp4") return "video/mp4";
  return "application/octet-stream";
}

Stored LocalStore::put(const std::filesystem::path& file, const std::string&, const std::string&) {
  return {name(), std::filesystem::absolute(file).string(), net::sha256_hex(read_file(file))};
}

}  // namespace lockerctl::evidence
