#include "cmd_monitor.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "branch/monitor.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/signals.hpp"

namespace lockerctl::cli {

namespace {

using Clock = std::chrono::steady_clock;

branch::Login login(const config::Config& cfg) { return {cfg.mqtt.username, cfg.mqtt.password, cfg.mqtt.ca_file}; }

std::string login_name() {
  if (const passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return fmt::format("uid {}", getuid());
}

/// The live table: one row per locker, newest state.
std::string table(const std::vector<branch::LockerStatus>& lockers) {
  std::string out = fmt::format("{:<14} {:<10} {:<7} {:<8} {:<9} {:<9} {:<24} {:<20} {}\n", "SITE", "LOCKER", "ONLINE", "DOOR",
                                "LOCK", "STEP", "LAST EVENT", "AT (UTC)", "OPEN ALARMS");
  for (const auto& l : lockers) {
    out += fmt::format("{:<14} {:<10} {:<7} {:<8} {:<9} {:<9} {:<24} {:<20} {}\n", l.site, l.locker, l.online ? "yes" : "NO",
                       l.door, l.lock, l.step.empty() ? "-" : l.step, l.last_event.empty() ? "-" : l.last_event.substr(0, 24),
                       l.last_time.empty() ? "-" : l.last_time.substr(0, 19), l.open_alarms);
  }
  if (lockers.empty()) out += "(no station heard yet)\n";
  return out;
}

nlohmann::json state_json(const branch::MonitorStore& store, const std::string& broker, bool connected) {
  nlohmann::json lockers = nlohmann::json::array();
  for (const auto& l : store.lockers()) {
    lockers.push_back({{"site", l.site},           {"locker", l.locker},     {"online", l.online},   {"door", l.door},
                       {"lock", l.lock},           {"board", l.board},       {"camera", l.camera},   {"step", l.step},
                       {"alarm", l.alarm},         {"last_event", l.last_event}, {"last_time", l.last_time},
                       {"open_alarms", l.open_alarms}, {"events", store.events(l.site, l.locker)},
                       {"through", l.through},     {"newest", l.newest},     {"seen", l.seen}});
  }
  nlohmann::json alarms = nlohmann::json::array();
  for (const auto& a : store.alarms(true)) {
    alarms.push_back({{"id", a.id}, {"site", a.site}, {"locker", a.locker}, {"event", a.event}, {"time", a.time}, {"what", a.what},
                      {"detail", a.detail}});
  }
  return {{"broker", broker}, {"connected", connected}, {"lockers", lockers}, {"open_alarms", alarms},
          {"malformed", store.malformed()}};
}

}  // namespace

branch::PublisherOptions publisher_options(const config::Config& cfg, const std::vector<std::string>& served) {
  const auto& m = cfg.mqtt;
  branch::PublisherOptions o;
  o.site = m.site;
  o.locker = !m.locker.empty() ? m.locker : !served.empty() ? fmt::format("{}", fmt::join(served, "-")) : cfg.access.owner;
  o.broker = branch::parse_broker(m.broker);
  o.login = login(cfg);
  o.heartbeat_s = m.heartbeat_s;
  o.discovery = m.discovery;
  o.discovery_prefix = m.discovery_prefix;
  o.alarm_hold_s = m.alarm_hold_s;
  o.retry_s = m.retry_s;
  o.max_retry_s = m.max_retry_s;
  return o;
}

void setup_monitor(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<MonitorCliOptions>();
  CLI::App* mon = app.add_subcommand(
      "monitor",
      "Watch every branch from one place: subscribe to lockerctl/+/+/+ on the MQTT broker that the stations publish to "
      "(lockerctl run with mqtt.enabled: true), keep every event, the latest state of each locker and every alarm in the "
      "database under paths.var_dir, and show a live table (site, locker, online, door, lock, step, last event, open "
      "alarms) until Ctrl-C. A station whose events have a gap is asked to send them again. Uses mqtt.username, "
      "mqtt.password and mqtt.ca_file. See docs/branches.md.");
  mon->add_option("--broker", o->broker, "mqtts://HOST[:PORT] or mqtt://127.0.0.1[:PORT]; default: mqtt.broker");
  mon->add_option("--client-id", o->client_id,
                  "MQTT client id of this monitor; the broker keeps its session, so events published while it is away "
                  "come when it is back. Two monitors need two ids.")
      ->capture_default_str();
  mon->add_flag("--once", o->once, "Listen for --wait seconds (retained states, queued events), store, print, and exit");
  mon->add_flag("--json", o->json, "With --once: print the state as JSON (lockers, open alarms, malformed messages)");
  mon->add_option("--wait", o->wait_s, "With --once: seconds to listen after connecting")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  mon->callback([&global, &action, o, mon] {
    if (mon->get_subcommands().empty()) action = [&global, o] { return run_monitor(global, *o); };
  });
  CLI::App* ack = mon->add_subcommand("ack", "Acknowledge an open alarm (its number is in monitor --once --json); audited with your name.");
  ack->add_option("alarm", o->alarm, "Alarm number")->required()->check(CLI::PositiveNumber);
  ack->add_option("--by", o->by, "Who acknowledges; default: your login name");
  ack->callback([&global, &action, o] { action = [&global, o] { return run_monitor_ack(global, *o); }; });
}

int run_monitor(const GlobalOptions& global, const MonitorCliOptions& options) {
  const config::Config cfg = load_config(global);
  branch::MonitorOptions mo;
  mo.broker = branch::parse_broker(options.broker.empty() ? cfg.mqtt.broker : options.broker,
                                   options.broker.empty() ? "mqtt.broker" : "--broker");
  mo.login = login(cfg);
  mo.client_id = options.client_id;
  mo.retry_s = cfg.mqtt.retry_s;
  mo.max_retry_s = cfg.mqtt.max_retry_s;
  Station station(cfg);
  branch::MonitorStore store(station.db);
  signals::catch_stop_signals();

  if (options.once) {
    mo.persistent = false;  // a look, not a subscriber of record: nothing queued for it afterwards
    mo.client_id = fmt::format("{}-once-{}", options.client_id, getpid());
    branch::Monitor monitor(mo, store);
    const auto start = Clock::now();
    std::optional<Clock::time_point> connected_at;
    const auto wait = std::chrono::duration<double>(options.wait_s);
    monitor.run(signals::stop_flag(), {}, [&](const branch::MonitorStats& s) {
      if (s.connected && !connected_at) connected_at = Clock::now();
      if (connected_at) return Clock::now() - *connected_at >= wait;
      return Clock::now() - start >= wait + std::chrono::seconds(10);
    });
    if (!connected_at) log::warn("monitor: broker {} not reachable; showing what the store holds", mo.broker.url);
    if (options.json) {
      std::cout << state_json(store, mo.broker.url, connected_at.has_value()).dump(2) << "\n";
    } else {
      std::cout << table(store.lockers());
    }
    return 0;
  }

  branch::Monitor monitor(mo, store);
  const bool live = isatty(STDOUT_FILENO);
  auto drawn = Clock::time_point{};
  bool dirty = true;
  const auto draw = [&] {
    const auto now = Clock::now();
    const auto every = live ? std::chrono::milliseconds(500) : std::chrono::milliseconds(5000);
    if (!dirty || now - drawn < every) return;
    const auto lockers = store.lockers();
    int open = 0;
    for (const auto& l : lockers) open += l.open_alarms;
    const auto s = monitor.stats();
    std::cout << (live ? "\x1b[H\x1b[2J" : "")
              << fmt::format("lockerctl monitor: {} ({}), {} station(s), {} open alarm(s), {} message(s), {} malformed; {} UTC\n",
                             mo.broker.url, s.connected ? "connected" : "NOT CONNECTED", lockers.size(), open, s.messages,
                             s.malformed, utc_now_iso8601().substr(11, 8))
              << table(lockers) << std::flush;
    drawn = now;
    dirty = live;  // a terminal's clock ticks on; a log gets a table only when something changed
  };
  log::info("monitor: subscribing to lockerctl/+/+/+ at {} as {}; store {}", mo.broker.url, mo.client_id, station.db.file().string());
  monitor.run(signals::stop_flag(), [&] { dirty = true; }, [&](const branch::MonitorStats&) {
    draw();
    return false;
  });
  const auto s = monitor.stats();
  std::cout << fmt::format("monitor: {} message(s), {} event(s) stored, {} duplicate(s), {} malformed, {} replay request(s)\n",
                           s.messages, s.stored, s.duplicates, s.malformed, s.replays_asked);
  return 0;
}

int run_monitor_ack(const GlobalOptions& global, const MonitorCliOptions& options) {
  Station station(load_config(global));
  branch::MonitorStore store(station.db);
  const branch::Alarm alarm = store.ack(options.alarm, options.by.empty() ? login_name() : options.by, station.audit);
  std::cout << fmt::format("alarm {} acknowledged ({}/{}: {})\n", alarm.id, alarm.site, alarm.locker, alarm.what);
  return 0;
}

}  // namespace lockerctl::cli
