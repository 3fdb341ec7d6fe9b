#include "access/owners.hpp"

#include <fmt/format.h>

#include <cctype>

#include "access/credentials.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::access {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS owners (
  name TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  totp_secret TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL,
  locked_until REAL NOT NULL DEFAULT 0,
  email TEXT NOT NULL DEFAULT '');
)sql";

const char* kColumns = "name, phone, password_hash, totp_secret, created, email";

void check_email(const std::string& email) {
  const auto at = email.find('@');
  if (email.empty()) return;
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos ||
      email.find('.', at) == std::string::npos || email.find_first_of(" \t\r\n<>,;\"") != std::string::npos) {
    throw DataError(fmt::format("e-mail address '{}': not an address like name@example.com", email));
  }
}

Owner read_owner(const audit::Statement& s) {
  Owner o{s.text(0), s.text(1), s.text(2), {}, s.text(4), s.text(5)};
  if (!s.text(3).empty()) o.totp_secret = base32_decode(s.text(3));
  return o;
}

}  // namespace

OwnerStore::OwnerStore(audit::Database& db) : db_(db) {
  db_.exec(kSchema);
  db_.add_column("owners", "email", "TEXT NOT NULL DEFAULT ''");  // databases from before e-mail alerts
}

void check_plain_name(const char* kind, const std::string& name) {
  if (name.empty() || name.size() > 64) throw DataError(fmt::format("{} name: 1 to 64 characters", kind));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      throw DataError(fmt::format("{} name '{}': only letters, digits, '-', '_' and '.'", kind, name));
    }
  }
  // The name is also a file name (face chips, the owner's model): no ".", "..", or hidden file.
  if (name.front() == '.') throw DataError(fmt::format("{} name '{}': must not start with '.'", kind, name));
}

void check_phone(const std::string& phone) {
  const std::string digits = phone.substr(!phone.empty() && phone.front() == '+' ? 1 : 0);
  if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos) {
    throw DataError(fmt::format("phone number '{}': an optional '+' and 1 to 15 digits, e.g. +15550001", phone));
  }
}

void OwnerStore::add(const std::string& name, const std::string& phone, const std::string& email) {
  check_plain_name("owner", name);
  check_phone(phone);
  if (find(name)) throw DataError(fmt::format("owner '{}' already exists", name));
  check_email(email);
  db_.query("INSERT INTO owners (name, phone, created, email) VALUES (?, ?, ?, ?)", {name, phone, utc_now_iso8601(), email});
}

void OwnerStore::update(const std::string& name, const std::string& column, const audit::Value& value) {
  get(name);
  db_.query(fmt::format("UPDATE owners SET {} = ? WHERE name = ?", column), {value, name});
}

void OwnerStore::set_password_hash(const std::string& name, const std::string& hash) {
  update(name, "password_hash", hash);
}
void OwnerStore::set_phone(const std::string& name, const std::string& phone) {
  check_phone(phone);
  update(name, "phone", phone);
}
void OwnerStore::set_email(const std::string& name, const std::string& email) {
  check_email(email);
  update(name, "email", email);
}
void OwnerStore::set_totp_secret(const std::string& name, const std::vector<std::uint8_t>& secret) {
  update(name, "totp_secret", base32_encode(secret));
}

std::optional<Owner> OwnerStore::find(const std::string& name) const {
  std::optional<Owner> owner;
  db_.query(fmt::format("SELECT {} FROM owners WHERE name = ?", kColumns), {name},
            [&](const audit::Statement& s) { owner = read_owner(s); });
  return owner;
}

Owner OwnerStore::get(const std::string& name) const {
  auto owner = find(name);
  if (!owner) throw DataError(fmt::format("owner '{}': no such owner (lockerctl owner add {} --phone NUMBER)", name, name));
  return *owner;
}

std::vector<Owner> OwnerStore::list() const {
  std::vector<Owner> out;
  db_.query(fmt::format("SELECT {} FROM owners ORDER BY name", kColumns), {},
            [&](const audit::Statement& s) { out.push_back(read_owner(s)); });
  return out;
}

void OwnerStore::remove(const std::string& name) {
  get(name);
  db_.query("DELETE FROM owners WHERE name = ?", {name});
}

double OwnerStore::locked_until(const std::string& name) const {
  double until = 0;
  db_.query("SELECT locked_until FROM owners WHERE name = ?", {name},
            [&](const audit::Statement& s) { until = s.real(0); });
  return until;
}

void OwnerStore::lock_out(const std::string& name, double until) { update(name, "locked_until", until); }

}  // namespace lockerctl::access
