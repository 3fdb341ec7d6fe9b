#include "notify/outbox.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace lockerctl::notify {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  created TEXT NOT NULL,
  owner TEXT NOT NULL,
  phone TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT NOT NULL,
  expires_at REAL NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try REAL NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending');
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_try);
)sql";

}  // namespace

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::filesystem::path SimulatedPhone::inbox(const std::string& phone) const {
  std::string name;
  for (char c : phone) name += std::isalnum(static_cast<unsigned char>(c)) || c == '+' ? c : '_';
  return dir_ / (name.empty() ? "unknown" : name + ".txt");
}

std::string SimulatedPhone::send(const Message& m) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const auto file = inbox(m.phone);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("{}: {}", file.string(), std::strerror(errno));
  const std::string line = fmt::format("{}\t{}\t{}\n", utc_now_iso8601(), m.text, m.link);
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  return ok ? std::string() : fmt::format("{}: {}", file.string(), std::strerror(saved));
}

std::string SimulatedPhone::last_code(const std::string& phone) const {
  // Alerts carry digits too (times, incident folders): only a message that says "code is" has one.
  std::ifstream in(inbox(phone));
  std::string line, code;
  while (std::getline(in, line)) {
    const auto at = line.find("code is ");
    if (at == std::string::npos) continue;
    std::string digits;
    for (auto c = line.begin() + static_cast<std::ptrdiff_t>(at + 8); c != line.end() && std::isdigit(static_cast<unsigned char>(*c)); ++c) {
      digits += *c;
    }
    if (digits.size() >= 6) code = digits;
  }
  return code;
}

Outbox::Outbox(audit::Database& db, Sender& sender) : db_(db), sender_(sender) { db_.exec(kSchema); }

std::int64_t Outbox::enqueue(Message m) {
  db_.query("INSERT INTO outbox (created, owner, phone, kind, text, link, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {utc_now_iso8601(), m.owner, m.phone, m.kind, m.text, m.link, m.expires_at});
  return db_.last_insert_id();
}

DeliveryReport Outbox::deliver() {
  DeliveryReport report;
  std::vector<Message> due;
  std::vector<int> attempts;
  const double now = unix_now();
  db_.query("SELECT id, owner, phone, kind, text, link, expires_at, attempts FROM outbox "
            "WHERE state = 'pending' AND next_try <= ? ORDER BY id",
            {now}, [&](const audit::Statement& s) {
              due.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.real(6)});
              attempts.push_back(static_cast<int>(s.integer(7)));
            });
  for (std::size_t i = 0; i < due.size(); ++i) {
    const Message& m = due[i];
    if (m.expires_at > 0 && now > m.expires_at) {
      db_.query("UPDATE outbox SET state = 'expired', text = '' WHERE id = ?", {m.id});
      ++report.expired;
      continue;
    }
    const std::string error = sender_.send(m);
    if (error.empty()) {
      // A delivered code has done its job: it does not stay readable in the database.
      db_.query(m.kind == "otp" ? "UPDATE outbox SET state = 'sent', attempts = attempts + 1, text = '[code]' WHERE id = ?"
                                : "UPDATE outbox SET state = 'sent', attempts = attempts + 1 WHERE id = ?",
                {m.id});
      ++report.sent;
    } else {
      const double pause = std::min(600.0, 5.0 * std::pow(2.0, attempts[i]));
      db_.query("UPDATE outbox SET attempts = attempts + 1, next_try = ?, last_error = ? WHERE id = ?",
                {now + pause, error, m.id});
      log::warn("message {} to {} not sent through the {} ({}); trying again in {:.0f} s", m.id, m.owner,
                sender_.name(), error, pause);
      ++report.failed;
    }
  }
  return report;
}

int Outbox::pending() const {
  int n = 0;
  db_.query("SELECT COUNT(*) FROM outbox WHERE state = 'pending'", {}, [&](const audit::Statement& s) {
    n = static_cast<int>(s.integer(0));
  });
  return n;
}

}  // namespace lockerctl::notify
