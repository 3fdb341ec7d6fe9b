#pragma once

// Lockers and their holders, in the database. A locker has a number (digits, as typed on the
// keypad) and one or more holders, each an owner (`lockerctl owner add`): joint holders of one
// locker. Layer 2 looks only among the holders of the locker asked for. Joint holders operate
// either or survivor (`any`: one of them opens) or jointly (`all`: every one passes layers 1-3
// before it opens); a locker under dual control also waits for a bank officer's approval.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::access {

/// How joint holders operate a locker.
enum class Joint { Any, All };
const char* joint_name(Joint joint);
/// "any" or "all"; nullopt otherwise.
std::optional<Joint> parse_joint(const std::string& text);

struct Locker {
  std::string number;
  std::vector<std::string> holders;  ///< in the order given
  Joint joint = Joint::Any;
  bool dual_control = false;  ///< an officer approves each opening (also when access.dual_control is set)
};

/// How `locker` is operated, for people: "either or survivor (any)", "jointly (all)", with
/// ", dual control" when an officer approves each opening.
std::string describe_operation(const Locker& locker);

class LockerStore {
 public:
  explicit LockerStore(audit::Database& db);

  /// Each throws DataError naming the locker or holder and the reason: a number that is not 1-8
  /// digits, a taken or unknown number, no holder, a holder who is not an owner or is named twice,
  /// joint mode `all` with fewer than two holders.
  void add(const std::string& number, const std::vector<std::string>& holders, Joint joint = Joint::Any,
           bool dual_control = false);
  void set_holders(const std::string& number, const std::vector<std::string>& holders);
  /// Sets how the locker is operated (the same checks as add).
  void set_operation(const std::string& number, Joint joint, bool dual_control);
  void remove(const std::string& number);

  std::optional<Locker> find(const std::string& number) const;
  /// Throws DataError naming the locker and the fix when there is none.
  Locker get(const std::string& number) const;
  std::vector<Locker> list() const;

 private:
  void check_holders(const std::string& number, const std::vector<std::string>& holders, Joint joint) const;
  void write_holders(const std::string& number, const std::vector<std::string>& holders);
  audit::Database& db_;
};

}  // namespace lockerctl::access
