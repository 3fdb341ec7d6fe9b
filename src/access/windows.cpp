#include "access/windows.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace lockerctl::access {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS access_windows (
  id INTEGER PRIMARY KEY,
  locker TEXT NOT NULL,
  officer TEXT NOT NULL,
  reason TEXT NOT NULL,
  opened REAL NOT NULL,
  until REAL NOT NULL);
CREATE INDEX IF NOT EXISTS access_windows_locker ON access_windows(locker, until);
)sql";

constexpr const char* kColumns = "SELECT id, locker, officer, reason, opened, until FROM access_windows ";

AccessWindow window_of(const audit::Statement& s) {
  return {s.integer(0), s.text(1), s.text(2), s.text(3), s.real(4), s.real(5)};
}

}  // namespace

AccessWindows::AccessWindows(audit::Database& db) : db_(db) { db_.exec(kSchema); }

AccessWindow AccessWindows::open(const std::string& locker, double minutes, const std::string& officer,
                                 const std::string& reason, double now) {
  if (reason.find_first_not_of(" \t") == std::string::npos) {
    throw DataError(fmt::format("locker {}: say why the window opens (--reason TEXT); the audit log keeps it", locker));
  }
  if (!(minutes >= 1 && minutes <= 720)) {
    throw DataError(fmt::format("locker {}: a window lasts 1 to 720 minutes, not {}", locker, minutes));
  }
  AccessWindow w{0, locker, officer, reason, now, now + minutes * 60};
  db_.query("INSERT INTO access_windows (locker, officer, reason, opened, until) VALUES (?, ?, ?, ?, ?)",
            {w.locker, w.officer, w.reason, w.opened, w.until});
  w.id = db_.last_insert_id();
  return w;
}

int AccessWindows::close(const std::string& locker, double now) {
  int n = 0;
  db_.transaction([&] {
    db_.query("SELECT count(*) FROM access_windows WHERE locker = ? AND until > ?", {locker, now},
              [&](const audit::Statement& s) { n = static_cast<int>(s.integer(0)); });
    db_.query("UPDATE access_windows SET until = ? WHERE locker = ? AND until > ?", {now, locker, now});
  });
  return n;
}

std::optional<AccessWindow> AccessWindows::active(const std::string& locker, double now) const {
  std::optional<AccessWindow> w;
  db_.query(std::string(kColumns) + "WHERE locker = ? AND opened <= ? AND until > ? ORDER BY until DESC LIMIT 1",
            {locker, now, now}, [&](const audit::Statement& s) { w = window_of(s); });
  return w;
}

std::vector<AccessWindow> AccessWindows::open_windows(double now) const {
  std::vector<AccessWindow> out;
  db_.query(std::string(kColumns) + "WHERE opened <= ? AND until > ? ORDER BY until", {now, now},
            [&](const audit::Statement& s) { out.push_back(window_of(s)); });
  return out;
}

}  // namespace lockerctl::access
