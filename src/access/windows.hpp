#pragma once

// Officer windows: outside opening hours (access.hours, access.holidays) no attempt starts,
// unless a bank officer opened a window for that one locker (`lockerctl access open-window`),
// for some minutes and with a reason. Kept in the database, so the station's flow sees a window
// opened from another process at once.

#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::access {

struct AccessWindow {
  std::int64_t id = 0;
  std::string locker;
  std::string officer;
  std::string reason;
  double opened = 0;  ///< Unix seconds
  double until = 0;   ///< Unix seconds
};

class AccessWindows {
 public:
  /// Creates the table when missing.
  explicit AccessWindows(audit::Database& db);

  /// Opens a window on `locker` from `now` for `minutes`. Throws DataError for a reason that is
  /// empty or minutes outside 1..720.
  AccessWindow open(const std::string& locker, double minutes, const std::string& officer, const std::string& reason, double now);
  /// Ends the open windows of `locker` now; how many there were.
  int close(const std::string& locker, double now);
  /// The window of `locker` open at `now` that lasts longest, if any.
  std::optional<AccessWindow> active(const std::string& locker, double now) const;
  /// Every window open at `now`.
  std::vector<AccessWindow> open_windows(double now) const;

 private:
  audit::Database& db_;
};

}  // namespace lockerctl::access
