#pragma once

// OSDP command and reply payloads used by the lock board: codes, and encoders/decoders that
// return nullopt for a payload of the wrong length instead of throwing (protocol code returns
// status values). Multi-byte numbers are little-endian, timers count 100 ms units.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockerctl::devices::osdp {

enum class Command : std::uint8_t {
  Poll = 0x60,
  Id = 0x61,            ///< data: 0x00 (standard ID report)
  Cap = 0x62,           ///< data: 0x00
  LocalStatus = 0x64,   ///< LSTAT
  InputStatus = 0x65,   ///< ISTAT
  OutputStatus = 0x66,  ///< OSTAT
  Output = 0x68,        ///< OUT
  Led = 0x69,
  Buzzer = 0x6A,        ///< BUZ
  KeySet = 0x75,        ///< KEYSET: a new Secure Channel Base Key, accepted only inside a secure channel
};

enum class Reply : std::uint8_t {
  Ack = 0x40,
  Nak = 0x41,
  PdId = 0x45,
  PdCap = 0x46,
  LocalStatus = 0x48,   ///< LSTATR
  InputStatus = 0x49,   ///< ISTATR
  OutputStatus = 0x4A,  ///< OSTATR
  Keypad = 0x53,
  Busy = 0x79,
};

/// Why a PD refused a command (the NAK payload's first byte).
enum class NakReason : std::uint8_t {
  BadCheck = 1,          ///< CRC or checksum error
  BadLength = 2,         ///< command length error
  UnknownCommand = 3,
  BadSequence = 4,       ///< unexpected sequence number
  SecurityUnsupported = 5,
  EncryptionRequired = 6,
  BioTypeUnsupported = 7,
  BioFormatUnsupported = 8,
  UnableToProcess = 9,
};
/// The short name of a command or reply code ("POLL", "OUT", "ISTATR", ...), or its hex value.
std::string code_name(std::uint8_t code);

/// A one-line description of a NAK reason byte ("unknown command", ...).
std::string nak_text(std::uint8_t reason);

/// OUT: one record per output.
struct OutputControl {
  /// Control codes: 1 permanent OFF (abort timer), 2 permanent ON (abort timer), 3/4 the same but
  /// let a running timer finish, 5 temporary ON for `timer` then back to the permanent state,
  /// 6 temporary OFF likewise. The lock is only ever driven with 5: it falls back by itself.
  std::uint8_t output = 0;
  std::uint8_t control = 0;
  std::uint16_t timer = 0;  ///< 100 ms units
  friend bool operator==(const OutputControl& a, const OutputControl& b) {
    return a.output == b.output && a.control == b.control && a.timer == b.timer;
  }
};
inline constexpr std::uint8_t kOutputTemporaryOn = 0x05;
inline constexpr std::uint8_t kOutputPermanentOff = 0x01;
std::vector<std::uint8_t> encode_output(const std::vector<OutputControl>& records);
std::optional<std::vector<OutputControl>> decode_output(const std::vector<std::uint8_t>& data);

/// BUZ.
struct BuzzerControl {
  std::uint8_t reader = 0;
  std::uint8_t tone = 2;      ///< 1 off, 2 default tone
  std::uint8_t on_time = 1;   ///< 100 ms units
  std::uint8_t off_time = 1;
  std::uint8_t count = 1;     ///< repetitions; 0 = until told otherwise
  friend bool operator==(const BuzzerControl& a, const BuzzerControl& b) {
    return a.reader == b.reader && a.tone == b.tone && a.on_time == b.on_time &&
           a.off_time == b.off_time && a.count == b.count;
  }
};
std::vector<std::uint8_t> encode_buzzer(const BuzzerControl& b);
std::optional<BuzzerControl> decode_buzzer(const std::vector<std::uint8_t>& data);

/// LED: a temporary and a permanent setting for one LED of one reader (14 bytes).
struct LedControl {
  std::uint8_t reader = 0, led = 0;
  std::uint8_t temp_control = 0, temp_on = 0, temp_off = 0, temp_on_color = 0, temp_off_color = 0;
  std::uint16_t temp_timer = 0;  ///< 100 ms units
  std::uint8_t perm_control = 0, perm_on = 0, perm_off = 0, perm_on_color = 0, perm_off_color = 0;
  friend bool operator==(const LedControl& a, const LedControl& b) {
    return a.reader == b.reader && a.led == b.led && a.temp_control == b.temp_control &&
           a.temp_on == b.temp_on && a.temp_off == b.temp_off && a.temp_on_color == b.temp_on_color &&
           a.temp_off_color == b.temp_off_color && a.temp_timer == b.temp_timer &&
           a.perm_control == b.perm_control && a.perm_on == b.perm_on && a.perm_off == b.perm_off &&
           a.perm_on_color == b.perm_on_color && a.perm_off_color == b.perm_off_color;
  }
};
std::vector<std::uint8_t> encode_led(const LedControl& l);
std::optional<LedControl> decode_led(const std::vector<std::uint8_t>& data);

/// The local alarm (LockBoard::alarm): three beeps of 0.5 s with 0.5 s between them, and the LED
/// flashing red (0.5 s on, 0.5 s off) for 10 s before it returns to its permanent state.
inline constexpr std::uint8_t kLedBlack = 0, kLedRed = 1, kLedAmber = 3;
inline constexpr BuzzerControl kAlarmBuzzer{0, 2, 5, 5, 3};
inline constexpr LedControl kAlarmLed{0, 0, 2, 5, 5, kLedRed, kLedBlack, 100, 0, 0, 0, 0, 0};
/// "Closed" (LockBoard::signal_closed): the LED flashes amber (0.3 s on, 0.3 s off) for 3 s, no sound.
inline constexpr LedControl kClosedLed{0, 0, 2, 3, 3, kLedAmber, kLedBlack, 30, 0, 0, 0, 0, 0};

/// PDID: who the board is (12 bytes).
struct DeviceId {
  std::uint32_t vendor = 0;    ///< IEEE OUI, 3 bytes: 0x0A0B0C is 0A-0B-0C, sent as 0A 0B 0C
  std::uint8_t model = 0, version = 0;
  std::uint32_t serial = 0;
  std::uint8_t firmware_major = 0, firmware_minor = 0, firmware_build = 0;
  friend bool operator==(const DeviceId& a, const DeviceId& b) {
    return a.vendor == b.vendor && a.model == b.model && a.version == b.version &&
           a.serial == b.serial && a.firmware_major == b.firmware_major &&
           a.firmware_minor == b.firmware_minor && a.firmware_build == b.firmware_build;
  }
};
std::vector<std::uint8_t> encode_device_id(const DeviceId& id);
std::optional<DeviceId> decode_device_id(const std::vector<std::uint8_t>& data);

/// PDCAP: one record per capability (function code, compliance level, number of items).
struct Capability {
  std::uint8_t function = 0, compliance = 0, items = 0;
  friend bool operator==(const Capability& a, const Capability& b) {
    return a.function == b.function && a.compliance == b.compliance && a.items == b.items;
  }
};
std::vector<std::uint8_t> encode_capabilities(const std::vector<Capability>& caps);
std::optional<std::vector<Capability>> decode_capabilities(const std::vector<std::uint8_t>& data);

/// LSTATR.
struct LocalStatus {
  bool tamper = false;
  bool power_failure = false;
};
std::vector<std::uint8_t> encode_local_status(const LocalStatus& s);
std::optional<LocalStatus> decode_local_status(const std::vector<std::uint8_t>& data);

/// ISTATR / OSTATR: one byte per input or output, 0 inactive, 1 active.
std::vector<std::uint8_t> encode_states(const std::vector<bool>& states);
std::optional<std::vector<bool>> decode_states(const std::vector<std::uint8_t>& data);

/// KEYSET: key type 1 (SCBK), its length (16), the key.
inline constexpr std::uint8_t kKeyTypeScbk = 0x01;
std::vector<std::uint8_t> encode_keyset(const std::array<std::uint8_t, 16>& scbk);
std::optional<std::array<std::uint8_t, 16>> decode_keyset(const std::vector<std::uint8_t>& data);

/// KEYPAD: digits typed on a reader's keypad ('0'-'9', '*', '#').
struct KeypadData {
  std::uint8_t reader = 0;
  std::string digits;
};
std::vector<std::uint8_t> encode_keypad(const KeypadData& k);
std::optional<KeypadData> decode_keypad(const std::vector<std::uint8_t>& data);

}  // namespace lockerctl::devices::osdp
