#pragma once

// OSDP (SIA Open Supervised Device Protocol) physical layer: packet framing and parsing, the
// first layer of the lock-board driver (issue 7). No I/O here: bytes in, packets out.
//
//   SOM 0x53 | ADDR | LEN_LSB | LEN_MSB | CTRL | [SCB] | CMD/REPLY | DATA... | [MAC x4] | CRC_LSB CRC_MSB (or CKSUM)
//
// ADDR is 0x00-0x7E (0x7F broadcast), with bit 7 set on replies from the PD. LEN counts the whole
// packet from SOM to the last check byte. CTRL bits 0-1 are the sequence number, bit 2 selects a
// 16-bit CRC (else an 8-bit checksum), bit 3 flags a security control block (SCB: its length,
// counting itself and the type, its type SCS_11 to SCS_18, and its data). Packets of types
// SCS_15 to SCS_18 end with the first four bytes of the message MAC (osdp_sc.hpp), which covers
// the packet from SOM to the end of DATA. The CRC is CRC-16/AUG-CCITT: polynomial 0x1021, initial
// value 0x1D0F, sent LSB first.

#include <array>
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

/// Security block types: the handshake (SCS_11 to SCS_14), then messages with a MAC (SCS_15 from
/// the CP, SCS_16 from the PD), also with encrypted data (SCS_17, SCS_18).
enum class Security : std::uint8_t {
  Challenge = 0x11,      ///< osdp_CHLNG
  ClientCrypt = 0x12,    ///< osdp_CCRYPT
  ServerCrypt = 0x13,    ///< osdp_SCRYPT
  InitialMac = 0x14,     ///< osdp_RMAC_I
  CommandMac = 0x15,
  ReplyMac = 0x16,
  CommandSealed = 0x17,
  ReplySealed = 0x18,
};

/// Whether packets with this security block carry a MAC.
inline bool carries_mac(Security type) { return type >= Security::CommandMac && type <= Security::ReplySealed; }

struct SecurityBlock {
  Security type = Security::Challenge;
  std::vector<std::uint8_t> data;  ///< e.g. the key in use (0: SCBK-D, 1: SCBK), or the cryptogram check's result

  friend bool operator==(const SecurityBlock& a, const SecurityBlock& b) { return a.type == b.type && a.data == b.data; }
};

using Mac = std::array<std::uint8_t, 4>;

struct Packet {
  std::uint8_t address = 0;    ///< 0x00-0x7E, or kBroadcast
  bool reply = false;          ///< sent by the PD (bit 7 of ADDR)
  std::uint8_t sequence = 0;   ///< 0-3
  bool use_crc = true;         ///< 16-bit CRC, else 8-bit checksum
  std::uint8_t code = 0;       ///< command or reply code
  std::vector<std::uint8_t> data;
  std::optional<SecurityBlock> security;
  Mac mac{};                   ///< with a security block that carries_mac()

  friend bool operator==(const Packet& a, const Packet& b) {
    return a.address == b.address && a.reply == b.reply && a.sequence == b.sequence && a.use_crc == b.use_crc &&
           a.code == b.code && a.data == b.data && a.security == b.security &&
           (!a.security || !carries_mac(a.security->type) || a.mac == b.mac);
  }
};

/// Encodes a packet. Returns nullopt for a packet that cannot be sent (address above 0x7F,
/// sequence above 3, longer than kMaxPacket, a security block with more than 253 data bytes).
std::optional<std::vector<std::uint8_t>> encode(const Packet& packet);
/// The bytes a packet's MAC covers: the encoded packet from SOM to the end of DATA, with LEN
/// already counting the MAC and the check bytes. nullopt as for encode().
std::optional<std::vector<std::uint8_t>> mac_input(const Packet& packet);

/// What the parser threw away, by reason: a line-noise and link-quality record.
struct ParserCounters {
  std::size_t packets = 0;          ///< good packets returned
  std::size_t garbage_bytes = 0;    ///< bytes skipped while looking for SOM
  std::size_t bad_check = 0;        ///< CRC or checksum mismatch
  std::size_t bad_length = 0;       ///< LEN too small for the header or above kMaxPacket
  std::size_t other_address = 0;    ///< well-formed packets for another address or direction
  std::size_t secure_channel = 0;   ///< good packets with a security block
  std::size_t bad_security = 0;     ///< a security block or MAC that does not fit the packet
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
