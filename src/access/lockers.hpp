#pragma once

// Lockers and their holders, in the database. A locker has a number (digits, as typed on the
// keypad) and one or more holders, each an owner (`lockerctl owner add`): joint holders of one
// locker. Layer 2 looks only among the holders of the locker asked for.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::access {

struct Locker {
  std::string number;
  std::vector<std::string> holders;  ///< in the order given
};

class LockerStore {
 public:
  explicit LockerStore(audit::Database& db);

  /// Each throws DataError naming the locker or holder and the reason: a number that is not 1-8
  /// digits, a taken or unknown number, no holder, a holder who is not an owner or is named twice.
  void add(const std::string& number, const std::vector<std::string>& holders);
  void set_holders(const std::string& number, const std::vector<std::string>& holders);
  void remove(const std::string& number);

  std::optional<Locker> find(const std::string& number) const;
  /// Throws DataError naming the locker and the fix when there is none.
  Locker get(const std::string& number) const;
  std::vector<Locker> list() const;

 private:
  void check_holders(const std::string& number, const std::vector<std::string>& holders) const;
  void write_holders(const std::string& number, const std::vector<std::string>& holders);
  audit::Database& db_;
};

}  // namespace lockerctl::access
