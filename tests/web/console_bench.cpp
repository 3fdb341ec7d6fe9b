// console-bench [ROWS] [REQUESTS]: page response times of the operator console over HTTPS with a
// large audit log (1,000,000 rows by default; every seventh attempt raised an alert, so the
// incidents page has 50 to show). Fills the log (with synchronous commits off, to fill it quickly;
// the pages only read), logs in, then times REQUESTS (50) GETs of each page on one kept-alive
// connection and prints the median and p95. Then the chain check once, which reads every row, and
// the dashboard and the incidents again while a second operator runs that check over and over:
// one slow page must not slow the others. A benchmark: it prints figures and asserts nothing.

#include <httplib.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "support/temp_dir.hpp"
#include "web/certificate.hpp"
#include "web/console.hpp"
#include "web/operators.hpp"

using namespace lockerctl;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000000;
  const int requests = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  test::TempDir dir;
  const audit::Key key{};
  const auto fill_start = Clock::now();
  {
    audit::Database db(dir / "lockerctl.db");
    db.exec("PRAGMA synchronous = OFF");
    audit::AuditLog log(db, key);
    const char* layers[] = {"trigger", "human", "owner", "password", "otp", "lock", "door"};
    db.transaction([&] {
      for (int i = 0; i < rows; ++i) {
        const std::string attempt = fmt::format("A{}", i / 7);
        if (i % 49 == 48) {  // every seventh attempt was denied and raised an alert
          log.append({0, {}, attempt, "alert", "queued", std::nullopt, std::nullopt, "", "sms to +15550001"});
        } else {
          log.append({0, {}, attempt, layers[i % 7], i % 3 ? "pass" : "deny", 0.8, 0.5, "", fmt::format("event {}", i)});
        }
      }
    });
    web::OperatorStore(db).add("ops", web::Role::Viewer, "ops long password");
  }
  fmt::print("filled {} audit rows in {:.1f} s\n", rows, std::chrono::duration<double>(Clock::now() - fill_start).count());
  web::make_self_signed(dir / "cert.pem", dir / "key.pem", {"127.0.0.1"}, 1);
  web::ConsoleOptions o;
  o.port = 0;
  o.cert = dir / "cert.pem";
  o.key = dir / "key.pem";
  web::Console console(o, dir / "lockerctl.db", key);
  console.start();
  const int port = std::stoi(console.url().substr(console.url().rfind(':') + 1));
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path((dir / "cert.pem").c_str());
  client.set_keep_alive(true);
  auto form = client.Get("/login");
  std::string token;
  for (const auto& [k, v] : form->headers) {
    if (k == "Set-Cookie" && v.rfind("lockerctl_form=", 0) == 0) token = v.substr(15, v.find(';') - 15);
  }
  auto login = client.Post("/login", {{"Cookie", "lockerctl_form=" + token}},
                           "name=ops&password=ops%20long%20password&csrf=" + token, "application/x-www-form-urlencoded");
  std::string session;
  for (const auto& [k, v] : login->headers) {
    if (k == "Set-Cookie" && v.rfind("lockerctl_session=", 0) == 0) session = v.substr(0, v.find(';'));
  }
  const httplib::Headers cookie{{"Cookie", session}};
  const auto attempt = fmt::format("A{}", rows / 14);  // one in the middle of the log
  const auto time_page = [&](httplib::SSLClient& c, const std::string& path, int status) -> std::optional<Latency> {
    int failed = 0;
    const Latency t = time_calls(requests, [&] {
      const auto r = c.Get(path, cookie);
      if (!r || r->status != status) ++failed;
    }, 1);
    if (failed) {
      fmt::print("{}: {} of {} requests failed\n", path, failed, requests);
      return std::nullopt;
    }
    return t;
  };
  for (const std::string& path : std::vector<std::string>{"/", "/incidents", "/audit", "/audit?layer=password&decision=deny",
                                                          "/audit?page=1000", "/audit?attempt=" + attempt, "/outbox"}) {
    const auto t = time_page(client, path, 200);
    if (!t) return 1;
    fmt::print("{:<40} median {:6.1f} ms  p95 {:6.1f} ms\n", path, t->median_ms, t->p95_ms);
  }
  const auto photo = time_page(client, "/incidents/photo?attempt=" + attempt, 404);  // no photo file: found by the index, then 404
  if (!photo) return 1;
  fmt::print("{:<40} median {:6.1f} ms  p95 {:6.1f} ms\n", "/incidents/photo?attempt=...", photo->median_ms, photo->p95_ms);

  // The chain check reads every row: the one page that takes long, on purpose.
  const auto verify_start = Clock::now();
  if (const auto r = client.Get("/audit/verify", cookie); !r || r->status != 200) return 1;
  fmt::print("{:<40} {:6.0f} ms (once)\n", "/audit/verify", std::chrono::duration<double, std::milli>(Clock::now() - verify_start).count());

  // The dashboard and the incidents while another operator keeps checking the chain.
  std::atomic<bool> stop{false};
  std::thread other([&] {
    httplib::SSLClient c("127.0.0.1", port);
    c.set_ca_cert_path((dir / "cert.pem").c_str());
    c.set_keep_alive(true);
    c.set_read_timeout(60);
    while (!stop) c.Get("/audit/verify", cookie);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const char* path : {"/", "/incidents"}) {
    const auto busy = time_page(client, path, 200);
    if (!busy) return 1;
    fmt::print("{:<40} median {:6.1f} ms  p95 {:6.1f} ms\n", fmt::format("{} while /audit/verify runs", path), busy->median_ms,
               busy->p95_ms);
  }
  stop = true;
  other.join();
  return 0;
}
