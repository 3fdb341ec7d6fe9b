// OSDP Secure Channel cryptography against known answers:
// - AES-128 and CBC from NIST SP 800-38A (F.1.1 ECB-AES128, F.2.1 and F.2.2 CBC-AES128); the last
//   CBC block is the CBC-MAC that OSDP's message MACs are built from;
// - the CMAC examples of NIST SP 800-38B (AES-128, messages of 16 and 20 bytes), built here from the
//   same AES, CBC and 0x80 padding: CMAC is a CBC-MAC whose last block is first XORed with a subkey,
//   where OSDP's MAC changes the key for the last block instead, so the examples check the shared
//   parts (the padding included) and not OSDP's MAC itself;
// - the session keys, both cryptograms and the first reply MAC from the SIA OSDP specification,
//   Annex E, as published in libosdp's tests/unit-tests/test-sc-sia-vectors.c (Apache-2.0,
//   Siddharth Chandrasekaran): the byte values only;
// - message MACs and encrypted data blocks with those session keys, computed apart from this code
//   with `openssl enc -aes-128-cbc -nopad` over the padded bytes;
// then whole sessions between a panel and a board, every packet through the framing layer.

#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"

#include "devices/osdp_sc.hpp"

namespace lockerctl::devices::osdp {
namespace {

Bytes hex(const std::string& text) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}
Block block(const std::string& text) {
  const Bytes b = hex(text);
  Block out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}
Random random8(const std::string& text) {
  const Bytes b = hex(text);
  Random out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}
Bytes bytes(const Block& b) { return Bytes(b.begin(), b.end()); }

const Block kNistKey = block("2b7e151628aed2a6abf7158809cf4f3c");
const Bytes kNistPlain = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                             "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");

TEST(SecureChannel, AesAndCbcGiveTheNistAnswers) {
  EXPECT_EQ(bytes(aes_encrypt(kNistKey, block("6bc1bee22e409f96e93d7e117393172a"))), hex("3ad77bb40d7a3660a89ecaf32466ef97"));
  const Block iv = block("000102030405060708090a0b0c0d0e0f");
  const Bytes cipher = hex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                           "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
  EXPECT_EQ(aes_cbc_encrypt(kNistKey, iv, kNistPlain), cipher);
  EXPECT_EQ(aes_cbc_decrypt(kNistKey, iv, cipher), kNistPlain);
  EXPECT_THROW(aes_cbc_encrypt(kNistKey, iv, hex("0102")), std::invalid_argument);
}

/// SP 800-38B's subkey step: the block shifted left by one bit, XORed with 0x87 when a bit fell out.
Block doubled(const Block& b) {
  Block out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(b[i] << 1 | (i + 1 < b.size() ? b[i + 1] >> 7 : 0));
  }
  if (b[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/// CMAC from this file's primitives: CBC with a zero IV over the message, its last block XORed
/// with K1 when it is whole, else padded (0x80, zeros) and XORed with K2.
Bytes cmac(const Block& key, const Bytes& message) {
  const Block k1 = doubled(aes_encrypt(key, Block{})), k2 = doubled(k1);
  const bool whole = !message.empty() && message.size() % 16 == 0;
  Bytes m = whole ? message : pad(message);
  for (std::size_t i = 0; i < 16; ++i) m[m.size() - 16 + i] ^= (whole ? k1 : k2)[i];
  const Bytes chain = aes_cbc_encrypt(key, Block{}, m);
  return Bytes(chain.end() - 16, chain.end());
}

TEST(SecureChannel, CbcAndPaddingGiveTheNistCmacAnswers) {
  // SP 800-38B, AES-128 examples (NIST's CMAC example values): the subkeys, then tags.
  const Block l = aes_encrypt(kNistKey, Block{});
  EXPECT_EQ(bytes(l), hex("7df76b0c1ab899b33e42f047b91b546f"));
  EXPECT_EQ(bytes(doubled(l)), hex("fbeed618357133667c85e08f7236a8de"));
  EXPECT_EQ(bytes(doubled(doubled(l))), hex("f7ddac306ae266ccf90bc11ee46d513b"));
  EXPECT_EQ(cmac(kNistKey, {}), hex("bb1d6929e95937287fa37d129b756746"));
  EXPECT_EQ(cmac(kNistKey, Bytes(kNistPlain.begin(), kNistPlain.begin() + 16)), hex("070a16b46b4d4144f79bdd9dd04a287c"));
  EXPECT_EQ(cmac(kNistKey, Bytes(kNistPlain.begin(), kNistPlain.begin() + 20)), hex("7d85449ea6ea19c823a7bf78837dfade"));
}

TEST(SecureChannel, PaddingIs0x80ThenZerosAndOnlyThatIsTakenOff) {
  EXPECT_EQ(pad(hex("010203")), hex("01020380000000000000000000000000"));
  EXPECT_EQ(pad(Bytes(16, 0x11)).size(), 32u) << "a whole block gets a whole block of padding";
  EXPECT_EQ(pad({}), hex("80000000000000000000000000000000"));
  EXPECT_EQ(unpad(pad(hex("010203"))), hex("010203"));
  EXPECT_EQ(unpad(pad(Bytes(16, 0x80))), Bytes(16, 0x80));
  EXPECT_FALSE(unpad(hex("01020300000000000000000000000000"))) << "no 0x80";
  EXPECT_FALSE(unpad(hex("010203800000000000000000000000")));   // not a whole block
  EXPECT_FALSE(unpad(hex("80000000000000000000000000000000" "00000000000000000000000000000000"))) << "more than a block of padding";
}

// Annex E: SCBK-D, RND.A (the CP's) and RND.B (the PD's).
const Block kScbk = block("303132333435363738393A3B3C3D3E3F");
const Random kCpRandom = random8("B0B1B2B3B4B5B6B7");
const Random kPdRandom = random8("A0A1A2A3A4A5A6A7");

TEST(SecureChannel, SessionKeysCryptogramsAndTheFirstReplyMacAreAnnexEs) {
  const SessionKeys keys = derive_session_keys(kScbk, kCpRandom);
  EXPECT_EQ(bytes(keys.enc), hex("BF8DC2A8329ACB8C67C6D0CD9A451682"));
  EXPECT_EQ(bytes(keys.mac1), hex("5E86C676603BDEE2D8BEAFE178637332"));
  EXPECT_EQ(bytes(keys.mac2), hex("6FDA86E857777E81132035758239172E"));
  EXPECT_EQ(bytes(client_cryptogram(keys, kCpRandom, kPdRandom)), hex("FDE5D2F428EC16312471EA3C02BD7796"));
  const Block server = server_cryptogram(keys, kCpRandom, kPdRandom);
  EXPECT_EQ(bytes(server), hex("26D3356E07762D262801FC8E6665A891"));
  EXPECT_EQ(bytes(initial_reply_mac(keys, server)), hex("B2A30057EB98BA2229EC1F875662B524"));

  const SessionKeys other = derive_session_keys(kScbk, random8("B0B1B2B3B4B5FFFF"));
  EXPECT_EQ(bytes(other.enc), bytes(keys.enc)) << "only the first six bytes of RND.A enter the keys";
  EXPECT_NE(bytes(derive_session_keys(block("303132333435363738393A3B3C3D3E30"), kCpRandom).enc), bytes(keys.enc));
}

TEST(SecureChannel, MessageMacsChainFromTheLastMacWithMac1ThenMac2) {
  const SessionKeys keys = derive_session_keys(kScbk, kCpRandom);
  const Block rmac_i = block("B2A30057EB98BA2229EC1F875662B524");
  EXPECT_EQ(bytes(message_mac(keys, rmac_i, hex("61"))), hex("5515702ab359c5a1f7107cf58ca9e70f"));
  const Bytes message = hex("000102030405060708090a0b0c0d0e0f10111213");
  const Block mac = message_mac(keys, rmac_i, message);
  EXPECT_EQ(bytes(mac), hex("b4c94bd41d63f6774c1a77ca29f94b8f"));
  EXPECT_NE(bytes(message_mac(keys, mac, message)), bytes(mac)) << "the same message later in the chain has another MAC";
  Bytes changed = message;
  changed[3] ^= 0x01;
  EXPECT_NE(bytes(message_mac(keys, rmac_i, changed)), bytes(mac));
}

TEST(SecureChannel, DataBlocksAreEncryptedUnderTheInverseOfTheLastMac) {
  const SessionKeys keys = derive_session_keys(kScbk, kCpRandom);
  const Block rmac_i = block("B2A30057EB98BA2229EC1F875662B524");
  const Bytes sealed = encrypt_data(keys, rmac_i, hex("010203"));
  EXPECT_EQ(sealed, hex("79b27f2dcec1b7f937b9a625d9051064"));
  EXPECT_EQ(decrypt_data(keys, rmac_i, sealed), hex("010203"));
  EXPECT_FALSE(decrypt_data(keys, block("00000000000000000000000000000000"), sealed)) << "another MAC, no valid padding";
  EXPECT_FALSE(decrypt_data(keys, rmac_i, hex("0102")));
  const Bytes long_data(40, 0x5a);
  EXPECT_EQ(decrypt_data(keys, rmac_i, encrypt_data(keys, rmac_i, long_data)), long_data);
}

/// A packet as the other side receives it: encoded, then parsed.
Packet over_the_wire(const Packet& p) {
  const auto frame = encode(p);
  EXPECT_TRUE(frame);
  Parser parser(p.address, p.reply);
  parser.feed(frame->data(), frame->size());
  auto got = parser.next();
  EXPECT_TRUE(got);
  return *got;
}

const Block kBoardKey = block("00112233445566778899aabbccddeeff");
const Random kBoardId = random8("0A0B0C0000001234");

/// Runs the handshake; true when both sides have a session.
bool connect(PanelSession& panel, BoardSession& board) {
  const Packet ccrypt = over_the_wire(board.handshake(over_the_wire(panel.challenge(0x05, 1))));
  const Packet rmac_i = over_the_wire(board.handshake(over_the_wire(panel.answer(ccrypt, 2))));
  panel.confirm(rmac_i);
  return panel.established() && board.established();
}

Packet command(std::uint8_t sequence, std::uint8_t code, Bytes data) {
  Packet p;
  p.address = 0x05;
  p.sequence = sequence;
  p.code = code;
  p.data = std::move(data);
  return p;
}

TEST(SecureSession, APanelAndABoardAgreeAndEveryMessageIsSealedAndChained) {
  PanelSession panel(kBoardKey);
  BoardSession board(kBoardKey, false, kBoardId);
  ASSERT_TRUE(connect(panel, board));
  const Bytes out = {0x00, 0x05, 0x32, 0x00};  // OUT: output 0 on for 5 s
  for (std::uint8_t seq = 3; seq < 9; ++seq) {
    const Packet sealed = panel.seal(command(static_cast<std::uint8_t>(seq % 3 + 1), 0x68, out));
    EXPECT_EQ(sealed.security->type, Security::CommandSealed);
    EXPECT_NE(sealed.data, out) << "the OUT data does not travel in plain text";
    const Packet opened = board.open(over_the_wire(sealed));
    EXPECT_EQ(opened.data, out);
    EXPECT_EQ(opened.code, 0x68);
    Packet ack = opened;
    ack.reply = true;
    ack.code = 0x40;
    ack.data.clear();
    const Packet reply = over_the_wire(board.seal(ack));
    EXPECT_EQ(reply.security->type, Security::ReplyMac) << "no data: a MAC only";
    EXPECT_EQ(panel.open(reply).code, 0x40);
  }
}

TEST(SecureSession, AFlippedBitAReplayAReorderAndAnOtherKeyAreRejected) {
  PanelSession panel(kBoardKey);
  BoardSession board(kBoardKey, false, kBoardId);
  ASSERT_TRUE(connect(panel, board));
  const Packet first = over_the_wire(panel.seal(command(3, 0x68, {0x00, 0x05, 0x32, 0x00})));

  Packet flipped = first;
  flipped.data[5] ^= 0x01;
  EXPECT_THROW(board.open(flipped), DeviceError) << "a flipped bit in the encrypted data";
  Packet other_code = first;
  other_code.code = 0x69;
  EXPECT_THROW(board.open(other_code), DeviceError) << "a changed command code";

  board.open(first);
  Packet ack = command(3, 0x40, {});
  ack.reply = true;
  const Packet first_reply = over_the_wire(board.seal(ack));
  panel.open(first_reply);
  const Packet second = over_the_wire(panel.seal(command(1, 0x60, {})));
  EXPECT_THROW(board.open(first), DeviceError) << "the first command, replayed";
  EXPECT_EQ(board.open(second).code, 0x60) << "the chain is intact for the real next command";
  const Packet second_reply = over_the_wire(board.seal(ack));
  EXPECT_THROW(panel.open(first_reply), DeviceError) << "the first reply, out of order in place of the second";
  EXPECT_EQ(panel.open(second_reply).code, 0x40) << "the chain is intact for the real next reply";

  PanelSession thief(block("ffeeddccbbaa99887766554433221100"));
  BoardSession other(kBoardKey, false, kBoardId);
  const Packet ccrypt = over_the_wire(other.handshake(over_the_wire(thief.challenge(0x05, 1))));
  try {
    thief.answer(ccrypt, 2);
    FAIL() << "a panel with another key took the board's cryptogram";
  } catch (const DeviceError& e) {
    EXPECT_STREQ(e.what(), "board at address 5 rejected the secure channel: wrong key?");
  }
  EXPECT_FALSE(other.established());
}

TEST(SecureSession, AForgedServerCryptogramIsRefusedAndTheDefaultKeyOnlyInInstallMode) {
  PanelSession panel(kBoardKey);
  BoardSession board(kBoardKey, false, kBoardId);
  const Packet ccrypt = over_the_wire(board.handshake(over_the_wire(panel.challenge(0x05, 1))));
  Packet scrypt = over_the_wire(panel.answer(ccrypt, 2));
  scrypt.data[0] ^= 0x80;
  const Packet refused = over_the_wire(board.handshake(scrypt));
  EXPECT_EQ(refused.security->data, Bytes{0xFF});
  EXPECT_FALSE(board.established());
  EXPECT_THROW(panel.confirm(refused), DeviceError);
  EXPECT_FALSE(panel.established());

  PanelSession installer(kDefaultKey);
  EXPECT_EQ(installer.challenge(0x05, 1).security->data, Bytes{0x00}) << "asks for key 0, SCBK-D";
  EXPECT_THROW(board.handshake(over_the_wire(installer.challenge(0x05, 1))), DeviceError);
  BoardSession new_board(kBoardKey, true, kBoardId);
  EXPECT_TRUE(connect(installer, new_board));
  EXPECT_THROW(PanelSession(kBoardKey).seal(command(1, 0x60, {})), DeviceError) << "no session, no sealing";
}

}  // namespace
}  // namespace lockerctl::devices::osdp
