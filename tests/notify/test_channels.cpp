// The alert channels against local stand-ins that check each request as the service does.

#include <gtest/gtest.h>

#include <fstream>

#include "net/crypto.hpp"
#include "net/http.hpp"
#include "notify/channels.hpp"
#include "support/stand_ins.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::notify {
namespace {

Message alert(const std::string& link = {}) {
  return {"key-1", "2026-11-23T10:00:00Z", "alice", "+15550001", "alert", "A1", "lockerctl: someone tried your locker.", link, {}};
}

TwilioOptions twilio(const test::TwilioStandIn& server) {
  return {server.base(), test::TwilioStandIn::kSid, Secret(test::TwilioStandIn::kToken), "+15559999", false};
}

TEST(TwilioSms, SendsTheFormTwilioExpects) {
  test::TwilioStandIn server;
  server.start();
  TwilioSms sms(twilio(server));
  EXPECT_EQ(sms.send(alert("https://evidence.example/a.jpg?sig=1&x=2")).substr(0, 2), "SM");
  const auto got = server.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, "+15550001");
  EXPECT_EQ(got[0].from, "+15559999");
  EXPECT_EQ(got[0].body, "lockerctl: someone tried your locker. Photo: https://evidence.example/a.jpg?sig=1&x=2");
  EXPECT_EQ(got[0].media_url, "") << "MediaUrl only with sms.mms";

  TwilioOptions mms = twilio(server);
  mms.mms = true;
  TwilioSms(mms).send(alert("https://evidence.example/a.jpg?sig=1&x=2"));
  EXPECT_EQ(server.messages().back().media_url, "https://evidence.example/a.jpg?sig=1&x=2");
}

TEST(TwilioSms, AWrongTokenNamesTwilioAndTheKeys) {
  test::TwilioStandIn server;
  server.start();
  TwilioOptions o = twilio(server);
  o.auth_token = Secret("wrong");
  try {
    TwilioSms(o).send(alert());
    FAIL() << "a wrong token was accepted";
  } catch (const net::ServiceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Twilio at http://127.0.0.1"), std::string::npos) << what;
    EXPECT_NE(what.find("HTTP 401 (code 20003: Authenticate); check sms.account_sid and sms.auth_token"), std::string::npos) << what;
    EXPECT_EQ(what.find("wrong"), std::string::npos) << "the token itself is never in a message";
  }
}

TEST(TwilioSms, ARateLimitCarriesRetryAfter) {
  test::TwilioStandIn server;
  server.start();
  server.rate_limit(1, 7);
  try {
    TwilioSms(twilio(server)).send(alert());
    FAIL() << "429 taken as delivered";
  } catch (const net::ServiceError& e) {
    EXPECT_EQ(e.retry_after_s(), 7);
  }
  EXPECT_NO_THROW(TwilioSms(twilio(server)).send(alert()));
}

TEST(Webhook, TheReceiverChecksTheSignatureAndTheRepeatIsTheSameDelivery) {
  test::WebhookReceiver receiver;
  receiver.start();
  Webhook hook(receiver.base() + "/hooks/lockerctl", Secret(test::WebhookReceiver::kSecret));
  hook.send(alert("https://x/y.jpg"));
  hook.send(alert("https://x/y.jpg"));  // a retry after a lost answer: same delivery id
  ASSERT_EQ(receiver.deliveries().size(), 1u);
  EXPECT_EQ(receiver.duplicates(), 1);
  EXPECT_EQ(receiver.deliveries()[0].id, "key-1");
  EXPECT_EQ(receiver.deliveries()[0].photo_url, "https://x/y.jpg");

  Webhook forged(receiver.base() + "/hooks/lockerctl", Secret("another secret"));
  EXPECT_THROW(forged.send(alert()), net::ServiceError);
  EXPECT_EQ(receiver.rejected(), 1);

  Message code = alert();
  code.kind = "otp";
  EXPECT_THROW(hook.send(code), Error) << "codes never go by webhook";
  EXPECT_EQ(receiver.deliveries().size(), 1u);
}

TEST(Webhook, TheSignatureIsTheHmacOfTheBody) {
  const std::string body = webhook_body(alert(), 1763892000);
  EXPECT_EQ(webhook_signature("s3cr3t", body), "sha256=" + test::hmac_sha256_hex("s3cr3t", body));
  EXPECT_NE(body.find("\"timestamp\":1763892000"), std::string::npos) << body;
  EXPECT_NE(body.find("\"id\":\"key-1\""), std::string::npos) << body;
}

TEST(Email, TheMessageCarriesTextLinkAndThePhotoAttached) {
  test::TempDir dir;
  const std::string photo(1000, '\x42');
  std::ofstream(dir / "frame.jpg", std::ios::binary) << photo;
  Message m = alert("https://evidence.example/a.jpg");
  m.address = "alice@example.com";
  m.photo = dir / "frame.jpg";
  const std::string data = email_data({"smtp://mail.example:587", "locker@bank.example", "", {}, true, ""}, m);
  EXPECT_NE(data.find("From: <locker@bank.example>\r\nTo: <alice@example.com>\r\n"), std::string::npos);
  EXPECT_NE(data.find("Message-ID: <key-1@lockerctl>"), std::string::npos);
  EXPECT_NE(data.find("Photo: https://evidence.example/a.jpg"), std::string::npos);
  const std::string header = "filename=\"frame.jpg\"\r\n\r\n";
  const auto at = data.find(header);
  ASSERT_NE(at, std::string::npos);
  std::string encoded;
  for (std::size_t i = at + header.size(); data.compare(i, 2, "\r\n") != 0;) {
    const auto end = data.find("\r\n", i);
    encoded += data.substr(i, end - i);
    i = end + 2;
  }
  EXPECT_EQ(encoded, net::base64(photo));
}

TEST(SimulatedPhone, WritesAnInboxPerNumberAndReadsTheLastCode) {
  test::TempDir dir;
  SimulatedPhone phone(dir / "phone");
  Message m = alert();
  m.address = "+1 555";
  EXPECT_EQ(phone.last_code("+1 555"), "");
  m.text = "your code is 012345. It expires in 120 s.";
  phone.send(m);
  EXPECT_EQ(phone.last_code("+1 555"), "012345");
  m.text = "ALERT at 2026-11-23T10:48:35Z.";
  m.link = "file:///var/A20261123T104835Z-1/frame.jpg";
  phone.send(m);
  EXPECT_EQ(phone.last_code("+1 555"), "012345") << "an alert's digits are no code";
  EXPECT_TRUE(std::filesystem::exists(dir / "phone/+1_555.txt"));
}

}  // namespace
}  // namespace lockerctl::notify
