#pragma once

// The station's side of branch monitoring: a thread that publishes the station's audit events
// to the broker, in order, QoS 1. The audit log is the outbox: a cursor in the database (the
// newest event the broker acknowledged, with everything before it) says where to go on, so
// events raised while the broker is down, or before a kill -9, go out afterwards in order. On
// each connection the station announces itself online (retained; its will says offline), sends
// its state (retained) and the Home Assistant discovery messages, then its heartbeat every
// heartbeat_s. A subscriber that saw a gap asks for a replay; replays start at most every 2 s, and
// the requests that come meanwhile are served together, from the lowest id asked for.
//
// Nothing is taken from the broker but replay requests: the lock never listens to it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "audit/audit_log.hpp"
#include "branch/events.hpp"
#include "branch/mqtt.hpp"

namespace lockerctl::branch {

struct PublisherOptions {
  std::string site;
  std::string locker;
  Broker broker;
  Login login;
  double heartbeat_s = 30;
  bool discovery = true;
  std::string discovery_prefix = "homeassistant";
  double alarm_hold_s = 300;   ///< the state's alarm clears after this long without a new one
  double retry_s = 1;
  double max_retry_s = 60;
  int window = 100;            ///< publications waiting for their PUBACK at most
};

struct PublisherStats {
  bool connected = false;
  std::int64_t acknowledged = 0;  ///< the cursor: every published event up to this id is at the broker
  std::int64_t published = 0;     ///< publications of events since start, replays included
  int replays = 0;
};

class Publisher {
 public:
  /// Opens its own connection to `db_file` (the station's database); `step` tells the flow's
  /// state for the state message (empty: "idle"). Throws ConfigError for bad names or TLS files.
  Publisher(PublisherOptions options, const std::filesystem::path& db_file, const audit::Key& key,
            std::function<std::string()> step = {});
  ~Publisher();  ///< stop()
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void start();
  /// Publishes what it can within `grace`, marks the station offline, disconnects, joins.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  PublisherStats stats() const;

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  void on_connected();
  void on_ack(int mid);
  void on_message(const std::string& topic, const std::string& payload);
  /// Starts the replay asked for, once the last one is 2 s old: from the lowest id asked meanwhile.
  void start_replay();
  /// Publishes events after the send position while the window has room.
  void publish_events();
  void publish_state(bool force);
  void publish_heartbeat();
  /// The id of the newest published event before `before`; 0 when none.
  std::int64_t previous_published(std::int64_t before) const;

  PublisherOptions o_;
  audit::Database db_;
  audit::AuditLog audit_;
  std::function<std::string()> step_;
  MqttClient client_;

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::chrono::milliseconds grace_{2000};  ///< set by stop() before stop_

  // The publisher thread's own state.
  std::int64_t cursor_ = 0;        ///< persisted
  std::int64_t sent_ = 0;          ///< newest event id handed to the client on this connection
  std::int64_t prev_ = 0;          ///< id of the published event before the next one
  std::map<int, std::int64_t> in_flight_;  ///< message id -> event id (0: not an event)
  std::map<std::int64_t, bool> acked_;     ///< event ids sent on this connection -> acknowledged
  StationState state_;
  std::string state_sent_;         ///< the state payload the broker has
  Clock::time_point heartbeat_at_{};
  Clock::time_point replay_allowed_at_{};
  std::int64_t replay_from_ = 0;   ///< the replay under way sends again from here ...
  std::int64_t replay_until_ = 0;  ///< ... up to here
  std::int64_t replay_wanted_ = 0; ///< the lowest id asked for that no replay has started from yet; 0: none

  mutable std::mutex stats_mutex_;
  PublisherStats stats_;
};

}  // namespace lockerctl::branch
