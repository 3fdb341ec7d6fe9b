#pragma once

// What the access flow needs from a lock board, whatever the wire: open the lock for a while,
// close it, drive the other outputs (siren, light), and hear about the door, the sensors, the
// keypad, tamper, power and the link itself.

#include <chrono>
#include <optional>
#include <string>

namespace lockerctl::devices {

struct BoardEvent {
  enum class Kind {
    Online,   ///< the board answers (again)
    Offline,  ///< no valid reply for the offline time
    Input,    ///< an input changed: `index`, `active` (door contact: active = open)
    Output,   ///< an output changed: `index`, `active` (lock output: active = released)
    Keypad,   ///< digits typed: `text`
    Tamper,   ///< tamper switch: `active`
    Power,    ///< power failure: `active`
    Nak,      ///< the board refused a command: `text` says which and why
    Secure,   ///< the secure channel: `active` = a fault to treat as an attack (alarm), else a change; `text` says what
  };
  Kind kind = Kind::Online;
  int index = 0;
  bool active = false;
  std::string text;
};

/// "input 0 active", "keypad '12'", "offline", ... (keypad digits are not shown: they may be
/// a password; only their count is).
std::string describe(const BoardEvent& event);

class LockBoard {
 public:
  virtual ~LockBoard() = default;
  /// Releases the lock for `duration`; the board re-locks by itself afterwards, so a lost link
  /// can never leave it open. Throws DeviceError when the board is offline or refuses.
  virtual void unlock(std::chrono::milliseconds duration) = 0;
  /// Re-locks now (cancels a running release). Throws DeviceError like unlock().
  virtual void lock() = 0;
  /// Turns output `index` (a siren relay, a light; not the lock) on for `duration`; the board
  /// turns it off by itself afterwards. Throws DeviceError like unlock().
  virtual void set_output(int index, std::chrono::milliseconds duration) = 0;
  /// A local alarm, for something an operator must see to: the buzzer beeps three times and the
  /// reader LED flashes red for ten seconds. Throws DeviceError like unlock().
  virtual void alarm() = 0;
  /// Says "no attempt now" at the locker (outside opening hours): the reader LED flashes amber for
  /// three seconds, without a sound. Throws DeviceError like unlock().
  virtual void signal_closed() = 0;
  /// The next event, waiting at most `timeout`.
  virtual std::optional<BoardEvent> next_event(std::chrono::milliseconds timeout) = 0;
  /// Whether a command reaches the board now: it answers, inside its secure channel when one is
  /// asked for. When it does not, unlock() throws.
  virtual bool ready() const = 0;
};

}  // namespace lockerctl::devices
