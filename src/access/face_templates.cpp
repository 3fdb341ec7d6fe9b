#include "access/face_templates.hpp"

#include <algorithm>
#include <cmath>

#include "core/clock.hpp"
#include <sodium.h>

namespace lockerctl::access {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS face_templates (
  owner TEXT NOT NULL,
  position INTEGER NOT NULL,
  descriptor TEXT NOT NULL,  -- 128 float32, little-endian, as hex
  mac TEXT NOT NULL,         -- HMAC-SHA-256 of owner, position and descriptor under the audit key
  created TEXT NOT NULL,
  PRIMARY KEY (owner, position));
)sql";

std::string to_hex(const void* bytes, std::size_t size) {
  std::string hex(2 * size + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), static_cast<const unsigned char*>(bytes), size);
  hex.pop_back();
  return hex;
}

/// The descriptor `hex` holds; false when it is not exactly 128 finite floats in hex.
bool from_hex(const std::string& hex, inference::FaceDescriptor& d) {
  std::size_t size = 0;
  const char* end = nullptr;
  if (hex.size() != 2 * sizeof(d) ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(d.data()), sizeof(d), hex.c_str(), hex.size(), nullptr, &size, &end) != 0 ||
      size != sizeof(d)) {
    return false;
  }
  return std::all_of(d.begin(), d.end(), [](float v) { return std::isfinite(v); });
}

}  // namespace

FaceTemplates::FaceTemplates(audit::Database& db, const audit::Key& key) : db_(db), key_(key) { db_.exec(kSchema); }

std::string FaceTemplates::row_mac(const std::string& owner, std::int64_t position, const std::string& hex) const {
  const std::string text = owner + "\n" + std::to_string(position) + "\n" + hex;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(), key_.data());
  return to_hex(mac, sizeof mac);
}

void FaceTemplates::replace(const std::string& owner, const std::vector<inference::FaceDescriptor>& templates) {
  const std::string now = utc_now_iso8601();
  db_.transaction([&] {
    db_.query("DELETE FROM face_templates WHERE owner = ?", {owner});
    for (std::size_t i = 0; i < templates.size(); ++i) {
      const std::string hex = to_hex(templates[i].data(), sizeof(inference::FaceDescriptor));
      const auto position = static_cast<std::int64_t>(i);
      db_.query("INSERT INTO face_templates (owner, position, descriptor, mac, created) VALUES (?, ?, ?, ?, ?)",
                {owner, position, hex, row_mac(owner, position, hex), now});
    }
  });
}

OwnerTemplates FaceTemplates::load(const std::string& owner) const {
  OwnerTemplates out;
  db_.query("SELECT position, descriptor, mac FROM face_templates WHERE owner = ? ORDER BY position", {owner},
            [&](const audit::Statement& s) {
              inference::FaceDescriptor d;
              const std::string mac = row_mac(owner, s.integer(0), s.text(1)), stored = s.text(2);
              if (mac.size() == stored.size() && sodium_memcmp(mac.data(), stored.data(), mac.size()) == 0 && from_hex(s.text(1), d)) {
                out.templates.push_back(d);
              } else {
                ++out.damaged;
              }
            });
  return out;
}

int FaceTemplates::count(const std::string& owner) const {
  int n = 0;
  db_.query("SELECT COUNT(*) FROM face_templates WHERE owner = ?", {owner}, [&](const audit::Statement& s) { n = static_cast<int>(s.integer(0)); });
  return n;
}

}  // namespace lockerctl::access
