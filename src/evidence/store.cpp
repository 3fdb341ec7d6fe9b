#include "evidence/store.hpp"

#include "core/fs.hpp"
#include "net/crypto.hpp"

namespace lockerctl::evidence {

Stored LocalStore::put(const std::filesystem::path& file, const std::string&, const std::string&) {
  return {name(), std::filesystem::absolute(file).string(), net::sha256_hex(read_file(file))};
}

}  // namespace lockerctl::evidence
