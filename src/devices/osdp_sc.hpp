#pragma once

// OSDP Secure Channel cryptography (SIA OSDP 2.2, section 5.9 and Annex D), on AES-128 from
// OpenSSL: the session keys that the control panel (CP) and the board (PD) derive from the board's
// Secure Channel Base Key (SCBK) and their two random numbers, the cryptograms each side proves
// it holds the key with, the first reply MAC, the chained message MACs and the encrypted data
// blocks with OSDP's 0x80 padding; and the session on each side, as packets in and packets out
// (no I/O): the handshake osdp_CHLNG -> osdp_CCRYPT -> osdp_SCRYPT -> osdp_RMAC_I, then every
// message sealed with a MAC chained from the other side's last one. ControlPanel and
// BoardSimulator run them over the wire.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "devices/osdp_phy.hpp"

namespace lockerctl::devices::osdp {

using Block = std::array<std::uint8_t, 16>;
using Bytes = std::vector<std::uint8_t>;
/// The 8-byte random number each side sends in the handshake (RND.A from the CP, RND.B from the PD).
using Random = std::array<std::uint8_t, 8>;

/// AES-128 of one block. The cipher is OpenSSL's.
Block aes_encrypt(const Block& key, const Block& block);
/// AES-128-CBC over whole blocks, without padding. Throws std::invalid_argument when `data` is
/// not a whole number of blocks.
Bytes aes_cbc_encrypt(const Block& key, const Block& iv, const Bytes& data);
Bytes aes_cbc_decrypt(const Block& key, const Block& iv, const Bytes& data);

/// OSDP padding: 0x80, then zeros up to a whole block (a whole block of padding when `data`
/// already is one).
Bytes pad(Bytes data);
/// `data` without its padding; nullopt when it is not padded as pad() does.
std::optional<Bytes> unpad(const Bytes& data);

/// The keys of one session.
struct SessionKeys {
  Block enc;   ///< S-ENC: the cryptograms and the data blocks
  Block mac1;  ///< S-MAC1: every MAC block but the last
  Block mac2;  ///< S-MAC2: the last MAC block
};

/// S-ENC, S-MAC1 and S-MAC2: AES(SCBK) of 01 82 / 01 01 / 01 02, then the first six bytes of
/// the CP's random number, then zeros.
SessionKeys derive_session_keys(const Block& scbk, const Random& cp_random);
/// The PD's proof (osdp_CCRYPT): AES(S-ENC) of the CP's random number, then the PD's.
Block client_cryptogram(const SessionKeys& keys, const Random& cp_random, const Random& pd_random);
/// The CP's proof (osdp_SCRYPT): AES(S-ENC) of the PD's random number, then the CP's.
Block server_cryptogram(const SessionKeys& keys, const Random& cp_random, const Random& pd_random);
/// The first reply MAC (osdp_RMAC_I), which starts the MAC chain: AES(S-MAC2) of AES(S-MAC1) of
/// the server cryptogram.
Block initial_reply_mac(const SessionKeys& keys, const Block& server_cryptogram);

/// The MAC of one message: CBC over the padded message, starting from the last MAC of the other
/// side (`chain`: R-MAC-I for the CP's first command), with S-MAC1 for every block but the last
/// and S-MAC2 for the last. A packet carries its first four bytes.
Block message_mac(const SessionKeys& keys, const Block& chain, const Bytes& message);

/// A message's data block, encrypted: padded, then AES-CBC with S-ENC and as IV the bitwise
/// inverse of `last_mac` (the other side's last MAC).
Bytes encrypt_data(const SessionKeys& keys, const Block& last_mac, const Bytes& data);
/// The reverse; nullopt when the length or the padding is wrong.
std::optional<Bytes> decrypt_data(const SessionKeys& keys, const Block& last_mac, const Bytes& data);

/// The default Secure Channel Base Key (SCBK-D) that boards use in install mode.
inline constexpr Block kDefaultKey = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
                                      0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F};

/// A key written as 32 hexadecimal digits (spaces and a trailing line end allowed); nullopt
/// for anything else.
std::optional<Block> parse_key(const std::string& hex);
/// 32 lower-case hexadecimal digits.
std::string key_hex(const Block& key);
/// A new random key, from OpenSSL's generator.
Block random_key();

/// Command and reply codes of the handshake.
inline constexpr std::uint8_t kChallenge = 0x76;    ///< osdp_CHLNG, and its reply osdp_CCRYPT
inline constexpr std::uint8_t kServerCrypt = 0x77;  ///< osdp_SCRYPT, and its reply osdp_RMAC_I (0x78)
inline constexpr std::uint8_t kInitialMac = 0x78;

/// The control panel's side of a session. Errors are DeviceErrors that say what failed.
class PanelSession {
 public:
  /// `key`: the board's SCBK; kDefaultKey (install mode) is asked for as key 0, any other as key 1.
  explicit PanelSession(const Block& key) : key_(key) {}

  /// osdp_CHLNG with a new random number; starts a new session.
  Packet challenge(std::uint8_t address, std::uint8_t sequence);
  /// Checks the board's osdp_CCRYPT and answers with osdp_SCRYPT. Throws when the board's
  /// cryptogram is not the one the key gives (the board has another key).
  Packet answer(const Packet& ccrypt, std::uint8_t sequence);
  /// Whether `reply` is an osdp_CCRYPT whose cryptogram answers this session's challenge.
  bool answers(const Packet& reply) const;
  /// Checks osdp_RMAC_I; the session is then established. Throws when the board refused the
  /// panel's cryptogram or its MAC is wrong.
  void confirm(const Packet& rmac_i);
  bool established() const { return established_; }

  /// `command` with its MAC, its data encrypted (when it has data); the chain moves on.
  Packet seal(Packet command);
  /// A reply of this session, checked and decrypted. Throws for a reply without a security
  /// block, with a MAC that does not verify (changed, replayed or out of order), or with bad data.
  Packet open(const Packet& reply);

 private:
  Block key_;
  Random cp_random_{}, pd_random_{};
  SessionKeys keys_{};
  Block server_{};
  Block last_command_mac_{}, last_reply_mac_{};
  bool established_ = false;
};

/// The board's side of a session.
class BoardSession {
 public:
  /// `key`: the board's SCBK (asked for as key 1); `install_mode`: it also takes SCBK-D (key 0).
  BoardSession(const Block& key, bool install_mode, const Random& client_id) : key_(key), install_(install_mode), id_(client_id) {}

  /// The reply to osdp_CHLNG (osdp_CCRYPT) or osdp_SCRYPT (osdp_RMAC_I, refusing a wrong
  /// cryptogram with status 0xFF). Throws for a key the board does not take.
  Packet handshake(const Packet& command);
  bool established() const { return established_; }
  /// A command of this session, checked and decrypted; throws as PanelSession::open() does.
  Packet open(const Packet& command);
  Packet seal(Packet reply);
  /// Forgets the session (a restart).
  void reset() { established_ = false; }
  /// A new SCBK (osdp_KEYSET) for the next handshake; leaves install mode. The session goes on.
  void set_key(const Block& key) {
    key_ = key;
    install_ = false;
  }

 private:
  Block key_;
  bool install_;
  Random id_;
  Random cp_random_{}, pd_random_{};
  SessionKeys keys_{};
  Block last_command_mac_{}, last_reply_mac_{};
  bool established_ = false;
};

}  // namespace lockerctl::devices::osdp
