// The access flow itself: the state machine of an attempt (run), its start (idle, locker, begin)
// and the state the kiosk and scripts see. Each layer's work is in its own unit: flow_faces.cpp
// (layers 1 and 2), flow_password.cpp (layer 3), flow_lock.cpp (layer 4: lock and door) and
// flow_monitoring.cpp (sensors, rules, alarms, motion, alerts and evidence).
#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "access/flow_time.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

namespace {

constexpr const char* kStateNames[] = {"idle", "locker", "human", "liveness", "owner", "password", "otp", "approval", "open", "stopped"};

}  // namespace

const char* state_name(State s) { return kStateNames[static_cast<int>(s)]; }

std::optional<State> parse_state(const std::string& name) {
  for (int i = 0; i < static_cast<int>(std::size(kStateNames)); ++i) {
    if (name == kStateNames[i]) return static_cast<State>(i);
  }
  return std::nullopt;
}

Flow::Flow(FlowOptions options, FlowParts parts) : o_(std::move(options)), p_(parts) {}

void Flow::press() {
  std::lock_guard lock(mutex_);
  inputs_.emplace_back(Input::Trigger, std::string());
  changed_.notify_all();
}

void Flow::enter(const std::string& entry) {
  std::lock_guard lock(mutex_);
  inputs_.emplace_back(Input::Entry, entry);
  changed_.notify_all();
}

void Flow::stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  changed_.notify_all();
}

State Flow::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

Progress Flow::progress() const {
  const bool board_ready = p_.board.ready();
  const bool closed = closed_now().has_value();
  std::lock_guard lock(mutex_);
  return {state_, last_, ended_, board_ready, closed};
}

bool Flow::wait_for(State s, std::size_t& seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  std::size_t found = 0;
  const bool ok = changed_.wait_for(lock, timeout, [&] {
    for (std::size_t i = std::max(seen, dropped_changes_); i < dropped_changes_ + history_.size(); ++i) {
      if (history_[i - dropped_changes_] == s) {
        found = i + 1;
        return true;
      }
    }
    return false;
  });
  if (ok) seen = found;
  return ok;
}

void Flow::ignored_requests(std::ptrdiff_t n) const {
  // Said, so that whoever pressed knows to ask again once the attempt has ended.
  if (n > 0) log::warn("{}: {} request(s) for access during the attempt ignored; ask again when it ends", attempt_, n);
}

std::size_t Flow::changes() const {
  std::lock_guard lock(mutex_);
  return dropped_changes_ + history_.size();
}

void Flow::enter_state(State s) {
  log::debug("flow: {}", state_name(s));
  std::lock_guard lock(mutex_);
  state_ = s;
  history_.push_back(s);
  if (history_.size() > kKeptChanges) {
    history_.pop_front();
    ++dropped_changes_;
  }
  changed_.notify_all();
}

std::int64_t Flow::log(const std::string& attempt, const std::string& layer, const std::string& decision,
                       const std::string& detail, std::optional<double> score, std::optional<double> threshold,
                       const std::string& image) {
  if (score) {
    log::info("{} {}: {} (score {:.4g}, threshold {:.4g}){}{}", attempt.empty() ? "-" : attempt, layer, decision,
              *score, threshold.value_or(0), detail.empty() ? "" : ": ", detail);
  } else {
    log::info("{} {}: {}{}{}", attempt.empty() ? "-" : attempt, layer, decision, detail.empty() ? "" : ": ", detail);
  }
  return p_.audit.append({0, {}, attempt, layer, decision, score, threshold, image, detail});
}

std::string Flow::new_id(char prefix) {
  std::string id = fmt::format("{}{}-{}", prefix, utc_now_iso8601(), ++attempt_counter_);
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == ':' || c == '-'; }), id.end());
  id.insert(id.find('Z') + 1, "-");
  return id;
}

State Flow::idle() {
  for (;;) {
    const auto deadline = Clock::now() + (o_.trigger_on_face ? 500ms : 1000ms);
    const Input in = wait_input(deadline);
    if (in == Input::Stop) return State::Stopped;
    if (in == Input::Timeout) {
      if (!o_.trigger_on_face) continue;
      // A face that comes into view starts one attempt; it has to leave before it starts another.
      auto frame = grab_frame();
      const bool face = frame && !p_.faces.detect(*frame).empty();
      const bool appeared = face && !face_in_view_;
      face_in_view_ = face;
      if (!appeared) continue;
    }
    // Nobody goes through the layers, nor gets a code, for a locker that cannot be opened now.
    if (!p_.board.ready()) {
      log({}, "board", "out of service",
          "the lock board takes no command now (offline, or no secure channel); no attempt until it does");
      continue;
    }
    if (o_.lockers.size() > 1) return State::Locker;
    if (o_.lockers.empty()) {
      const double until = p_.owners.locked_until(o_.owner);
      if (until > unix_now()) {
        log({}, "lockout", "deny", fmt::format("locked out for {:.0f} more s after a failed attempt", until - unix_now()));
        continue;
      }
    }
    return State::Human;
  }
}

State Flow::ask_locker(Attempt& a) {
  log::info("{} locker: type the locker number", a.id);
  std::string entry;
  const Input in = wait_input(Clock::now() + seconds(o_.input_timeout_s), &entry);
  if (in == Input::Stop) return State::Stopped;
  if (in != Input::Entry) {
    log(a.id, "locker", "timeout", "no locker number entered; attempt ended");
    ++summary_.denied;
    return State::Idle;
  }
  if (std::find(o_.lockers.begin(), o_.lockers.end(), entry) == o_.lockers.end()) {
    log(a.id, "locker", "deny", fmt::format("locker {} is not served here", entry));
    ++summary_.denied;
    return State::Idle;
  }
  a.locker = entry;
  return begin(a);
}

State Flow::begin(Attempt& a) {
  if (a.locker.empty() && o_.lockers.size() == 1) a.locker = o_.lockers.front();
  a.dual = o_.dual_control;
  if (a.locker.empty()) {
    holders_ = {o_.owner};
  } else {
    const Locker locker = p_.lockers->get(a.locker);
    holders_ = locker.holders;
    a.all = locker.joint == Joint::All;
    a.dual = a.dual || locker.dual_control;
  }
  log(a.id, "trigger", "start",
      a.locker.empty() ? fmt::format("owner '{}'", o_.owner)
                       : fmt::format("locker {}, holders {}{}{}", a.locker, fmt::join(holders_, ", "),
                                     a.all ? ", jointly (all)" : "", a.dual ? ", dual control" : ""));
  if (!open_for(a)) {
    ++summary_.denied;
    return State::Idle;
  }
  return State::Human;
}

FlowSummary Flow::run(const std::atomic<bool>& stop_flag) {
  stop_flag_ = &stop_flag;
  log::debug("flow: {}", state_name(State::Idle));  // the state it was made in
  State s = State::Idle;
  Attempt a;
  while (s != State::Stopped) {
    try {
      switch (s) {
        case State::Idle:
          s = idle();
          if (s == State::Human || s == State::Locker) {
            a = Attempt{};
            a.id = new_id('A');
            ++summary_.attempts;
            granted_before_ = summary_.granted;
            waiting_ = false;
            attempt_ = a.id;
            if (s == State::Human) s = begin(a);
          }
          break;
        case State::Locker: s = ask_locker(a); break;
        case State::Human: s = check_human(a); break;
        case State::Liveness: s = check_liveness(a); break;
        case State::Owner: s = check_owner(a); break;
        case State::Password: s = password(a); break;
        case State::Otp:
          s = one_time_password(a);
          if (s == State::Open) s = layer3_passed(a);
          break;
        case State::Approval: s = approval(a); break;
        case State::Open: s = open(a); break;
        case State::Stopped: break;
      }
    } catch (const std::exception& e) {  // lockerctl's errors, and OpenCV's or a model's
      log::error("{}: {}", a.id.empty() ? "-" : a.id, e.what());
      try {
        log(a.id, "system", "error", e.what());
      } catch (const Error&) {
        // The audit log itself failed (disk full): the locker stays locked, the error is on stderr.
      }
      relock();
      ++summary_.denied;
      s = State::Idle;
    }
    if (s == State::Idle && !attempt_.empty()) {
      // Keys and presses left over from the attempt that just ended do not start the next one.
      std::lock_guard lock(mutex_);
      ignored_requests(std::count_if(inputs_.begin(), inputs_.end(), [](const auto& i) { return i.first == Input::Trigger; }));
      attempt_.clear();
      holders_.clear();
      keypad_.clear();
      inputs_.clear();
      approval_.reset();  // an attempt that ended in an error while it waited for an officer
      last_ = summary_.granted > granted_before_ ? Outcome::Granted : waiting_ ? Outcome::Waiting : Outcome::Denied;
      waiting_ = false;
      ended_ = Clock::now();
      last_motion_ = ended_;
    }
    enter_state(s);
  }
  relock();
  finish_clips(true);
  log({}, "system", "stopped", fmt::format("{} attempts, {} granted, {} denied", summary_.attempts, summary_.granted, summary_.denied));
  return summary_;
}

}  // namespace lockerctl::access
