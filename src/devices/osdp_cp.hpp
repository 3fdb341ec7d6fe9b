#pragma once

// The OSDP control panel (CP): lockerctl's side of the lock-board link. One thread polls the
// board, sends commands with sequence numbers 1, 2, 3, 1, ..., resends the last command with the
// same number when no reply comes, declares the board offline after a silence and online again
// when it answers, and turns replies into BoardEvents. With a secure mode it first opens a
// Secure Channel session (osdp_sc.hpp) and seals every command in it; a resend after a lost reply
// sends the same sealed bytes again.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "devices/channel.hpp"
#include "devices/lock_board.hpp"
#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"
#include "devices/osdp_sc.hpp"

namespace lockerctl::devices::osdp {

/// When the panel speaks the Secure Channel (board.secure).
enum class SecureMode {
  Off,        ///< plain text only
  Preferred,  ///< a secure channel when the board has one; plain text, with a warning that repeats, when not
  Required,   ///< nothing but a secure channel: no session, no commands
};

struct ControlPanelOptions {
  std::uint8_t address = 0;                           ///< the board's address, 0x00-0x7E
  std::chrono::milliseconds poll_interval{200};       ///< at most this long between commands
  std::chrono::milliseconds reply_timeout{200};       ///< wait this long before resending
  std::chrono::milliseconds offline_after{8000};      ///< silence that makes the board offline
  int lock_output = 0;                                ///< the output that drives the lock
  SecureMode secure = SecureMode::Off;
  /// The board's Secure Channel Base Keys, tried in this order: its key, then a key that an
  /// interrupted `board keyset` may have installed. kDefaultKey is install mode's key.
  std::vector<Block> keys;
  std::chrono::milliseconds handshake_backoff_max{10000};  ///< a failed handshake is retried sooner at first, then this often
  std::chrono::milliseconds plain_warning{60000};  ///< Preferred on a board without one: the warning and a new try this often
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
  std::size_t handshakes = 0;       ///< secure-channel handshakes begun
  std::size_t sessions = 0;         ///< secure-channel sessions established
  std::size_t security_faults = 0;  ///< replies that failed their MAC, plain replies inside a session, boards ending one
};

/// "lock board 0xNN": how errors and logs name the board at `address`.
std::string board_name(std::uint8_t address);

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
  /// Waits until the board has answered once (with a secure mode: inside a session, or refused
  /// one under Preferred); false when `timeout` passed first or the secure channel failed.
  bool wait_online(std::chrono::milliseconds timeout);
  /// Why no secure channel could be opened (a wrong key, a board without one under Required).
  std::optional<std::string> security_problem() const;
  /// Whether commands go inside a secure channel now.
  bool secure() const;
  /// Which of ControlPanelOptions::keys the session uses.
  std::size_t key_index() const;
  /// Installs `key` on the board (osdp_KEYSET, inside the secure channel), then proves it with a
  /// new handshake under that key. Throws DeviceError without a session, when the board refuses
  /// the key, or when the new handshake fails within `timeout`.
  void set_key(const Block& key, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  DeviceId identify();
  std::vector<Capability> capabilities();
  LocalStatus local_status();
  std::vector<bool> inputs();
  std::vector<bool> outputs();

  void unlock(std::chrono::milliseconds duration) override;
  void lock() override;
  void set_output(int index, std::chrono::milliseconds duration) override;
  void alarm() override;
  void signal_closed() override;
  std::optional<BoardEvent> next_event(std::chrono::milliseconds timeout) override;
  bool ready() const override;

  LinkStats stats() const;

 private:
  struct Pending {
    Command command;
    std::vector<std::uint8_t> data;
    std::promise<Response> reply;
  };

  enum class Handshake { Established, Silent, Refused, WrongKey };
  using Clock = std::chrono::steady_clock;

  void run();
  std::optional<Packet> await_reply(std::uint8_t sequence, Clock::time_point deadline, bool secure);
  std::optional<Packet> exchange(const Packet& packet, Clock::time_point& last_reply);
  /// The reply with this sequence number, waited for until `deadline`.
  std::optional<Packet> receive(std::uint8_t sequence, Clock::time_point deadline, Clock::time_point& last_reply);
  /// After a wait that ended without a reply: keeps a partial packet for one more wait.
  void after_timeout();
  Handshake handshake(std::string& why, Clock::time_point& last_reply);
  /// After a silence: true when it has just become long enough to call the board offline.
  bool silent_since(Clock::time_point last_reply);
  void secure_event(bool fault, const std::string& text);
  void fail(std::shared_ptr<Pending>& pending, const std::string& why);
  void handle(const Packet& reply, Pending* pending, std::uint8_t& sequence);
  void track(const Packet& reply);
  void emit(BoardEvent event);
  void went_offline();
  std::vector<bool> states(Command command, Reply expected);

  Channel& channel_;
  ControlPanelOptions options_;
  Parser parser_;
  int partial_timeouts_ = 0;  ///< waits that ended without a packet since the last one; run thread only

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
  std::vector<Block> keys_;      ///< written by the run thread only, under the mutex
  std::size_t key_index_ = 0;   ///< likewise
  std::optional<PanelSession> session_;     ///< run thread only
  std::deque<PanelSession> unanswered_;     ///< the last challenges that went unanswered; run thread only
  bool secure_ = false;                     ///< a session is established
  bool plain_ = false;                      ///< Preferred, and the board has no secure channel; written by the run thread
  std::optional<std::string> problem_;      ///< why the secure channel failed, until it works
  std::optional<Block> switch_key_;         ///< set_key(): start a session under this key
  std::thread thread_;
};

}  // namespace lockerctl::devices::osdp
