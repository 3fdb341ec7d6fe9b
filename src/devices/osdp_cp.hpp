#pragma once

// The OSDP control panel (CP): lockerctl's side of the lock-board link. One thread polls the
// board, sends commands with sequence numbers 1, 2, 3, 1, ..., resends the last command with the
// same number when no reply comes, declares the board offline after a silence and online again
// when it answers, and turns replies into BoardEvents.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "devices/channel.hpp"
#include "devices/lock_board.hpp"
#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"

namespace lockerctl::devices::osdp {

struct ControlPanelOptions {
  std::uint8_t address = 0;                           ///< the board's address, 0x00-0x7E
  std::chrono::milliseconds poll_interval{200};       ///< at most this long between commands
  std::chrono::milliseconds reply_timeout{200};       ///< wait this long before resending
  std::chrono::milliseconds offline_after{8000};      ///< silence that makes the board offline
  int lock_output = 0;                                ///< the output that drives the lock
};

struct Response {
  std::uint8_t code = 0;  ///< reply code
  std::vector<std::uint8_t> data;
};

/// Link quality since start.
struct LinkStats {
  ParserCounters parser;
  std::size_t commands = 0;  ///< commands sent, resends included
  std::size_t resends = 0;   ///< commands sent again with the same sequence number
  std::size_t naks = 0;
  std::size_t busy = 0;
};

class ControlPanel final : public LockBoard {
 public:
  /// Starts polling at once. `channel` must outlive the panel.
  ControlPanel(Channel& channel, ControlPanelOptions options);
  ~ControlPanel() override;
  ControlPanel(const ControlPanel&) = delete;
  ControlPanel& operator=(const ControlPanel&) = delete;

  /// Sends a command and waits for its reply. Throws DeviceError when the board is offline,
  /// refuses it (NAK, with the reason) or does not answer within `timeout`.
  Response request(Command command, std::vector<std::uint8_t> data,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  /// Waits until the board has answered once; false when `timeout` passed first.
  bool wait_online(std::chrono::milliseconds timeout);

  DeviceId identify();
  std::vector<Capability> capabilities();
  LocalStatus local_status();
  std::vector<bool> inputs();
  std::vector<bool> outputs();

  void unlock(std::chrono::milliseconds duration) override;
  void lock() override;
  void set_output(int index, std::chrono::milliseconds duration) override;
  void alarm() override;
  std::optional<BoardEvent> next_event(std::chrono::milliseconds timeout) override;
  bool online() const override;

  LinkStats stats() const;

 private:
  struct Pending {
    Command command;
    std::vector<std::uint8_t> data;
    std::promise<Response> reply;
  };

  void run();
  std::optional<Packet> await_reply(std::uint8_t sequence, std::chrono::steady_clock::time_point deadline);
  void handle(const Packet& reply, Pending* pending, std::uint8_t& sequence);
  void track(const Packet& reply);
  void emit(BoardEvent event);
  void went_offline();
  std::vector<bool> states(Command command, Reply expected);

  Channel& channel_;
  ControlPanelOptions options_;
  Parser parser_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;         ///< new request or stop
  std::condition_variable events_ready_;
  std::condition_variable online_ready_;
  std::deque<std::shared_ptr<Pending>> queue_;
  std::deque<BoardEvent> events_;
  bool stop_ = false;
  bool online_ = false;
  bool offline_known_ = false;  ///< the silence was long enough to call the board offline
  LinkStats stats_;
  std::optional<std::vector<bool>> inputs_, outputs_;
  std::optional<LocalStatus> local_;
  std::thread thread_;
};

}  // namespace lockerctl::devices::osdp
