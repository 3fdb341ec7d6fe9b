// A benchmark, not a test: how fast one `lockerctl monitor` ingests the events of many stations
// through Debian's mosquitto, its memory, and the delay from an alarm at a station to the
// monitor's store. Stations are Publishers in this process, each with its own database; the
// monitor is the real command in a child process.
//   branch-bench LOCKERCTL [STATIONS=50] [EVENTS_PER_STATION=400] [MAX_QUEUED=0]
// Then a backlog: the monitor stopped (SIGSTOP) while every station publishes as many events again,
// then let go, timed until all of them are stored.
// MAX_QUEUED is the broker's max_queued_messages (0: no limit; mosquitto's default is 1000, and
// past it the broker drops messages for a slow subscriber, which the monitor then asks again).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "audit/audit_log.hpp"
#include "branch/publisher.hpp"
#include "support/mosquitto.hpp"
#include "support/temp_dir.hpp"

using namespace lockerctl;
using Clock = std::chrono::steady_clock;

namespace {

struct Station {
  explicit Station(int n) : name(std::to_string(n)) {}
  std::string name;
  test::TempDir dir;
  audit::Database db{dir / "station.db"};
  audit::Key key{};
  audit::AuditLog log{db, key};
  std::unique_ptr<branch::Publisher> publisher;
};

std::int64_t count(const std::filesystem::path& db_file, const std::string& sql) {
  audit::Database db(db_file, audit::Database::Check::Skip);  // a full check every 50 ms would load the machine
  std::int64_t n = 0;
  db.query(sql, {}, [&](const audit::Statement& s) { n = s.integer(0); });
  return n;
}

std::string status_field(pid_t pid, const std::string& field) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", field.size() + 1));
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: branch-bench LOCKERCTL [STATIONS] [EVENTS_PER_STATION] [MAX_QUEUED]\n";
    return 64;
  }
  const std::string lockerctl = argv[1];
  const int stations = argc > 2 ? std::stoi(argv[2]) : 50;
  const int per_station = argc > 3 ? std::stoi(argv[3]) : 400;
  const int max_queued = argc > 4 ? std::stoi(argv[4]) : 0;

  test::Mosquitto broker({"", "", false, max_queued});
  test::TempDir hq;
  hq.write("config.yaml", fmt::format("paths:\n  var_dir: {}\nmqtt:\n  broker: {}\n", (hq / "var").string(), broker.url()));
  const pid_t monitor = fork();
  if (monitor == 0) {
    std::freopen("/dev/null", "w", stdout);
    execl(lockerctl.c_str(), "lockerctl", "-q", "-c", (hq / "config.yaml").c_str(), "monitor", "--client-id", "bench",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto monitor_db = hq / "var" / "lockerctl.db";
  std::this_thread::sleep_for(std::chrono::seconds(1));

  std::vector<std::unique_ptr<Station>> all;
  for (int i = 0; i < stations; ++i) {
    auto s = std::make_unique<Station>(i);
    s->db.exec("PRAGMA synchronous=OFF");  // filling quickly; each append still commits on its own
    for (int k = 0; k < per_station; ++k) {
      s->log.append({0, {}, fmt::format("A{}", k / 8), k % 2 ? "password" : "human", k % 2 ? "deny" : "pass", 0.9, 0.5, "", ""});
    }
    s->db.exec("PRAGMA synchronous=FULL");
    branch::PublisherOptions o;
    o.site = "bench";
    o.locker = s->name;
    o.broker = branch::parse_broker(broker.url());
    o.discovery = false;
    s->publisher = std::make_unique<branch::Publisher>(o, s->db.file(), s->key);
    all.push_back(std::move(s));
  }
  const std::int64_t total = static_cast<std::int64_t>(stations) * per_station;
  const auto t0 = Clock::now();
  for (auto& s : all) s->publisher->start();
  std::int64_t stored = 0;
  while ((stored = count(monitor_db, "SELECT COUNT(*) FROM monitor_events")) < total) {
    if (Clock::now() - t0 > std::chrono::minutes(5)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << fmt::format("{} stations x {} events, broker max_queued_messages {}: the monitor stored {} of {} in {:.2f} s: "
                           "{:.0f} events/s\n",
                           stations, per_station, max_queued, stored, total, seconds, stored / seconds);
  std::cout << fmt::format("monitor memory: peak resident {}, now {}\n", status_field(monitor, "VmHWM"), status_field(monitor, "VmRSS"));

  // Alarm to monitor: a forced door at one station, until the monitor's store has the alarm.
  std::vector<double> delays;
  for (int k = 0; k < 30; ++k) {
    auto& s = *all[static_cast<std::size_t>(k % stations)];
    const std::int64_t before = count(monitor_db, "SELECT COUNT(*) FROM monitor_alarms");
    const auto t = Clock::now();
    s.log.append({0, {}, "-", "door", "forced", std::nullopt, std::nullopt, "", "bench"});
    while (count(monitor_db, "SELECT COUNT(*) FROM monitor_alarms") == before) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    delays.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::sort(delays.begin(), delays.end());
  std::cout << fmt::format("alarm to monitor store: median {:.0f} ms, p95 {:.0f} ms, max {:.0f} ms ({} alarms)\n",
                           delays[delays.size() / 2], delays[delays.size() * 95 / 100], delays.back(), delays.size());

  // A backlog: the monitor stopped while every station publishes EVENTS more (the broker queues
  // them for its persistent session), then let go: how fast it stores what waited for it.
  kill(monitor, SIGSTOP);
  const std::int64_t before = count(monitor_db, "SELECT COUNT(*) FROM monitor_events");
  for (auto& s : all) {
    for (int k = 0; k < per_station; ++k) s->log.append({0, {}, "-", "door", k % 2 ? "closed" : "opened", std::nullopt, std::nullopt, "", ""});
  }
  const auto at_broker = [&] {
    for (auto& s : all) {
      if (s->publisher->stats().acknowledged < s->log.count({})) return false;
    }
    return true;
  };
  const auto queued_since = Clock::now();
  while (!at_broker() && Clock::now() - queued_since < std::chrono::minutes(5)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto t1 = Clock::now();
  kill(monitor, SIGCONT);
  const std::int64_t backlog = static_cast<std::int64_t>(stations) * per_station;
  std::int64_t drained = 0;
  while ((drained = count(monitor_db, "SELECT COUNT(*) FROM monitor_events") - before) < backlog) {
    if (Clock::now() - t1 > std::chrono::minutes(5)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double drain_s = std::chrono::duration<double>(Clock::now() - t1).count();
  std::cout << fmt::format("a backlog of {} events waiting at the broker: the monitor stored {} in {:.2f} s: {:.0f} events/s\n",
                           backlog, drained, drain_s, drained / drain_s);

  for (auto& s : all) s->publisher->stop();
  kill(monitor, SIGTERM);
  waitpid(monitor, nullptr, 0);
  return stored == total && drained == backlog ? 0 : 1;
}
