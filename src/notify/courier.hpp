#pragma once

// Delivers the outbox from a thread of its own, on its own database connection, so that a slow
// or unreachable service never holds up the access flow. It wakes when a job is raised (wake())
// and once a second for retries that come due.

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "notify/outbox.hpp"

namespace lockerctl::notify {

class Courier {
 public:
  /// `on_dead` is called on the courier's thread when a job is dead-lettered (Outbox::on_dead).
  Courier(const std::filesystem::path& db_file, const OutboxOptions& options, std::map<std::string, Channel*> channels,
          evidence::Store* store, const audit::Key& audit_key, std::function<void()> on_dead = {});
  /// Makes a last delivery pass, then stops.
  ~Courier();
  Courier(const Courier&) = delete;
  Courier& operator=(const Courier&) = delete;

  /// Delivers now instead of at the next tick.
  void wake();

 private:
  void loop();

  audit::Database db_;
  audit::AuditLog audit_;
  Outbox outbox_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lockerctl::notify
