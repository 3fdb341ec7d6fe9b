#pragma once

// The head office's side of branch monitoring. MonitorStore keeps, in SQLite, every event each
// station published (once: a message that comes twice, as QoS 1 allows, is stored once), the
// latest state of each locker, and every alarm until an operator acknowledges it. It follows
// each station's chain of events (each names the one before) and says where a gap is, so the
// Monitor asks that station to send the missing ones again. Monitor runs the subscription:
// lockerctl/+/+/+ with QoS 1 and a persistent session, stored in batches.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/database.hpp"
#include "branch/mqtt.hpp"

namespace lockerctl::branch {

struct LockerStatus {
  std::string site, locker;
  bool online = false;
  std::string door, lock, board, camera, step;
  bool alarm = false;       ///< the station's own alarm flag (state message)
  std::string last_event;   ///< "layer decision" of its newest event
  std::string last_time;
  int open_alarms = 0;      ///< not acknowledged
  std::int64_t through = 0; ///< every event up to this id is stored
  std::int64_t newest = 0;  ///< newest event id stored
  std::string seen;         ///< when the monitor last heard from it (UTC)
};

struct Alarm {
  std::int64_t id = 0;
  std::string site, locker;
  std::int64_t event = 0;
  std::string time, what, detail, acked_by, acked_at;
};

/// What one message did to the store.
enum class Ingested { Stored, Duplicate, Updated, Ignored, Malformed };

struct Message {
  std::string topic;
  std::string payload;
};

/// A gap in a station's events: ask it again from `from`.
struct Gap {
  std::string site, locker;
  std::int64_t from = 0;
};

class MonitorStore {
 public:
  /// Creates the tables when missing.
  explicit MonitorStore(audit::Database& db);

  /// Stores a batch in one transaction. `results` (when given) gets one entry per message;
  /// `reasons` a line per malformed one. Returns the gaps the batch left or found.
  std::vector<Gap> ingest(const std::vector<Message>& batch, std::vector<Ingested>* results = nullptr,
                          std::vector<std::string>* reasons = nullptr);

  std::vector<LockerStatus> lockers() const;
  std::vector<Alarm> alarms(bool open_only) const;
  /// Acknowledges an open alarm for `by` and writes that to `audit`; the alarm as it was. Throws
  /// DataError naming the alarm when there is none with that id or it was acknowledged already.
  Alarm ack(std::int64_t alarm, const std::string& by, audit::AuditLog& audit);
  std::int64_t events(const std::string& site, const std::string& locker) const;
  /// Messages counted and skipped because they were malformed, since the store began.
  std::int64_t malformed() const;

 private:
  Ingested ingest_one(const Message& m, std::vector<Gap>& gaps, std::string& reason);
  /// Follows the chain of (site, locker) from its `through` id as far as it goes.
  std::int64_t follow(const std::string& site, const std::string& locker, std::int64_t through);

  audit::Database& db_;
};

struct MonitorOptions {
  Broker broker;
  Login login;
  std::string client_id = "lockerctl-monitor";
  bool persistent = true;  ///< false: a clean session (monitor --once)
  double retry_s = 1;
  double max_retry_s = 60;
  double replay_every_s = 3;  ///< a gap must stand this long before it is asked for, and asked at most this often
};

struct MonitorStats {
  std::int64_t messages = 0, stored = 0, duplicates = 0, malformed = 0, replays_asked = 0;
  bool connected = false;
};

class Monitor {
 public:
  Monitor(MonitorOptions options, MonitorStore& store);
  /// Subscribes and stores until `stop`; `changed` is called after each batch that changed
  /// something (the live table redraws). Returns when `stop` is set or `until` says so.
  void run(const std::atomic<bool>& stop, const std::function<void()>& changed = {},
           const std::function<bool(const MonitorStats&)>& until = {});
  /// From any thread.
  MonitorStats stats() const;

 private:
  MonitorOptions o_;
  MonitorStore& store_;
  mutable std::mutex stats_mutex_;
  MonitorStats stats_;
};

}  // namespace lockerctl::branch
