#include "devices/osdp_phy.hpp"

#include <algorithm>

namespace lockerctl::devices::osdp {
namespace {

constexpr std::uint8_t kCtrlSequence = 0x03;
constexpr std::uint8_t kCtrlCrc = 0x04;
constexpr std::uint8_t kCtrlSecure = 0x08;
constexpr std::size_t kHeader = 5;  // SOM, ADDR, LEN_LSB, LEN_MSB, CTRL
constexpr std::size_t kMacBytes = 4;

}  // namespace

std::uint16_t crc16(const std::uint8_t* data, std::size_t size) {
  std::uint16_t crc = 0x1D0F;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= static_cast<std::uint16_t>(data[i]) << 8;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021) : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

std::uint8_t checksum8(const std::uint8_t* data, std::size_t size) {
  std::uint8_t sum = 0;
  for (std::size_t i = 0; i < size; ++i) sum = static_cast<std::uint8_t>(sum + data[i]);
  return static_cast<std::uint8_t>(-sum);
}

std::optional<std::vector<std::uint8_t>> mac_input(const Packet& p) {
  const std::size_t check = p.use_crc ? 2 : 1;
  const bool mac = p.security && carries_mac(p.security->type);
  const std::size_t scb = p.security ? 2 + p.security->data.size() : 0;
  const std::size_t length = kHeader + scb + 1 + p.data.size() + (mac ? kMacBytes : 0) + check;
  if (p.address > kBroadcast || p.sequence > 3 || length > kMaxPacket || scb > 255) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(length);
  out.push_back(kSom);
  out.push_back(static_cast<std::uint8_t>(p.address | (p.reply ? kReplyFlag : 0)));
  out.push_back(static_cast<std::uint8_t>(length & 0xFF));
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(p.sequence | (p.use_crc ? kCtrlCrc : 0) | (p.security ? kCtrlSecure : 0)));
  if (p.security) {
    out.push_back(static_cast<std::uint8_t>(scb));
    out.push_back(static_cast<std::uint8_t>(p.security->type));
    out.insert(out.end(), p.security->data.begin(), p.security->data.end());
  }
  out.push_back(p.code);
  out.insert(out.end(), p.data.begin(), p.data.end());
  return out;
}

std::optional<std::vector<std::uint8_t>> encode(const Packet& p) {
  auto out = mac_input(p);
  if (!out) return std::nullopt;
  if (p.security && carries_mac(p.security->type)) out->insert(out->end(), p.mac.begin(), p.mac.end());
  if (p.use_crc) {
    const std::uint16_t crc = crc16(out->data(), out->size());
    out->push_back(static_cast<std::uint8_t>(crc & 0xFF));
    out->push_back(static_cast<std::uint8_t>(crc >> 8));
  } else {
    out->push_back(checksum8(out->data(), out->size()));
  }
  return out;
}

void Parser::feed(const std::uint8_t* bytes, std::size_t size) {
  buffer_.insert(buffer_.end(), bytes, bytes + size);
}

bool Parser::accepts(std::uint8_t raw) const {
  const bool is_reply = (raw & kReplyFlag) != 0;
  if (is_reply != replies_) return false;
  const std::uint8_t address = raw & 0x7F;
  if (!address_) return true;
  return address == *address_ || (!replies_ && address == kBroadcast);
}

std::optional<Packet> Parser::next() {
  for (;;) {
    // Find SOM.
    const auto som = std::find(buffer_.begin(), buffer_.end(), kSom);
    counters_.garbage_bytes += static_cast<std::size_t>(som - buffer_.begin());
    buffer_.erase(buffer_.begin(), som);
    if (buffer_.size() < kHeader) return std::nullopt;

    const std::size_t length = buffer_[2] | (static_cast<std::size_t>(buffer_[3]) << 8);
    const std::uint8_t ctrl = buffer_[4];
    const std::size_t check = (ctrl & kCtrlCrc) ? 2 : 1;
    if (length < kHeader + 1 + check || length > kMaxPacket) {
      ++counters_.bad_length;
      buffer_.pop_front();  // not a packet start after all: look for the next SOM
      continue;
    }
    if (buffer_.size() < length) return std::nullopt;  // wait for the rest

    const std::vector<std::uint8_t> frame(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length));
    bool valid;
    if (check == 2) {
      const std::uint16_t sent = static_cast<std::uint16_t>(frame[length - 2] | (frame[length - 1] << 8));
      valid = crc16(frame.data(), length - 2) == sent;
    } else {
      valid = checksum8(frame.data(), length - 1) == frame[length - 1];
    }
    if (!valid) {
      ++counters_.bad_check;
      buffer_.pop_front();
      continue;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(length));
    if (!accepts(frame[1])) {
      ++counters_.other_address;
      continue;
    }
    Packet p;
    p.address = frame[1] & 0x7F;
    p.reply = (frame[1] & kReplyFlag) != 0;
    p.sequence = ctrl & kCtrlSequence;
    p.use_crc = check == 2;
    std::size_t at = kHeader;  // the code, after the security block if there is one
    std::size_t end = length - check;  // the end of DATA, before the MAC if there is one
    if (ctrl & kCtrlSecure) {
      const std::size_t scb = frame[kHeader];
      const bool known = kHeader + 1 < end && frame[kHeader + 1] >= static_cast<std::uint8_t>(Security::Challenge) &&
                         frame[kHeader + 1] <= static_cast<std::uint8_t>(Security::ReplySealed);
      const bool mac = known && carries_mac(static_cast<Security>(frame[kHeader + 1]));
      if (!known || scb < 2 || kHeader + scb + 1 + (mac ? kMacBytes : 0) > end) {
        ++counters_.bad_security;
        continue;
      }
      p.security = SecurityBlock{static_cast<Security>(frame[kHeader + 1]),
                                 {frame.begin() + static_cast<std::ptrdiff_t>(kHeader + 2), frame.begin() + static_cast<std::ptrdiff_t>(kHeader + scb)}};
      if (mac) {
        end -= kMacBytes;
        std::copy(frame.begin() + static_cast<std::ptrdiff_t>(end), frame.begin() + static_cast<std::ptrdiff_t>(end + kMacBytes), p.mac.begin());
      }
      at += scb;
      ++counters_.secure_channel;
    }
    p.code = frame[at];
    p.data.assign(frame.begin() + static_cast<std::ptrdiff_t>(at + 1), frame.begin() + static_cast<std::ptrdiff_t>(end));
    ++counters_.packets;
    return p;
  }
}

}  // namespace lockerctl::devices::osdp
