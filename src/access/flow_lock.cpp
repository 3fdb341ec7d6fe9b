// Layer 4 of the flow: the lock released, the door watched, and what the board reports about both.
#include "access/flow.hpp"

#include <fmt/format.h>

#include "access/flow_time.hpp"
#include "access/register.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

State Flow::open(Attempt& a) {
  const auto duration = std::chrono::milliseconds(static_cast<long long>(o_.unlock_s * 1000));
  log(a.id, "access", "granted",
      operation_detail({a.locker, a.opening, a.officer, fmt::format("unlocking for {:.1f} s", o_.unlock_s)}));
  try {
    released_until_ = Clock::now() + duration;
    p_.board.unlock(duration);
  } catch (const DeviceError& e) {
    released_until_ = {};
    log(a.id, "lock", "error", e.what());
    ++summary_.denied;
    return State::Idle;
  }
  ++summary_.granted;
  if (o_.alert_on_access) {
    // Every holder reads at once that the locker was opened, and by whom: a joint holder who
    // did not open it learns that someone else did. Through the outbox: nobody waits for it.
    alert(a.id, fmt::format("lockerctl: your locker{} was opened by {} at {}{}. If that was not you or someone you "
                            "trust, call the branch now.",
                            a.locker.empty() ? "" : " " + a.locker, fmt::join(a.opening, " and "), utc_now_iso8601(),
                            o_.branch.empty() ? "" : " at the " + o_.branch + " branch"));
  }
  const int openings_before = door_openings_;
  for (;;) {
    const Input in = wait_input(Clock::now() + 100ms);
    if (in == Input::Stop) {
      relock();
      return State::Stopped;
    }
    const bool window_over = Clock::now() >= released_until_;
    if (window_over && !door_open_) {
      log(a.id, "access", "done", door_openings_ > openings_before ? "door closed, locker locked" : "door not opened; locker locked");
      return State::Idle;
    }
  }
}

void Flow::relock() {
  if (Clock::now() >= released_until_) return;
  released_until_ = {};
  try {
    p_.board.lock();
    log(attempt_, "lock", "locked", "re-locked before leaving the open state");
  } catch (const DeviceError& e) {
    // The release was a timed pulse: the board locks by itself when it runs out.
    log::warn("could not re-lock at once ({}); the board re-locks when the pulse ends", e.what());
  }
}

void Flow::service() {
  expire_joint_passes();
  purge_evidence();
  const auto now = Clock::now();
  if (door_open_ && !door_alerted_ && now - door_opened_at_ > seconds(o_.door_open_max_s)) {
    door_alerted_ = true;
    log(attempt_, "door", "left open", fmt::format("open for more than {:.0f} s", o_.door_open_max_s));
    alert(attempt_, fmt::format("lockerctl: your locker door has been open for more than {:.0f} s.", o_.door_open_max_s));
  }
}

void Flow::handle_board(const devices::BoardEvent& e) {
  using K = devices::BoardEvent::Kind;
  const auto now = Clock::now();
  switch (e.kind) {
    case K::Online:
      log(attempt_, "board", "online");
      break;
    case K::Offline:
      log(attempt_, "board", "offline", "no valid reply from the lock board");
      break;
    case K::Input:
      if (e.index != o_.door_input) {
        sensor_changed(e.index, e.active);
        break;
      }
      if (e.active && !door_open_) {
        door_open_ = true;
        ++door_openings_;
        door_alerted_ = false;
        door_opened_at_ = now;
        if (now >= released_until_ && state_ != State::Open) {
          raise_alarm("door forced", "door", "forced", "the door opened while the lock was not released",
                      "lockerctl: ALERT: your locker door was opened without access being granted. "
                      "Report it to the police and the branch.", true);
        } else {
          log(attempt_, "door", "opened");
        }
      } else if (!e.active && door_open_) {
        door_open_ = false;
        log(attempt_, "door", "closed");
      }
      break;
    case K::Output:
      if (e.index == o_.lock_output) {
        log(attempt_, "lock", e.active ? "released" : "locked", "reported by the board");
      } else {
        actuator_changed(e.index, e.active);
      }
      break;
    case K::Keypad:
      if (!o_.keys_from_board) break;
      if (state() == State::Idle) {
        press();  // any key asks for access; the keys themselves mean nothing yet
        break;
      }
      for (char c : e.text) {
        if (c == '*') {
          keypad_.clear();
        } else if (c == '#') {
          enter(keypad_);
          keypad_.clear();
        } else if (keypad_.size() < 64) {
          keypad_ += c;
        }
      }
      break;
    case K::Tamper:
      if (e.active) {
        raise_alarm("tamper", "board", "tamper", "the lock board's tamper switch is open",
                    "lockerctl: ALERT: the lock board of your locker reports tampering.", true);
      }
      break;
    case K::Power:
      if (e.active) log(attempt_, "board", "power failure", "running on battery");
      break;
    case K::Nak:
      log(attempt_, "board", "refused", e.text);
      break;
    case K::Secure:
      if (e.active) {
        raise_alarm("link attack", "board", "link attack", e.text,
                    "lockerctl: ALERT: someone is tampering with the wires of your locker's lock board. The locker "
                    "stays locked. Report it to the branch.", true);
      } else {
        log(attempt_, "board", "secure channel", e.text);
      }
      break;
  }
}

}  // namespace lockerctl::access
