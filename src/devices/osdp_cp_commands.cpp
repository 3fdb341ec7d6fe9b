// The control panel's commands to the board (identify, status, outputs, lock, key): each one a
// request that the link thread (osdp_cp.cpp) sends and answers.
#include "devices/osdp_cp.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"

namespace lockerctl::devices::osdp {

Response ControlPanel::request(Command command, std::vector<std::uint8_t> data,
                               std::chrono::milliseconds timeout) {
  auto pending = std::make_shared<Pending>();
  pending->command = command;
  pending->data = std::move(data);
  auto reply = pending->reply.get_future();
  {
    std::lock_guard lock(mutex_);
    if (offline_known_) {
      throw DeviceError(fmt::format("{}: offline (no valid reply for {} ms), {} not sent",
                                    board_name(options_.address), options_.offline_after.count(),
                                    code_name(static_cast<std::uint8_t>(command))));
    }
    if (problem_ && !secure_ && options_.secure == SecureMode::Required) {
      throw DeviceError(fmt::format("{}; {} not sent", *problem_, code_name(static_cast<std::uint8_t>(command))));
    }
    queue_.push_back(pending);
  }
  wake_.notify_all();
  if (reply.wait_for(timeout) != std::future_status::ready) {
    throw DeviceError(fmt::format("{}: no reply to {} within {} ms", board_name(options_.address),
                                  code_name(static_cast<std::uint8_t>(command)), timeout.count()));
  }
  return reply.get();
}

bool ControlPanel::wait_online(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  online_ready_.wait_for(lock, timeout, [&] { return online_ || (problem_ && options_.secure == SecureMode::Required); });
  return online_;
}

std::optional<std::string> ControlPanel::security_problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

bool ControlPanel::secure() const {
  std::lock_guard lock(mutex_);
  return secure_;
}

std::size_t ControlPanel::key_index() const {
  std::lock_guard lock(mutex_);
  return key_index_;
}

namespace {

template <class T>
T expect(const Response& r, Reply code, std::optional<T> decoded, const char* what) {
  if (r.code != static_cast<std::uint8_t>(code) || !decoded) {
    throw DeviceError(fmt::format("lock board: unexpected reply {} ({} bytes) to {}", code_name(r.code),
                                  r.data.size(), what));
  }
  return *decoded;
}

}  // namespace

DeviceId ControlPanel::identify() {
  const auto r = request(Command::Id, {0x00});
  return expect(r, Reply::PdId, decode_device_id(r.data), "ID");
}

std::vector<Capability> ControlPanel::capabilities() {
  const auto r = request(Command::Cap, {0x00});
  return expect(r, Reply::PdCap, decode_capabilities(r.data), "CAP");
}

LocalStatus ControlPanel::local_status() {
  const auto r = request(Command::LocalStatus, {});
  return expect(r, Reply::LocalStatus, decode_local_status(r.data), "LSTAT");
}

std::vector<bool> ControlPanel::states(Command command, Reply expected) {
  const auto r = request(command, {});
  return expect(r, expected, decode_states(r.data), code_name(static_cast<std::uint8_t>(command)).c_str());
}

std::vector<bool> ControlPanel::inputs() { return states(Command::InputStatus, Reply::InputStatus); }
std::vector<bool> ControlPanel::outputs() { return states(Command::OutputStatus, Reply::OutputStatus); }

void ControlPanel::unlock(std::chrono::milliseconds duration) { set_output(options_.lock_output, duration); }

void ControlPanel::set_output(int index, std::chrono::milliseconds duration) {
  if (index < 0 || index > 0xFF) throw DeviceError(fmt::format("OUT: there is no output {}", index));
  const auto units = std::clamp<long long>((duration.count() + 99) / 100, 1, 0xFFFF);
  const OutputControl pulse{static_cast<std::uint8_t>(index), kOutputTemporaryOn, static_cast<std::uint16_t>(units)};
  const auto r = request(Command::Output, encode_output({pulse}));
  expect(r, Reply::Ack, std::optional<bool>(true), "OUT");
}

void ControlPanel::lock() {
  const OutputControl off{static_cast<std::uint8_t>(options_.lock_output), kOutputPermanentOff, 0};
  const auto r = request(Command::Output, encode_output({off}));
  expect(r, Reply::Ack, std::optional<bool>(true), "OUT");
}

void ControlPanel::alarm() {
  expect(request(Command::Buzzer, encode_buzzer(kAlarmBuzzer)), Reply::Ack, std::optional<bool>(true), "BUZ");
  expect(request(Command::Led, encode_led(kAlarmLed)), Reply::Ack, std::optional<bool>(true), "LED");
}

void ControlPanel::signal_closed() {
  expect(request(Command::Led, encode_led(kClosedLed)), Reply::Ack, std::optional<bool>(true), "LED");
}

void ControlPanel::set_key(const Block& key, std::chrono::milliseconds timeout) {
  if (!secure()) {
    throw DeviceError(fmt::format("{}: no secure channel: a new key is only ever sent inside one", board_name(options_.address)));
  }
  expect(request(Command::KeySet, encode_keyset(key), timeout), Reply::Ack, std::optional<bool>(true), "KEYSET");
  std::unique_lock lock(mutex_);
  const std::size_t before = stats_.sessions;
  switch_key_ = key;
  wake_.notify_all();
  if (!online_ready_.wait_for(lock, timeout, [&] { return stats_.sessions > before || problem_; }) || problem_) {
    throw DeviceError(fmt::format("{}: took the new key, but no secure channel opens under it{}", board_name(options_.address),
                                  problem_ ? ": " + *problem_ : ""));
  }
}

std::optional<BoardEvent> ControlPanel::next_event(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!events_ready_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
  BoardEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

bool ControlPanel::ready() const {
  std::lock_guard lock(mutex_);
  return online_ && (options_.secure == SecureMode::Off || secure_ || plain_);
}

LinkStats ControlPanel::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace lockerctl::devices::osdp
