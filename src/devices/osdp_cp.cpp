// The control panel's link: the thread that polls the board, opens and keeps the secure channel,
// and turns replies into events. Its commands are in osdp_cp_commands.cpp.
#include "devices/osdp_cp.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::devices {

std::string describe(const BoardEvent& e) {
  using K = BoardEvent::Kind;
  switch (e.kind) {
    case K::Online: return "online";
    case K::Offline: return "offline";
    case K::Input: return fmt::format("input {} {}", e.index, e.active ? "active" : "inactive");
    case K::Output: return fmt::format("output {} {}", e.index, e.active ? "on" : "off");
    case K::Keypad: return fmt::format("keypad: {} key(s)", e.text.size());
    case K::Tamper: return e.active ? "tamper switch open" : "tamper switch closed";
    case K::Power: return e.active ? "power failure (on battery)" : "power ok";
    case K::Nak: return "refused: " + e.text;
    case K::Secure: return (e.active ? "secure channel FAULT: " : "secure channel: ") + e.text;
  }
  return "?";
}

namespace osdp {

std::string board_name(std::uint8_t address) { return fmt::format("lock board 0x{:02X}", address); }

ControlPanel::ControlPanel(Channel& channel, ControlPanelOptions options)
    : channel_(channel), options_(options), parser_(options.address, true), keys_(options.keys) {
  if (options_.address >= kBroadcast) {
    throw DeviceError(fmt::format("lock board address 0x{:02X}: must be 0x00-0x7E", options_.address));
  }
  if (options_.secure != SecureMode::Off && keys_.empty()) {
    throw DeviceError(fmt::format("{}: a secure channel needs the board's key", board_name(options_.address)));
  }
  thread_ = std::thread([this] { run(); });
}

ControlPanel::~ControlPanel() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ControlPanel::emit(BoardEvent event) {
  log::debug("{}: {}", board_name(options_.address), describe(event));
  events_.push_back(std::move(event));
  events_ready_.notify_all();
}

std::optional<Packet> ControlPanel::await_reply(std::uint8_t sequence, Clock::time_point deadline, bool secure) {
  std::uint8_t buffer[256];
  for (;;) {
    while (auto packet = parser_.next()) {
      partial_timeouts_ = 0;
      if (packet->security && !secure) continue;  // not a reply to a plain command
      // Inside a session a plain reply is news whatever its sequence number: the caller decides
      // whether it is a restarted board or an attack.
      if (packet->sequence == sequence || (secure && !packet->security)) return packet;
      log::debug("{}: dropped a reply with sequence {} (waiting for {})", board_name(options_.address),
                 packet->sequence, sequence);
    }
    const auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    const std::size_t n = channel_.read(buffer, sizeof buffer, std::max(left, std::chrono::milliseconds(1)));
    parser_.feed(buffer, n);
  }
}

std::optional<Packet> ControlPanel::exchange(const Packet& packet, Clock::time_point& last_reply) {
  const auto bytes = encode(packet);
  const auto sent_at = Clock::now();
  channel_.write(bytes->data(), bytes->size());
  return receive(packet.sequence, sent_at + options_.reply_timeout, last_reply);
}

std::optional<Packet> ControlPanel::receive(std::uint8_t sequence, Clock::time_point deadline, Clock::time_point& last_reply) {
  auto reply = await_reply(sequence, deadline, true);
  if (reply) {
    last_reply = Clock::now();
  } else {
    after_timeout();
  }
  return reply;
}

void ControlPanel::after_timeout() {
  // A reply that was arriving when the wait ended is read to its end at the next wait: what it
  // says must not depend on when it came. A partial packet still there after a second wait is
  // noise, and goes.
  if (++partial_timeouts_ >= 2) {
    parser_.reset();
    partial_timeouts_ = 0;
  }
}

ControlPanel::Handshake ControlPanel::handshake(std::string& why, Clock::time_point& last_reply) {
  const Block key = keys_.at(key_index_);
  const bool default_key = key == kDefaultKey;
  PanelSession session(key);
  {
    std::lock_guard lock(mutex_);
    ++stats_.handshakes;
  }
  // CHLNG always goes with sequence number 0: a retried handshake restarts the count, whatever
  // the key (libosdp #244, #287).
  auto reply = exchange(session.challenge(options_.address, 0), last_reply);
  // The board's answer to a challenge the panel gave up on may come just before the answer to
  // this one. Its cryptogram belongs to the earlier random number: no sign of a wrong key.
  for (auto earlier = unanswered_.begin(); reply && earlier != unanswered_.end();) {
    if (!earlier->answers(*reply)) {
      ++earlier;
      continue;
    }
    log::debug("{}: a late answer to an earlier challenge", board_name(options_.address));
    unanswered_.erase(earlier);
    earlier = unanswered_.begin();
    reply = receive(0, Clock::now() + options_.reply_timeout, last_reply);
  }
  if (!reply) {
    unanswered_.push_back(std::move(session));
    if (unanswered_.size() > 4) unanswered_.pop_front();
    return Handshake::Silent;
  }
  const auto refused = [&](const Packet& r) {
    const std::uint8_t reason = r.code == static_cast<std::uint8_t>(Reply::Nak) && !r.data.empty() ? r.data[0] : 0;
    if (default_key && reason == static_cast<std::uint8_t>(NakReason::EncryptionRequired)) {
      why = fmt::format("board at address {} refused the default key: it is not in install mode", options_.address);
    } else {
      why = fmt::format("board at address {} does not speak the secure channel ({} to CHLNG{})", options_.address,
                        code_name(r.code), reason ? ": " + nak_text(reason) : "");
    }
    return Handshake::Refused;
  };
  if (!reply->security) return refused(*reply);
  try {
    reply = exchange(session.answer(*reply, 1), last_reply);
    if (!reply) return Handshake::Silent;
    if (!reply->security) return refused(*reply);
    session.confirm(*reply);
  } catch (const DeviceError& e) {
    why = e.what();
    return Handshake::WrongKey;
  }
  session_ = std::move(session);
  unanswered_.clear();
  return Handshake::Established;
}

bool ControlPanel::silent_since(Clock::time_point last_reply) {
  std::lock_guard lock(mutex_);
  stats_.parser = parser_.counters();
  if (offline_known_ || Clock::now() - last_reply < options_.offline_after) return false;
  went_offline();
  return true;
}

void ControlPanel::secure_event(bool fault, const std::string& text) {
  std::lock_guard lock(mutex_);
  if (fault) {
    ++stats_.security_faults;
    if (problem_ == text) return;  // said once; the next attempt may still fail the same way
    problem_ = text;  // the caller reports it: the error of a request, an alarm in the access flow
    log::debug("{}: {}", board_name(options_.address), text);
    for (auto& p : queue_) {
      p->reply.set_exception(std::make_exception_ptr(DeviceError(fmt::format(
          "{}; {} not sent", text, code_name(static_cast<std::uint8_t>(p->command))))));
    }
    queue_.clear();
    online_ready_.notify_all();
  }
  emit({BoardEvent::Kind::Secure, 0, fault, text});
}

void ControlPanel::fail(std::shared_ptr<Pending>& pending, const std::string& why) {
  if (!pending) return;
  pending->reply.set_exception(std::make_exception_ptr(DeviceError(fmt::format(
      "{}: {} not confirmed: {}", board_name(options_.address), code_name(static_cast<std::uint8_t>(pending->command)), why))));
  pending.reset();
}

void ControlPanel::run() {
  std::uint8_t sequence = 0;  // 0 restarts the board's sequence check
  auto last_reply = Clock::now();
  auto next_poll = Clock::now();
  auto next_handshake = Clock::now();
  auto backoff = options_.poll_interval;
  bool silence = false;  // the last command went unanswered
  std::shared_ptr<Pending> pending;
  Packet out;
  out.address = options_.address;
  std::vector<std::uint8_t> bytes;
  bool resend = false, same_bytes = false;

  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (switch_key_) {  // set_key(): the board took a new key; prove it with a new session
        keys_ = {*switch_key_};
        key_index_ = 0;
        switch_key_.reset();
        session_.reset();
        secure_ = false;
        next_handshake = Clock::now();
      }
    }
    if (options_.secure != SecureMode::Off && !session_ && (!plain_ || Clock::now() >= next_handshake)) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_until(lock, next_handshake, [&] { return stop_; });
        if (stop_) break;
      }
      std::string why;
      const Handshake result = handshake(why, last_reply);
      const auto now = Clock::now();
      if (result == Handshake::Established) {
        sequence = next_sequence(1);  // CHLNG went with 0, SCRYPT with 1
        resend = false;
        silence = false;
        backoff = options_.poll_interval;
        next_poll = now;
        std::lock_guard lock(mutex_);
        plain_ = false;
        secure_ = true;
        problem_.reset();
        ++stats_.sessions;
        const bool install = keys_[key_index_] == kDefaultKey;
        if (install) log::warn("{}: secure channel under the default key (install mode)", board_name(options_.address));
        emit({BoardEvent::Kind::Secure, 0, false,
              install ? "established under the default key SCBK-D (install mode)"
                      : fmt::format("established (key {} of {})", key_index_ + 1, keys_.size())});
        online_ready_.notify_all();
        continue;
      }
      if (result == Handshake::WrongKey && key_index_ + 1 < keys_.size()) {
        std::lock_guard lock(mutex_);
        ++key_index_;  // an interrupted key change: the board may hold the next key
        next_handshake = now;
        continue;
      }
      {
        std::lock_guard lock(mutex_);
        key_index_ = 0;
      }
      if (result == Handshake::Silent) {
        silent_since(last_reply);
      } else if (result == Handshake::Refused && options_.secure == SecureMode::Preferred) {
        log::warn("{}: {}; sending in PLAIN TEXT, which anyone on the wires can read and forge (board.secure: "
                  "preferred)", board_name(options_.address), why);
        if (!plain_) secure_event(false, why + "; falling back to plain text");
        {
          std::lock_guard lock(mutex_);
          plain_ = true;
        }
        sequence = 0;  // the challenge may have restarted the board's count
        next_handshake = now + options_.plain_warning;
        continue;
      } else {
        secure_event(true, why);
      }
      next_handshake = now + backoff;
      backoff = std::min(backoff * 2, options_.handshake_backoff_max);
      continue;
    }

    {
      std::unique_lock lock(mutex_);
      if (!resend) {
        wake_.wait_until(lock, next_poll, [&] { return stop_ || !queue_.empty(); });
        if (stop_) break;
        pending.reset();
        if (!queue_.empty()) {
          pending = std::move(queue_.front());
          queue_.pop_front();
          out.code = static_cast<std::uint8_t>(pending->command);
          out.data = pending->data;
        } else {
          out.code = static_cast<std::uint8_t>(Command::Poll);
          out.data.clear();
        }
      } else {
        // A resend after BUSY waits for the next poll time; after a timeout that time has come.
        wake_.wait_until(lock, next_poll, [&] { return stop_; });
        if (stop_) break;
      }
      ++stats_.commands;
      if (resend) ++stats_.resends;
    }

    out.sequence = sequence;
    // A resend after a lost reply repeats the sealed bytes exactly; after BUSY the board's reply
    // moved the MAC chain on, so the command is sealed again.
    if (!(resend && same_bytes)) bytes = *encode(session_ ? session_->seal(out) : out);
    const auto sent_at = Clock::now();
    next_poll = sent_at + options_.poll_interval;
    channel_.write(bytes.data(), bytes.size());
    auto reply = await_reply(sequence, sent_at + options_.reply_timeout, session_.has_value());
    if (!reply) {
      after_timeout();
      resend = same_bytes = silence = true;
      if (silent_since(last_reply)) {
        fail(pending, "the board is offline");
        out.code = static_cast<std::uint8_t>(Command::Poll);
        out.data.clear();
        sequence = 0;
        same_bytes = false;
        session_.reset();  // a board back from a silence gets a new handshake
        std::lock_guard lock(mutex_);
        secure_ = false;
      }
      continue;
    }

    last_reply = Clock::now();
    const bool after_silence = silence;
    silence = false;
    if (session_) {
      std::optional<std::pair<bool, std::string>> broken;  // an attack?, what happened
      if (reply->security) {
        try {
          *reply = session_->open(*reply);
        } catch (const DeviceError& e) {
          broken = {true, e.what()};
        }
      } else if (reply->code != static_cast<std::uint8_t>(Reply::Nak) || reply->data.empty() ||
                 reply->data[0] != static_cast<std::uint8_t>(NakReason::EncryptionRequired)) {
        broken = {true, "secure channel: a reply without a MAC inside the session"};
      } else if (after_silence) {
        broken = {false, "the board restarted and lost the secure channel; new handshake"};
      } else {
        // The board answered the last command, and now it has no session: it ended it over a
        // command that failed its MAC, which was not ours.
        broken = {true, "the board ended the secure channel over a changed or replayed command on the line"};
      }
      if (broken) {
        secure_event(broken->first, broken->second);
        fail(pending, broken->second);
        session_.reset();
        resend = false;
        std::lock_guard lock(mutex_);
        secure_ = false;
        continue;
      }
    }
    std::lock_guard lock(mutex_);
    stats_.parser = parser_.counters();
    if (!online_) {
      online_ = true;
      offline_known_ = false;
      emit({BoardEvent::Kind::Online, 0, false, {}});
      online_ready_.notify_all();
      // Learn the board's state before anything else.
      for (Command c : {Command::OutputStatus, Command::InputStatus, Command::LocalStatus}) {
        auto p = std::make_shared<Pending>();
        p->command = c;
        p->data = {};
        queue_.push_front(std::move(p));
      }
    }
    if (reply->code == static_cast<std::uint8_t>(Reply::Busy)) {
      ++stats_.busy;
      resend = true;  // same command, same sequence number, after a pause
      same_bytes = false;
      continue;
    }
    resend = false;
    handle(*reply, pending.get(), sequence);
  }

  std::lock_guard lock(mutex_);
  const DeviceError stopped(board_name(options_.address) + ": link closed");
  if (pending && resend) pending->reply.set_exception(std::make_exception_ptr(stopped));
  for (auto& p : queue_) p->reply.set_exception(std::make_exception_ptr(stopped));
  queue_.clear();
}

void ControlPanel::went_offline() {
  online_ = false;
  offline_known_ = true;
  emit({BoardEvent::Kind::Offline, 0, false, {}});
  for (auto& p : queue_) {
    p->reply.set_exception(std::make_exception_ptr(
        DeviceError(fmt::format("{}: offline, {} not sent", board_name(options_.address),
                                code_name(static_cast<std::uint8_t>(p->command))))));
  }
  queue_.clear();
  inputs_.reset();
  outputs_.reset();
  local_.reset();
}

void ControlPanel::handle(const Packet& reply, Pending* pending, std::uint8_t& sequence) {
  sequence = next_sequence(sequence);
  if (reply.code == static_cast<std::uint8_t>(Reply::Nak)) {
    ++stats_.naks;
    const std::uint8_t reason = reply.data.empty() ? 0 : reply.data[0];
    const std::string sent = pending ? code_name(static_cast<std::uint8_t>(pending->command)) : "POLL";
    const std::string text = fmt::format("{} ({})", sent, nak_text(reason));
    emit({BoardEvent::Kind::Nak, 0, false, text});
    if (reason == static_cast<std::uint8_t>(NakReason::BadSequence)) sequence = 0;
    if (pending) {
      pending->reply.set_exception(std::make_exception_ptr(
          DeviceError(fmt::format("{} refused {}", board_name(options_.address), text))));
    }
    return;
  }
  track(reply);
  if (pending) pending->reply.set_value(Response{reply.code, reply.data});
}

void ControlPanel::track(const Packet& reply) {
  const auto changes = [&](std::optional<std::vector<bool>>& known, const std::vector<bool>& now,
                           BoardEvent::Kind kind) {
    for (std::size_t i = 0; i < now.size(); ++i) {
      if (!known || i >= known->size() || (*known)[i] != now[i]) {
        emit({kind, static_cast<int>(i), now[i], {}});
      }
    }
    known = now;
  };
  switch (static_cast<Reply>(reply.code)) {
    case Reply::InputStatus:
      if (auto s = decode_states(reply.data)) changes(inputs_, *s, BoardEvent::Kind::Input);
      break;
    case Reply::OutputStatus:
      if (auto s = decode_states(reply.data)) changes(outputs_, *s, BoardEvent::Kind::Output);
      break;
    case Reply::LocalStatus:
      if (auto s = decode_local_status(reply.data)) {
        if (!local_ || local_->tamper != s->tamper) emit({BoardEvent::Kind::Tamper, 0, s->tamper, {}});
        if (!local_ || local_->power_failure != s->power_failure) {
          emit({BoardEvent::Kind::Power, 0, s->power_failure, {}});
        }
        local_ = *s;
      }
      break;
    case Reply::Keypad:
      if (auto k = decode_keypad(reply.data)) emit({BoardEvent::Kind::Keypad, k->reader, false, k->digits});
      break;
    default:
      break;
  }
}

}  // namespace osdp
}  // namespace lockerctl::devices
