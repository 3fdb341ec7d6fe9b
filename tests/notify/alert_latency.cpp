// alert-latency [N]: how long a denial's alert takes to reach the SMS provider. Raises N (100)
// denials one after another, each with a 40 KB photo, through the outbox and a courier wired as
// `lockerctl run` wires them (wake on raise, S3 upload first, then Twilio SMS and a webhook), all
// against the local stand-ins over HTTP on 127.0.0.1. Prints the median, p95 and maximum time
// from the commit of the alert to the SMS arriving at the Twilio stand-in. A benchmark: it prints
// figures and asserts nothing.

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "evidence/s3_store.hpp"
#include "notify/courier.hpp"
#include "support/stand_ins.hpp"
#include "support/temp_dir.hpp"

using namespace lockerctl;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  test::TwilioStandIn twilio;
  test::S3StandIn s3;
  test::WebhookReceiver hook;
  for (test::StandIn* s : std::initializer_list<test::StandIn*>{&twilio, &s3, &hook}) s->start();

  test::TempDir dir;
  std::string bytes(40 * 1024, '\0');
  std::mt19937 random(7);
  for (char& c : bytes) c = static_cast<char>(random());
  std::ofstream(dir / "frame.jpg", std::ios::binary) << bytes;

  evidence::S3Options s3o;
  s3o.endpoint = s3.base();
  s3o.region = test::S3StandIn::kRegion;
  s3o.bucket = test::S3StandIn::kBucket;
  s3o.access_key_id = test::S3StandIn::kKeyId;
  s3o.secret_access_key = Secret(test::S3StandIn::kSecret);
  evidence::S3Store store(s3o);
  notify::TwilioSms sms({twilio.base(), test::TwilioStandIn::kSid, Secret(test::TwilioStandIn::kToken), "+15550100", false});
  notify::Webhook webhook(hook.base() + "/hooks/lockerctl", Secret(test::WebhookReceiver::kSecret));

  notify::OutboxOptions options;
  options.alert_channels = {"sms", "webhook"};
  audit::Database db(dir / "lockerctl.db");
  notify::Outbox outbox(db, options);
  notify::Courier courier(dir / "lockerctl.db", options, {{"sms", &sms}, {"webhook", &webhook}}, &store, audit::Key{});
  outbox.on_raise([&courier] { courier.wake(); });

  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto start = Clock::now();
    outbox.raise({"alice", "+15550001", ""}, fmt::format("A{}", i), "Access denied at locker 7.", dir / "frame.jpg");
    std::vector<test::TwilioStandIn::Sms> got;
    while ((got = twilio.messages()).size() <= static_cast<std::size_t>(i)) std::this_thread::sleep_for(std::chrono::microseconds(200));
    ms.push_back(std::chrono::duration<double, std::milli>(got.back().received - start).count());
  }
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  fmt::print("denial to SMS at the provider, {} denials (S3 upload of 40 KB, then Twilio SMS; webhook too):\n", n);
  fmt::print("  median {:.1f} ms, p95 {:.1f} ms, max {:.1f} ms\n", at(0.5), at(0.95), ms.back());
  return 0;
}
