#pragma once

// OSDP Secure Channel cryptography (SIA OSDP 2.2, section 5.9 and Annex D), on AES-128 from
// OpenSSL: the session keys that the control panel (CP) and the board (PD) derive from the board's
// Secure Channel Base Key (SCBK) and their two random numbers, the cryptograms each side proves
// it holds the key with, the first reply MAC, the chained message MACs and the encrypted data
// blocks with OSDP's 0x80 padding. The handshake that uses them (CHLNG, CCRYPT, SCRYPT, RMAC_I)
// is not built yet (issue 17).

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

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

}  // namespace lockerctl::devices::osdp
