#include "branch/publisher.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/log.hpp"

namespace lockerctl::branch {

namespace {

ClientOptions client_options(const PublisherOptions& o) {
  check_topic_name(o.site, "mqtt.site");
  check_topic_name(o.locker, "mqtt.locker");
  ClientOptions c;
  c.client_id = fmt::format("lockerctl-{}-{}", o.site, o.locker);
  c.clean_session = true;  // the station only listens for replay requests, which need no queue
  c.broker = o.broker;
  c.login = o.login;
  c.will = Publication{topic(o.site, o.locker, "device"), nlohmann::json{{"device", "station"}, {"online", false}}.dump(), true};
  c.retry_s = o.retry_s;
  c.max_retry_s = o.max_retry_s;
  return c;
}

}  // namespace

Publisher::Publisher(PublisherOptions options, const std::filesystem::path& db_file, const audit::Key& key,
                     std::function<std::string()> step)
    : o_(std::move(options)),
      db_(db_file),
      audit_(db_, key),
      step_(std::move(step)),
      client_(client_options(o_), {[this] { on_connected(); }, {}, [this](int mid) { on_ack(mid); },
                                   [this](const std::string& t, const std::string& p) { on_message(t, p); }}) {
  db_.exec("CREATE TABLE IF NOT EXISTS mqtt_cursor (station TEXT PRIMARY KEY, acknowledged INTEGER NOT NULL)");
  db_.query("SELECT acknowledged FROM mqtt_cursor WHERE station = ?", {topic(o_.site, o_.locker, "")},
            [&](const audit::Statement& s) { cursor_ = s.integer(0); });
  // The state the station was left in, from the newest event of each device layer up to the cursor;
  // the events after it are folded in as they go out.
  const double now = unix_now();
  std::vector<audit::Event> newest;
  for (const char* layer : {"door", "lock", "board", "camera"}) {
    audit::Filter f;
    f.layer = layer;
    for (const auto& e : audit_.find(f, 50)) {
      if (e.id <= cursor_) {
        newest.push_back(e);
        break;
      }
    }
  }
  std::sort(newest.begin(), newest.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const auto& e : newest) state_.apply(e, now);
  state_.alarm = false;  // an alarm from before this run is not news
  state_.last = cursor_;
  stats_.acknowledged = cursor_;
}

Publisher::~Publisher() { stop(); }

void Publisher::start() {
  if (thread_.joinable()) return;
  log::info("mqtt: publishing as {} to {}; {} event(s) already at the broker", topic(o_.site, o_.locker, "#"), o_.broker.url,
            cursor_ == 0 ? std::string("no") : fmt::format("up to #{},", cursor_));
  thread_ = std::thread([this] { run(); });
}

void Publisher::stop(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return;
  grace_ = grace;
  stop_ = true;
  thread_.join();
}

PublisherStats Publisher::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void Publisher::run() {
  std::int64_t saved = cursor_;
  const auto save = [&] {
    if (cursor_ == saved) return;
    db_.query("INSERT INTO mqtt_cursor (station, acknowledged) VALUES (?, ?) "
              "ON CONFLICT(station) DO UPDATE SET acknowledged = excluded.acknowledged",
              {topic(o_.site, o_.locker, ""), cursor_});
    saved = cursor_;
  };
  const auto work = [&] {
    client_.step(std::chrono::milliseconds(100));
    if (client_.connected()) {
      start_replay();
      publish_events();
      state_.expire(unix_now(), o_.alarm_hold_s);
      publish_state(false);
      if (Clock::now() >= heartbeat_at_) publish_heartbeat();
    }
    save();
    std::lock_guard lock(stats_mutex_);
    stats_.connected = client_.connected();
    stats_.acknowledged = cursor_;
  };
  while (!stop_) {
    try {
      work();
    } catch (const std::exception& e) {  // the database, or a message libmosquitto refused
      log::error("mqtt: {}; trying again in 1 s", e.what());
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  // What is still unsent goes out now if the broker is there; the rest waits for the next run.
  const auto until = Clock::now() + grace_;
  try {
    while (client_.connected() && Clock::now() < until &&
           (!in_flight_.empty() || !audit_.after(sent_, 1, published_layers()).empty())) {
      work();
    }
    if (client_.connected()) {
      client_.publish({topic(o_.site, o_.locker, "device"), nlohmann::json{{"device", "station"}, {"online", false}}.dump(), true});
      client_.disconnect();
    }
    save();
  } catch (const std::exception& e) {
    log::error("mqtt: stopping: {}", e.what());
  }
}

void Publisher::on_connected() {
  client_.subscribe(topic(o_.site, o_.locker, "replay"));
  in_flight_.clear();
  acked_.clear();
  sent_ = cursor_;
  prev_ = previous_published(cursor_ + 1);
  client_.publish({topic(o_.site, o_.locker, "device"), nlohmann::json{{"device", "station"}, {"online", true}}.dump(), true});
  if (o_.discovery) {
    for (const auto& d : discovery_messages(o_.discovery_prefix, o_.site, o_.locker)) client_.publish({d.topic, d.payload, true});
  }
  publish_state(true);
  heartbeat_at_ = Clock::now();
}

void Publisher::publish_events() {
  const auto events_in_flight = [&] {
    return std::count_if(in_flight_.begin(), in_flight_.end(), [](const auto& m) { return m.second > 0; });
  };
  const auto room = o_.window - events_in_flight();
  if (room <= 0) return;
  for (const auto& e : audit_.after(sent_, room, published_layers())) {
    if (!kind_of(e)) {  // administration, not news for the branch network
      sent_ = e.id;
      continue;
    }
    const auto mid = client_.publish({topic(o_.site, o_.locker, *kind_of(e)), event_message(e, prev_).dump(), false});
    if (!mid) return;
    in_flight_[*mid] = e.id;
    if (e.id > cursor_) acked_[e.id] = false;
    sent_ = e.id;
    prev_ = e.id;
    if (e.id > state_.last) state_.apply(e, unix_now());
    std::lock_guard lock(stats_mutex_);
    ++stats_.published;
  }
}

std::int64_t Publisher::previous_published(std::int64_t before) const {
  for (;;) {
    const std::int64_t id = audit_.previous(before, published_layers());
    if (id == 0) return 0;
    const auto e = audit_.after(id - 1, 1);
    if (!e.empty() && kind_of(e.front())) return id;
    before = id;
  }
}

void Publisher::publish_state(bool force) {
  state_.step = step_ ? step_() : "idle";
  nlohmann::json j = state_.to_json();
  const std::string payload = j.dump();
  if (!force && payload == state_sent_) return;
  j["time"] = utc_now_iso8601();
  if (const auto mid = client_.publish({topic(o_.site, o_.locker, "state"), j.dump(), true})) {
    in_flight_[*mid] = 0;
    state_sent_ = payload;
  }
}

void Publisher::publish_heartbeat() {
  const nlohmann::json j = {{"time", utc_now_iso8601()}, {"last", cursor_}};
  if (const auto mid = client_.publish({topic(o_.site, o_.locker, "heartbeat"), j.dump(), false})) in_flight_[*mid] = 0;
  heartbeat_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.heartbeat_s));
}

void Publisher::on_ack(int mid) {
  const auto found = in_flight_.find(mid);
  if (found == in_flight_.end()) return;
  const std::int64_t id = found->second;
  in_flight_.erase(found);
  const auto a = acked_.find(id);
  if (a != acked_.end()) a->second = true;
  while (!acked_.empty() && acked_.begin()->second) {
    cursor_ = acked_.begin()->first;
    acked_.erase(acked_.begin());
  }
}

void Publisher::on_message(const std::string& t, const std::string& payload) {
  if (t != topic(o_.site, o_.locker, "replay")) return;
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("from") || !j["from"].is_number_integer() || j["from"].get<std::int64_t>() < 1) {
    log::warn("mqtt: ignored a replay request that is not {{\"from\": ID}}");
    return;
  }
  const std::int64_t from = j["from"].get<std::int64_t>();
  if (from > sent_) return;  // not sent yet: it comes anyway
  if (sent_ < replay_until_ && from >= replay_from_) return;  // a replay under way covers it
  // Requests that come while replays are held back merge into one from the lowest id asked for,
  // so a second monitor's request is served with the first's, never dropped.
  replay_wanted_ = replay_wanted_ == 0 ? from : std::min(replay_wanted_, from);
  log::info("mqtt: a subscriber asked for the events from #{} again", from);
  start_replay();
}

void Publisher::start_replay() {
  if (replay_wanted_ == 0 || Clock::now() < replay_allowed_at_) return;
  const std::int64_t from = replay_wanted_;
  replay_wanted_ = 0;
  if (from > sent_) return;  // the events went out meanwhile
  replay_allowed_at_ = Clock::now() + std::chrono::seconds(2);
  replay_until_ = std::max(replay_until_, sent_);
  replay_from_ = from;
  sent_ = from - 1;
  prev_ = previous_published(from);
  std::lock_guard lock(stats_mutex_);
  ++stats_.replays;
}

}  // namespace lockerctl::branch
