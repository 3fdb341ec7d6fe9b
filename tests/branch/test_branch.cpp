// Branch monitoring: what a station publishes, the monitor's store, and both against Debian's
// mosquitto started here: every event arrives once across a SIGKILL of the broker, a wrong login
// is one line and retried, TLS with the broker's CA.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <cctype>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "branch/events.hpp"
#include "branch/monitor.hpp"
#include "branch/publisher.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "support/mosquitto.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::branch {
namespace {

using namespace std::chrono_literals;
using test::Mosquitto;
using test::TempDir;

audit::Event event(std::string attempt, std::string layer, std::string decision, std::string detail = {}) {
  return {0, {}, std::move(attempt), std::move(layer), std::move(decision), std::nullopt, std::nullopt, {}, std::move(detail)};
}

/// Waits for `done`, at most `limit`.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 20s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

TEST(Events, AttemptsDoorsLocksDevicesAndAlarmsArePublishedAdministrationIsNot) {
  EXPECT_EQ(kind_of(event("A1", "owner", "pass")), "attempt");
  EXPECT_EQ(kind_of(event("A1", "password", "deny")), "attempt");
  EXPECT_EQ(kind_of(event("-", "door", "opened")), "door");
  EXPECT_EQ(kind_of(event("-", "door", "forced")), "alarm");
  EXPECT_EQ(kind_of(event("A1", "lockout", "start")), "alarm");
  EXPECT_EQ(kind_of(event("-", "board", "tamper")), "alarm");
  EXPECT_EQ(kind_of(event("I1", "motion", "alarm")), "alarm");
  EXPECT_FALSE(kind_of(event("-", "motion", "detected"))) << "motion in opening hours stays at the branch";
  EXPECT_EQ(kind_of(event("I1", "sensor", "alarm")), "alarm");
  EXPECT_FALSE(kind_of(event("-", "sensor", "active"))) << "a sensor no rule answers stays at the branch";
  EXPECT_FALSE(kind_of(event("I1", "actuator", "on")));
  EXPECT_EQ(kind_of(event("-", "lock", "released")), "lock");
  EXPECT_EQ(kind_of(event("-", "board", "offline")), "device");
  EXPECT_EQ(kind_of(event("-", "camera", "lost")), "device");
  EXPECT_FALSE(kind_of(event("-", "owner", "added", "alice")));
  EXPECT_FALSE(kind_of(event("-", "owner", "password set", "alice")));
  EXPECT_FALSE(kind_of(event("-", "operator", "added")));
  EXPECT_FALSE(kind_of(event("A1", "alert", "queued")));

  auto e = event("-", "camera", "lost");
  e.id = 9;
  const auto j = event_message(e, 4);
  EXPECT_EQ(j["id"], 9);
  EXPECT_EQ(j["prev"], 4);
  EXPECT_EQ(j["device"], "camera");
  EXPECT_EQ(j["online"], false);
}

TEST(Events, TheStateFollowsDoorLockBoardAndAlarms) {
  StationState s;
  const auto apply = [&](std::int64_t id, audit::Event e) {
    e.id = id;
    e.time = "2026-11-24T10:00:00Z";
    s.apply(e, 0);
  };
  apply(1, event("-", "board", "online"));
  apply(2, event("-", "lock", "released"));
  apply(3, event("-", "door", "opened"));
  EXPECT_EQ(s.board, "online");
  EXPECT_EQ(s.lock, "released");
  EXPECT_EQ(s.door, "open");
  EXPECT_FALSE(s.alarm);
  apply(4, event("-", "door", "closed"));
  apply(5, event("-", "lock", "locked"));
  apply(6, event("-", "door", "forced"));
  EXPECT_TRUE(s.alarm);
  EXPECT_EQ(s.alarm_what, "door forced");
  EXPECT_EQ(s.last, 6);
  apply(7, event("-", "owner", "added"));  // not published: changes nothing
  EXPECT_EQ(s.last, 6);
  apply(8, event("-", "door", "closed"));
  EXPECT_FALSE(s.alarm);
  auto tamper = event("-", "board", "tamper");  // no time: raised now (0)
  tamper.id = 9;
  s.apply(tamper, 0);
  s.expire(240, 300);
  EXPECT_TRUE(s.alarm) << "held for alarm_hold_s";
  s.expire(360, 300);
  EXPECT_FALSE(s.alarm);
  apply(10, event("I2", "sensor", "alarm", "smoke (input 2); then siren light alert"));
  EXPECT_EQ(s.alarm_what, "sensor smoke (input 2)");
}

TEST(Events, HomeAssistantSeesSensorsAndNoCommandTopic) {
  const auto messages = discovery_messages("homeassistant", "north", "7");
  ASSERT_EQ(messages.size(), 4u);
  std::set<std::string> classes;
  for (const auto& m : messages) {
    EXPECT_EQ(m.topic.rfind("homeassistant/binary_sensor/lockerctl_north_7/", 0), 0u) << m.topic;
    const auto j = nlohmann::json::parse(m.payload);
    for (const auto& [key, value] : j.items()) EXPECT_EQ(key.find("command"), std::string::npos) << m.topic << ": " << key;
    EXPECT_EQ(j["device"]["identifiers"][0], "lockerctl_north_7");
    classes.insert(j["device_class"].get<std::string>());
  }
  EXPECT_EQ(classes, (std::set<std::string>{"lock", "door", "safety", "connectivity"}));
}

bool only_of(const std::string& text, const std::string& extra) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string::npos;
  });
}

TEST(Events, ADottedSiteGetsDiscoveryIdsHomeAssistantAcceptsAndKeepsItsStateTopic) {
  std::set<std::string> ids;
  for (const auto& [site, locker] : std::vector<std::pair<std::string, std::string>>{
           {"st.albans", "3"}, {"st_albans", "3"}, {"st-albans", "3"}, {"st", "albans.3"}, {"st.albans", "3.0"}}) {
    for (const auto& m : discovery_messages("homeassistant", site, locker)) {
      // homeassistant/binary_sensor/<node_id>/<object_id>/config
      const auto node = m.topic.substr(28, m.topic.find('/', 28) - 28);
      const auto object = m.topic.substr(29 + node.size(), m.topic.rfind('/') - 29 - node.size());
      EXPECT_TRUE(only_of(node, "_-")) << m.topic;
      EXPECT_TRUE(only_of(object, "_-")) << m.topic;
      const auto j = nlohmann::json::parse(m.payload);
      EXPECT_TRUE(only_of(j["unique_id"].get<std::string>(), "_-")) << j["unique_id"];
      const auto entity = j["default_entity_id"].get<std::string>();
      EXPECT_EQ(entity.rfind("binary_sensor.", 0), 0u) << entity;
      EXPECT_TRUE(only_of(entity.substr(14), "_") && entity == [&] {
        std::string lower = entity;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        return lower;
      }()) << entity;
      EXPECT_TRUE(ids.insert(j["unique_id"].get<std::string>()).second) << "two stations share " << j["unique_id"];
      EXPECT_EQ(j["state_topic"].get<std::string>().rfind("lockerctl/" + site + "/" + locker + "/", 0), 0u) << j["state_topic"];
    }
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(discovery_id("north", "7"), "lockerctl_north_7") << "undotted names keep the ids Home Assistant already knows";
  EXPECT_EQ(discovery_id("st.albans", "3"), "lockerctl-st_dalbans-3");
}

std::string event_payload(std::int64_t id, std::int64_t prev, const std::string& layer = "door",
                          const std::string& decision = "opened") {
  return nlohmann::json{{"id", id}, {"prev", prev}, {"time", "2026-11-24T10:00:00Z"}, {"attempt", "-"}, {"layer", layer},
                        {"decision", decision}, {"detail", ""}}
      .dump();
}

TEST(MonitorStore, StoresEachEventOnceFollowsTheChainAndNamesTheGap) {
  TempDir dir;
  audit::Database db(dir / "m.db");
  MonitorStore store(db);
  std::vector<Ingested> r;
  auto gaps = store.ingest({{"lockerctl/north/7/door", event_payload(10, 4)},
                            {"lockerctl/north/7/door", event_payload(11, 10, "door", "closed")},
                            {"lockerctl/north/7/door", event_payload(11, 10, "door", "closed")},
                            {"lockerctl/north/7/alarm", event_payload(14, 12, "door", "forced")}},
                           &r);
  EXPECT_EQ(r, (std::vector<Ingested>{Ingested::Stored, Ingested::Stored, Ingested::Duplicate, Ingested::Stored}));
  ASSERT_EQ(gaps.size(), 1u) << "events 1 to 4 are missing";
  EXPECT_EQ(gaps[0].from, 1);
  EXPECT_EQ(store.events("north", "7"), 3);
  auto l = store.lockers();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].through, 0) << "nothing from the station's first event on";
  gaps = store.ingest({{"lockerctl/north/7/lock", event_payload(4, 0, "lock", "locked")}});
  ASSERT_EQ(gaps.size(), 1u) << "12 is missing";
  EXPECT_EQ(gaps[0].from, 12);
  l = store.lockers();
  EXPECT_EQ(l[0].through, 11) << "4 was the first: 4, 10, 11 follow";
  EXPECT_EQ(l[0].newest, 14);
  EXPECT_EQ(l[0].last_event, "door forced");
  EXPECT_EQ(l[0].open_alarms, 1);

  gaps = store.ingest({{"lockerctl/north/7/heartbeat", R"({"time":"x","last":14})"}});
  ASSERT_EQ(gaps.size(), 1u) << "the heartbeat shows the gap too";
  gaps = store.ingest({{"lockerctl/north/7/attempt", event_payload(12, 11, "trigger", "start")}});
  EXPECT_TRUE(gaps.empty()) << "12 arrived: through 12, then 14 follows 12";
  EXPECT_EQ(store.lockers()[0].through, 14);
  gaps = store.ingest({{"lockerctl/north/7/heartbeat", R"({"time":"x","last":15})"}});
  ASSERT_EQ(gaps.size(), 1u) << "an event lost at the end shows at the next heartbeat";
  EXPECT_EQ(gaps[0].from, 15);

  store.ingest({{"lockerctl/north/7/state",
                 R"({"step":"password","door":"closed","lock":"locked","board":"online","camera":"online","alarm":true,"last":14})"},
                {"lockerctl/north/7/device", R"({"device":"station","online":false})"}});
  l = store.lockers();
  EXPECT_EQ(l[0].step, "password");
  EXPECT_TRUE(l[0].alarm);
  EXPECT_FALSE(l[0].online);

  const auto alarms = store.alarms(true);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].what, "door forced");
  audit::AuditLog log(db, audit::Key{});
  EXPECT_EQ(store.ack(alarms[0].id, "ops", log).what, "door forced");
  EXPECT_THROW(store.ack(alarms[0].id, "ops", log), DataError) << "once";
  EXPECT_THROW(store.ack(999, "ops", log), DataError);
  EXPECT_TRUE(store.alarms(true).empty());
  EXPECT_EQ(store.alarms(false)[0].acked_by, "ops");
  ASSERT_EQ(log.list().size(), 1u);
  EXPECT_EQ(log.list()[0].decision, "alarm acknowledged");
  EXPECT_NE(log.list()[0].detail.find("north/7: door forced"), std::string::npos) << log.list()[0].detail;
}

TEST(MonitorStore, MalformedMessagesAreCountedAndSkipped) {
  TempDir dir;
  audit::Database db(dir / "m.db");
  MonitorStore store(db);
  const std::vector<Message> bad = {
      {"lockerctl/north/7", event_payload(1, 0)},
      {"lockerctl/north/7/door/extra", event_payload(1, 0)},
      {"other/north/7/door", event_payload(1, 0)},
      {"lockerctl/no rth/7/door", event_payload(1, 0)},
      {"lockerctl/north/7/door", "not json"},
      {"lockerctl/north/7/door", "[1, 2]"},
      {"lockerctl/north/7/door", R"({"id":"1","prev":0,"time":"t","layer":"door","decision":"opened"})"},
      {"lockerctl/north/7/door", event_payload(3, 3)},
      {"lockerctl/north/7/door", R"({"id":5,"prev":1,"time":"t","layer":"door"})"},
      {"lockerctl/north/7/sprinkler", event_payload(1, 0)},
      {"lockerctl/north/7/state", R"({"door":"open"})"},
      {"lockerctl/north/7/heartbeat", R"({"last":-1})"},
      {"lockerctl/north/7/device", R"({"device":"station","online":"yes"})"},
      {"lockerctl/north/7/door", std::string(100000, '{')},
  };
  std::vector<Ingested> r;
  std::vector<std::string> reasons;
  store.ingest(bad, &r, &reasons);
  for (std::size_t i = 0; i < bad.size(); ++i) EXPECT_EQ(r[i], Ingested::Malformed) << bad[i].topic << " " << bad[i].payload.substr(0, 80);
  EXPECT_EQ(reasons.size(), bad.size());
  EXPECT_EQ(store.malformed(), static_cast<std::int64_t>(bad.size()));
  EXPECT_TRUE(store.lockers().empty());
  r.clear();
  store.ingest({{"lockerctl/north/7/door", event_payload(1, 0)}, {"lockerctl/north/7/replay", R"({"from":1})"}}, &r);
  EXPECT_EQ(r, (std::vector<Ingested>{Ingested::Stored, Ingested::Ignored})) << "good messages still go in";
}

/// A station: its database with an audit log, and a publisher.
struct Station {
  Station(const std::string& name, const Broker& broker, Login login = {}) {
    o.site = "north";
    o.locker = name;
    o.broker = broker;
    o.login = std::move(login);
    o.heartbeat_s = 0.2;
    o.retry_s = 0.05;
    o.max_retry_s = 0.3;
  }
  void append(int n) {
    for (int i = 0; i < n; ++i) {
      log.append(event("-", i % 2 ? "door" : "lock", i % 2 ? "opened" : "locked"));
      log.append(event("-", "owner", "phone set", "alice"));  // administration: not published
    }
  }
  TempDir dir;
  audit::Database db{dir / "station.db"};
  audit::Key key{};
  audit::AuditLog log{db, key};
  PublisherOptions o;
};

/// A monitor on its own thread and database.
struct MonitorThread {
  MonitorThread(const Broker& broker, Login login = {}) {
    MonitorOptions o;
    o.broker = broker;
    o.login = std::move(login);
    o.retry_s = 0.05;
    o.max_retry_s = 0.3;
    o.replay_every_s = 0.5;
    monitor = std::make_unique<Monitor>(o, store);
    thread = std::thread([this] { monitor->run(stop); });
  }
  ~MonitorThread() {
    stop = true;
    thread.join();
  }
  TempDir dir;
  audit::Database db{dir / "monitor.db"};
  MonitorStore store{db};
  std::atomic<bool> stop{false};
  std::unique_ptr<Monitor> monitor;
  std::thread thread;
};

TEST(Branch, EveryEventReachesTheMonitorOnceAcrossABrokerKill) {
  Mosquitto broker;
  const Broker address = parse_broker(broker.url());
  MonitorThread monitor(address);
  Station a("7", address), b("8", address);
  Publisher pa(a.o, a.db.file(), a.key), pb(b.o, b.db.file(), b.key);
  pa.start();
  pb.start();
  a.append(40);
  b.append(40);
  ASSERT_TRUE(eventually([&] { return monitor.store.events("north", "7") == 40 && monitor.store.events("north", "8") == 40; }))
      << monitor.store.events("north", "7") << " " << monitor.store.events("north", "8");

  // Killed in the middle of a burst: some events reach the broker and die with it.
  std::thread burst([&] { a.append(200); });
  std::this_thread::sleep_for(30ms);
  broker.kill();
  burst.join();
  b.append(30);  // while the broker is down
  std::this_thread::sleep_for(500ms);
  broker.start();
  a.append(10);
  b.append(10);
  const auto complete = [&](const char* locker, std::int64_t n) {
    for (const auto& l : monitor.store.lockers()) {
      if (l.locker == locker) return monitor.store.events("north", locker) == n && l.through == l.newest;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return complete("7", 250) && complete("8", 80); }, 30s))
      << "7: " << monitor.store.events("north", "7") << " of 250, 8: " << monitor.store.events("north", "8") << " of 80\n"
      << broker.log();
  EXPECT_TRUE(eventually([&] { return pa.stats().acknowledged == a.log.count({}) - 1; })) << "the cursor reached the last published event";
  EXPECT_TRUE(eventually([&] { return monitor.monitor->stats().stored == 330; }, 2s));
  const auto s = monitor.monitor->stats();
  EXPECT_EQ(s.stored, 330) << "each event stored once; duplicates " << s.duplicates << ", replays asked " << s.replays_asked;
  EXPECT_EQ(s.malformed, 0);
  for (const auto& l : monitor.store.lockers()) EXPECT_TRUE(l.online) << l.locker;
}

TEST(Branch, EventsRaisedBeforeThePublisherStartsGoOutInOrder) {
  Mosquitto broker;
  const Broker address = parse_broker(broker.url());
  Station a("7", address);
  a.append(25);  // the station ran without a broker, or was killed before sending these
  MonitorThread monitor(address);
  {
    Publisher p(a.o, a.db.file(), a.key);
    p.start();
    ASSERT_TRUE(eventually([&] { return monitor.store.events("north", "7") == 25; }));
  }
  a.append(5);
  Publisher again(a.o, a.db.file(), a.key);  // the cursor survived: only the new ones go out
  again.start();
  ASSERT_TRUE(eventually([&] { return monitor.store.events("north", "7") == 30; }));
  std::this_thread::sleep_for(300ms);
  again.stop();
  EXPECT_EQ(again.stats().published, 5);
  EXPECT_EQ(monitor.monitor->stats().duplicates, 0);
  EXPECT_TRUE(eventually([&] { return !monitor.store.lockers().at(0).online; })) << "stopping says offline";
}

/// A plain subscriber to one station's topics, on its own thread: the ids of the events it got.
struct Listener {
  explicit Listener(const Broker& broker) {
    ClientOptions c;
    c.client_id = "listener";
    c.broker = broker;
    client = std::make_unique<MqttClient>(
        c, MqttClient::Handlers{[this] { client->subscribe("lockerctl/north/7/+"); }, {}, {},
                                [this](const std::string&, const std::string& payload) {
                                  const auto j = nlohmann::json::parse(payload, nullptr, false);
                                  if (!j.is_object() || !j.contains("id") || !j.contains("prev")) return;
                                  std::lock_guard lock(mutex);
                                  ids.push_back(j["id"].get<std::int64_t>());
                                }});
    thread = std::thread([this] {
      while (!stop) client->step(20ms);
    });
  }
  ~Listener() {
    stop = true;
    thread.join();
  }
  std::set<std::int64_t> got() {
    std::lock_guard lock(mutex);
    return {ids.begin(), ids.end()};
  }
  void clear() {
    std::lock_guard lock(mutex);
    ids.clear();
  }
  std::unique_ptr<MqttClient> client;
  std::mutex mutex;
  std::vector<std::int64_t> ids;
  std::atomic<bool> stop{false};
  std::thread thread;
};

TEST(Branch, TwoMonitorsAskingForReplaysAtOnceAreBothServed) {
  Mosquitto broker;
  const Broker address = parse_broker(broker.url());
  Listener listener(address);
  Station a("7", address);
  a.append(5);  // events 1, 3, 5, 7, 9 are published (the others are administration)
  Publisher p(a.o, a.db.file(), a.key);
  p.start();
  const std::set<std::int64_t> all{1, 3, 5, 7, 9};
  ASSERT_TRUE(eventually([&] { return listener.got() == all; })) << listener.got().size();
  ASSERT_TRUE(eventually([&] { return p.stats().acknowledged == 9; }));
  listener.clear();
  // Monitor A misses the events from #5, monitor B from #1; B asks right after A.
  ClientOptions c;
  c.client_id = "two-monitors";
  c.broker = address;
  MqttClient asking(c, {});
  ASSERT_TRUE(eventually([&] {
    asking.step(20ms);
    return asking.connected();
  }));
  asking.publish({"lockerctl/north/7/replay", R"({"from":5})", false});
  asking.publish({"lockerctl/north/7/replay", R"({"from":1})", false});
  for (int i = 0; i < 10; ++i) asking.step(20ms);
  EXPECT_TRUE(eventually([&] { return listener.got() == all; }, 10s))
      << "B's request from #1 was served too; got " << listener.got().size() << " of 5";
  EXPECT_LE(p.stats().replays, 2);
}

TEST(Branch, ABrokerOutageIsOneLineAndItsEndAnother) {
  Mosquitto broker;
  const Broker address = parse_broker(broker.url());
  Station a("7", address);
  Publisher p(a.o, a.db.file(), a.key);
  p.start();
  ASSERT_TRUE(eventually([&] { return p.stats().connected; }));
  std::ostringstream lines;
  log::configure(log::Level::Info, log::Format::Text, &lines);
  broker.kill();
  std::this_thread::sleep_for(1500ms);  // several failed attempts to connect again (every 0.05 s, up to 0.3 s)
  broker.start();
  const bool back = eventually([&] { return p.stats().connected; }, 10s);
  log::configure(log::Level::Info, log::Format::Text, nullptr);
  ASSERT_TRUE(back);
  const std::string text = lines.str();
  std::size_t said = 0;
  for (std::size_t at = text.find("mqtt: broker"); at != std::string::npos; at = text.find("mqtt: broker", at + 1)) ++said;
  EXPECT_EQ(said, 2u) << "one line for the outage, one for its end:\n" << text;
  EXPECT_NE(text.find("connection lost; trying again"), std::string::npos) << text;
  EXPECT_NE(text.find("reachable again after"), std::string::npos) << text;
}

TEST(Branch, AWrongPasswordIsOneLineAndRetriedTheRightOneConnects) {
  Mosquitto broker({"station", "right password", false});
  const Broker address = parse_broker(broker.url());
  std::ostringstream lines;
  log::configure(log::Level::Info, log::Format::Text, &lines);
  Station a("7", address, {"station", Secret("wrong password"), ""});
  {
    Publisher p(a.o, a.db.file(), a.key);
    p.start();
    std::this_thread::sleep_for(1500ms);
    EXPECT_FALSE(p.stats().connected);
  }
  log::configure(log::Level::Info, log::Format::Text, nullptr);
  const std::string text = lines.str();
  std::size_t refused = 0;
  for (std::size_t at = text.find("login refused"); at != std::string::npos; at = text.find("login refused", at + 1)) ++refused;
  EXPECT_EQ(refused, 1u) << text;
  EXPECT_EQ(text.find("wrong password"), std::string::npos) << "the password never appears";

  Station b("8", address, {"station", Secret("right password"), ""});
  Publisher p(b.o, b.db.file(), b.key);
  p.start();
  EXPECT_TRUE(eventually([&] { return p.stats().connected; }, 5s));
}

TEST(Branch, TlsToTheBrokerWithItsCaAndNotWithoutIt) {
  Mosquitto broker({"", "", true});
  const Broker address = parse_broker(broker.tls_url());
  MonitorThread monitor(address, {"", Secret(), broker.ca_file().string()});
  Station a("7", address, {"", Secret(), broker.ca_file().string()});
  Publisher p(a.o, a.db.file(), a.key);
  p.start();
  a.append(3);
  EXPECT_TRUE(eventually([&] { return monitor.store.events("north", "7") == 3; }, 10s)) << broker.log();

  std::ostringstream lines;
  log::configure(log::Level::Info, log::Format::Text, &lines);
  Station b("8", address);  // the system's CAs do not know this broker's certificate
  {
    Publisher untrusting(b.o, b.db.file(), b.key);
    untrusting.start();
    std::this_thread::sleep_for(1s);
    EXPECT_FALSE(untrusting.stats().connected);
  }
  log::configure(log::Level::Info, log::Format::Text, nullptr);
  const std::string text = lines.str();
  const auto first = text.find("TLS failed");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("TLS failed", first + 1), std::string::npos) << "said once: " << text;
}

TEST(Broker, AddressesAreCheckedAndPlainMqttStaysOnThisMachine) {
  EXPECT_EQ(parse_broker("mqtts://broker.bank.example").port, 8883);
  EXPECT_EQ(parse_broker("mqtt://127.0.0.1:1884").port, 1884);
  EXPECT_EQ(parse_broker("mqtts://[::1]:9000").host, "::1");
  for (const char* bad : {"http://x", "mqtt://broker.bank.example", "mqtts://:8883", "mqtts://x:0", "mqtts://x:70000",
                          "mqtts://x:12ab", "mqtts://user@x"}) {
    EXPECT_THROW(parse_broker(bad), ConfigError) << bad;
  }
}

}  // namespace
}  // namespace lockerctl::branch
