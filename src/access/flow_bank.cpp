// The bank's rules in the flow: opening hours and holidays (with officers' windows), joint
// operation of a locker (`all`: every holder passes layers 1-3 within the joint window) and dual
// control (a bank officer approves the opening on the console).
#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "access/flow_time.hpp"
#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

namespace {

std::tm local_now() {
  const std::time_t now = std::time(nullptr);
  std::tm t{};
  localtime_r(&now, &t);
  return t;
}

}  // namespace

std::optional<std::string> Flow::closed_now() const {
  const std::tm now = local_now();
  if (o_.holidays.count(local_date(now)) > 0) return "a holiday";
  if (o_.hours && !o_.hours->contains(now)) return "outside opening hours";
  return std::nullopt;
}

bool Flow::open_for(const Attempt& a) {
  const auto why = closed_now();
  if (!why) return true;
  if (p_.windows && !a.locker.empty()) {
    if (const auto w = p_.windows->active(a.locker, unix_now())) {
      log(a.id, "hours", "window", fmt::format("{}, but officer {} opened locker {} until {}: {}", *why, w->officer, a.locker,
                                                local_hhmm(w->until), w->reason));
      return true;
    }
  }
  log(a.id, "hours", "closed",
      fmt::format("{}; no attempt starts{}", *why, a.locker.empty() ? "" : " (an officer may open a window: lockerctl access open-window " + a.locker + ")"));
  try {
    p_.board.signal_closed();
  } catch (const DeviceError& e) {
    log::warn("the board could not show 'closed': {}", e.what());
  }
  return false;
}

State Flow::layer3_passed(Attempt& a) {
  a.opening = {a.holder};
  if (a.all) {
    auto [j, fresh] = joint_.try_emplace(a.locker);
    if (fresh) j->second = {{}, Clock::now() + seconds(o_.joint_window_s), a.id};
    j->second.passed.push_back(a.holder);
    std::vector<std::string> missing;
    for (const std::string& h : holders_) {
      if (std::find(j->second.passed.begin(), j->second.passed.end(), h) == j->second.passed.end()) missing.push_back(h);
    }
    if (!missing.empty()) {
      const double left = std::chrono::duration<double>(j->second.until - Clock::now()).count();
      log(a.id, "joint", "pass",
          fmt::format("locker {}: {} passed; waiting {:.0f} s more for {}", a.locker, a.holder, left, fmt::join(missing, ", ")));
      waiting_ = true;
      return State::Idle;
    }
    a.opening = j->second.passed;
    joint_.erase(j);
    log(a.id, "joint", "complete", fmt::format("locker {}: every holder passed ({})", a.locker, fmt::join(a.opening, ", ")));
  }
  return a.dual ? State::Approval : State::Open;
}

void Flow::expire_joint_passes() {
  const auto now = Clock::now();
  for (auto j = joint_.begin(); j != joint_.end();) {
    if (now < j->second.until) {
      ++j;
      continue;
    }
    const std::string locker = j->first;
    const JointPasses passes = j->second;
    j = joint_.erase(j);
    log(passes.attempt, "joint", "expired",
        fmt::format("locker {}: only {} passed within {:.0f} s; the locker stays locked", locker, fmt::join(passes.passed, ", "),
                    o_.joint_window_s));
    // Every holder is told, the ones who came and the ones who did not.
    alert(passes.attempt,
          fmt::format("lockerctl: locker {} was not opened: it needs every joint holder, and only {} came within {:.0f} s ({}).",
                      locker, fmt::join(passes.passed, " and "), o_.joint_window_s, utc_now_iso8601()),
          {}, p_.lockers->get(locker).holders);
  }
}

void Flow::purge_evidence() {
  if (!p_.holds || o_.retention_days <= 0 || Clock::now() < next_purge_) return;
  next_purge_ = Clock::now() + 24h;
  try {
    const auto p = evidence::purge(o_.incidents_dir, o_.retention_days, *p_.holds, unix_now(), false);
    evidence::audit_purge(p_.audit, p, o_.retention_days);
    if (!p.removed.empty() || !p.on_hold.empty()) {
      log::info("evidence: {} incident(s) past {} days purged, {} kept on hold", p.removed.size(), o_.retention_days, p.on_hold.size());
    }
  } catch (const Error& e) {  // a folder that cannot be removed: said, and tried again tomorrow
    log({}, "evidence", "error", e.what());
  }
}

std::optional<PendingApproval> Flow::pending_approval() const {
  std::lock_guard lock(mutex_);
  if (!approval_ || approval_->answer) return std::nullopt;
  PendingApproval p = approval_->pending;
  p.seconds_left = std::max(0.0, std::chrono::duration<double>(approval_->until - Clock::now()).count());
  return p;
}

std::string Flow::decide(const std::string& attempt, const std::string& officer, bool approve) {
  std::lock_guard lock(mutex_);
  if (!approval_ || approval_->answer || approval_->pending.attempt != attempt) {
    return fmt::format("attempt {} is not waiting for an officer (it ended, or never asked)", attempt);
  }
  const auto& holders = approval_->holders;
  if (std::find(holders.begin(), holders.end(), officer) != holders.end()) {
    return fmt::format("{} holds locker {}: an officer never approves a locker of their own", officer, approval_->pending.locker);
  }
  approval_->answer = std::make_pair(officer, approve);
  inputs_.emplace_back(Input::Decision, std::string());
  changed_.notify_all();
  return {};
}

State Flow::approval(Attempt& a) {
  const auto until = Clock::now() + seconds(o_.approval_timeout_s);
  {
    std::lock_guard lock(mutex_);
    approval_ = Approval{{a.id, a.locker, a.opening, o_.approval_timeout_s}, holders_, until, std::nullopt};
  }
  log(a.id, "approval", "requested",
      fmt::format("{}{} passed; waiting {:.0f} s for a bank officer on the console", a.locker.empty() ? "" : "locker " + a.locker + ": ",
                  fmt::join(a.opening, ", "), o_.approval_timeout_s));
  std::optional<std::pair<std::string, bool>> answer;
  for (;;) {
    const Input in = wait_input(until);
    std::lock_guard lock(mutex_);
    if (in == Input::Stop) {
      approval_.reset();
      return State::Stopped;
    }
    if (in == Input::Timeout || approval_->answer) {
      answer = approval_->answer;
      approval_.reset();
      break;
    }
  }
  if (answer && answer->second) {
    a.officer = answer->first;
    log(a.id, "approval", "approved", fmt::format("officer {}", a.officer));
    return State::Open;
  }
  const std::string why = answer ? fmt::format("officer {} refused the opening", answer->first)
                                 : fmt::format("no officer approved within {:.0f} s", o_.approval_timeout_s);
  log(a.id, "approval", answer ? "refused" : "timeout", why);
  alert(a.id, fmt::format("lockerctl: your locker{} was not opened at {}: {}.", a.locker.empty() ? "" : " " + a.locker,
                          utc_now_iso8601(), why));
  ++summary_.denied;
  return State::Idle;
}

}  // namespace lockerctl::access
