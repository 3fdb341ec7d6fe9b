#include "access/face_templates.hpp"

#include <cmath>
#include <cstring>

#include "core/clock.hpp"
#include "data/hash.hpp"

namespace lockerctl::access {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS face_templates (
  owner TEXT NOT NULL,
  position INTEGER NOT NULL,
  descriptor TEXT NOT NULL,  -- 128 float32, little-endian, as hex
  sha256 TEXT NOT NULL,      -- of owner, position and descriptor
  created TEXT NOT NULL,
  PRIMARY KEY (owner, position));
)sql";

std::string to_hex(const inference::FaceDescriptor& d) {
  static const char* digits = "0123456789abcdef";
  unsigned char bytes[sizeof(d)];
  std::memcpy(bytes, d.data(), sizeof(d));
  std::string hex;
  for (const unsigned char b : bytes) hex += {digits[b >> 4], digits[b & 15]};
  return hex;
}

bool from_hex(const std::string& hex, inference::FaceDescriptor& d) {
  if (hex.size() != 2 * sizeof(d)) return false;
  unsigned char bytes[sizeof(d)];
  for (std::size_t i = 0; i < sizeof(d); ++i) {
    const auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  std::memcpy(d.data(), bytes, sizeof(d));
  for (const float v : d) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

std::string row_sha256(const std::string& owner, std::int64_t position, const std::string& hex) {
  return data::Sha256().add(owner).add("\n").add(std::to_string(position)).add("\n").add(hex).hex();
}

}  // namespace

FaceTemplates::FaceTemplates(audit::Database& db) : db_(db) { db_.exec(kSchema); }

void FaceTemplates::replace(const std::string& owner, const std::vector<inference::FaceDescriptor>& templates) {
  const std::string now = utc_now_iso8601();
  db_.transaction([&] {
    db_.query("DELETE FROM face_templates WHERE owner = ?", {owner});
    for (std::size_t i = 0; i < templates.size(); ++i) {
      const std::string hex = to_hex(templates[i]);
      const auto position = static_cast<std::int64_t>(i);
      db_.query("INSERT INTO face_templates (owner, position, descriptor, sha256, created) VALUES (?, ?, ?, ?, ?)",
                {owner, position, hex, row_sha256(owner, position, hex), now});
    }
  });
}

OwnerTemplates FaceTemplates::load(const std::string& owner) const {
  OwnerTemplates out;
  db_.query("SELECT position, descriptor, sha256 FROM face_templates WHERE owner = ? ORDER BY position", {owner},
            [&](const audit::Statement& s) {
              inference::FaceDescriptor d;
              if (s.text(2) == row_sha256(owner, s.integer(0), s.text(1)) && from_hex(s.text(1), d)) {
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
