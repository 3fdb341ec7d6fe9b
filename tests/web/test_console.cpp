// The operator console over real HTTPS on 127.0.0.1: a self-signed certificate made here and
// trusted by the client, operators with Argon2id passwords, logins, sessions, CSRF, headers,
// escaping, the audit pages, and each bad request's status code.

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/version.hpp"
#include "notify/outbox.hpp"
#include "support/temp_dir.hpp"
#include "web/certificate.hpp"
#include "web/console.hpp"
#include "web/kiosks.hpp"
#include "access/flow.hpp"
#include "access/lockers.hpp"
#include "access/owners.hpp"
#include "branch/events.hpp"
#include "branch/monitor.hpp"
#include "web/operators.hpp"

namespace lockerctl::web {
namespace {

using namespace std::chrono_literals;

TEST(Operators, PasswordsAreHashedAndFiveFailuresLockUntilANewPassword) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  OperatorStore ops(db);
  ops.add("alice", Role::Admin, "correct horse battery");
  std::string stored;
  db.query("SELECT password_hash FROM operators WHERE name = 'alice'", {}, [&](const audit::Statement& s) { stored = s.text(0); });
  EXPECT_EQ(stored.rfind("$argon2id$", 0), 0u) << stored;
  EXPECT_EQ(stored.find("correct horse"), std::string::npos);
  EXPECT_EQ(ops.authenticate("alice", "correct horse battery", 1000), Login::Ok);
  EXPECT_EQ(ops.authenticate("nobody", "correct horse battery", 1000), Login::Refused);
  for (int i = 1; i < OperatorStore::kMaxFailures; ++i) EXPECT_EQ(ops.authenticate("alice", "wrong", 1000), Login::Refused) << i;
  EXPECT_EQ(ops.authenticate("alice", "wrong", 1000), Login::Locked);
  EXPECT_EQ(ops.authenticate("alice", "correct horse battery", 1001), Login::Locked) << "the right password while locked";
  EXPECT_EQ(ops.authenticate("alice", "correct horse battery", 1000 + OperatorStore::kLockout + 1), Login::Ok);
  ops.set_password("alice", "another long password");
  EXPECT_EQ(ops.authenticate("alice", "another long password", 1000), Login::Ok);
  EXPECT_THROW(ops.add("alice", Role::Viewer, "long enough password"), DataError);
  EXPECT_THROW(ops.add("bob", Role::Viewer, "short"), DataError);
  EXPECT_THROW(ops.add("../bob", Role::Viewer, "long enough password"), DataError);
  ops.remove("alice");
  EXPECT_FALSE(ops.find("alice"));
  EXPECT_THROW(ops.remove("alice"), DataError);
}

/// A console on a free port with alice (admin) and vic (viewer), and a client that trusts its
/// self-signed certificate.
struct Rig {
  test::TempDir dir;
  std::filesystem::path cert = dir / "web/cert.pem", key = dir / "web/key.pem";
  audit::Key audit_key{};
  std::unique_ptr<Console> console;
  std::unique_ptr<httplib::SSLClient> client;
  int port = 0;

  explicit Rig(double idle_s = 60, int max_streams = 4, FaceEnroller enroller = {}) {
    make_self_signed(cert, key, {"127.0.0.1"}, 2);
    {
      audit::Database db(dir / "lockerctl.db");
      audit::AuditLog log(db, audit_key);
      log.append({0, {}, "A1", "password", "deny", std::nullopt, std::nullopt, "", "wrong password <script>alert(1)</script>"});
      for (int i = 0; i < 120; ++i) log.append({0, {}, "A2", "human", "pass", 0.9, 0.5, "", "frame " + std::to_string(i)});
      OperatorStore ops(db);
      ops.add("alice", Role::Admin, "alice's long password");
      ops.add("vic", Role::Viewer, "vic's long password");
    }
    ConsoleOptions o;
    o.port = 0;
    o.cert = cert;
    o.key = key;
    o.session_idle_s = idle_s;
    o.incidents_dir = dir / "var/incidents";
    o.max_streams = max_streams;
    o.models = {{"layer 1: human check", dir / "models/human.h5"}, {"liveness", dir / "models/gone.onnx"}};
    dir.write("models/human.h5", "weights");
    console = std::make_unique<Console>(o, dir / "lockerctl.db", audit_key, nullptr, std::move(enroller));
    console->start();
    port = std::stoi(console->url().substr(console->url().rfind(':') + 1));
    client = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
    client->set_ca_cert_path(cert.c_str());
    client->enable_server_certificate_verification(true);
  }

  static std::string cookie_of(const httplib::Result& r, const std::string& name) {
    for (const auto& [k, v] : r->headers) {
      if (k == "Set-Cookie" && v.rfind(name + "=", 0) == 0) return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    }
    return {};
  }
  static std::string field(const std::string& html, const std::string& name) {
    const std::string marker = "name=\"" + name + "\" value=\"";
    const auto at = html.find(marker);
    return at == std::string::npos ? "" : html.substr(at + marker.size(), html.find('"', at + marker.size()) - at - marker.size());
  }
  /// POST /login as `name`; the response.
  httplib::Result login(const std::string& name, const std::string& password) {
    auto form = client->Get("/login");
    const std::string token = cookie_of(form, "lockerctl_form");
    return client->Post("/login", {{"Cookie", "lockerctl_form=" + token}},
                        "name=" + name + "&password=" + httplib::detail::encode_query_param(password) + "&csrf=" + field(form->body, "csrf"),
                        "application/x-www-form-urlencoded");
  }
  /// Every audit row as "layer decision detail", one a line.
  std::string audit_text() {
    audit::Database db(dir / "lockerctl.db");
    std::string out;
    for (const auto& e : audit::AuditLog(db, audit_key).list()) out += e.layer + " " + e.decision + " " + e.detail + "\n";
    return out;
  }
  /// Logs in; the session cookie header.
  httplib::Headers session(const std::string& name, const std::string& password) {
    auto r = login(name, password);
    EXPECT_EQ(r->status, 303);
    return {{"Cookie", "lockerctl_session=" + cookie_of(r, "lockerctl_session")}};
  }
};

TEST(Console, RefusesThePagesWithoutALoginAndAWrongPassword) {
  Rig rig;
  auto r = rig.client->Get("/audit");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->body.find("wrong password"), std::string::npos) << "a page without login shows no data";
  auto wrong = rig.login("alice", "not her password");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(Rig::cookie_of(wrong, "lockerctl_session").empty());
  auto unknown = rig.login("mallory", "not her password");
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(unknown->body.find("mallory"), std::string::npos);
}

TEST(Console, ALoginGivesAStrictCookieAndTheAuditLogEscaped) {
  Rig rig;
  auto r = rig.login("alice", "alice's long password");
  ASSERT_EQ(r->status, 303);
  EXPECT_EQ(r->get_header_value("Location"), "/");
  std::string set_cookie;
  for (const auto& [k, v] : r->headers) {
    if (k == "Set-Cookie" && v.rfind("lockerctl_session=", 0) == 0) set_cookie = v;
  }
  EXPECT_NE(set_cookie.find("; HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; Secure"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_EQ(Rig::cookie_of(r, "lockerctl_session").size(), 64u) << "256 random bits";
  const httplib::Headers cookie{{"Cookie", "lockerctl_session=" + Rig::cookie_of(r, "lockerctl_session")}};
  auto page = rig.client->Get("/audit?layer=password", cookie);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("wrong password &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("<script>"), std::string::npos);
  EXPECT_EQ(page->body.find("frame 3"), std::string::npos) << "the layer filter";
  // Paged, newest first: 50 a page of the 120 human events.
  auto human = rig.client->Get("/audit?layer=human", cookie);
  EXPECT_NE(human->body.find("Page 1 of 3 (120 events)"), std::string::npos) << human->body.substr(0, 2000);
  EXPECT_NE(human->body.find("frame 119"), std::string::npos);
  EXPECT_EQ(human->body.find("frame 69<"), std::string::npos);
  auto third = rig.client->Get("/audit?layer=human&page=3", cookie);
  EXPECT_NE(third->body.find("frame 0<"), std::string::npos);
}

TEST(Console, EveryResponseCarriesTheSecurityHeaders) {
  Rig rig;
  for (const char* path : {"/login", "/audit", "/no/such/page"}) {
    auto r = rig.client->Get(path);
    EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(r->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer") << path;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store") << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
}

TEST(Console, APostWithoutTheCsrfTokenIsRefused) {
  Rig rig;
  const auto cookie = rig.session("alice", "alice's long password");
  auto forged = rig.client->Post("/logout", cookie, "", "application/x-www-form-urlencoded");
  EXPECT_EQ(forged->status, 403);
  auto wrong = rig.client->Post("/logout", cookie, "csrf=00", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong->status, 403);
  EXPECT_EQ(rig.client->Get("/", cookie)->status, 200) << "the session survived the forged requests";
  const std::string token = Rig::field(rig.client->Get("/", cookie)->body, "csrf");
  auto out = rig.client->Post("/logout", cookie, "csrf=" + token, "application/x-www-form-urlencoded");
  EXPECT_EQ(out->status, 303);
  EXPECT_EQ(rig.client->Get("/", cookie)->status, 401) << "logged out";
  // A login form posted without its own cookie (from another site) is refused too.
  auto cross = rig.client->Post("/login", "name=alice&password=x&csrf=abc", "application/x-www-form-urlencoded");
  EXPECT_EQ(cross->status, 403);
}

/// Sends `request` to the console at `port` over TLS in one write and returns all it answers.
std::string raw_tls_exchange(int port, const std::string& request) {
  std::string reply;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = SSL_new(ctx);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1 &&
      SSL_write(ssl, request.data(), static_cast<int>(request.size())) == static_cast<int>(request.size())) {
    char buffer[4096];
    for (int n; (n = SSL_read(ssl, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  }
  SSL_free(ssl);
  ::close(fd);
  SSL_CTX_free(ctx);
  return reply;
}

TEST(Console, BadRequestsGetTheirStatusAndLeakNothing) {
  Rig rig;
  const auto cookie = rig.session("vic", "vic's long password");
  auto unknown = rig.client->Get("/etc/passwd", cookie);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body.find("passwd"), std::string::npos);
  EXPECT_EQ(rig.client->Get("/audit?page=abc", cookie)->status, 400);
  EXPECT_EQ(rig.client->Get("/audit?page=0", cookie)->status, 400);
  EXPECT_EQ(rig.client->Get("/audit?since=yesterday", cookie)->status, 400);
  EXPECT_EQ(rig.client->Get("/audit/export.csv?until=%3Cscript%3E", cookie)->status, 400);
  auto big = rig.client->Post("/login", std::string(100 * 1024, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  auto admin_page = rig.client->Post("/owners/add", cookie, std::string(20 * 1024, 'a'), "application/x-www-form-urlencoded");
  ASSERT_TRUE(admin_page);
  EXPECT_EQ(admin_page->status, 413) << "only an enrollment may send more than 16 KiB";
  auto huge = rig.client->Post("/owners/enroll", cookie, std::string(33 * 1024 * 1024, 'a'), "multipart/form-data; boundary=x");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413) << "not even an enrollment may send more than 32 MiB";
  // A body of unknown length is refused before it is read. The request goes out in one write: the
  // server answers and closes without reading the body, and a client writing chunk by chunk may
  // find the connection closed before it reads the answer.
  const std::string reply = raw_tls_exchange(rig.port,
                                             "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                                             "Content-Type: application/x-www-form-urlencoded\r\n\r\n6\r\nname=a\r\n0\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 411 ", 0), 0u) << reply.substr(0, 200);
}

TEST(Console, VerifyAndExportAreAuditedWithTheOperatorsName) {
  Rig rig;
  const auto cookie = rig.session("vic", "vic's long password");
  auto verify = rig.client->Get("/audit/verify", cookie);
  EXPECT_NE(verify->body.find("Intact: 122 rows"), std::string::npos) << verify->body;
  auto csv = rig.client->Get("/audit/export.csv?layer=password", cookie);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.rfind("id,time,attempt,layer,decision,score,threshold,image,detail\n", 0), 0u) << csv->body;
  EXPECT_NE(csv->body.find("wrong password"), std::string::npos);
  auto json = rig.client->Get("/audit/export.json?layer=operator", cookie);
  EXPECT_NE(json->body.find("operator 'vic' (viewer) from 127.0.0.1"), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("operator 'vic': intact"), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("operator 'vic': 1 events as CSV"), std::string::npos) << json->body;
}

TEST(Console, AnIdleSessionEndsAndARemovedOperatorsAtOnce) {
  Rig rig(0.3);
  const auto cookie = rig.session("alice", "alice's long password");
  EXPECT_EQ(rig.client->Get("/", cookie)->status, 200);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(rig.client->Get("/", cookie)->status, 401);

  const auto vic = rig.session("vic", "vic's long password");
  {
    audit::Database db(rig.dir / "lockerctl.db");
    OperatorStore(db).remove("vic");
  }
  EXPECT_EQ(rig.client->Get("/", vic)->status, 401);
}

TEST(Console, TheDashboardShowsTheStationAndStreamsNewEventsAsTheyAreWritten) {
  Rig rig(60, 1);
  const auto cookie = rig.session("vic", "vic's long password");
  const auto page = rig.client->Get("/", cookie);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<td id=\"state-door\">no event yet</td>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<td id=\"state-step\">A2: human pass</td>"), std::string::npos);
  EXPECT_NE(page->body.find("<tbody id=\"live\">"), std::string::npos);
  EXPECT_NE(page->body.find("<script src=\"/static/console.js\"></script>"), std::string::npos);
  EXPECT_EQ(rig.client->Get("/static/console.js")->get_header_value("Content-Type"), "text/javascript");
  EXPECT_EQ(rig.client->Get("/events")->status, 401);

  httplib::SSLClient stream("127.0.0.1", rig.port);
  stream.set_ca_cert_path(rig.cert.c_str());
  stream.set_read_timeout(5, 0);
  std::string got;
  std::thread reader([&] {
    stream.Get("/events", cookie, [&](const char* data, std::size_t n) {
      got.append(data, n);
      return got.find("\"layer\":\"door\"") == std::string::npos;
    });
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(rig.client->Get("/events", cookie)->status, 503) << "one stream at most in this rig";
  {
    audit::Database db(rig.dir / "lockerctl.db");
    audit::AuditLog(db, rig.audit_key).append({0, {}, "-", "door", "opened", std::nullopt, std::nullopt, "", "<b>door</b>"});
  }
  reader.join();
  EXPECT_NE(got.find("data: {"), std::string::npos) << got;
  EXPECT_NE(got.find("\"decision\":\"opened\""), std::string::npos) << got;
  EXPECT_EQ(got.find("\"layer\":\"human\""), std::string::npos) << "only events written after the stream opened";
  int status = 0;  // a new stream, once the server's keep-alive comments found the first one closed
  for (int i = 0; i < 100 && status != 200; ++i) {
    httplib::SSLClient again("127.0.0.1", rig.port);
    again.set_ca_cert_path(rig.cert.c_str());
    again.Get("/events", cookie, [&](const httplib::Response& r) { status = r.status; return false; },
              [](const char*, std::size_t) { return false; });
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200) << "the closed stream's place was given back";
}

TEST(Console, AnAdminRetriesADeadAlertAndAViewerCannot) {
  Rig rig;
  std::int64_t id = 0;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    notify::Outbox outbox(db);
    id = outbox.raise({"alice", "+15550001", ""}, "A1", "alert <b>text</b>").front();
    db.query("UPDATE outbox_jobs SET state = 'dead', attempts = 12, last_error = 'Twilio <401>' WHERE id = ?", {id});
  }
  const auto vic = rig.session("vic", "vic's long password");
  const auto page = rig.client->Get("/outbox", vic);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Twilio &lt;401&gt;"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("Retry now"), std::string::npos) << "a viewer gets no retry button";
  const std::string vic_csrf = Rig::field(page->body, "csrf");
  const std::string form = "csrf=" + vic_csrf + "&id=" + std::to_string(id);
  EXPECT_EQ(rig.client->Post("/outbox/retry", vic, form, "application/x-www-form-urlencoded")->status, 403) << "a viewer may not retry";

  const auto alice = rig.session("alice", "alice's long password");
  const auto admin_page = rig.client->Get("/outbox", alice);
  EXPECT_NE(admin_page->body.find("Retry now"), std::string::npos);
  const std::string csrf = Rig::field(admin_page->body, "csrf");
  EXPECT_EQ(rig.client->Post("/outbox/retry", alice, "id=" + std::to_string(id), "application/x-www-form-urlencoded")->status, 403)
      << "no CSRF token";
  EXPECT_EQ(rig.client->Post("/outbox/retry", alice, "csrf=" + csrf + "&id=x", "application/x-www-form-urlencoded")->status, 400);
  EXPECT_EQ(rig.client->Post("/outbox/retry", alice, "csrf=" + csrf + "&id=999", "application/x-www-form-urlencoded")->status, 404);
  const auto done = rig.client->Post("/outbox/retry", alice, "csrf=" + csrf + "&id=" + std::to_string(id), "application/x-www-form-urlencoded");
  EXPECT_EQ(done->status, 303);
  {
    audit::Database db(rig.dir / "lockerctl.db");
    const auto job = notify::Outbox(db).job(id);
    EXPECT_EQ(job->state, "pending");
    EXPECT_EQ(job->attempts, 0);
  }
  const auto json = rig.client->Get("/audit/export.json?decision=retry", alice);
  EXPECT_NE(json->body.find("operator 'alice': outbox job " + std::to_string(id) + " made due again"), std::string::npos) << json->body;
}

TEST(Console, AnIncidentShowsWhyItsPhotoAndWhereEachAlertWent) {
  Rig rig;
  const auto photo = rig.dir / "var/incidents/A9/frame.jpg";
  std::filesystem::create_directories(photo.parent_path());
  std::ofstream(photo, std::ios::binary) << std::string("\xff\xd8\xff\xe0 photo of A9", 17);
  {
    audit::Database db(rig.dir / "lockerctl.db");
    audit::AuditLog log(db, rig.audit_key);
    log.append({0, {}, "A9", "password", "deny", std::nullopt, std::nullopt, photo.string(), "wrong password, try 3 of 3"});
    log.append({0, {}, "A9", "alert", "queued", std::nullopt, std::nullopt, "", "3 wrong passwords"});
    log.append({0, {}, "A10", "owner", "deny", 0.1, 0.5, "/etc/passwd", "not the owner"});
    log.append({0, {}, "A10", "alert", "queued", std::nullopt, std::nullopt, "", "not the owner"});
    notify::Outbox(db).raise({"alice", "+15550001", ""}, "A9", "alert", photo);
  }
  const auto cookie = rig.session("vic", "vic's long password");
  const auto page = rig.client->Get("/incidents", cookie);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("password deny: wrong password, try 3 of 3"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<img src=\"/incidents/photo?attempt=A9\""), std::string::npos);
  EXPECT_NE(page->body.find("<li>upload evidence: pending</li>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<li>alert sms: pending</li>"), std::string::npos);
  EXPECT_NE(page->body.find("owner deny: not the owner (score 0.100 / 0.500)"), std::string::npos);
  const auto image = rig.client->Get("/incidents/photo?attempt=A9", cookie);
  ASSERT_EQ(image->status, 200);
  EXPECT_EQ(image->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(image->body, std::string("\xff\xd8\xff\xe0 photo of A9", 17));
  EXPECT_EQ(rig.client->Get("/incidents/photo?attempt=A10", cookie)->status, 404) << "a file outside the incident folder";
  EXPECT_EQ(rig.client->Get("/incidents/photo?attempt=A404", cookie)->status, 404);
  EXPECT_EQ(rig.client->Get("/incidents/photo?attempt=A9")->status, 401);
}

TEST(Console, BranchesShowsEveryStationFromTheMonitorsStoreAndAnAdminAcknowledgesAnAlarm) {
  Rig rig;
  const auto vic = rig.session("vic", "vic's long password");
  auto page = rig.client->Get("/branches", vic);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("No station heard yet."), std::string::npos) << page->body;
  EXPECT_EQ(page->get_header_value("Refresh"), "5");
  {
    // What lockerctl monitor stores from two stations, in the messages they publish.
    audit::Database db(rig.dir / "lockerctl.db");
    branch::MonitorStore store(db);
    const auto message = [](std::int64_t id, std::int64_t prev, const char* layer, const char* decision, const char* detail) {
      return branch::event_message({id, "2026-11-24T10:00:00Z", "I1", layer, decision, std::nullopt, std::nullopt, "", detail}, prev).dump();
    };
    store.ingest({{"lockerctl/north/7/alarm", message(1, 0, "sensor", "alarm", "smoke (input 2); <b>then</b> siren")},
                  {"lockerctl/north/7/device", R"({"device":"station","online":true})"},
                  {"lockerctl/south/12/door", message(1, 0, "door", "opened", "")},
                  {"lockerctl/south/12/alarm", message(2, 1, "door", "forced", "the door opened while the lock was not released")},
                  {"lockerctl/south/12/state",
                   R"({"step":"idle","door":"open","lock":"locked","board":"online","camera":"lost","alarm":true,"last":2})"}});
  }
  page = rig.client->Get("/branches", vic);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("2 station(s), 2 open alarm(s)"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<td>north</td><td>7</td><td>yes</td>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<td>south</td><td>12</td><td class=\"bad\">NO</td><td class=\"bad\">open</td><td>locked</td><td>online</td>"
                             "<td class=\"bad\">lost</td><td>idle</td><td>door forced</td>"), std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("smoke (input 2); &lt;b&gt;then&lt;/b&gt; siren"), std::string::npos) << "escaped: " << page->body;
  EXPECT_EQ(page->body.find("Acknowledge</button>"), std::string::npos) << "a viewer gets no button";

  std::int64_t forced = 0;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    for (const auto& a : branch::MonitorStore(db).alarms(true)) {
      if (a.what == "door forced") forced = a.id;
    }
  }
  ASSERT_GT(forced, 0);
  const std::string form = "csrf=" + Rig::field(page->body, "csrf") + "&id=" + std::to_string(forced);
  EXPECT_EQ(rig.client->Post("/branches/ack", vic, form, "application/x-www-form-urlencoded")->status, 403);

  const auto alice = rig.session("alice", "alice's long password");
  page = rig.client->Get("/branches", alice);
  EXPECT_NE(page->body.find("Acknowledge</button>"), std::string::npos);
  const std::string csrf = Rig::field(page->body, "csrf");
  EXPECT_EQ(rig.client->Post("/branches/ack", alice, "id=" + std::to_string(forced), "application/x-www-form-urlencoded")->status, 403)
      << "no CSRF token";
  EXPECT_EQ(rig.client->Post("/branches/ack", alice, "csrf=" + csrf + "&id=1x", "application/x-www-form-urlencoded")->status, 400);
  const auto missing = rig.client->Post("/branches/ack", alice, "csrf=" + csrf + "&id=999", "application/x-www-form-urlencoded");
  EXPECT_EQ(missing->status, 409);
  EXPECT_NE(missing->body.find("alarm 999: no such alarm"), std::string::npos) << missing->body;
  const std::string ack = "csrf=" + csrf + "&id=" + std::to_string(forced);
  EXPECT_EQ(rig.client->Post("/branches/ack", alice, ack, "application/x-www-form-urlencoded")->status, 303);
  const auto again = rig.client->Post("/branches/ack", alice, ack, "application/x-www-form-urlencoded");
  EXPECT_EQ(again->status, 409);
  EXPECT_NE(again->body.find("already acknowledged by alice"), std::string::npos) << again->body;
  page = rig.client->Get("/branches", alice);
  EXPECT_NE(page->body.find("2 station(s), 1 open alarm(s)"), std::string::npos) << page->body;
  EXPECT_NE(rig.audit_text().find("monitor alarm acknowledged alarm " + std::to_string(forced) + " (south/12: door forced"),
            std::string::npos)
      << rig.audit_text();
}

TEST(Console, AboutNamesTheVersionAndEachModelFileWithItsHash) {
  Rig rig;
  EXPECT_EQ(rig.client->Get("/about")->status, 401);
  const auto page = rig.client->Get("/about", rig.session("vic", "vic's long password"));
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find(std::string("lockerctl ") + kVersion), std::string::npos) << page->body;
  // sha256("weights")
  EXPECT_NE(page->body.find("<td>layer 1: human check</td><td>" + (rig.dir / "models/human.h5").string() +
                            "</td><td><code>9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c</code></td>"),
            std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("<td>liveness</td><td>" + (rig.dir / "models/gone.onnx").string() + "</td><td class=\"bad\">missing</td>"),
            std::string::npos);
}

TEST(Console, TheRegisterListsOpeningsAndAViewerCannotHoldEvidence) {
  Rig rig;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    audit::AuditLog log(db, rig.audit_key);
    log.append({0, {}, "A9", "access", "granted", std::nullopt, std::nullopt, "", "locker 14; by alice, bob; officer carol; unlocking for 5.0 s"});
    log.append({0, {}, "A9", "access", "done", std::nullopt, std::nullopt, "", "door closed, locker locked"});
  }
  const auto vic = rig.session("vic", "vic's long password");
  const auto page = rig.client->Get("/register?locker=14", vic);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<td>14</td><td>alice + bob</td><td>carol</td>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("audit chain intact: 124 rows; last row 124 hash "), std::string::npos) << page->body;
  EXPECT_EQ(rig.client->Get("/register?locker=12", vic)->body.find("alice + bob"), std::string::npos);
  EXPECT_EQ(rig.client->Get("/register?since=yesterday", vic)->status, 400);
  const auto csv = rig.client->Get("/register.csv?holder=bob", vic);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("locker,by,officer,in,out,duration_s,attempt,evidence\n14,alice + bob,carol,", 0), 0u) << csv->body;

  // The desk outside lockerctl run: nothing to approve; holds are for officers and admins.
  const auto desk = rig.client->Get("/desk", vic);
  ASSERT_EQ(desk->status, 200);
  EXPECT_NE(desk->body.find("there is nothing to approve here"), std::string::npos);
  const std::string token = Rig::field(desk->body, "csrf");
  EXPECT_EQ(rig.client->Post("/desk/hold", vic, "csrf=" + token + "&incident=A9&reason=case", "application/x-www-form-urlencoded")->status, 403);
  EXPECT_NE(rig.audit_text().find("evidence refused viewer 'vic' may not hold evidence A9"), std::string::npos) << rig.audit_text();
  const auto alice = rig.session("alice", "alice's long password");
  const std::string admin_token = Rig::field(rig.client->Get("/desk", alice)->body, "csrf");
  const auto held = rig.client->Post("/desk/hold", alice, "csrf=" + admin_token + "&incident=A9&reason=police+case+7&hold=hold",
                                     "application/x-www-form-urlencoded");
  ASSERT_EQ(held->status, 200);
  EXPECT_NE(held->body.find("<td>A9</td><td>police case 7</td><td>alice</td>"), std::string::npos) << held->body;
  EXPECT_EQ(rig.client->Post("/desk/hold", alice, "csrf=" + admin_token + "&incident=A9&reason=again&hold=hold",
                             "application/x-www-form-urlencoded")->status, 400) << "already on hold";
  EXPECT_EQ(rig.client->Post("/desk/decide", alice, "csrf=" + admin_token + "&attempt=A9&decision=approve&password=x",
                             "application/x-www-form-urlencoded")->status, 503) << "no flow to approve for";
  EXPECT_NE(rig.audit_text().find("evidence held by alice: police case 7"), std::string::npos);
}

TEST(Console, ManyFailedLoginsFromOneAddressAreThrottled) {
  Rig rig;
  int throttled = 0;
  for (int i = 0; i < 12; ++i) throttled += rig.login("nobody", "guess " + std::to_string(i))->status == 429 ? 1 : 0;
  EXPECT_EQ(throttled, 2);
  EXPECT_EQ(rig.login("alice", "alice's long password")->status, 429) << "even the right password waits";
}

TEST(Kiosks, ACodePairsOnceBeforeItExpiresAndOnlyHashesAreStored) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  KioskStore kiosks(db);
  const std::string code = kiosks.issue_code("room-1", 600, 1000);
  ASSERT_EQ(code.size(), static_cast<std::size_t>(KioskStore::kCodeDigits + 1)) << code;
  EXPECT_FALSE(kiosks.pair(code, 1601)) << "expired";
  EXPECT_FALSE(kiosks.pair("0000000000", 1000)) << "wrong";
  const auto paired = kiosks.pair(code, 1500);
  ASSERT_TRUE(paired);
  EXPECT_EQ(paired->name, "room-1");
  EXPECT_EQ(paired->token.size(), 64u);
  EXPECT_FALSE(kiosks.pair(code, 1500)) << "spent";
  EXPECT_EQ(kiosks.device(paired->token), "room-1");
  EXPECT_FALSE(kiosks.device(std::string(64, '0')));
  std::string stored;
  db.query("SELECT code_hash || token_hash FROM kiosks", {}, [&](const audit::Statement& s) { stored = s.text(0); });
  EXPECT_EQ(stored.find(paired->token), std::string::npos);
  // Pairing the name again: the old device works until the new code is used, then no more.
  const std::string again = kiosks.issue_code("room-1", 600, 2000);
  EXPECT_EQ(kiosks.device(paired->token), "room-1");
  const auto replaced = kiosks.pair(again.substr(0, 3) + " " + again.substr(3), 2000);  // typed with a space
  ASSERT_TRUE(replaced);
  EXPECT_FALSE(kiosks.device(paired->token));
  EXPECT_EQ(kiosks.device(replaced->token), "room-1");
  kiosks.remove("room-1");
  EXPECT_FALSE(kiosks.device(replaced->token));
  EXPECT_THROW(kiosks.remove("room-1"), DataError);
  EXPECT_THROW(kiosks.issue_code("../x", 600, 0), DataError);
}

TEST(Console, OnlyAPairedDeviceGetsTheKioskAndItsTokenOpensNothingElse) {
  Rig rig;
  auto form = rig.client->Get("/kiosk");
  ASSERT_EQ(form->status, 200);
  EXPECT_NE(form->body.find("Pair this kiosk"), std::string::npos);
  EXPECT_EQ(rig.client->Get("/kiosk/state")->status, 401);
  EXPECT_EQ(rig.client->Post("/kiosk/start", "", "application/x-www-form-urlencoded")->status, 401);
  const auto pair = [&](const std::string& code) {
    auto f = rig.client->Get("/kiosk");
    return rig.client->Post("/kiosk/pair", {{"Cookie", "lockerctl_form=" + Rig::cookie_of(f, "lockerctl_form")}},
                            "code=" + code + "&csrf=" + Rig::field(f->body, "csrf"), "application/x-www-form-urlencoded");
  };
  EXPECT_EQ(pair("1234567890")->status, 401);
  std::string code;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    code = KioskStore(db).issue_code("room-1", 600, unix_now());
  }
  EXPECT_EQ(rig.client->Post("/kiosk/pair", "code=" + code, "application/x-www-form-urlencoded")->status, 403)
      << "a pairing form posted from elsewhere";
  auto paired = pair(code);
  ASSERT_EQ(paired->status, 303);
  std::string set_cookie;
  for (const auto& [k, v] : paired->headers) {
    if (k == "Set-Cookie" && v.rfind("lockerctl_kiosk=", 0) == 0) set_cookie = v;
  }
  for (const char* flag : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/kiosk"}) {
    EXPECT_NE(set_cookie.find(flag), std::string::npos) << flag << " missing: " << set_cookie;
  }
  EXPECT_EQ(pair(code)->status, 401) << "a code pairs once";
  const httplib::Headers device{{"Cookie", "lockerctl_kiosk=" + Rig::cookie_of(paired, "lockerctl_kiosk")}};
  // No flow runs in this console (lockerctl web): the kiosk says so, and takes nothing.
  auto kiosk = rig.client->Get("/kiosk", device);
  EXPECT_EQ(kiosk->status, 503);
  EXPECT_NE(kiosk->body.find("web.enabled: true"), std::string::npos);
  EXPECT_EQ(rig.client->Get("/kiosk/state", device)->status, 503);
  EXPECT_EQ(rig.client->Post("/kiosk/enter", device, "entry=1234", "application/x-www-form-urlencoded")->status, 403)
      << "no CSRF token";
  EXPECT_EQ(rig.client->Get("/", device)->status, 401) << "a kiosk is no operator";
  EXPECT_EQ(rig.client->Get("/audit", device)->status, 401);
  const std::string events = rig.audit_text();
  EXPECT_NE(events.find("kiosk pair refused"), std::string::npos) << events;
  EXPECT_NE(events.find("kiosk paired kiosk 'room-1'"), std::string::npos) << events;
}

TEST(Console, AnAdminChangesOwnersAndLockersAViewerOnlyReadsAndNoSecretIsShown) {
  Rig rig;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    access::OwnerStore owners(db);
    owners.add("bob", "+15550002");
    owners.set_password_hash("bob", "$argon2id$v=19$m=65536,t=2,p=1$c2VjcmV0c2FsdA$secret-hash-of-bob");
    owners.lock_out("bob", unix_now() + 600);
  }
  const auto admin = rig.session("alice", "alice's long password");
  auto page = rig.client->Get("/owners", admin);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Clear lockout"), std::string::npos);
  EXPECT_EQ(page->body.find("argon2id"), std::string::npos) << "the password hash is never shown";
  const std::string csrf = Rig::field(page->body, "csrf");
  const auto post = [&](const httplib::Headers& who, const std::string& path, const std::string& body) {
    return rig.client->Post(path, who, body, "application/x-www-form-urlencoded")->status;
  };
  EXPECT_EQ(post(admin, "/owners/add", "csrf=" + csrf + "&name=carol&phone=%2B15550003&email=carol%40example.com"), 303);
  EXPECT_EQ(post(admin, "/owners/phone", "csrf=" + csrf + "&name=bob&phone=%2B15550020"), 303);
  EXPECT_EQ(post(admin, "/owners/clear-lockout", "csrf=" + csrf + "&name=bob"), 303);
  EXPECT_EQ(post(admin, "/lockers/add", "csrf=" + csrf + "&number=12&holders=bob%2C%20carol"), 303);
  EXPECT_EQ(post(admin, "/lockers/holders", "csrf=" + csrf + "&number=12&holders=carol"), 303);
  auto bad = rig.client->Post("/owners/phone", admin, "csrf=" + csrf + "&name=bob&phone=%3Cscript%3E", "application/x-www-form-urlencoded");
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("phone number &#39;&lt;script&gt;&#39;"), std::string::npos) << "the reason, escaped";
  EXPECT_EQ(post(admin, "/owners/phone", "name=bob&phone=%2B1"), 403) << "no CSRF token";
  EXPECT_EQ(post(admin, "/lockers/add", "csrf=" + csrf + "&number=12&holders=mallory"), 400);
  {
    audit::Database db(rig.dir / "lockerctl.db");
    access::OwnerStore owners(db);
    EXPECT_EQ(owners.get("bob").phone, "+15550020");
    EXPECT_EQ(owners.get("carol").email, "carol@example.com");
    EXPECT_EQ(owners.locked_until("bob"), 0);
    EXPECT_EQ(access::LockerStore(db).get("12").holders, std::vector<std::string>{"carol"});
  }
  const std::string events = rig.audit_text();
  for (const char* row : {"operator owner added operator 'alice': owner 'carol'", "operator phone set operator 'alice': owner 'bob'",
                          "operator lockout cleared operator 'alice': owner 'bob'", "operator locker added operator 'alice': locker 12, holders bob, carol",
                          "operator holders set operator 'alice': locker 12, holders carol"}) {
    EXPECT_NE(events.find(row), std::string::npos) << row << " missing from\n" << events;
  }
  // A viewer sees the same owners, with no form, and each change it sends is refused.
  const auto viewer = rig.session("vic", "vic's long password");
  auto read = rig.client->Get("/owners", viewer);
  EXPECT_NE(read->body.find("+15550020"), std::string::npos);
  EXPECT_EQ(read->body.find("<button type=\"submit\">Change"), std::string::npos);
  const std::string vic_csrf = Rig::field(read->body, "csrf");
  EXPECT_EQ(post(viewer, "/owners/phone", "csrf=" + vic_csrf + "&name=bob&phone=%2B1"), 403);
  EXPECT_EQ(post(viewer, "/owners/add", "csrf=" + vic_csrf + "&name=eve&phone=%2B1"), 403);
}

TEST(Console, AnAdminEnrollsAFaceFromPhotosAndNoOneElseCan) {
  // The enroller stands in for `owner enroll`'s checks (the CLI's face_enroller, tested with real
  // faces in tests/cli/enroll_browser.sh): here it keeps what it was sent, takes the photos whose
  // bytes start with "face" and refuses the rest, so the console's part is what is under test.
  std::vector<EnrollPhoto> received;
  int replaced = 0;
  FaceEnroller enroller = [&](const std::string& owner, const std::vector<EnrollPhoto>& photos) {
    if (owner != "bob") throw DataError(fmt::format("owner '{}': no such owner", owner));
    received = photos;
    Enrolled done;
    for (const auto& p : photos) {
      if (p.bytes.rfind("face", 0) == 0) {
        ++done.templates;
      } else {
        done.refused.push_back(p.filename + ": no face");
      }
    }
    done.replaced = done.templates ? std::exchange(replaced, done.templates) : 0;
    return done;
  };
  Rig rig(60, 4, enroller);
  {
    audit::Database db(rig.dir / "lockerctl.db");
    access::OwnerStore(db).add("bob", "+15550002");
  }
  const auto admin = rig.session("alice", "alice's long password");
  auto page = rig.client->Get("/owners", admin);
  ASSERT_EQ(page->status, 200);
  const std::string csrf = Rig::field(page->body, "csrf");
  EXPECT_NE(page->body.find("action=\"/owners/enroll?csrf=" + csrf + "\" enctype=\"multipart/form-data\""), std::string::npos);
  const std::string photo(40 * 1024, 'x');  // more than any other request may send
  const httplib::MultipartFormDataItems form = {{"name", "bob", "", ""},
                                                {"photos", "face" + photo, "bob-1.jpg", "image/jpeg"},
                                                {"photos", photo, "<b>cat</b>.jpg", "image/jpeg"}};
  const auto enroll = [&](const httplib::Headers& who, const std::string& token, const httplib::MultipartFormDataItems& items) {
    return rig.client->Post(("/owners/enroll?csrf=" + token).c_str(), who, items);
  };

  auto anonymous = enroll({}, csrf, form);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(enroll(admin, "", form)->status, 403) << "no token in the query";
  auto in_body = form;
  in_body.push_back({"csrf", csrf, "", ""});
  EXPECT_EQ(enroll(admin, "", in_body)->status, 403) << "the token must come before the photos, in the query";
  const auto viewer = rig.session("vic", "vic's long password");
  EXPECT_EQ(enroll(viewer, Rig::field(rig.client->Get("/owners", viewer)->body, "csrf"), form)->status, 403);
  EXPECT_TRUE(received.empty()) << "the enroller was not called";

  auto done = enroll(admin, csrf, form);
  ASSERT_EQ(done->status, 200);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].filename, "bob-1.jpg");
  EXPECT_EQ(received[0].bytes, "face" + photo) << "the photo arrives byte for byte";
  EXPECT_EQ(received[1].filename, "<b>cat</b>.jpg");
  EXPECT_NE(done->body.find("&#39;bob&#39; enrolled from 1 photo(s); refused: &lt;b&gt;cat&lt;/b&gt;.jpg: no face"), std::string::npos)
      << done->body;
  auto again = enroll(admin, csrf, form);
  EXPECT_NE(again->body.find("replacing 1 template(s)"), std::string::npos);

  EXPECT_EQ(enroll(admin, csrf, {{"name", "mallory", "", ""}, {"photos", "face", "m.jpg", "image/jpeg"}})->status, 400);
  auto unusable = enroll(admin, csrf, {{"name", "bob", "", ""}, {"photos", photo, "blurred.jpg", "image/jpeg"}});
  EXPECT_EQ(unusable->status, 400);
  EXPECT_NE(unusable->body.find("the old templates are kept; refused: blurred.jpg: no face"), std::string::npos);
  EXPECT_EQ(enroll(admin, csrf, {{"name", "bob", "", ""}})->status, 400) << "no photo";
  httplib::MultipartFormDataItems many = {{"name", "bob", "", ""}};
  for (int i = 0; i < 41; ++i) many.push_back({"photos", "face", fmt::format("{}.jpg", i), "image/jpeg"});
  EXPECT_EQ(enroll(admin, csrf, many)->status, 413);
  auto huge = enroll(admin, csrf, {{"name", "bob", "", ""}, {"photos", std::string(33 * 1024 * 1024, 'f'), "big.jpg", "image/jpeg"}});
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_NE(huge->body.find("at most 40 photos and 32 MiB at once"), std::string::npos);
  auto urlencoded = rig.client->Post(("/owners/enroll?csrf=" + csrf).c_str(), admin, "name=bob", "application/x-www-form-urlencoded");
  EXPECT_EQ(urlencoded->status, 400);

  const std::string events = rig.audit_text();
  EXPECT_NE(events.find("operator face enrolled operator 'alice': owner 'bob', 1 templates, 1 photo(s) refused"), std::string::npos) << events;
  EXPECT_NE(events.find("operator face re-enrolled operator 'alice': owner 'bob', 1 templates replace 1, 1 photo(s) refused"),
            std::string::npos) << events;
  EXPECT_EQ(events.find("mallory"), std::string::npos) << "a refused enrollment changes nothing and is not an operator action";
}

TEST(Console, WithoutAnEnrollerTheOwnersPagePointsToTheStation) {
  Rig rig;
  {
    audit::Database db(rig.dir / "lockerctl.db");
    access::OwnerStore(db).add("bob", "+15550002");
  }
  const auto admin = rig.session("alice", "alice's long password");
  auto page = rig.client->Get("/owners", admin);
  EXPECT_EQ(page->body.find("/owners/enroll"), std::string::npos);
  EXPECT_NE(page->body.find("lockerctl owner enroll NAME"), std::string::npos);
  auto refused = rig.client->Post(("/owners/enroll?csrf=" + Rig::field(page->body, "csrf")).c_str(), admin,
                                  httplib::MultipartFormDataItems{{"name", "bob", "", ""}, {"photos", "face", "b.jpg", "image/jpeg"}});
  EXPECT_EQ(refused->status, 503);
}

TEST(Console, MissingOrLooseKeyFilesAndPlainHttpOffLocalhostAreConfigErrors) {
  test::TempDir dir;
  audit::Key key{};
  ConsoleOptions o;
  o.cert = dir / "cert.pem";
  o.key = dir / "key.pem";
  try {
    Console(o, dir / "db", key);
    FAIL() << "started without a certificate";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("web.cert: "), std::string::npos) << e.what();
  }
  make_self_signed(o.cert, o.key, {"127.0.0.1"}, 1);
  std::filesystem::permissions(o.key, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  try {
    Console(o, dir / "db", key);
    FAIL() << "started with a key others may read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::Config);
    EXPECT_NE(std::string(e.what()).find("web.key: "), std::string::npos) << e.what();
  }
  o.insecure_local = true;
  o.host = "0.0.0.0";
  try {
    Console(o, dir / "db", key);
    FAIL() << "plain HTTP on 0.0.0.0";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("web.insecure_local: plain HTTP only on 127.0.0.1"), std::string::npos) << e.what();
  }
}

TEST(KioskStep, SaysOutOfServiceAndOffersNoStartWhileTheBoardTakesNoCommand) {
  access::Progress p;
  EXPECT_STREQ(kiosk_step(p).step, "start");
  EXPECT_TRUE(kiosk_step(p).start);
  p.board_ready = false;
  const KioskStep down = kiosk_step(p);
  EXPECT_STREQ(down.step, "service");
  EXPECT_STREQ(down.text, "Out of service: the locker cannot be opened now.");
  EXPECT_FALSE(down.start) << "Start would only be refused by the flow";
  EXPECT_FALSE(down.keypad);
  p.state = access::State::Password;
  EXPECT_STREQ(kiosk_step(p).step, "password") << "an attempt under way keeps its step";
}

}  // namespace
}  // namespace lockerctl::web
