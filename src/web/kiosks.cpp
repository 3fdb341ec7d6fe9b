#include "web/kiosks.hpp"

#include <fmt/format.h>

#include <cctype>
#include <chrono>

#include "access/credentials.hpp"
#include "access/flow.hpp"
#include "access/owners.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "net/crypto.hpp"

namespace lockerctl::web {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kiosks (
  name TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL DEFAULT '',
  code_expires REAL NOT NULL DEFAULT 0,
  token_hash TEXT NOT NULL DEFAULT '',
  paired TEXT NOT NULL DEFAULT '');
)sql";

/// Codes are typed with separators or spaces now and then: only the digits count.
std::string digits_of(const std::string& code) {
  std::string out;
  for (char c : code) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

}  // namespace

KioskStep kiosk_step(const access::Progress& p) {
  using access::State;
  const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.ended).count();
  switch (p.state) {
    case State::Idle:
      if (!p.board_ready) return {"service", "Out of service: the locker cannot be opened now.", false, false};
      if (p.last == access::Outcome::Denied && since < 10) return {"denied", "Access denied.", false, true};
      if (p.last == access::Outcome::Granted && since < 5) return {"done", "Thank you. The locker is locked again.", false, true};
      if (p.last == access::Outcome::Waiting && since < 10) {
        return {"waiting", "Thank you. The locker opens once every joint holder has passed.", false, true};
      }
      if (p.closed) return {"closed", "The locker room is closed now. A bank officer can open a window for your locker.", false, true};
      return {"start", "Touch Start, then look at the camera.", false, true};
    case State::Locker: return {"locker", "Enter your locker number.", true, false};
    case State::Human:
    case State::Liveness:
    case State::Owner: return {"camera", "Look at the camera.", false, false};
    case State::Password: return {"password", "Enter your password.", true, false};
    case State::Otp: return {"otp", "Enter the code sent to your phone.", true, false};
    case State::Approval: return {"approval", "Please wait: a bank officer approves the opening.", false, false};
    case State::Open: return {"open", "Open the door now.", false, false};
    case State::Stopped: break;
  }
  return {"stopped", "Out of service.", false, false};
}

KioskStore::KioskStore(audit::Database& db) : db_(db) { db_.exec(kSchema); }

std::string KioskStore::issue_code(const std::string& name, double valid_s, double now) {
  access::check_plain_name("kiosk", name);
  const std::string code = access::random_code(kCodeDigits);
  db_.query("INSERT INTO kiosks (name, code_hash, code_expires) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET code_hash = excluded.code_hash, code_expires = excluded.code_expires",
            {name, net::sha256_hex(code), now + valid_s});
  return code.substr(0, kCodeDigits / 2) + "-" + code.substr(kCodeDigits / 2);
}

std::optional<Pairing> KioskStore::pair(const std::string& code, double now) {
  const std::string digits = digits_of(code);
  if (static_cast<int>(digits.size()) != kCodeDigits) return std::nullopt;
  std::optional<Pairing> out;
  db_.transaction([&] {
    std::string name;
    db_.query("SELECT name FROM kiosks WHERE code_hash = ? AND code_expires > ?", {net::sha256_hex(digits), now},
              [&](const audit::Statement& s) { name = s.text(0); });
    if (name.empty()) return;
    Pairing p{name, net::random_hex(32)};
    db_.query("UPDATE kiosks SET code_hash = '', code_expires = 0, token_hash = ?, paired = ? WHERE name = ?",
              {net::sha256_hex(p.token), utc_now_iso8601(), name});
    out = std::move(p);
  });
  return out;
}

std::optional<std::string> KioskStore::device(const std::string& token) const {
  if (token.size() != 64) return std::nullopt;
  std::optional<std::string> name;
  db_.query("SELECT name FROM kiosks WHERE token_hash = ?", {net::sha256_hex(token)},
            [&](const audit::Statement& s) { name = s.text(0); });
  return name;
}

std::vector<Kiosk> KioskStore::list() const {
  std::vector<Kiosk> out;
  db_.query("SELECT name, paired, code_expires FROM kiosks ORDER BY name", {},
            [&](const audit::Statement& s) { out.push_back({s.text(0), s.text(1), s.real(2)}); });
  return out;
}

void KioskStore::remove(const std::string& name) {
  bool known = false;
  db_.query("SELECT 1 FROM kiosks WHERE name = ?", {name}, [&](const audit::Statement&) { known = true; });
  if (!known) throw DataError(fmt::format("kiosk '{}': no such kiosk (lockerctl web kiosks)", name));
  db_.query("DELETE FROM kiosks WHERE name = ?", {name});
}

}  // namespace lockerctl::web
