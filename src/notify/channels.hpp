#pragma once

// The ways an alert or a one-time code reaches a person (alerts.channels): SMS through Twilio's
// Messages API or the simulated phone, a signed webhook, e-mail over SMTP. Each channel delivers
// one message or throws; the outbox decides when to try again.

#include <filesystem>
#include <map>
#include <string>

#include "core/secret.hpp"

namespace lockerctl::notify {

/// What a channel delivers.
struct Message {
  std::string key;      ///< idempotency key: the same for every try of one message
  std::string created;  ///< when it was raised, UTC ISO 8601
  std::string owner;
  std::string address;  ///< phone number (sms) or e-mail address (email); "" for a webhook
  std::string kind;     ///< "alert" or "otp"
  std::string attempt;  ///< the access attempt it is about, or "-"
  std::string text;
  std::string link;     ///< a link to the evidence photo, or ""
  std::filesystem::path photo;  ///< the photo on this machine, or "" (e-mail attaches it)
};

class Channel {
 public:
  virtual ~Channel() = default;
  /// "sms", "webhook" or "email".
  virtual std::string name() const = 0;
  /// Where it delivers, for people: "Twilio (https://api.twilio.com)".
  virtual std::string describe() const = 0;
  /// Delivers `message`; returns the service's id for it ("" when it gives none). Throws
  /// net::ServiceError (or another Error) when the message was not taken.
  virtual std::string send(const Message& message) = 0;
};

/// The text of an SMS: the message and, when there is one, the link to the photo.
std::string sms_body(const Message& message);

/// sms.provider: sim. One text file per phone number under `dir`, a line per message
/// ("TIME<TAB>TEXT<TAB>LINK"), synced to disk. Scripts and tests read it, e.g. to type the code
/// that "arrived".
class SimulatedPhone final : public Channel {
 public:
  explicit SimulatedPhone(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::string name() const override { return "sms"; }
  std::string describe() const override { return "simulated phone (" + dir_.string() + ")"; }
  std::string send(const Message& message) override;
  std::filesystem::path inbox(const std::string& phone) const;
  /// The code of the newest message to `phone` that says "code is NNNNNN", or "" (what a person
  /// would type; alerts that came later, with their times and numbers, are not codes).
  std::string last_code(const std::string& phone) const;
  /// last_code of every phone with an inbox, by the inbox's name (the number, for numbers).
  std::map<std::string, std::string> last_codes() const;

 private:
  std::filesystem::path dir_;
};

struct TwilioOptions {
  std::string api_base = "https://api.twilio.com";
  std::string account_sid;
  Secret auth_token;
  std::string from;   ///< the sending number or messaging service
  bool mms = false;   ///< attach the photo link as MediaUrl
};

/// sms.provider: twilio. POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json.
class TwilioSms final : public Channel {
 public:
  explicit TwilioSms(TwilioOptions options) : o_(std::move(options)) {}
  std::string name() const override { return "sms"; }
  std::string describe() const override { return "Twilio (" + o_.api_base + ")"; }
  std::string send(const Message& message) override;

 private:
  TwilioOptions o_;
};

/// The JSON body a webhook receives (the signature covers it, its id and its timestamp).
std::string webhook_body(const Message& message, long long timestamp);

/// `sha256=<hex HMAC-SHA-256 of body under secret>`, the X-Lockerctl-Signature header.
std::string webhook_signature(const std::string& secret, const std::string& body);

/// alerts.channels: webhook. A JSON POST to webhook.url, signed in X-Lockerctl-Signature, with
/// X-Lockerctl-Delivery (the idempotency key) and X-Lockerctl-Timestamp, so that a receiver can
/// check who sent it and refuse a replay. Never carries a one-time code.
class Webhook final : public Channel {
 public:
  Webhook(std::string url, Secret secret) : url_(std::move(url)), secret_(std::move(secret)) {}
  std::string name() const override { return "webhook"; }
  std::string describe() const override { return "webhook (" + url_ + ")"; }
  std::string send(const Message& message) override;

 private:
  std::string url_;
  Secret secret_;
};

struct EmailOptions {
  std::string smtp_url;  ///< smtp://host:587 (STARTTLS) or smtps://host:465
  std::string from;
  std::string username;
  Secret password;
  bool require_tls = true;
  std::string ca_file;  ///< "": the system's CA certificates
};

/// The whole RFC 5322 message: text, the link, and the photo attached when there is one.
std::string email_data(const EmailOptions& options, const Message& message);

/// alerts.channels: email. SMTP through libcurl to the owner's address, the photo attached.
class Email final : public Channel {
 public:
  explicit Email(EmailOptions options) : o_(std::move(options)) {}
  std::string name() const override { return "email"; }
  std::string describe() const override { return "e-mail (" + o_.smtp_url + ")"; }
  std::string send(const Message& message) override;

 private:
  EmailOptions o_;
};

}  // namespace lockerctl::notify
