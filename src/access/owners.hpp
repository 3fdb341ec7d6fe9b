#pragma once

// Locker owners (name, phone, e-mail address, password hash, TOTP secret) and their lockouts, in the database.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::access {

struct Owner {
  std::string name;
  std::string phone;
  std::string password_hash;              ///< Argon2id; empty until set
  std::vector<std::uint8_t> totp_secret;  ///< empty until enrolled
  std::string created;
  std::string email;  ///< where e-mail alerts go; empty when not set
};

/// Throws DataError unless `name` (of an owner, operator or kiosk: `kind`) is 1 to 64 letters,
/// digits, '-', '_' or '.', not starting with '.' (names are also file names).
void check_plain_name(const char* kind, const std::string& name);

/// Throws DataError unless `phone` is a number as SMS services take it: an optional '+' and 1 to
/// 15 digits.
void check_phone(const std::string& phone);

class OwnerStore {
 public:
  explicit OwnerStore(audit::Database& db);

  /// Throws DataError when the name is taken or not a plain name, or the phone or e-mail address
  /// is malformed.
  void add(const std::string& name, const std::string& phone, const std::string& email = {});
  /// Each throws DataError when there is no such owner.
  void set_password_hash(const std::string& name, const std::string& hash);
  void set_phone(const std::string& name, const std::string& phone);
  /// Throws DataError for an address without one '@' and a domain.
  void set_email(const std::string& name, const std::string& email);
  void set_totp_secret(const std::string& name, const std::vector<std::uint8_t>& secret);
  std::optional<Owner> find(const std::string& name) const;
  /// Throws DataError naming the owner and the fix when there is none.
  Owner get(const std::string& name) const;
  std::vector<Owner> list() const;

  /// Deletes the owner's row: phone, e-mail address, password hash, TOTP secret, lockout. Throws
  /// DataError when there is no such owner.
  void remove(const std::string& name);

  /// Unix time until which attempts on this owner's locker are refused (0 = none).
  double locked_until(const std::string& name) const;
  void lock_out(const std::string& name, double until);

 private:
  void update(const std::string& name, const std::string& column, const audit::Value& value);
  audit::Database& db_;
};

}  // namespace lockerctl::access
