#pragma once

// The people who may use the operator console: a name, a role (viewer: read only; officer: a
// bank officer, reads and approves openings under dual control; admin: may change things) and an
// Argon2id password hash, in the operators table of lockerctl.db. Failed
// logins are counted per operator; after kMaxFailures in a row the operator is locked out for
// kLockout seconds, and a new password (operator set-password) clears it.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::web {

enum class Role { Viewer, Officer, Admin };
const char* role_name(Role role);
/// "viewer", "officer" or "admin"; nullopt otherwise.
std::optional<Role> parse_role(const std::string& text);

struct Operator {
  std::string name;
  Role role = Role::Viewer;
  std::string created;
  int failures = 0;          ///< failed logins in a row
  double locked_until = 0;   ///< Unix seconds; 0 = not locked
};

enum class Login { Ok, Refused, Locked };

class OperatorStore {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr double kLockout = 900;
  static constexpr std::size_t kMinPassword = 10;

  /// Creates the table when missing.
  explicit OperatorStore(audit::Database& db);

  /// Throws DataError for a taken or malformed name, or a password shorter than kMinPassword.
  void add(const std::string& name, Role role, const std::string& password);
  /// Sets a new password and clears a lockout. Throws DataError when there is no such operator.
  void set_password(const std::string& name, const std::string& password);
  /// Throws DataError when there is no such operator.
  void remove(const std::string& name);
  std::optional<Operator> find(const std::string& name) const;
  std::vector<Operator> list() const;

  /// Checks a login at Unix time `now`. An unknown name costs as much time as a known one and
  /// reads as Refused, so that answers and timing do not tell which names exist.
  Login authenticate(const std::string& name, const std::string& password, double now);
  /// Whether any operator has `role`.
  bool any(Role role) const;

 private:
  audit::Database& db_;
};

}  // namespace lockerctl::web
