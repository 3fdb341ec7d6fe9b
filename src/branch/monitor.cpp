#include "branch/monitor.hpp"

#include <fmt/format.h>

#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "branch/events.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::branch {

namespace {

using audit::Statement;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kBurst = 5000;  ///< messages stored in one transaction at most

std::string text_field(const nlohmann::json& j, const char* key) {
  const auto f = j.find(key);
  return f != j.end() && f->is_string() ? f->get<std::string>() : std::string();
}

}  // namespace

MonitorStore::MonitorStore(audit::Database& db) : db_(db) {
  db_.exec(
      "CREATE TABLE IF NOT EXISTS monitor_lockers (site TEXT NOT NULL, locker TEXT NOT NULL, online INTEGER NOT NULL DEFAULT 0, "
      "door TEXT NOT NULL DEFAULT 'unknown', lock TEXT NOT NULL DEFAULT 'unknown', board TEXT NOT NULL DEFAULT 'unknown', "
      "camera TEXT NOT NULL DEFAULT 'unknown', step TEXT NOT NULL DEFAULT '', alarm INTEGER NOT NULL DEFAULT 0, "
      "last_event TEXT NOT NULL DEFAULT '', last_time TEXT NOT NULL DEFAULT '', through INTEGER NOT NULL DEFAULT 0, "
      "newest INTEGER NOT NULL DEFAULT 0, seen TEXT NOT NULL DEFAULT '', PRIMARY KEY (site, locker));"
      "CREATE TABLE IF NOT EXISTS monitor_events (site TEXT NOT NULL, locker TEXT NOT NULL, id INTEGER NOT NULL, "
      "prev INTEGER NOT NULL, kind TEXT NOT NULL, time TEXT NOT NULL, layer TEXT NOT NULL, decision TEXT NOT NULL, "
      "message TEXT NOT NULL, PRIMARY KEY (site, locker, id));"
      "CREATE INDEX IF NOT EXISTS monitor_events_prev ON monitor_events (site, locker, prev);"
      "CREATE TABLE IF NOT EXISTS monitor_alarms (id INTEGER PRIMARY KEY, site TEXT NOT NULL, locker TEXT NOT NULL, "
      "event INTEGER NOT NULL, time TEXT NOT NULL, what TEXT NOT NULL, detail TEXT NOT NULL, acked_by TEXT, acked_at TEXT, "
      "UNIQUE (site, locker, event));"
      "CREATE TABLE IF NOT EXISTS monitor_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL);");
}

std::vector<Gap> MonitorStore::ingest(const std::vector<Message>& batch, std::vector<Ingested>* results,
                                      std::vector<std::string>* reasons) {
  std::vector<Gap> gaps;
  db_.transaction([&] {
    std::int64_t malformed = 0;
    for (const auto& m : batch) {
      std::string reason;
      const Ingested r = ingest_one(m, gaps, reason);
      if (r == Ingested::Malformed) {
        ++malformed;
        if (reasons) reasons->push_back(fmt::format("'{}': {}", m.topic.substr(0, 200), reason));
      }
      if (results) results->push_back(r);
    }
    if (malformed > 0) {
      db_.query("INSERT INTO monitor_counts (name, n) VALUES ('malformed', ?) ON CONFLICT(name) DO UPDATE SET n = n + excluded.n",
                {malformed});
    }
  });
  // One gap per station: the last one found is the current one.
  std::map<std::pair<std::string, std::string>, Gap> unique;
  for (const auto& g : gaps) unique[{g.site, g.locker}] = g;
  gaps.clear();
  for (auto& [key, g] : unique) {
    std::int64_t through = 0;
    db_.query("SELECT through FROM monitor_lockers WHERE site = ? AND locker = ?", {g.site, g.locker},
              [&](const Statement& s) { through = s.integer(0); });
    if (g.from > through) gaps.push_back({g.site, g.locker, through + 1});
  }
  return gaps;
}

Ingested MonitorStore::ingest_one(const Message& m, std::vector<Gap>& gaps, std::string& reason) {
  // lockerctl/<site>/<locker>/<kind>
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto slash = m.topic.find('/', start);
    parts.push_back(m.topic.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 4 || parts[0] != "lockerctl" || !valid_topic_name(parts[1]) || !valid_topic_name(parts[2])) {
    reason = "not lockerctl/<site>/<locker>/<kind>";
    return Ingested::Malformed;
  }
  const std::string& site = parts[1];
  const std::string& locker = parts[2];
  const std::string& kind = parts[3];
  if (kind == "replay") return Ingested::Ignored;  // another monitor's request, to the station
  const auto j = nlohmann::json::parse(m.payload, nullptr, false);
  if (!j.is_object()) {
    reason = "the payload is not a JSON object";
    return Ingested::Malformed;
  }
  const std::string now = utc_now_iso8601();
  const auto touch = [&] {
    db_.query("INSERT INTO monitor_lockers (site, locker, seen) VALUES (?, ?, ?) ON CONFLICT(site, locker) DO UPDATE SET seen = excluded.seen",
              {site, locker, now});
  };
  const auto through_of = [&] {
    std::int64_t through = 0;
    db_.query("SELECT through FROM monitor_lockers WHERE site = ? AND locker = ?", {site, locker},
              [&](const Statement& s) { through = s.integer(0); });
    return through;
  };

  if (kind == "state") {
    for (const char* key : {"door", "lock", "board", "camera", "step"}) {
      if (!j.contains(key) || !j[key].is_string()) {
        reason = fmt::format("state without a text '{}'", key);
        return Ingested::Malformed;
      }
    }
    touch();
    db_.query("UPDATE monitor_lockers SET door = ?, lock = ?, board = ?, camera = ?, step = ?, alarm = ? WHERE site = ? AND locker = ?",
              {j["door"].get<std::string>(), j["lock"].get<std::string>(), j["board"].get<std::string>(),
               j["camera"].get<std::string>(), j["step"].get<std::string>(),
               std::int64_t{j.value("alarm", false) ? 1 : 0}, site, locker});
    return Ingested::Updated;
  }
  if (kind == "heartbeat") {
    if (!j.contains("last") || !j["last"].is_number_integer() || j["last"].get<std::int64_t>() < 0) {
      reason = "heartbeat without a 'last' event id";
      return Ingested::Malformed;
    }
    touch();
    const std::int64_t through = through_of();
    if (j["last"].get<std::int64_t>() > through) gaps.push_back({site, locker, through + 1});
    return Ingested::Updated;
  }
  if (kind != "attempt" && kind != "alarm" && kind != "door" && kind != "lock" && kind != "device") {
    reason = fmt::format("unknown kind '{}'", kind.substr(0, 40));
    return Ingested::Malformed;
  }
  if (kind == "device" && !j.contains("id")) {  // the station itself: online, or its will
    if (text_field(j, "device") != "station" || !j.contains("online") || !j["online"].is_boolean()) {
      reason = "device message without an id is not {\"device\": \"station\", \"online\": true|false}";
      return Ingested::Malformed;
    }
    touch();
    db_.query("UPDATE monitor_lockers SET online = ? WHERE site = ? AND locker = ?",
              {std::int64_t{j["online"].get<bool>() ? 1 : 0}, site, locker});
    return Ingested::Updated;
  }
  if (!j.contains("id") || !j["id"].is_number_integer() || !j.contains("prev") || !j["prev"].is_number_integer()) {
    reason = "event without integer 'id' and 'prev'";
    return Ingested::Malformed;
  }
  const std::int64_t id = j["id"].get<std::int64_t>();
  const std::int64_t prev = j["prev"].get<std::int64_t>();
  const std::string layer = text_field(j, "layer"), decision = text_field(j, "decision"), time = text_field(j, "time");
  if (id < 1 || prev < 0 || prev >= id || layer.empty() || decision.empty() || time.empty()) {
    reason = "event needs 0 <= prev < id and text 'time', 'layer' and 'decision'";
    return Ingested::Malformed;
  }
  touch();
  bool known = false;
  db_.query("SELECT 1 FROM monitor_events WHERE site = ? AND locker = ? AND id = ?", {site, locker, id},
            [&](const Statement&) { known = true; });
  if (known) return Ingested::Duplicate;
  db_.query("INSERT INTO monitor_events (site, locker, id, prev, kind, time, layer, decision, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {site, locker, id, prev, kind, time, layer, decision, m.payload});
  if (kind == "alarm") {
    db_.query("INSERT OR IGNORE INTO monitor_alarms (site, locker, event, time, what, detail) VALUES (?, ?, ?, ?, ?, ?)",
              {site, locker, id, time, layer + " " + decision, text_field(j, "detail")});
  }
  const std::int64_t through = follow(site, locker, through_of());
  db_.query("UPDATE monitor_lockers SET through = ?, newest = MAX(newest, ?) WHERE site = ? AND locker = ?",
            {through, id, site, locker});
  db_.query("UPDATE monitor_lockers SET last_event = ?, last_time = ? WHERE site = ? AND locker = ? AND newest = ?",
            {layer + " " + decision, time, site, locker, id});
  std::int64_t newest = 0;
  db_.query("SELECT newest FROM monitor_lockers WHERE site = ? AND locker = ?", {site, locker},
            [&](const Statement& s) { newest = s.integer(0); });
  if (newest > through) gaps.push_back({site, locker, through + 1});
  return Ingested::Stored;
}

std::int64_t MonitorStore::follow(const std::string& site, const std::string& locker, std::int64_t through) {
  for (;;) {
    std::int64_t next = 0;
    db_.query("SELECT id FROM monitor_events WHERE site = ? AND locker = ? AND prev = ? LIMIT 1", {site, locker, through},
              [&](const Statement& s) { next = s.integer(0); });
    if (next == 0) return through;
    through = next;
  }
}

std::vector<LockerStatus> MonitorStore::lockers() const {
  std::vector<LockerStatus> out;
  db_.query(
      "SELECT l.site, l.locker, l.online, l.door, l.lock, l.board, l.camera, l.step, l.alarm, l.last_event, l.last_time, "
      "(SELECT COUNT(*) FROM monitor_alarms a WHERE a.site = l.site AND a.locker = l.locker AND a.acked_at IS NULL), "
      "l.through, l.newest, l.seen FROM monitor_lockers l ORDER BY l.site, l.locker",
      {}, [&](const Statement& s) {
        out.push_back({s.text(0), s.text(1), s.integer(2) != 0, s.text(3), s.text(4), s.text(5), s.text(6), s.text(7),
                       s.integer(8) != 0, s.text(9), s.text(10), static_cast<int>(s.integer(11)), s.integer(12), s.integer(13),
                       s.text(14)});
      });
  return out;
}

std::vector<Alarm> MonitorStore::alarms(bool open_only) const {
  std::vector<Alarm> out;
  db_.query(std::string("SELECT id, site, locker, event, time, what, detail, COALESCE(acked_by, ''), COALESCE(acked_at, '') "
                        "FROM monitor_alarms ") +
                (open_only ? "WHERE acked_at IS NULL " : "") + "ORDER BY id",
            {}, [&](const Statement& s) {
              out.push_back({s.integer(0), s.text(1), s.text(2), s.integer(3), s.text(4), s.text(5), s.text(6), s.text(7), s.text(8)});
            });
  return out;
}

Alarm MonitorStore::ack(std::int64_t id, const std::string& by, audit::AuditLog& audit) {
  std::optional<Alarm> alarm;
  db_.transaction([&] {
    for (Alarm& a : alarms(false)) {
      if (a.id == id) alarm = std::move(a);
    }
    if (!alarm) throw DataError(fmt::format("alarm {}: no such alarm (lockerctl monitor --once --json lists the open ones)", id));
    if (!alarm->acked_at.empty()) {
      throw DataError(fmt::format("alarm {}: already acknowledged by {} at {}", id, alarm->acked_by, alarm->acked_at));
    }
    db_.query("UPDATE monitor_alarms SET acked_by = ?, acked_at = ? WHERE id = ?", {by, utc_now_iso8601(), id});
    audit.append({0, {}, "-", "monitor", "alarm acknowledged", std::nullopt, std::nullopt, "",
                  fmt::format("alarm {} ({}/{}: {} at {}) by '{}'", alarm->id, alarm->site, alarm->locker, alarm->what, alarm->time, by)});
  });
  return *alarm;
}

std::int64_t MonitorStore::events(const std::string& site, const std::string& locker) const {
  std::int64_t n = 0;
  db_.query("SELECT COUNT(*) FROM monitor_events WHERE site = ? AND locker = ?", {site, locker},
            [&](const Statement& s) { n = s.integer(0); });
  return n;
}

std::int64_t MonitorStore::malformed() const {
  std::int64_t n = 0;
  db_.query("SELECT n FROM monitor_counts WHERE name = 'malformed'", {}, [&](const Statement& s) { n = s.integer(0); });
  return n;
}

Monitor::Monitor(MonitorOptions options, MonitorStore& store) : o_(std::move(options)), store_(store) {}

void Monitor::run(const std::atomic<bool>& stop, const std::function<void()>& changed,
                  const std::function<bool(const MonitorStats&)>& until) {
  std::vector<Message> batch;
  ClientOptions c;
  c.client_id = o_.client_id;
  c.clean_session = !o_.persistent;
  c.broker = o_.broker;
  c.login = o_.login;
  c.retry_s = o_.retry_s;
  c.max_retry_s = o_.max_retry_s;
  MqttClient* self = nullptr;
  MqttClient client(c, {[&] { self->subscribe("lockerctl/+/+/+"); }, {}, {},
                        [&](const std::string& topic, const std::string& payload) { batch.push_back({topic, payload}); }});
  self = &client;
  // A gap is asked for once it has stood for replay_every_s (events on their way close most gaps
  // a heartbeat shows under load), and then at most that often.
  struct Pending {
    std::int64_t from = 0;
    Clock::time_point since, asked;
  };
  std::map<std::pair<std::string, std::string>, Pending> pending;
  const auto every = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.replay_every_s));
  std::int64_t said = 0;  // malformed messages logged, a few and then every hundredth
  while (!stop && !(until && until(stats()))) {
    client.step(std::chrono::milliseconds(100));
    // libmosquitto hands over about one message per call: under a backlog, read on while messages
    // keep coming (50 ms at most) and store the burst in one transaction, one disk sync.
    const auto burst_until = Clock::now() + std::chrono::milliseconds(50);
    std::size_t before = 0;
    while (!batch.empty() && batch.size() != before && batch.size() < kBurst && Clock::now() < burst_until) {
      before = batch.size();
      for (int i = 0; i < 64; ++i) client.step(std::chrono::milliseconds(0));
    }
    std::unique_lock lock(stats_mutex_);
    stats_.connected = client.connected();
    if (batch.empty()) continue;
    lock.unlock();
    std::vector<Ingested> results;
    std::vector<std::string> reasons;
    const auto gaps = store_.ingest(batch, &results, &reasons);
    lock.lock();
    stats_.messages += static_cast<std::int64_t>(batch.size());
    batch.clear();
    bool change = false;
    for (Ingested r : results) {
      if (r == Ingested::Stored) ++stats_.stored;
      if (r == Ingested::Duplicate) ++stats_.duplicates;
      change = change || r == Ingested::Stored || r == Ingested::Updated;
    }
    for (const auto& why : reasons) {
      ++stats_.malformed;
      if (said < 5 || stats_.malformed % 100 == 0) log::warn("monitor: skipped a malformed message ({} so far): {}", stats_.malformed, why);
      ++said;
    }
    const auto now = Clock::now();
    for (const auto& g : gaps) {
      auto& p = pending[{g.site, g.locker}];
      if (p.from != g.from) {
        p = {g.from, now, {}};
        continue;
      }
      if (now - p.since < every || now - p.asked < every) continue;
      p.asked = now;
      if (client.publish({topic(g.site, g.locker, "replay"), nlohmann::json{{"from", g.from}}.dump(), false})) {
        ++stats_.replays_asked;
        log::info("monitor: {}/{}: events from #{} are missing; asked the station to send them again", g.site, g.locker, g.from);
      }
    }
    lock.unlock();
    if (change && changed) changed();
  }
  client.disconnect();
}

MonitorStats Monitor::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace lockerctl::branch
