#pragma once

// The devices that may show the kiosk page at a locker. An operator pairs one with
// `lockerctl web pair-kiosk NAME`, which prints a one-time code; typed on the device's /kiosk
// page within its validity, the code gives the device a random token (kept in a cookie) and is
// spent. Only SHA-256 hashes of codes and tokens are stored, in the kiosks table of lockerctl.db.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::access {
struct Progress;
}

namespace lockerctl::web {

/// What the kiosk page shows for where the access flow is.
struct KioskStep {
  const char* step;  ///< a short name the page keeps in data-step
  const char* text;  ///< the line the page shows
  bool keypad;       ///< an entry is wanted
  bool start;        ///< Start may ask for access
};

/// The kiosk's step for `progress`: the attempt's step, the outcome of the last one for a few
/// seconds, or "Out of service" while the lock board takes no command or the flow has stopped.
KioskStep kiosk_step(const access::Progress& progress);

struct Kiosk {
  std::string name;
  std::string paired;          ///< UTC time of the last pairing; "" = never paired
  double code_expires = 0;     ///< Unix seconds when an unused pairing code expires; 0 = none
};

/// A device that has just been paired.
struct Pairing {
  std::string name;
  std::string token;  ///< the device token, known only to the device from now on
};

class KioskStore {
 public:
  static constexpr int kCodeDigits = 10;

  /// Creates the table when missing.
  explicit KioskStore(audit::Database& db);

  /// A new one-time pairing code for the kiosk `name`, valid `valid_s` seconds from Unix time
  /// `now`. A device paired under that name before keeps working until the code is used; an
  /// earlier unused code of the name stops counting. Throws DataError for a malformed name.
  std::string issue_code(const std::string& name, double valid_s, double now);
  /// Spends `code`: a new token for its kiosk, replacing the one of a device paired before.
  /// nullopt for a wrong, spent or expired code.
  std::optional<Pairing> pair(const std::string& code, double now);
  /// The name of the kiosk that holds `token`; nullopt for any other token.
  std::optional<std::string> device(const std::string& token) const;
  std::vector<Kiosk> list() const;
  /// Forgets the kiosk (its token and any code). Throws DataError when there is no such kiosk.
  void remove(const std::string& name);

 private:
  audit::Database& db_;
};

}  // namespace lockerctl::web
