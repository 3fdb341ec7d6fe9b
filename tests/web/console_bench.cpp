// console-bench [ROWS] [REQUESTS]: page response times of the operator console over HTTPS with a
// large audit log (100,000 rows by default). Fills the log (with synchronous commits off, to fill
// it quickly; the pages only read), logs in, then times REQUESTS (50) GETs of each page on one
// kept-alive connection and prints the median and p95. A benchmark: it prints figures and asserts
// nothing.

#include <httplib.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "core/clock.hpp"
#include "support/temp_dir.hpp"
#include "web/certificate.hpp"
#include "web/console.hpp"
#include "web/operators.hpp"

using namespace lockerctl;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100000;
  const int requests = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  test::TempDir dir;
  const audit::Key key{};
  const auto fill_start = Clock::now();
  {
    audit::Database db(dir / "lockerctl.db");
    db.exec("PRAGMA synchronous = OFF");
    audit::AuditLog log(db, key);
    const char* layers[] = {"trigger", "human", "owner", "password", "otp", "lock", "door"};
    for (int i = 0; i < rows; ++i) {
      log.append({0, {}, fmt::format("A{}", i / 7), layers[i % 7], i % 3 ? "pass" : "deny", 0.8, 0.5, "", fmt::format("event {}", i)});
    }
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
  for (const char* path : {"/", "/audit", "/audit?layer=password&decision=deny", "/audit?page=1000", "/outbox"}) {
    int failed = 0;
    const Latency t = time_calls(requests, [&] {
      const auto r = client.Get(path, cookie);
      if (!r || r->status != 200) ++failed;
    }, 0);
    if (failed) {
      fmt::print("{}: {} of {} requests failed\n", path, failed, requests);
      return 1;
    }
    fmt::print("{:<40} median {:6.1f} ms  p95 {:6.1f} ms\n", path, t.median_ms, t.p95_ms);
  }
  return 0;
}
