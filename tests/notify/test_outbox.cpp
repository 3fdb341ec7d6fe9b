// The durable outbox against local stand-ins of Twilio, S3 and a webhook receiver: uploads before
// alerts, working links, retries, dead letters, order per owner, and an outage of the services
// with a kill -9 in the middle of delivery.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/clock.hpp"
#include "evidence/s3_store.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"
#include "notify/outbox.hpp"
#include "support/stand_ins.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::notify {
namespace {

using namespace std::chrono_literals;

/// Channels pointed at the stand-ins.
struct Channels {
  TwilioSms sms;
  Webhook hook;
  Channels(int twilio_port, int webhook_port)
      : sms({fmt::format("http://127.0.0.1:{}", twilio_port), test::TwilioStandIn::kSid, Secret(test::TwilioStandIn::kToken), "+15559999", false}),
        hook(fmt::format("http://127.0.0.1:{}/hooks/lockerctl", webhook_port), Secret(test::WebhookReceiver::kSecret)) {}
  std::map<std::string, Channel*> map() { return {{"sms", &sms}, {"webhook", &hook}}; }
};

OutboxOptions fast(std::vector<std::string> channels) {
  OutboxOptions o;
  o.alert_channels = std::move(channels);
  o.backoff_s = 0.01;
  o.max_backoff_s = 0.05;
  return o;
}

/// Delivers until nothing is pending (or 20 s pass); returns the passes it took.
int drain(Outbox& outbox) {
  int passes = 0;
  for (const auto until = std::chrono::steady_clock::now() + 20s; outbox.pending() > 0 && std::chrono::steady_clock::now() < until; ++passes) {
    outbox.deliver();
    std::this_thread::sleep_for(5ms);
  }
  return passes;
}

// In the kill -9 test, this binary is started again as a second process that only delivers: it
// runs before main when LOCKERCTL_OUTBOX_CHILD names the database and the stand-ins' ports.
[[maybe_unused]] const int kChild = [] {
  const char* spec = std::getenv("LOCKERCTL_OUTBOX_CHILD");
  if (!spec) return 0;
  std::string db_file;
  int twilio = 0, webhook = 0;
  {
    std::istringstream in(spec);
    std::getline(in, db_file, ',');
    in >> twilio;
    in.ignore(1);
    in >> webhook;
  }
  audit::Database db(db_file);
  Channels channels(twilio, webhook);
  Outbox outbox(db, fast({"sms", "webhook"}));
  outbox.set_delivery(channels.map(), nullptr, nullptr);
  for (;;) {
    outbox.deliver();
    std::this_thread::sleep_for(2ms);
  }
}();

TEST(Outbox, AnAlertGoesOutAfterItsPhotoIsUploadedWithALinkThatWorks) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  test::WebhookReceiver receiver;
  test::S3StandIn s3;
  twilio.start();
  receiver.start();
  s3.start();
  const std::string photo(4000, '\x11');
  std::ofstream(dir / "frame.jpg", std::ios::binary) << photo;

  audit::Database db(dir / "db");
  audit::AuditLog audit(db, audit::Key{});
  evidence::S3Store store({s3.base(), test::S3StandIn::kRegion, test::S3StandIn::kBucket, "", test::S3StandIn::kKeyId,
                           Secret(test::S3StandIn::kSecret), 300});
  Channels channels(twilio.port(), receiver.port());
  Outbox outbox(db, fast({"sms", "webhook"}));
  outbox.set_delivery(channels.map(), &store, &audit);
  s3.slow_down(2);  // the upload has to be tried three times: the alerts wait for it
  const auto ids = outbox.raise({"alice", "+15550001", ""}, "A1", "lockerctl: not the owner at your locker.", dir / "frame.jpg");
  ASSERT_EQ(ids.size(), 3u) << "an upload and two alerts";
  outbox.deliver();
  EXPECT_TRUE(twilio.messages().empty()) << "no alert before its photo is stored";
  EXPECT_TRUE(receiver.deliveries().empty());
  drain(outbox);

  ASSERT_EQ(twilio.messages().size(), 1u);
  ASSERT_EQ(receiver.deliveries().size(), 1u);
  const std::string sms = twilio.messages()[0].body;
  const std::string link = receiver.deliveries()[0].photo_url;
  EXPECT_NE(sms.find(" Photo: " + link), std::string::npos) << sms;
  const net::Response got = net::send({"GET", link, {}, {}, {}, {}, 10}, "test");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, photo) << "the link the owner got opens the photo";

  const auto upload = *outbox.job(ids[0]);
  EXPECT_EQ(upload.state, "sent");
  EXPECT_EQ(upload.attempts, 3);
  bool recorded = false;
  for (const auto& e : audit.list()) {
    recorded |= e.layer == "evidence" && e.decision == "stored" && e.image == "s3://evidence/A1/frame.jpg" &&
                e.detail.find(net::sha256_hex(photo)) != std::string::npos;
  }
  EXPECT_TRUE(recorded) << "the audit log says where the photo went, with its SHA-256";
}

TEST(Outbox, AJobThatKeepsFailingIsDeadLetteredSoundsTheAlarmAndCanBeRetried) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  twilio.start();
  audit::Database db(dir / "db");
  audit::AuditLog audit(db, audit::Key{});
  TwilioSms wrong({twilio.base(), test::TwilioStandIn::kSid, Secret("wrong"), "+15559999", false});
  OutboxOptions o = fast({"sms"});
  o.max_attempts = 3;
  Outbox outbox(db, o);
  outbox.set_delivery({{"sms", &wrong}}, nullptr, &audit);
  int alarms = 0;
  outbox.on_dead([&alarms] { ++alarms; });
  const auto id = outbox.raise({"alice", "+15550001", ""}, "A1", "alert").front();
  DeliveryReport total;
  for (int i = 0; i < 50 && outbox.pending() > 0; ++i) {
    const auto r = outbox.deliver();
    total.failed += r.failed;
    total.dead += r.dead;
    EXPECT_EQ(alarms, total.dead) << "the alarm sounds when a job dies, not before";
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(total.failed, 2);
  EXPECT_EQ(total.dead, 1);
  EXPECT_EQ(alarms, 1);
  const Job dead = *outbox.job(id);
  EXPECT_EQ(dead.state, "dead");
  EXPECT_NE(dead.last_error.find("HTTP 401"), std::string::npos) << dead.last_error;
  EXPECT_EQ(audit.list().back().layer + ":" + audit.list().back().decision, "alert:dead");

  TwilioSms right({twilio.base(), test::TwilioStandIn::kSid, Secret(test::TwilioStandIn::kToken), "+15559999", false});
  outbox.set_delivery({{"sms", &right}}, nullptr, &audit);
  EXPECT_EQ(outbox.retry_dead(), 1);
  drain(outbox);
  EXPECT_EQ(outbox.job(id)->state, "sent");
  EXPECT_EQ(twilio.messages().size(), 1u);
}

TEST(Outbox, DeliveringChosenJobsLeavesTheOthersAsTheyWere) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  twilio.start();
  audit::Database db(dir / "db");
  TwilioSms sms({twilio.base(), test::TwilioStandIn::kSid, Secret(test::TwilioStandIn::kToken), "+15559999", false});
  Outbox outbox(db, fast({"sms"}));
  outbox.set_delivery({{"sms", &sms}}, nullptr, nullptr);
  const auto real = outbox.raise({"alice", "+15550001", ""}, "A1", "a real alert").front();
  const auto chosen = outbox.raise({"bob", "+15550002", ""}, "test-1", "a test alert").front();
  const DeliveryReport r = outbox.deliver({chosen});
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(outbox.job(chosen)->state, "sent");
  const Job left = *outbox.job(real);
  EXPECT_EQ(left.state, "pending");
  EXPECT_EQ(left.attempts, 0);
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].to, "+15550002");
}

TEST(Outbox, ARateLimitHoldsBackThatOwnersLaterAlertsOnly) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  twilio.start();
  audit::Database db(dir / "db");
  Channels channels(twilio.port(), 1);
  Outbox outbox(db, fast({"sms"}));
  outbox.set_delivery(channels.map(), nullptr, nullptr);
  outbox.raise({"alice", "+15550001", ""}, "A1", "alice 1");
  outbox.raise({"alice", "+15550001", ""}, "A2", "alice 2");
  outbox.raise({"bob", "+15550002", ""}, "A3", "bob 1");
  twilio.rate_limit(1, 1);  // the first request (alice 1) is told to wait a second
  const auto r = outbox.deliver();
  EXPECT_EQ(r.failed, 1);
  EXPECT_EQ(r.sent, 1) << "bob's alert does not wait for alice's";
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].body, "bob 1");
  EXPECT_EQ(outbox.deliver().sent, 0) << "alice 2 waits behind alice 1, which waits the second Twilio asked for";
  std::this_thread::sleep_for(1100ms);
  drain(outbox);
  ASSERT_EQ(twilio.messages().size(), 3u);
  EXPECT_EQ(twilio.messages()[1].body, "alice 1");
  EXPECT_EQ(twilio.messages()[2].body, "alice 2");
}

TEST(Outbox, AFailedUploadStillLetsTheAlertOutWithoutALink) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  twilio.start();
  std::ofstream(dir / "frame.jpg") << "jpeg";
  audit::Database db(dir / "db");
  evidence::S3Store unreachable({"http://127.0.0.1:1", "us-east-1", "b", "", "k", Secret("s")});
  Channels channels(twilio.port(), 1);
  OutboxOptions o = fast({"sms"});
  o.max_attempts = 2;
  Outbox outbox(db, o);
  outbox.set_delivery(channels.map(), &unreachable, nullptr);
  const auto ids = outbox.raise({"alice", "+15550001", ""}, "A1", "lockerctl: ALERT.", dir / "frame.jpg");
  drain(outbox);
  EXPECT_EQ(outbox.job(ids[0])->state, "dead");
  ASSERT_EQ(twilio.messages().size(), 1u);
  EXPECT_EQ(twilio.messages()[0].body, "lockerctl: ALERT. (The photo could not be uploaded; it is kept at the branch.)");
}

TEST(Outbox, ACodeIsErasedOnceSentAndDroppedWhenTooLate) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  SimulatedPhone phone(dir / "phone");
  Outbox outbox(db, fast({"sms"}));
  outbox.set_delivery({{"sms", &phone}}, nullptr, nullptr);
  outbox.send_code({"alice", "+15550001", ""}, "A1", "lockerctl: your one-time code is 123456.", unix_now() + 60);
  const auto late = outbox.send_code({"alice", "+15550001", ""}, "A2", "lockerctl: your one-time code is 654321.", unix_now() - 1);
  const auto r = outbox.deliver();
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.expired, 1);
  EXPECT_EQ(phone.last_code("+15550001"), "123456");
  EXPECT_EQ(outbox.job(late)->state, "expired");
  int codes = 0;
  db.query("SELECT COUNT(*) FROM outbox_jobs WHERE text LIKE '%code is%'", {}, [&](const audit::Statement& s) { codes = static_cast<int>(s.integer(0)); });
  EXPECT_EQ(codes, 0) << "no code stays readable in the database";
}

TEST(Outbox, MessagesOfAnOlderOutboxTableAreKept) {
  test::TempDir dir;
  audit::Database db(dir / "db");
  db.exec("CREATE TABLE outbox (id INTEGER PRIMARY KEY, created TEXT NOT NULL, owner TEXT NOT NULL, phone TEXT NOT NULL, "
          "kind TEXT NOT NULL, text TEXT NOT NULL, link TEXT NOT NULL, expires_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
          "next_try REAL NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT 'pending');"
          "INSERT INTO outbox (created, owner, phone, kind, text, link, expires_at) VALUES "
          "('2026-11-20T10:00:00Z', 'alice', '+15550001', 'alert', 'someone at your locker', 'file:///x.jpg', 0);");
  SimulatedPhone phone(dir / "phone");
  Outbox outbox(db, fast({"sms"}));
  outbox.set_delivery({{"sms", &phone}}, nullptr, nullptr);
  EXPECT_EQ(outbox.pending(), 1);
  EXPECT_EQ(outbox.deliver().sent, 1);
  std::ifstream in(phone.inbox("+15550001"));
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("someone at your locker Photo: file:///x.jpg"), std::string::npos) << line;
}

// 50 alerts for 5 owners are raised while Twilio and the webhook receiver are down. They come
// back; a delivering process is killed with SIGKILL in the middle; a new one finishes. Every
// alert arrives, once per idempotency key, and each owner's alerts in the order raised.
TEST(Outbox, AnOutageAndAKillNineLoseNothingAndKeepEachOwnersOrder) {
  test::TempDir dir;
  test::TwilioStandIn twilio;
  test::WebhookReceiver receiver;
  twilio.start();
  receiver.start();
  const int twilio_port = twilio.port(), webhook_port = receiver.port();
  twilio.stop();
  receiver.stop();

  const auto db_file = dir / "lockerctl.db";
  {
    audit::Database db(db_file);
    Channels channels(twilio_port, webhook_port);
    Outbox outbox(db, fast({"sms", "webhook"}));
    outbox.set_delivery(channels.map(), nullptr, nullptr);
    for (int i = 0; i < 50; ++i) {
      const std::string owner = fmt::format("owner{}", i % 5);
      outbox.raise({owner, fmt::format("+1555000{}", i % 5), ""}, fmt::format("A{}", i), fmt::format("{} alert {}", owner, i / 5));
    }
    const auto r = outbox.deliver();
    EXPECT_EQ(r.sent, 0);
    EXPECT_EQ(r.failed, 10) << "one failure per owner and channel; the rest wait behind it";
    EXPECT_EQ(outbox.pending(), 100);
  }

  twilio.delay(5);  // slow enough that the kill lands in the middle
  receiver.delay(5);
  twilio.start(twilio_port);
  receiver.start(webhook_port);
  const std::string spec = "LOCKERCTL_OUTBOX_CHILD=" + fmt::format("{},{},{}", db_file.string(), twilio_port, webhook_port);
  char* const child_env[] = {const_cast<char*>(spec.c_str()), nullptr};
  char* const child_argv[] = {const_cast<char*>("test_notify"), nullptr};
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execve("/proc/self/exe", child_argv, child_env);
    _exit(127);
  }
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (receiver.deliveries().size() < 15 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the delivering process was killed, not finished";
  const std::size_t before = receiver.deliveries().size();
  EXPECT_GE(before, 15u);
  EXPECT_LT(before, 50u) << "the kill came before the end";

  twilio.delay(0);
  receiver.delay(0);
  audit::Database db(db_file);
  Channels channels(twilio_port, webhook_port);
  Outbox outbox(db, fast({"sms", "webhook"}));
  outbox.set_delivery(channels.map(), nullptr, nullptr);
  drain(outbox);
  EXPECT_EQ(outbox.pending(), 0);

  const auto hooks = receiver.deliveries();
  EXPECT_EQ(hooks.size(), 50u) << "every webhook alert arrived, each delivery id once";
  EXPECT_LE(receiver.duplicates(), 1) << "at most the one in flight at the kill was repeated, and the receiver knew it";
  std::map<std::string, std::vector<std::string>> by_owner;
  for (const auto& h : hooks) by_owner[h.owner].push_back(h.text);
  for (const auto& [owner, texts] : by_owner) {
    ASSERT_EQ(texts.size(), 10u) << owner;
    for (int i = 0; i < 10; ++i) EXPECT_EQ(texts[i], fmt::format("{} alert {}", owner, i)) << "order of " << owner;
  }
  std::set<std::string> sms;
  std::map<std::string, std::vector<std::string>> sms_by_phone;
  for (const auto& m : twilio.messages()) {
    if (sms.insert(m.to + m.body).second) sms_by_phone[m.to].push_back(m.body);
  }
  EXPECT_EQ(sms.size(), 50u) << "every SMS arrived";
  EXPECT_LE(twilio.messages().size(), 51u) << "at most the one in flight at the kill was sent twice";
  for (const auto& [phone, bodies] : sms_by_phone) {
    for (std::size_t i = 0; i < bodies.size(); ++i) EXPECT_NE(bodies[i].find(fmt::format("alert {}", i)), std::string::npos) << phone;
  }
}

}  // namespace
}  // namespace lockerctl::notify
