#pragma once

// A simulated lock board: an OSDP peripheral device (PD) with a lock output, a siren relay and a
// light, a door contact and three sensor inputs, a keypad and a tamper switch. Tests, the demo and operators without hardware use
// it; the control panel cannot tell it from a real board. Script lines act on it as a person or
// a fault would: press keys, open the door, cut the power, put noise on the line.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <istream>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "devices/channel.hpp"
#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"
#include "devices/osdp_sc.hpp"

namespace lockerctl::devices::osdp {

/// Input and output numbers on the simulated board (and the defaults of the board config section).
/// The temperature input is a thermostat contact: active above the temperature it is set to.
inline constexpr int kDoorInput = 0;
inline constexpr const char* kInputNames[] = {"door", "vibration", "smoke", "temperature"};
inline constexpr const char* kOutputNames[] = {"lock", "siren", "light"};

struct SimulatorOptions {
  std::uint8_t address = 0;
  int outputs = 3;  ///< output 0 drives the lock
  DeviceId id{0x0A0B0C, 1, 1, 0x00001234, 1, 0, 0};
  std::uint64_t seed = 1;  ///< for line noise
  /// Speaks the Secure Channel, and then refuses plain commands (NAK 6) unless in install mode.
  bool secure = false;
  Block key = kDefaultKey;    ///< its Secure Channel Base Key (SCBK)
  bool install_mode = false;  ///< also takes the default key SCBK-D, and plain commands; KEYSET ends it
};

class BoardSimulator {
 public:
  explicit BoardSimulator(SimulatorOptions options = {});

  /// The reply to one command from the control panel; nullopt when the board stays silent (no
  /// power). Repeats its last reply, without acting again, for a resent command (a sealed one
  /// byte for byte). In secure mode it answers the handshake, opens sealed commands and seals its
  /// replies; a command whose MAC does not verify ends the session and gets NAK 6.
  std::optional<Packet> handle(const Packet& command);

  /// Reads commands from `channel` and answers them until `stop` is set.
  void serve(Channel& channel, const std::atomic<bool>& stop);

  /// Performs one script line (already split into words). Returns false for a verb that is not
  /// the board's; throws std::invalid_argument naming the problem for bad arguments.
  ///   key DIGITS            press keys ('0'-'9', '*', '#')
  ///   door open|close       the door contact (input 0)
  ///   input N|NAME on|off   any input: door, vibration, smoke, temperature
  ///   tamper on|off         open / close the tamper switch
  ///   power off|on          cut the power (the board falls silent, the lock drops) / restore it
  ///   battery on|off        mains lost but running on battery (reported, still answering)
  ///   noise N               put N random bytes on the line
  ///   nak [REASON]          refuse the next command other than POLL (reason number, default 9)
  ///   busy [N]              answer BUSY to the next N commands other than POLL (default 1)
  ///   badmac                the sealed reply to the next OUT (the lock, an actuator) fails its MAC
  ///   secure on|off         speak the Secure Channel (and refuse plain commands) or not
  ///   scbk HEX              the board's Secure Channel Base Key, 32 hex digits (ends the session)
  ///   install on|off        install mode: also take the default key and plain commands
  bool perform(const std::vector<std::string>& words);

  /// What the lock output does now (true = released).
  bool lock_released() const;
  /// Whether output `index` is on now.
  bool output(int index) const;
  bool input(int index) const;
  /// The last buzzer and LED commands the board took, if any.
  std::optional<BuzzerControl> last_buzzer() const;
  std::optional<LedControl> last_led() const;
  /// The board's key now (KEYSET changes it), and whether it is still in install mode.
  Block key() const;
  bool install_mode() const;
  /// Sealed commands refused because their MAC did not verify (changed, replayed, reordered).
  std::size_t refused_macs() const;

 private:
  struct Output {
    bool permanent = false;
    std::chrono::steady_clock::time_point on_until{};
  };
  bool output_state(std::size_t index, std::chrono::steady_clock::time_point now) const;
  std::vector<bool> output_states() const;
  Packet answer(const Packet& command, bool sealed);
  Packet secure_reply(const Packet& command);
  Packet reply_to(const Packet& command, bool sealed);
  Packet poll_reply();
  Packet make(Reply code, std::vector<std::uint8_t> data = {}) const;
  Packet nak(NakReason reason) const;

  SimulatorOptions options_;
  mutable std::mutex mutex_;
  std::vector<bool> inputs_ = std::vector<bool>(4, false);
  std::vector<Output> outputs_;
  LocalStatus local_;
  bool powered_ = true;
  std::string keys_;
  std::optional<std::vector<bool>> reported_inputs_, reported_outputs_;
  std::optional<LocalStatus> reported_local_;
  std::optional<std::uint8_t> last_sequence_;
  std::optional<Packet> last_command_, last_reply_;
  std::size_t noise_bytes_ = 0;
  std::optional<std::uint8_t> nak_next_;
  std::optional<BuzzerControl> buzzer_;
  std::optional<LedControl> led_;
  int busy_next_ = 0;
  bool bad_mac_next_ = false;
  std::mt19937_64 rng_;
  BoardSession session_;
  std::optional<std::pair<Packet, Packet>> last_sealed_;  ///< the last sealed command and its sealed reply
  std::size_t refused_macs_ = 0;
};

/// Runs a board script: one command per line (see BoardSimulator::perform), plus
/// `sleep MS`; '#' starts a comment when it is the first character of a word other than the
/// argument of `key`. Stops early when `stop` is set. Throws DataError "name:line: problem".
void run_board_script(BoardSimulator& board, std::istream& in, const std::string& name,
                      const std::atomic<bool>& stop);

/// `sleep MS` (0 to 3,600,000): waits, or less when `stop` is set. Throws std::invalid_argument
/// for a bad argument.
void script_sleep(const std::vector<std::string>& words, const std::atomic<bool>& stop);

/// Splits a script line into words, dropping a trailing comment (a word starting with '#',
/// except right after `key` or `type`).
std::vector<std::string> script_words(const std::string& line);

}  // namespace lockerctl::devices::osdp
