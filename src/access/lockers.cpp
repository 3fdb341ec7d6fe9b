#include "access/lockers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/clock.hpp"
#include "core/errors.hpp"

namespace lockerctl::access {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS lockers (
  number TEXT PRIMARY KEY,
  created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locker_holders (
  locker TEXT NOT NULL REFERENCES lockers(number),
  holder TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (locker, holder));
)sql";

}  // namespace

const char* joint_name(Joint joint) { return joint == Joint::All ? "all" : "any"; }

std::optional<Joint> parse_joint(const std::string& text) {
  if (text == "any") return Joint::Any;
  if (text == "all") return Joint::All;
  return std::nullopt;
}

std::string describe_operation(const Locker& locker) {
  return fmt::format("{}{}", locker.joint == Joint::All ? "jointly (all)" : "either or survivor (any)",
                     locker.dual_control ? ", dual control" : "");
}

LockerStore::LockerStore(audit::Database& db) : db_(db) {
  db_.exec(kSchema);
  // Databases from before joint modes and dual control.
  db_.add_column("lockers", "joint", "TEXT NOT NULL DEFAULT 'any'");
  db_.add_column("lockers", "dual_control", "INTEGER NOT NULL DEFAULT 0");
}

void LockerStore::check_holders(const std::string& number, const std::vector<std::string>& holders, Joint joint) const {
  if (holders.empty()) throw DataError(fmt::format("locker {}: name at least one holder (--holder NAME)", number));
  if (joint == Joint::All && holders.size() < 2) {
    throw DataError(fmt::format("locker {}: joint mode 'all' needs two or more holders, it has {}", number, holders.size()));
  }
  std::set<std::string> seen;
  for (const std::string& h : holders) {
    if (!seen.insert(h).second) throw DataError(fmt::format("locker {}: holder '{}' is named twice", number, h));
    bool known = false;
    db_.query("SELECT 1 FROM owners WHERE name = ?", {h}, [&](const audit::Statement&) { known = true; });
    if (!known) throw DataError(fmt::format("locker {}: holder '{}' is not an owner (lockerctl owner add {} --phone NUMBER)", number, h, h));
  }
}

void LockerStore::write_holders(const std::string& number, const std::vector<std::string>& holders) {
  db_.query("DELETE FROM locker_holders WHERE locker = ?", {number});
  for (std::size_t i = 0; i < holders.size(); ++i) {
    db_.query("INSERT INTO locker_holders (locker, holder, position) VALUES (?, ?, ?)", {number, holders[i], static_cast<std::int64_t>(i)});
  }
}

void LockerStore::add(const std::string& number, const std::vector<std::string>& holders, Joint joint, bool dual_control) {
  if (number.empty() || number.size() > 8 || number.find_first_not_of("0123456789") != std::string::npos) {
    throw DataError(fmt::format("locker number '{}': 1 to 8 digits, as typed on the keypad", number));
  }
  if (find(number)) throw DataError(fmt::format("locker {} already exists (lockerctl locker set-holders {} ...)", number, number));
  check_holders(number, holders, joint);
  db_.transaction([&] {
    db_.query("INSERT INTO lockers (number, created, joint, dual_control) VALUES (?, ?, ?, ?)",
              {number, utc_now_iso8601(), std::string(joint_name(joint)), static_cast<std::int64_t>(dual_control)});
    write_holders(number, holders);
  });
}

void LockerStore::set_holders(const std::string& number, const std::vector<std::string>& holders) {
  check_holders(number, holders, get(number).joint);
  db_.transaction([&] { write_holders(number, holders); });
}

void LockerStore::set_operation(const std::string& number, Joint joint, bool dual_control) {
  check_holders(number, get(number).holders, joint);
  db_.query("UPDATE lockers SET joint = ?, dual_control = ? WHERE number = ?",
            {std::string(joint_name(joint)), static_cast<std::int64_t>(dual_control), number});
}

void LockerStore::remove(const std::string& number) {
  get(number);
  db_.transaction([&] {
    db_.query("DELETE FROM locker_holders WHERE locker = ?", {number});
    db_.query("DELETE FROM lockers WHERE number = ?", {number});
  });
}

std::optional<Locker> LockerStore::find(const std::string& number) const {
  std::optional<Locker> locker;
  db_.query("SELECT number, joint, dual_control FROM lockers WHERE number = ?", {number}, [&](const audit::Statement& s) {
    locker = Locker{s.text(0), {}, parse_joint(s.text(1)).value_or(Joint::Any), s.integer(2) != 0};
  });
  if (locker) {
    db_.query("SELECT holder FROM locker_holders WHERE locker = ? ORDER BY position", {number},
              [&](const audit::Statement& s) { locker->holders.push_back(s.text(0)); });
  }
  return locker;
}

Locker LockerStore::get(const std::string& number) const {
  auto locker = find(number);
  if (!locker) throw DataError(fmt::format("locker {}: no such locker (lockerctl locker add {} --holder NAME)", number, number));
  return *locker;
}

std::vector<Locker> LockerStore::list() const {
  std::vector<std::string> numbers;
  db_.query("SELECT number FROM lockers ORDER BY CAST(number AS INTEGER), number", {},
            [&](const audit::Statement& s) { numbers.push_back(s.text(0)); });
  std::vector<Locker> out;
  for (const auto& n : numbers) out.push_back(get(n));
  return out;
}

}  // namespace lockerctl::access
