#pragma once

// What a station tells the branch network, and how: the topics lockerctl/<site>/<locker>/<kind>,
// the JSON of each kind, the station's state folded from its audit events, and the Home
// Assistant discovery messages. Shared by the publisher (the station) and the monitor, so both
// read the same contract; docs/branches.md describes it for other subscribers.
//
// Kinds: attempt, alarm, door, lock, device (events: audit rows, each with its id and the id of
// the station's previous published event, so a subscriber sees a gap), state (retained: the
// station now), heartbeat (the newest id, so a gap at the end shows too), and replay (a
// subscriber asks the station to send its events again from an id). Administration (owners,
// operators, alerts) is not published; nothing published holds a password, a code, a template
// or image bytes: evidence is a link or a path.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"

namespace lockerctl::branch {

/// The audit layers of which events may be published, for a query (kind_of decides).
const std::vector<std::string>& published_layers();
/// The kind an audit event is published as, or nothing when it is not published.
std::optional<std::string> kind_of(const audit::Event& e);
/// A site or locker name for a topic: 1-64 of A-Z a-z 0-9 _ . -
bool valid_topic_name(const std::string& name);
/// Throws ConfigError naming `key` unless valid_topic_name(name).
void check_topic_name(const std::string& name, const std::string& key);
std::string topic(const std::string& site, const std::string& locker, const std::string& kind);

/// An event's message: {"id", "prev", "time", "attempt", "layer", "decision", "detail", ["score",
/// "threshold",] ["evidence",] [device kind: "device", "online"]}.
nlohmann::json event_message(const audit::Event& e, std::int64_t prev);

/// The station now, from its events. Unknown until an event says.
struct StationState {
  std::string step = "idle";      ///< the flow's state (idle, human, password, ...)
  std::string door = "unknown";   ///< open, closed
  std::string lock = "unknown";   ///< locked, released
  std::string board = "unknown";  ///< online, offline
  std::string camera = "unknown"; ///< online, lost
  bool alarm = false;             ///< from an alarm until the door closes, access is granted, or alarm_hold_s pass
  std::string alarm_what;         ///< "door forced", ...
  double alarm_at = 0;            ///< Unix seconds
  std::int64_t last = 0;          ///< newest event folded in

  /// Folds in one event (any layer; unpublished ones change nothing).
  void apply(const audit::Event& e, double now);
  /// Clears an alarm older than `hold_s`.
  void expire(double now, double hold_s);
  nlohmann::json to_json() const;
};

/// The retained discovery messages that make a station appear in Home Assistant as one device
/// with four binary sensors: lock (on = released), door (on = open), alarm, and online. No
/// command topic: the broker is never trusted with the lock.
struct Discovery {
  std::string topic;
  std::string payload;
};
/// The station's node id in the discovery topics and the stem of its unique ids: only
/// A-Z a-z 0-9 _ -, as Home Assistant asks. "lockerctl_<site>_<locker>" when neither name has a
/// dot; else "lockerctl-" and both names escaped (. as _d, _ as __, - as _h) and joined by -, so
/// "st.albans" and "st_albans" get different ids.
std::string discovery_id(const std::string& site, const std::string& locker);
/// Each entity carries `default_entity_id` (Home Assistant 2025.10 on) and `object_id` (older
/// versions; 2026.4 on ignores it).
std::vector<Discovery> discovery_messages(const std::string& prefix, const std::string& site, const std::string& locker);

}  // namespace lockerctl::branch
