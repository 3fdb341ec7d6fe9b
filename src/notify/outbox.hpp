#pragma once

// Alerts, evidence uploads and one-time codes, through a durable outbox. Every upload and every
// message is committed to the database as a job before anything is sent; a job that fails is
// tried again with a growing, jittered pause (or as long as the service asked), and after
// alerts.max_attempts it is dead-lettered, with an error line and an audit entry. An alert waits
// for its photo's upload, so its link works; one owner's jobs on one channel go out in order.
// A restart, even after a kill -9, picks up where the last run stopped.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/database.hpp"
#include "evidence/store.hpp"
#include "notify/channels.hpp"

namespace lockerctl::notify {

/// Who an alert or a code goes to.
struct Recipient {
  std::string owner;
  std::string phone;
  std::string email;
};

struct OutboxOptions {
  std::vector<std::string> alert_channels = {"sms"};  ///< alerts.channels
  std::string code_channel = "sms";                   ///< alerts.code_channel: sms or email
  int max_attempts = 12;
  double backoff_s = 2;       ///< pause after the first failure; doubles after each
  double max_backoff_s = 600;
};

/// A row of the outbox, as `alerts list` shows it. A code's text is never kept once sent.
struct Job {
  std::int64_t id = 0;
  std::string key;       ///< idempotency key
  std::string created;
  std::string owner;
  std::string kind;      ///< "upload", "alert" or "otp"
  std::string channel;   ///< sms, webhook, email; the store for an upload
  std::string attempt;
  std::string state;     ///< pending, sent, dead, expired
  int attempts = 0;
  double next_try = 0;   ///< Unix seconds
  std::string last_error;
  std::string result;    ///< an upload's location, a channel's message id
  std::string sent_at;
};

struct DeliveryReport {
  int sent = 0;
  int failed = 0;   ///< tried now, kept for later
  int expired = 0;  ///< too late to be useful (a code), dropped
  int dead = 0;     ///< given up after alerts.max_attempts
};

class Outbox {
 public:
  /// Creates the table when missing (and moves messages of the older `outbox` table into it).
  Outbox(audit::Database& db, OutboxOptions options = {});

  /// What delivery uses: the channels by name, the evidence store, and the audit log that
  /// records where photos went and which jobs died. Not needed to raise jobs.
  void set_delivery(std::map<std::string, Channel*> channels, evidence::Store* store, audit::AuditLog* audit);
  /// Called after each commit of new jobs (run wakes its courier with it).
  void on_raise(std::function<void()> wake) { wake_ = std::move(wake); }
  /// Called when a job is dead-lettered, after its error line and audit entry (run sounds the
  /// board's local alarm with it).
  void on_dead(std::function<void()> alarm) { alarm_ = std::move(alarm); }

  /// Commits, in one transaction, the upload of `photo` (when given) and one alert job per
  /// channel in alerts.channels for `to` (a channel without an address for them is left out, with
  /// a warning). Returns the ids of the jobs.
  std::vector<std::int64_t> raise(const Recipient& to, const std::string& attempt, const std::string& text,
                                  const std::filesystem::path& photo = {});
  /// Commits the upload of an evidence `file` (an incident clip) for `to`, with no alert.
  std::int64_t upload(const Recipient& to, const std::string& attempt, const std::filesystem::path& file);
  /// Commits a one-time code for `to` through alerts.code_channel; it expires at `expires_at`
  /// (Unix seconds). Returns its id.
  std::int64_t send_code(const Recipient& to, const std::string& attempt, const std::string& text, double expires_at);

  /// Tries every job that is due now, in order, or only those of `only` when it is not empty
  /// (alerts test sends its own jobs and leaves the rest to run's courier and its retry policy).
  /// A sent code is erased from the database.
  DeliveryReport deliver(const std::vector<std::int64_t>& only = {});

  /// Jobs in id order, all or those in `state`.
  std::vector<Job> jobs(const std::string& state = {}) const;
  std::optional<Job> job(std::int64_t id) const;
  int pending() const;
  /// Makes a dead or pending job due now, with its tries counted from zero. False when there is
  /// no such job or it was already sent.
  bool retry(std::int64_t id);
  /// retry() for every dead job; returns how many.
  int retry_dead();
  /// Removes sent jobs created more than `age_s` seconds ago; returns how many.
  int purge_sent(double age_s);

 private:
  std::int64_t insert(const Recipient& to, const std::string& kind, const std::string& channel, const std::string& attempt,
                      const std::string& text, const std::string& photo, std::int64_t after, double expires_at);
  /// Sends one due job (an alert with the upload it waited for, if any); returns the result to
  /// keep. Throws when it was not sent.
  std::string send(const Job& job, const std::string& address, const std::string& text, const std::string& photo,
                   const std::optional<Job>& upload);
  void fail(const Job& job, const std::exception& e, DeliveryReport& report);

  audit::Database& db_;
  OutboxOptions o_;
  std::map<std::string, Channel*> channels_;
  evidence::Store* store_ = nullptr;
  audit::AuditLog* audit_ = nullptr;
  std::function<void()> wake_;
  std::function<void()> alarm_;
};

}  // namespace lockerctl::notify
