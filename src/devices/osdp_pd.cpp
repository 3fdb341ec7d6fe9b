#include "devices/osdp_pd.hpp"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>
#include <thread>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::devices::osdp {
namespace {

using Clock = std::chrono::steady_clock;

bool on_off(const std::vector<std::string>& w, const char* on, const char* off) {
  if (w.size() == 2 && w[1] == on) return true;
  if (w.size() == 2 && w[1] == off) return false;
  throw std::invalid_argument(fmt::format("'{}' needs '{}' or '{}'", w[0], on, off));
}

int number(const std::string& word, int low, int high, const std::string& what) {
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(word, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != word.size() || value < low || value > high) {
    throw std::invalid_argument(fmt::format("{} must be a number from {} to {}, got '{}'", what, low, high, word));
  }
  return value;
}

/// The board's client id in the handshake (cUID): its vendor code and serial number.
Random client_id(const DeviceId& id) {
  return {static_cast<std::uint8_t>(id.vendor >> 16), static_cast<std::uint8_t>(id.vendor >> 8),
          static_cast<std::uint8_t>(id.vendor), id.model, static_cast<std::uint8_t>(id.serial),
          static_cast<std::uint8_t>(id.serial >> 8), static_cast<std::uint8_t>(id.serial >> 16),
          static_cast<std::uint8_t>(id.serial >> 24)};
}

/// `reply` as the answer to `command`: its sequence number and its kind of check.
Packet answering(Packet reply, const Packet& command) {
  reply.sequence = command.sequence;
  reply.use_crc = command.use_crc;
  return reply;
}

}  // namespace

BoardSimulator::BoardSimulator(SimulatorOptions options)
    : options_(options),
      outputs_(static_cast<std::size_t>(options.outputs)),
      rng_(options.seed),
      session_(options.key, options.install_mode, client_id(options.id)) {}

Packet BoardSimulator::make(Reply code, std::vector<std::uint8_t> data) const {
  Packet p;
  p.address = options_.address;
  p.reply = true;
  p.code = static_cast<std::uint8_t>(code);
  p.data = std::move(data);
  return p;
}

Packet BoardSimulator::nak(NakReason reason) const {
  return make(Reply::Nak, {static_cast<std::uint8_t>(reason)});
}

bool BoardSimulator::output_state(std::size_t index, Clock::time_point now) const {
  const Output& o = outputs_[index];
  return now < o.on_until ? true : o.permanent;
}

std::vector<bool> BoardSimulator::output_states() const {
  std::vector<bool> states;
  const auto now = Clock::now();
  for (std::size_t i = 0; i < outputs_.size(); ++i) states.push_back(output_state(i, now));
  return states;
}

std::optional<Packet> BoardSimulator::handle(const Packet& command) {
  std::lock_guard lock(mutex_);
  if (!powered_) return std::nullopt;
  if (command.security) return secure_reply(command);
  if (options_.secure && !options_.install_mode) return answering(nak(NakReason::EncryptionRequired), command);
  return answer(command, false);
}

Packet BoardSimulator::answer(const Packet& command, bool sealed) {
  Packet reply;
  if (last_sequence_ && command.sequence == *last_sequence_ && last_command_ && last_reply_ &&
      last_command_->code == command.code && last_command_->data == command.data) {
    reply = *last_reply_;  // the panel missed our reply: say it again, do not act twice
  } else if (command.sequence == 0 || !last_sequence_ || command.sequence == next_sequence(*last_sequence_)) {
    reply = reply_to(command, sealed);  // 0 restarts the count
  } else {
    reply = nak(NakReason::BadSequence);
  }
  reply = answering(std::move(reply), command);
  if (reply.code != static_cast<std::uint8_t>(Reply::Busy)) {  // after BUSY the command comes again
    last_sequence_ = command.sequence;
    last_command_ = command;
    last_reply_ = reply;
  }
  return reply;
}

Packet BoardSimulator::secure_reply(const Packet& command) {
  const Security type = command.security->type;
  if (!options_.secure) return answering(nak(NakReason::SecurityUnsupported), command);
  if (type == Security::Challenge || type == Security::ServerCrypt) {
    try {
      Packet reply = answering(session_.handshake(command), command);
      last_sequence_ = command.sequence;  // a handshake restarts the count (CHLNG comes with 0)
      last_command_.reset();
      last_sealed_.reset();
      return reply;
    } catch (const DeviceError& e) {
      log::warn("board: refused a handshake: {}", e.what());
      return answering(nak(NakReason::EncryptionRequired), command);
    }
  }
  if (type != Security::CommandMac && type != Security::CommandSealed) {
    return answering(nak(NakReason::SecurityUnsupported), command);
  }
  if (last_sealed_ && last_sealed_->first == command) return last_sealed_->second;  // resent: the same bytes again
  if (!session_.established()) return answering(nak(NakReason::EncryptionRequired), command);
  Packet plain;
  try {
    plain = session_.open(command);
  } catch (const DeviceError& e) {
    ++refused_macs_;
    session_.reset();
    last_sealed_.reset();
    log::warn("board: {}; session ended", e.what());
    return answering(nak(NakReason::EncryptionRequired), command);
  }
  Packet reply = session_.seal(answer(plain, true));
  if (bad_mac_next_ && plain.code == static_cast<std::uint8_t>(Command::Output)) {
    bad_mac_next_ = false;
    reply.mac[0] ^= 0x01;  // as a man on the wires who changed the reply would leave it
  }
  if (reply.code != static_cast<std::uint8_t>(Reply::Busy)) last_sealed_ = {command, reply};
  return reply;
}

Packet BoardSimulator::poll_reply() {
  if (!keys_.empty()) {
    KeypadData k{0, keys_};
    keys_.clear();
    return make(Reply::Keypad, encode_keypad(k));
  }
  if (!reported_local_ || reported_local_->tamper != local_.tamper ||
      reported_local_->power_failure != local_.power_failure) {
    reported_local_ = local_;
    return make(Reply::LocalStatus, encode_local_status(local_));
  }
  if (reported_inputs_ != inputs_) {
    reported_inputs_ = inputs_;
    return make(Reply::InputStatus, encode_states(inputs_));
  }
  const auto outputs = output_states();
  if (reported_outputs_ != outputs) {
    if (reported_outputs_ && !outputs.empty() && (*reported_outputs_)[0] != outputs[0]) {
      log::info("board: lock {}", outputs[0] ? "released" : "locked");
    }
    reported_outputs_ = outputs;
    return make(Reply::OutputStatus, encode_states(outputs));
  }
  return make(Reply::Ack);
}

Packet BoardSimulator::reply_to(const Packet& command, bool sealed) {
  const bool poll = command.code == static_cast<std::uint8_t>(Command::Poll);
  if (busy_next_ > 0 && !poll) {
    --busy_next_;
    return make(Reply::Busy);
  }
  if (nak_next_ && !poll) {
    const auto reason = static_cast<NakReason>(*nak_next_);
    nak_next_.reset();
    return nak(reason);
  }
  const auto& d = command.data;
  switch (static_cast<Command>(command.code)) {
    case Command::Poll:
      return d.empty() ? poll_reply() : nak(NakReason::BadLength);
    case Command::Id:
      return d.size() == 1 ? make(Reply::PdId, encode_device_id(options_.id)) : nak(NakReason::BadLength);
    case Command::Cap: {
      if (d.size() != 1) return nak(NakReason::BadLength);
      const auto n_in = static_cast<std::uint8_t>(inputs_.size());
      const auto n_out = static_cast<std::uint8_t>(outputs_.size());
      // Contact status monitoring, output control, reader LED, reader buzzer, CRC-16.
      return make(Reply::PdCap, encode_capabilities({{1, 1, n_in}, {2, 1, n_out}, {4, 1, 1}, {5, 1, 1}, {8, 1, 0}}));
    }
    case Command::LocalStatus:
      if (!d.empty()) return nak(NakReason::BadLength);
      reported_local_ = local_;
      return make(Reply::LocalStatus, encode_local_status(local_));
    case Command::InputStatus:
      if (!d.empty()) return nak(NakReason::BadLength);
      reported_inputs_ = inputs_;
      return make(Reply::InputStatus, encode_states(inputs_));
    case Command::OutputStatus:
      if (!d.empty()) return nak(NakReason::BadLength);
      reported_outputs_ = output_states();
      return make(Reply::OutputStatus, encode_states(*reported_outputs_));
    case Command::Output: {
      const auto records = decode_output(d);
      if (!records) return nak(NakReason::BadLength);
      const auto now = Clock::now();
      for (const auto& r : *records) {
        if (r.output >= outputs_.size() || r.control < 1 || r.control > 5) return nak(NakReason::UnableToProcess);
      }
      for (const auto& r : *records) {
        Output& o = outputs_[r.output];
        switch (r.control) {
          case 1: o = {false, {}}; break;
          case 2: o = {true, {}}; break;
          case 3: o.permanent = false; break;
          case 4: o.permanent = true; break;
          case 5: o.on_until = now + std::chrono::milliseconds(100 * r.timer); break;
        }
        if (r.control != 5) continue;
        if (r.output == 0) {
          log::info("board: lock released for {:.1f} s", r.timer / 10.0);
        } else {
          log::info("board: output {} ({}) on for {:.1f} s", r.output,
                    r.output < std::size(kOutputNames) ? kOutputNames[r.output] : "unnamed", r.timer / 10.0);
        }
      }
      return make(Reply::Ack);
    }
    case Command::Led:
      led_ = decode_led(d);
      if (!led_) return nak(NakReason::BadLength);
      if (led_->temp_control == 2) {
        log::info("board: LED {} for {:.1f} s", led_->temp_on_color == kLedRed ? "flashes red" : "changes", led_->temp_timer / 10.0);
      }
      return make(Reply::Ack);
    case Command::Buzzer:
      buzzer_ = decode_buzzer(d);
      if (!buzzer_) return nak(NakReason::BadLength);
      if (buzzer_->tone != 1) log::info("board: buzzer beeps {} time(s)", buzzer_->count);
      return make(Reply::Ack);
    case Command::KeySet: {
      if (!sealed) return nak(NakReason::EncryptionRequired);  // a key never travels in plain text
      const auto key = decode_keyset(d);
      if (!key) return nak(NakReason::BadLength);
      options_.key = *key;
      options_.install_mode = false;
      session_.set_key(*key);
      log::info("board: new secure channel key installed; install mode off");
      return make(Reply::Ack);
    }
  }
  return nak(NakReason::UnknownCommand);
}

void BoardSimulator::serve(Channel& channel, const std::atomic<bool>& stop) {
  Parser parser(options_.address, false);
  std::uint8_t buffer[256];
  while (!stop) {
    const std::size_t n = channel.read(buffer, sizeof buffer, std::chrono::milliseconds(20));
    parser.feed(buffer, n);
    std::vector<std::uint8_t> noise;
    {
      std::lock_guard lock(mutex_);
      for (; noise_bytes_ > 0; --noise_bytes_) noise.push_back(static_cast<std::uint8_t>(rng_()));
    }
    if (!noise.empty()) channel.write(noise.data(), noise.size());
    while (auto command = parser.next()) {
      if (auto reply = handle(*command)) {
        const auto bytes = encode(*reply);
        channel.write(bytes->data(), bytes->size());
      }
    }
  }
}

bool BoardSimulator::lock_released() const { return output(0); }

bool BoardSimulator::output(int index) const {
  std::lock_guard lock(mutex_);
  return index >= 0 && static_cast<std::size_t>(index) < outputs_.size() &&
         output_state(static_cast<std::size_t>(index), Clock::now());
}

std::optional<BuzzerControl> BoardSimulator::last_buzzer() const {
  std::lock_guard lock(mutex_);
  return buzzer_;
}

std::optional<LedControl> BoardSimulator::last_led() const {
  std::lock_guard lock(mutex_);
  return led_;
}

Block BoardSimulator::key() const {
  std::lock_guard lock(mutex_);
  return options_.key;
}

bool BoardSimulator::install_mode() const {
  std::lock_guard lock(mutex_);
  return options_.install_mode;
}

std::size_t BoardSimulator::refused_macs() const {
  std::lock_guard lock(mutex_);
  return refused_macs_;
}

bool BoardSimulator::input(int index) const {
  std::lock_guard lock(mutex_);
  return inputs_.at(static_cast<std::size_t>(index));
}

bool BoardSimulator::perform(const std::vector<std::string>& w) {
  if (w.empty()) return false;
  const std::string& verb = w[0];
  std::lock_guard lock(mutex_);
  if (verb == "key") {
    if (w.size() != 2) throw std::invalid_argument("'key' needs the keys to press, e.g. 'key 1234#'");
    for (char c : w[1]) {
      if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) {
        throw std::invalid_argument(fmt::format("'key': '{}' is not a keypad key (0-9, *, #)", c));
      }
    }
    if (powered_) keys_ += w[1];  // a keypad without power registers nothing
  } else if (verb == "door") {
    inputs_[kDoorInput] = on_off(w, "open", "close");
  } else if (verb == "input") {
    if (w.size() != 3) throw std::invalid_argument("'input' needs a number or name and 'on' or 'off'");
    int index = -1;
    for (int i = 0; i < static_cast<int>(std::size(kInputNames)); ++i) {
      if (w[1] == kInputNames[i]) index = i;
    }
    if (index < 0) index = number(w[1], 0, static_cast<int>(inputs_.size()) - 1, "the input");
    inputs_[static_cast<std::size_t>(index)] = on_off({w[0], w[2]}, "on", "off");
  } else if (verb == "tamper") {
    local_.tamper = on_off(w, "on", "off");
  } else if (verb == "battery") {
    local_.power_failure = on_off(w, "on", "off");
  } else if (verb == "power") {
    powered_ = on_off(w, "on", "off");
    if (!powered_) {
      for (auto& o : outputs_) o = {false, {}};  // no power, no current to the lock: it is locked
      last_sequence_.reset();
      session_.reset();  // a restart forgets the secure channel
      last_sealed_.reset();
    }
  } else if (verb == "noise") {
    if (w.size() != 2) throw std::invalid_argument("'noise' needs a byte count");
    noise_bytes_ += static_cast<std::size_t>(number(w[1], 1, 100000, "the byte count"));
  } else if (verb == "nak") {
    nak_next_ = static_cast<std::uint8_t>(w.size() > 1 ? number(w[1], 1, 255, "the NAK reason") : 9);
  } else if (verb == "badmac") {
    bad_mac_next_ = true;
  } else if (verb == "busy") {
    busy_next_ = w.size() > 1 ? number(w[1], 1, 1000, "the BUSY count") : 1;
  } else if (verb == "secure") {
    options_.secure = on_off(w, "on", "off");
    session_.reset();
  } else if (verb == "scbk") {
    const auto key = w.size() == 2 ? parse_key(w[1]) : std::nullopt;
    if (!key) throw std::invalid_argument("'scbk' needs the key as 32 hexadecimal digits");
    options_.key = *key;
    session_ = BoardSession(*key, options_.install_mode, client_id(options_.id));
  } else if (verb == "install") {
    options_.install_mode = on_off(w, "on", "off");
    session_ = BoardSession(options_.key, options_.install_mode, client_id(options_.id));
  } else {
    return false;
  }
  return true;
}

std::vector<std::string> script_words(const std::string& line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    if (line[i] == '#' && !(words.size() == 1 && (words[0] == "key" || words[0] == "type"))) break;
    const std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    words.push_back(line.substr(start, i - start));
  }
  return words;
}

void script_sleep(const std::vector<std::string>& words, const std::atomic<bool>& stop) {
  if (words.size() != 2) throw std::invalid_argument("'sleep' needs milliseconds");
  const auto until = Clock::now() + std::chrono::milliseconds(number(words[1], 0, 3600000, "'sleep'"));
  while (!stop && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void run_board_script(BoardSimulator& board, std::istream& in, const std::string& name,
                      const std::atomic<bool>& stop) {
  std::string line;
  for (int number_ = 1; !stop && std::getline(in, line); ++number_) {
    const auto words = script_words(line);
    if (words.empty()) continue;
    try {
      if (words[0] == "sleep") {
        script_sleep(words, stop);
      } else if (!board.perform(words)) {
        throw std::invalid_argument(fmt::format(
            "unknown command '{}' (key, door, input, tamper, battery, power, noise, nak, busy, secure, scbk, install, "
            "sleep)", words[0]));
      }
    } catch (const std::invalid_argument& e) {
      throw DataError(fmt::format("{}:{}: {}", name, number_, e.what()));
    }
  }
}

}  // namespace lockerctl::devices::osdp
