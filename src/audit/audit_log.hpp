#pragma once

// The tamper-evident audit log: one row per event of the access flow, each chained to the one
// before by a keyed hash (HMAC-SHA-256), and a keyed head record naming the last row. Editing,
// deleting or inserting a row, or cutting rows off the end, breaks the chain: `verify` finds it.
// Without the key nobody can write a consistent chain.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"
#include "core/secret.hpp"

namespace lockerctl::audit {

using Key = std::array<std::uint8_t, 32>;

/// The chain key: from the configured secret when set (hashed to 32 bytes), else from
/// `<var_dir>/audit.key`, which is created with random bytes (mode 0600) on first use.
Key load_key(const Secret& configured, const std::filesystem::path& var_dir);

struct Event {
  std::int64_t id = 0;          ///< set by append
  std::string time;             ///< UTC ISO 8601; set by append when empty
  std::string attempt;          ///< attempt id, or "-" for events outside an attempt
  std::string layer;            ///< trigger, human, owner, password, otp, lock, door, board, camera, alert, system
  std::string decision;         ///< pass, deny, start, sent, open, closed, ...
  std::optional<double> score;  ///< model score, when the layer has one
  std::optional<double> threshold;
  std::string image;            ///< evidence photo path, when one was kept
  std::string detail;           ///< one line for people; never a password or a code
};

struct VerifyResult {
  std::int64_t rows = 0;
  bool ok = true;
  std::string problem;  ///< the first break found, e.g. "row 17: hash does not match (edited, or a row before it was removed)"
  std::string last_hash;  ///< the keyed hash of the last row, when intact: a printout that names it can be checked later
};

/// Which events a search returns: every field that is not empty must match. `since` and `until`
/// are UTC ISO 8601 prefixes ("2026-11-23T18"), both ends included; `after_id` > 0 keeps only
/// later events.
struct Filter {
  std::string since, until, layer, decision, attempt;
  std::int64_t after_id = 0;
};

/// An event with every event of its attempt (none for an event outside an attempt).
struct WithAttempt {
  Event event;
  std::vector<Event> attempt;  ///< newest first
};

class AuditLog {
 public:
  /// Creates the tables when missing.
  AuditLog(Database& db, const Key& key);

  /// Appends and commits one event (synchronously: it is on disk when this returns).
  std::int64_t append(Event event);
  VerifyResult verify() const;
  /// The keyed hash stored with row `id` ("" when there is none); trustworthy once verify() passed.
  std::string hash_of(std::int64_t id) const;
  /// Events from `since` (ISO 8601 prefix, "" = all), oldest first.
  std::vector<Event> list(const std::string& since = {}) const;
  /// Events that match `filter`, newest first: `limit` of them (-1: all) from `offset`.
  std::vector<Event> find(const Filter& filter, std::int64_t limit, std::int64_t offset = 0) const;
  std::int64_t count(const Filter& filter) const;
  /// The newest `limit` events that match `filter`, each with its attempt's events: two queries on
  /// the indexes, however many attempts (the console's incidents).
  std::vector<WithAttempt> find_with_attempts(const Filter& filter, std::int64_t limit) const;
  /// Events after `after_id`, oldest first, at most `limit`; only of `layers` when it is not empty.
  std::vector<Event> after(std::int64_t after_id, std::int64_t limit, const std::vector<std::string>& layers = {}) const;
  /// The id of the newest event before `before_id` of `layers` (all when empty); 0 when none.
  std::int64_t previous(std::int64_t before_id, const std::vector<std::string>& layers = {}) const;

 private:
  VerifyResult verify_snapshot() const;
  std::string row_mac(const std::string& previous, const Event& e) const;
  std::string head_mac(std::int64_t last_id, const std::string& last_mac) const;
  /// HMAC-SHA-256 of `text` under the chain key, as hex.
  std::string mac(const std::string& text) const;

  Database& db_;
  Key key_;
};

std::string to_csv(const std::vector<Event>& events);
std::string to_json(const std::vector<Event>& events);

}  // namespace lockerctl::audit
