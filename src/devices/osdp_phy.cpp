#include "devices/osdp_phy.hpp"

#include <algorithm>

namespace lockerctl::devices::osdp {
namespace {

constexpr std::uint8_t kCtrlSequence = 0x03;
constexpr std::uint8_t kCtrlCrc = 0x04;
constexpr std::uint8_t kCtrlSecure = 0x08;
constexpr std::size_t kHeader = 5;  // SOM, ADDR, LEN_LSB, LEN_MSB, CTRL

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

std::optional<std::vector<std::uint8_t>> encode(const Packet& p) {
  const std::size_t check = p.use_crc ? 2 : 1;
  const std::size_t length = kHeader + 1 + p.data.size() + check;
  if (p.address > kBroadcast || p.sequence > 3 || length > kMaxPacket) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(length);
  out.push_back(kSom);
  out.push_back(static_cast<std::uint8_t>(p.address | (p.reply ? kReplyFlag : 0)));
  out.push_back(static_cast<std::uint8_t>(length & 0xFF));
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.push_back(static_cast<std::uint8_t>(p.sequence | (p.use_crc ? kCtrlCrc : 0)));
  out.push_back(p.code);
  out.insert(out.end(), p.data.begin(), p.data.end());
  if (p.use_crc) {
    const std::uint16_t crc = crc16(out.data(), out.size());
    out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    out.push_back(static_cast<std::uint8_t>(crc >> 8));
  } else {
    out.push_back(checksum8(out.data(), out.size()));
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
    if (ctrl & kCtrlSecure) {
      ++counters_.secure_channel;
      continue;
    }
    if (!accepts(frame[1])) {
      ++counters_.other_address;
      continue;
    }
    Packet p;
    p.address = frame[1] & 0x7F;
    p.reply = (frame[1] & kReplyFlag) != 0;
    p.sequence = ctrl & kCtrlSequence;
    p.use_crc = check == 2;
    p.code = frame[kHeader];
    p.data.assign(frame.begin() + kHeader + 1, frame.end() - static_cast<std::ptrdiff_t>(check));
    ++counters_.packets;
    return p;
  }
}

}  // namespace lockerctl::devices::osdp
