#include "devices/osdp_messages.hpp"

#include <algorithm>

namespace lockerctl::devices::osdp {

std::string code_name(std::uint8_t code) {
  switch (code) {
    case 0x60: return "POLL";
    case 0x61: return "ID";
    case 0x62: return "CAP";
    case 0x64: return "LSTAT";
    case 0x65: return "ISTAT";
    case 0x66: return "OSTAT";
    case 0x68: return "OUT";
    case 0x69: return "LED";
    case 0x6A: return "BUZ";
    case 0x75: return "KEYSET";
    case 0x76: return "CHLNG";
    case 0x77: return "SCRYPT";
    case 0x40: return "ACK";
    case 0x41: return "NAK";
    case 0x45: return "PDID";
    case 0x46: return "PDCAP";
    case 0x48: return "LSTATR";
    case 0x49: return "ISTATR";
    case 0x4A: return "OSTATR";
    case 0x53: return "KEYPAD";
    case 0x78: return "RMAC_I";
    case 0x79: return "BUSY";
    default: {
      static const char* hex = "0123456789ABCDEF";
      return std::string("0x") + hex[code >> 4] + hex[code & 15];
    }
  }
}

std::string nak_text(std::uint8_t reason) {
  switch (static_cast<NakReason>(reason)) {
    case NakReason::BadCheck: return "CRC or checksum error";
    case NakReason::BadLength: return "command length error";
    case NakReason::UnknownCommand: return "unknown command";
    case NakReason::BadSequence: return "unexpected sequence number";
    case NakReason::SecurityUnsupported: return "security block not supported";
    case NakReason::EncryptionRequired: return "encrypted communication required";
    case NakReason::BioTypeUnsupported: return "biometric type not supported";
    case NakReason::BioFormatUnsupported: return "biometric format not supported";
    case NakReason::UnableToProcess: return "unable to process command";
  }
  return "unknown NAK reason " + std::to_string(reason);
}

std::vector<std::uint8_t> encode_output(const std::vector<OutputControl>& records) {
  std::vector<std::uint8_t> out;
  for (const auto& r : records) {
    out.insert(out.end(), {r.output, r.control, static_cast<std::uint8_t>(r.timer & 0xFF),
                           static_cast<std::uint8_t>(r.timer >> 8)});
  }
  return out;
}

std::optional<std::vector<OutputControl>> decode_output(const std::vector<std::uint8_t>& d) {
  if (d.empty() || d.size() % 4 != 0) return std::nullopt;
  std::vector<OutputControl> out;
  for (std::size_t i = 0; i < d.size(); i += 4) {
    out.push_back({d[i], d[i + 1], static_cast<std::uint16_t>(d[i + 2] | (d[i + 3] << 8))});
  }
  return out;
}

std::vector<std::uint8_t> encode_buzzer(const BuzzerControl& b) {
  return {b.reader, b.tone, b.on_time, b.off_time, b.count};
}

std::optional<BuzzerControl> decode_buzzer(const std::vector<std::uint8_t>& d) {
  if (d.size() != 5) return std::nullopt;
  return BuzzerControl{d[0], d[1], d[2], d[3], d[4]};
}

std::vector<std::uint8_t> encode_led(const LedControl& l) {
  return {l.reader, l.led, l.temp_control, l.temp_on, l.temp_off, l.temp_on_color, l.temp_off_color,
          static_cast<std::uint8_t>(l.temp_timer & 0xFF), static_cast<std::uint8_t>(l.temp_timer >> 8),
          l.perm_control, l.perm_on, l.perm_off, l.perm_on_color, l.perm_off_color};
}

std::optional<LedControl> decode_led(const std::vector<std::uint8_t>& d) {
  if (d.size() != 14) return std::nullopt;
  LedControl l;
  l.reader = d[0];
  l.led = d[1];
  l.temp_control = d[2];
  l.temp_on = d[3];
  l.temp_off = d[4];
  l.temp_on_color = d[5];
  l.temp_off_color = d[6];
  l.temp_timer = static_cast<std::uint16_t>(d[7] | (d[8] << 8));
  l.perm_control = d[9];
  l.perm_on = d[10];
  l.perm_off = d[11];
  l.perm_on_color = d[12];
  l.perm_off_color = d[13];
  return l;
}

std::vector<std::uint8_t> encode_device_id(const DeviceId& id) {
  // The vendor code is the IEEE OUI, its octets in the order the IEEE publishes them.
  return {static_cast<std::uint8_t>((id.vendor >> 16) & 0xFF), static_cast<std::uint8_t>((id.vendor >> 8) & 0xFF),
          static_cast<std::uint8_t>(id.vendor & 0xFF), id.model, id.version,
          static_cast<std::uint8_t>(id.serial & 0xFF), static_cast<std::uint8_t>((id.serial >> 8) & 0xFF),
          static_cast<std::uint8_t>((id.serial >> 16) & 0xFF), static_cast<std::uint8_t>(id.serial >> 24),
          id.firmware_major, id.firmware_minor, id.firmware_build};
}

std::optional<DeviceId> decode_device_id(const std::vector<std::uint8_t>& d) {
  if (d.size() != 12) return std::nullopt;
  DeviceId id;
  id.vendor = (static_cast<std::uint32_t>(d[0]) << 16) | (d[1] << 8) | d[2];
  id.model = d[3];
  id.version = d[4];
  id.serial = d[5] | (d[6] << 8) | (static_cast<std::uint32_t>(d[7]) << 16) | (static_cast<std::uint32_t>(d[8]) << 24);
  id.firmware_major = d[9];
  id.firmware_minor = d[10];
  id.firmware_build = d[11];
  return id;
}

std::vector<std::uint8_t> encode_capabilities(const std::vector<Capability>& caps) {
  std::vector<std::uint8_t> out;
  for (const auto& c : caps) out.insert(out.end(), {c.function, c.compliance, c.items});
  return out;
}

std::optional<std::vector<Capability>> decode_capabilities(const std::vector<std::uint8_t>& d) {
  if (d.size() % 3 != 0) return std::nullopt;
  std::vector<Capability> caps;
  for (std::size_t i = 0; i < d.size(); i += 3) caps.push_back({d[i], d[i + 1], d[i + 2]});
  return caps;
}

std::vector<std::uint8_t> encode_local_status(const LocalStatus& s) {
  return {static_cast<std::uint8_t>(s.tamper), static_cast<std::uint8_t>(s.power_failure)};
}

std::optional<LocalStatus> decode_local_status(const std::vector<std::uint8_t>& d) {
  if (d.size() != 2 || d[0] > 1 || d[1] > 1) return std::nullopt;
  return LocalStatus{d[0] == 1, d[1] == 1};
}

std::vector<std::uint8_t> encode_states(const std::vector<bool>& states) {
  return std::vector<std::uint8_t>(states.begin(), states.end());
}

std::optional<std::vector<bool>> decode_states(const std::vector<std::uint8_t>& d) {
  std::vector<bool> out;
  for (const auto b : d) {
    if (b > 1) return std::nullopt;
    out.push_back(b == 1);
  }
  return out;
}

std::vector<std::uint8_t> encode_keypad(const KeypadData& k) {
  std::vector<std::uint8_t> out(2 + k.digits.size());
  out[0] = k.reader;
  out[1] = static_cast<std::uint8_t>(k.digits.size());
  std::copy(k.digits.begin(), k.digits.end(), out.begin() + 2);
  return out;
}

std::optional<KeypadData> decode_keypad(const std::vector<std::uint8_t>& d) {
  if (d.size() < 2 || d.size() != 2u + d[1]) return std::nullopt;
  KeypadData k{d[0], std::string(d.begin() + 2, d.end())};
  for (const char c : k.digits) {
    if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) return std::nullopt;
  }
  return k;
}

std::vector<std::uint8_t> encode_keyset(const std::array<std::uint8_t, 16>& scbk) {
  std::vector<std::uint8_t> out(2 + scbk.size());
  out[0] = kKeyTypeScbk;
  out[1] = static_cast<std::uint8_t>(scbk.size());
  std::copy(scbk.begin(), scbk.end(), out.begin() + 2);
  return out;
}

std::optional<std::array<std::uint8_t, 16>> decode_keyset(const std::vector<std::uint8_t>& d) {
  std::array<std::uint8_t, 16> key{};
  if (d.size() != 2 + key.size() || d[0] != kKeyTypeScbk || d[1] != key.size()) return std::nullopt;
  std::copy(d.begin() + 2, d.end(), key.begin());
  return key;
}

}  // namespace lockerctl::devices::osdp
