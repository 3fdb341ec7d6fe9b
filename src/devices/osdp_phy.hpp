#pragma once

// OSDP (SIA Open Supervised Device Protocol) physical layer: packet framing and parsing, the
// first layer of the lock-board driver (issue 7). No I/O here: bytes in, packets out.
//
//   SOM 0x53 | ADDR | LEN_LSB | LEN_MSB | CTRL | CMD/REPLY | DATA... | CRC_LSB CRC_MSB (or CKSUM)
//
// ADDR is 0x00-0x7E (0x7F broadcast), with bit 7 set on replies from the PD. LEN counts the whole
// packet from SOM to the last check byte. CTRL bits 0-1 are the sequence number, bit 2 selects a
// 16-bit CRC (else an 8-bit checksum), bit 3 flags a secure-channel block, which this layer does
// not support. The CRC is CRC-16/AUG-CCITT: polynomial 0x1021, initial value 0x1D0F, sent LSB
// first.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace lockerctl::devices::osdp {

inline constexpr std::uint8_t kSom = 0x53;
inline constexpr std::uint8_t kBroadcast = 0x7F;
inline constexpr std::uint8_t kReplyFlag = 0x80;
inline constexpr std::size_t kMaxPacket = 1024;  ///< longest packet accepted, in bytes

/// The sequence number after `s`: 1, 2, 3, 1, ... (0 only ever starts a count).
inline std::uint8_t next_sequence(std::uint8_t s) { return s >= 3 ? 1 : static_cast<std::uint8_t>(s + 1); }

/// CRC-16/AUG-CCITT over `size` bytes.
std::uint16_t crc16(const std::uint8_t* data, std::size_t size);
/// The 8-bit checksum: two's complement of the byte sum.
std::uint8_t checksum8(const std::uint8_t* data, std::size_t size);

struct Packet {
  std::uint8_t address = 0;    ///< 0x00-0x7E, or kBroadcast
  bool reply = false;          ///< sent by the PD (bit 7 of ADDR)
  std::uint8_t sequence = 0;   ///< 0-3
  bool use_crc = true;         ///< 16-bit CRC, else 8-bit checksum
  std::uint8_t code = 0;       ///< command or reply code
  std::vector<std::uint8_t> data;

  friend bool operator==(const Packet& a, const Packet& b) {
    return a.address == b.address && a.reply == b.reply && a.sequence == b.sequence &&
           a.use_crc == b.use_crc && a.code == b.code && a.data == b.data;
  }
};

/// Encodes a packet. Returns nullopt for a packet that cannot be sent (address above 0x7F,
/// sequence above 3, longer than kMaxPacket).
std::optional<std::vector<std::uint8_t>> encode(const Packet& packet);

/// What the parser threw away, by reason: a line-noise and link-quality record.
struct ParserCounters {
  std::size_t packets = 0;          ///< good packets returned
  std::size_t garbage_bytes = 0;    ///< bytes skipped while looking for SOM
  std::size_t bad_check = 0;        ///< CRC or checksum mismatch
  std::size_t bad_length = 0;       ///< LEN too small for the header or above kMaxPacket
  std::size_t other_address = 0;    ///< well-formed packets for another address or direction
  std::size_t secure_channel = 0;   ///< packets with a secure-channel block (unsupported)
};

/// Reassembles packets from a byte stream that may carry noise, dropped bytes and other
/// devices' traffic. After any bad frame it resynchronises on the next SOM byte. It never reads
/// outside its buffer and holds at most kMaxPacket bytes of an unfinished packet.
class Parser {
 public:
  /// `address`: accept only packets to (CP side: from) this address; nullopt accepts any.
  /// `replies`: true on the control panel (accept PD replies), false on the PD.
  Parser(std::optional<std::uint8_t> address, bool replies) : address_(address), replies_(replies) {}

  void feed(const std::uint8_t* bytes, std::size_t size);
  /// The next complete, valid packet, if one is buffered.
  std::optional<Packet> next();
  const ParserCounters& counters() const { return counters_; }
  /// Drops any partial packet (e.g. after a timeout).
  void reset() { buffer_.clear(); }

 private:
  bool accepts(std::uint8_t raw_address) const;

  std::optional<std::uint8_t> address_;
  bool replies_;
  std::deque<std::uint8_t> buffer_;
  ParserCounters counters_;
};

}  // namespace lockerctl::devices::osdp
