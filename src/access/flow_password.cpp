// Layer 3 of the flow: the password and the one-time code, asked on the keypad with a given number of tries.
#include "access/flow.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "access/credentials.hpp"
#include "access/flow_time.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace lockerctl::access {

using flow_time::Clock;
using flow_time::seconds;
using namespace std::chrono_literals;

Flow::Input Flow::wait_input(Clock::time_point deadline, std::string* entry) {
  for (;;) {
    service();
    watch();
    {
      std::lock_guard lock(mutex_);
      if (stop_ || (stop_flag_ && *stop_flag_)) return Input::Stop;
      while (!inputs_.empty()) {
        auto [kind, text] = inputs_.front();
        inputs_.pop_front();
        if (kind == Input::Entry && entry == nullptr) continue;  // nobody asked for one
        if (kind == Input::Trigger && !attempt_.empty()) {
          ignored_requests(1);
          continue;
        }
        if (entry) *entry = text;
        return kind;
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) return Input::Timeout;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (auto e = p_.board.next_event(std::clamp(left, 1ms, 50ms))) handle_board(*e);
  }
}

State Flow::fail_layer3(Attempt& a, const std::string& why) {
  const std::string image = keep_evidence(a, why);
  const double until = unix_now() + o_.lockout_s;
  p_.owners.lock_out(a.holder, until);
  log(a.id, "lockout", "start", fmt::format("{}; no attempts for {:.0f} s", why, o_.lockout_s), std::nullopt,
      std::nullopt, image);
  alert(a.id,
        fmt::format("lockerctl: ALERT: {} at your locker at {}. If this was not you, report it to the police.", why,
                    utc_now_iso8601()),
        image);
  ++summary_.denied;
  return State::Idle;
}

State Flow::ask(Attempt& a, const Question& q) {
  for (int tries = 1; tries <= q.tries;) {
    if (q.what == std::string("password")) log::info("{} password: enter it now (try {} of {})", a.id, tries, q.tries);
    std::string entry;
    const auto deadline = std::min(q.expires.value_or(Clock::time_point::max()), Clock::now() + seconds(o_.input_timeout_s));
    const Input in = wait_input(deadline, &entry);
    if (in == Input::Stop) return State::Stopped;
    const bool expired = q.expires && Clock::now() >= *q.expires;
    if (in == Input::Timeout || (in == Input::Entry && expired)) {
      log(a.id, q.layer, expired ? "expired" : "timeout",
          expired ? fmt::format("the {} expired; attempt ended", q.what) : fmt::format("no {} entered; attempt ended", q.what));
      ++summary_.denied;
      return State::Idle;
    }
    if (in != Input::Entry) continue;
    if (q.accept(entry)) {
      log(a.id, q.layer, "pass", fmt::format("try {}", tries));
      return q.next;
    }
    log(a.id, q.layer, "deny", fmt::format("wrong {}, try {} of {}", q.what, tries, q.tries));
    ++tries;
  }
  return fail_layer3(a, fmt::format("{} wrong {}s", q.tries, q.what));
}

State Flow::password(Attempt& a) {
  const Owner owner = p_.owners.get(a.holder);
  if (owner.password_hash.empty()) {
    log(a.id, "password", "error", fmt::format("owner '{}' has no password (lockerctl owner set-password)", owner.name));
    ++summary_.denied;
    return State::Idle;
  }
  return ask(a, {"password", "password", o_.password_tries, std::nullopt, State::Otp,
                 [&](const std::string& entry) { return verify_password(entry, owner.password_hash); }});
}

State Flow::one_time_password(Attempt& a) {
  const Owner owner = p_.owners.get(a.holder);
  if (o_.totp) {
    if (owner.totp_secret.empty()) {
      log(a.id, "otp", "error", fmt::format("owner '{}' has no authenticator (lockerctl owner enroll-totp)", owner.name));
      ++summary_.denied;
      return State::Idle;
    }
    log(a.id, "otp", "requested", "code from the authenticator app");
    return ask(a, {"otp", "one-time code", o_.otp_tries, std::nullopt, State::Open, [&](const std::string& entry) {
                     return totp_matches(owner.totp_secret, static_cast<std::uint64_t>(unix_now()), o_.otp_digits, entry);
                   }});
  }
  // The code lives only here and in the outbox until it is sent; it is good for one attempt.
  const std::string code = random_code(o_.otp_digits);
  p_.outbox.send_code({owner.name, owner.phone, owner.email}, a.id,
                      fmt::format("lockerctl: your one-time code is {}. It expires in {:.0f} s.", code, o_.otp_ttl_s),
                      unix_now() + o_.otp_ttl_s);
  log(a.id, "otp", "sent", fmt::format("to the owner, valid {:.0f} s", o_.otp_ttl_s));
  return ask(a, {"otp", "one-time code", o_.otp_tries, Clock::now() + seconds(o_.otp_ttl_s), State::Open,
                 [&](const std::string& entry) { return codes_equal(entry, code); }});
}

}  // namespace lockerctl::access
