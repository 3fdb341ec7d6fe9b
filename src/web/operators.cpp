#include "web/operators.hpp"

#include <fmt/format.h>


#include "access/credentials.hpp"
#include "access/owners.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::web {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS operators (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until REAL NOT NULL DEFAULT 0);
)sql";

void check_password(const std::string& password) {
  if (password.size() < OperatorStore::kMinPassword) {
    throw DataError(fmt::format("password: at least {} characters for an operator", OperatorStore::kMinPassword));
  }
}

Operator read_operator(const audit::Statement& s) {
  return {s.text(0), parse_role(s.text(1)).value_or(Role::Viewer), s.text(2), static_cast<int>(s.integer(3)), s.real(4)};
}

}  // namespace

const char* role_name(Role role) { return role == Role::Admin ? "admin" : role == Role::Officer ? "officer" : "viewer"; }

std::optional<Role> parse_role(const std::string& text) {
  if (text == "admin") return Role::Admin;
  if (text == "officer") return Role::Officer;
  if (text == "viewer") return Role::Viewer;
  return std::nullopt;
}

OperatorStore::OperatorStore(audit::Database& db) : db_(db) { db_.exec(kSchema); }

void OperatorStore::add(const std::string& name, Role role, const std::string& password) {
  access::check_plain_name("operator", name);
  if (find(name)) throw DataError(fmt::format("operator '{}' exists already", name));
  check_password(password);
  db_.query("INSERT INTO operators (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
            {name, std::string(role_name(role)), access::hash_password(password), utc_now_iso8601()});
}

void OperatorStore::set_password(const std::string& name, const std::string& password) {
  if (!find(name)) throw DataError(fmt::format("operator '{}': no such operator (lockerctl operator list)", name));
  check_password(password);
  db_.query("UPDATE operators SET password_hash = ?, failures = 0, locked_until = 0 WHERE name = ?",
            {access::hash_password(password), name});
}

void OperatorStore::remove(const std::string& name) {
  if (!find(name)) throw DataError(fmt::format("operator '{}': no such operator (lockerctl operator list)", name));
  db_.query("DELETE FROM operators WHERE name = ?", {name});
}

std::optional<Operator> OperatorStore::find(const std::string& name) const {
  std::optional<Operator> out;
  db_.query("SELECT name, role, created, failures, locked_until FROM operators WHERE name = ?", {name},
            [&](const audit::Statement& s) { out = read_operator(s); });
  return out;
}

std::vector<Operator> OperatorStore::list() const {
  std::vector<Operator> out;
  db_.query("SELECT name, role, created, failures, locked_until FROM operators ORDER BY name", {},
            [&](const audit::Statement& s) { out.push_back(read_operator(s)); });
  return out;
}

bool OperatorStore::any(Role role) const {
  bool found = false;
  db_.query("SELECT 1 FROM operators WHERE role = ? LIMIT 1", {std::string(role_name(role))}, [&](const audit::Statement&) { found = true; });
  return found;
}

Login OperatorStore::authenticate(const std::string& name, const std::string& password, double now) {
  // A hash of a password nobody has, checked for unknown names so that they take as long.
  static const std::string kDecoy = access::hash_password("decoy password, never set");
  std::string hash;
  int failures = 0;
  double locked_until = 0;
  bool known = false;
  db_.query("SELECT password_hash, failures, locked_until FROM operators WHERE name = ?", {name},
            [&](const audit::Statement& s) {
              known = true;
              hash = s.text(0);
              failures = static_cast<int>(s.integer(1));
              locked_until = s.real(2);
            });
  const bool match = access::verify_password(password, known ? hash : kDecoy) && known;
  if (!known) return Login::Refused;
  if (locked_until > now) return Login::Locked;
  if (match) {
    db_.query("UPDATE operators SET failures = 0, locked_until = 0 WHERE name = ?", {name});
    return Login::Ok;
  }
  ++failures;
  const bool lock = failures >= kMaxFailures;
  db_.query("UPDATE operators SET failures = ?, locked_until = ? WHERE name = ?",
            {static_cast<std::int64_t>(lock ? 0 : failures), lock ? now + kLockout : 0.0, name});
  return lock ? Login::Locked : Login::Refused;
}

}  // namespace lockerctl::web
