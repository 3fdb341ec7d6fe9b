#include "notify/courier.hpp"

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::notify {

Courier::Courier(const std::filesystem::path& db_file, const OutboxOptions& options,
                 std::map<std::string, Channel*> channels, evidence::Store* store, const audit::Key& audit_key,
                 std::function<void()> on_dead)
    : db_(db_file), audit_(db_, audit_key), outbox_(db_, options) {
  outbox_.set_delivery(std::move(channels), store, &audit_);
  outbox_.on_dead(std::move(on_dead));
  thread_ = std::thread([this] { loop(); });
}

Courier::~Courier() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Courier::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Courier::loop() {
  for (;;) {
    try {
      outbox_.deliver();
    } catch (const Error& e) {  // the database itself failed (disk full): try again next tick
      log::error("outbox: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    if (stop_) return;
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return woken_ || stop_; });
    woken_ = false;
  }
}

}  // namespace lockerctl::notify
