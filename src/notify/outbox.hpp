#pragma once

// Alerts and one-time passwords to the owner, through a durable outbox: a message is committed
// to the database before anyone tries to send it, a message that cannot be sent now is tried
// again later (with a growing pause), and a restart picks up where the last run stopped.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/database.hpp"

namespace lockerctl::notify {

struct Message {
  std::int64_t id = 0;
  std::string owner;           ///< owner name
  std::string phone;           ///< where it goes
  std::string kind;            ///< "otp" or "alert"
  std::string text;            ///< the SMS text; for "otp" it holds the code until it is sent
  std::string link;            ///< evidence link, if any
  double expires_at = 0;       ///< Unix seconds after which it is no longer worth sending; 0 = never
};

/// A way to reach a phone (SMS gateway, simulated phone). Returns an empty string on success,
/// else why it failed (the outbox tries again later).
class Sender {
 public:
  virtual ~Sender() = default;
  virtual std::string send(const Message& message) = 0;
  virtual std::string name() const = 0;
};

/// The simulated phone of the embedded defaults: one text file per phone number under `dir`,
/// a line per message ("TIME<TAB>TEXT<TAB>LINK"), flushed to disk. Scripts and tests read it,
/// e.g. to type the code that "arrived".
class SimulatedPhone final : public Sender {
 public:
  explicit SimulatedPhone(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::string send(const Message& message) override;
  std::string name() const override { return "simulated phone (" + dir_.string() + ")"; }
  std::filesystem::path inbox(const std::string& phone) const;
  /// The code of the newest message to `phone` that says "code is NNNNNN", or "" (what a person
  /// would type; alerts that came later, with their times and numbers, are not codes).
  std::string last_code(const std::string& phone) const;

 private:
  std::filesystem::path dir_;
};

struct DeliveryReport {
  int sent = 0;
  int failed = 0;   ///< tried now, kept for later
  int expired = 0;  ///< too late to be useful, dropped
};

class Outbox {
 public:
  Outbox(audit::Database& db, Sender& sender);
  /// Commits the message; returns its id. Delivery happens in deliver().
  std::int64_t enqueue(Message message);
  /// Tries every message that is due now. A sent code is erased from the database.
  DeliveryReport deliver();
  /// Messages not sent yet.
  int pending() const;

 private:
  audit::Database& db_;
  Sender& sender_;
};

/// Unix time now, in seconds.
double unix_now();

}  // namespace lockerctl::notify
