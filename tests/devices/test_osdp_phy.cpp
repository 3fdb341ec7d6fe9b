#include <gtest/gtest.h>

#include <random>
#include <string>

#include "devices/osdp_phy.hpp"

namespace lockerctl::devices::osdp {
namespace {

std::vector<std::uint8_t> bytes_of(const Packet& p) { return *encode(p); }

/// A packet without a security block.
Packet packet(std::uint8_t address, bool reply, std::uint8_t sequence, bool use_crc, std::uint8_t code,
              std::vector<std::uint8_t> data) {
  Packet p;
  p.address = address;
  p.reply = reply;
  p.sequence = sequence;
  p.use_crc = use_crc;
  p.code = code;
  p.data = std::move(data);
  return p;
}

Packet poll(std::uint8_t address, std::uint8_t seq) { return packet(address, false, seq, true, 0x60, {}); }

TEST(Crc16, MatchesTheAugCcittCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(crc16(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), 0xE5CC);
}

TEST(Encode, LaysOutHeaderLengthControlAndCrcLsbFirst) {
  const auto b = bytes_of(packet(0x05, false, 2, true, 0x6A, {0x01, 0x02}));
  ASSERT_EQ(b.size(), 10u);
  EXPECT_EQ(b[0], 0x53);
  EXPECT_EQ(b[1], 0x05);
  EXPECT_EQ(b[2], 10);
  EXPECT_EQ(b[3], 0);
  EXPECT_EQ(b[4], 0x02 | 0x04);
  EXPECT_EQ(b[5], 0x6A);
  const std::uint16_t crc = crc16(b.data(), 8);
  EXPECT_EQ(b[8], crc & 0xFF);
  EXPECT_EQ(b[9], crc >> 8);
  const auto reply = bytes_of(packet(0x05, true, 1, false, 0x40, {}));
  EXPECT_EQ(reply[1], 0x85);
  EXPECT_EQ(reply.size(), 7u);
  EXPECT_EQ(static_cast<std::uint8_t>(reply[0] + reply[1] + reply[2] + reply[3] + reply[4] + reply[5] + reply[6]), 0)
      << "the checksum makes the byte sum zero";
}

TEST(Encode, RefusesWhatCannotBeSent) {
  EXPECT_FALSE(encode(packet(0x80, false, 0, true, 0x60, {})));
  EXPECT_FALSE(encode(packet(0x01, false, 4, true, 0x60, {})));
  EXPECT_FALSE(encode(packet(0x01, false, 0, true, 0x60, std::vector<std::uint8_t>(kMaxPacket))));
}

TEST(Parser, RoundTripsCrcAndChecksumPackets) {
  Parser pd(0x05, false);
  for (const bool crc : {true, false}) {
    const Packet sent = packet(0x05, false, 3, crc, 0x68, {9, 8, 7});
    const auto b = bytes_of(sent);
    pd.feed(b.data(), b.size());
    const auto got = pd.next();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, sent);
  }
  EXPECT_FALSE(pd.next());
}

TEST(Parser, AssemblesPacketsFedOneByteAtATime) {
  Parser cp(0x05, true);
  const Packet sent = packet(0x05, true, 1, true, 0x45, {1, 2, 3, 4});
  for (const std::uint8_t byte : bytes_of(sent)) {
    EXPECT_FALSE(cp.next());
    cp.feed(&byte, 1);
  }
  EXPECT_EQ(cp.next(), sent);
}

TEST(Parser, ResynchronisesAfterLineNoise) {
  Parser pd(0x01, false);
  const std::vector<std::uint8_t> noise{0x00, 0xFF, 0x53, 0x01, 0x02, 0x00, 0x13, 0x37};
  pd.feed(noise.data(), noise.size());
  const auto good = bytes_of(poll(0x01, 1));
  pd.feed(good.data(), good.size());
  EXPECT_EQ(pd.next(), poll(0x01, 1));
  EXPECT_GT(pd.counters().garbage_bytes + pd.counters().bad_length, 0u);
}

TEST(Parser, RejectsABadCrcAndKeepsTheNextPacket) {
  Parser pd(0x01, false);
  auto bad = bytes_of(poll(0x01, 1));
  bad[5] ^= 0x01;  // flip a bit in the command code
  const auto good = bytes_of(poll(0x01, 2));
  pd.feed(bad.data(), bad.size());
  pd.feed(good.data(), good.size());
  EXPECT_EQ(pd.next(), poll(0x01, 2));
  EXPECT_EQ(pd.counters().bad_check, 1u);
  EXPECT_FALSE(pd.next());
}

TEST(Parser, SurvivesADroppedByte) {
  Parser pd(0x01, false);
  auto cut = bytes_of(packet(0x01, false, 1, true, 0x6A, {1, 2, 3, 4, 5}));
  cut.erase(cut.begin() + 7);
  const auto good = bytes_of(poll(0x01, 2));
  pd.feed(cut.data(), cut.size());
  pd.feed(good.data(), good.size());
  // The damaged frame consumes bytes of the next one until its CRC fails; then the parser finds
  // the next SOM. Send one more poll, as a CP would retry.
  const auto retry = bytes_of(poll(0x01, 2));
  pd.feed(retry.data(), retry.size());
  std::optional<Packet> got;
  while (auto p = pd.next()) got = p;
  EXPECT_EQ(got, poll(0x01, 2));
  EXPECT_GE(pd.counters().bad_check, 1u);
}

TEST(Parser, RejectsImpossibleLengths) {
  Parser pd(std::nullopt, false);
  const std::vector<std::uint8_t> tiny{0x53, 0x01, 0x03, 0x00, 0x04};
  const std::vector<std::uint8_t> huge{0x53, 0x01, 0xFF, 0xFF, 0x04};
  pd.feed(tiny.data(), tiny.size());
  pd.feed(huge.data(), huge.size());
  const auto good = bytes_of(poll(0x01, 0));
  pd.feed(good.data(), good.size());
  EXPECT_EQ(pd.next(), poll(0x01, 0));
  EXPECT_EQ(pd.counters().bad_length, 2u);
}

TEST(Parser, SkipsOtherAddressesAndDirectionsButTakesBroadcasts) {
  Parser pd(0x02, false);
  for (const auto& p : {poll(0x03, 1), packet(0x02, true, 1, true, 0x40, {}), poll(kBroadcast, 1), poll(0x02, 2)}) {
    const auto b = bytes_of(p);
    pd.feed(b.data(), b.size());
  }
  EXPECT_EQ(pd.next(), poll(kBroadcast, 1));
  EXPECT_EQ(pd.next(), poll(0x02, 2));
  EXPECT_EQ(pd.counters().other_address, 2u);
}

TEST(Parser, RandomBytesNeverYieldAnInvalidPacket) {
  std::mt19937 rng(42);
  Parser parser(std::nullopt, false);
  std::size_t accepted = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> chunk(1 + rng() % 64);
    for (auto& b : chunk) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? 0x53 : rng());
    parser.feed(chunk.data(), chunk.size());
    while (auto p = parser.next()) {
      ++accepted;
      const auto again = encode(*p);
      ASSERT_TRUE(again);
      Parser check(std::nullopt, false);
      check.feed(again->data(), again->size());
      ASSERT_EQ(check.next(), p);
    }
  }
  const auto& c = parser.counters();
  EXPECT_GT(c.garbage_bytes + c.bad_check + c.bad_length, 1000u) << "noise is counted, not trusted";
  std::printf("[ noise    ] %zu chance packets (checksum mode accepts 1 in 256), %zu bad checks\n",
              accepted, c.bad_check);
}

// Annex E of the SIA OSDP specification, as published in libosdp's
// tests/unit-tests/test-sc-sia-vectors.c (Apache-2.0): the CRC and checksum examples.
TEST(Crc16, GivesTheAnnexEAnswers) {
  const std::vector<std::uint8_t> one = {0x53, 0x7F, 0x0D, 0x00, 0x04, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00};
  EXPECT_EQ(crc16(one.data(), one.size()), 0x386E);
  const std::vector<std::uint8_t> two = {0x53, 0x00, 0x09, 0x00, 0x04, 0x61, 0x00};
  EXPECT_EQ(crc16(two.data(), two.size()), 0x66C0);
  const std::vector<std::uint8_t> three = {0x53, 0x7F, 0x0C, 0x00, 0x00, 0x6E, 0x00, 0x80, 0x25, 0x00, 0x00};
  EXPECT_EQ(checksum8(three.data(), three.size()), 0x0F);
  const std::vector<std::uint8_t> four = {0x53, 0x00, 0x08, 0x00, 0x00, 0x61, 0x00};
  EXPECT_EQ(checksum8(four.data(), four.size()), 0x44);
}

TEST(Encode, ASecurityBlockFollowsControlAndAMacPrecedesTheCheckBytes) {
  Packet challenge = packet(0x05, false, 0, true, 0x76, {0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7});
  challenge.security = SecurityBlock{Security::Challenge, {0x01}};
  const auto b = bytes_of(challenge);
  ASSERT_EQ(b.size(), 5u + 3 + 1 + 8 + 2);
  EXPECT_EQ(b[2], b.size());
  EXPECT_EQ(b[4], 0x04 | 0x08) << "CRC and security block";
  EXPECT_EQ((std::vector<std::uint8_t>{b[5], b[6], b[7], b[8]}), (std::vector<std::uint8_t>{0x03, 0x11, 0x01, 0x76}));

  Packet command = packet(0x05, false, 2, true, 0x68, {0x00, 0x05, 0x00, 0x00});  // OUT, with a MAC
  command.security = SecurityBlock{Security::CommandMac, {}};
  command.mac = {0xDE, 0xAD, 0xBE, 0xEF};
  const auto sealed = bytes_of(command);
  const auto covered = *mac_input(command);
  EXPECT_EQ(sealed.size(), covered.size() + 4 + 2);
  EXPECT_TRUE(std::equal(covered.begin(), covered.end(), sealed.begin())) << "the MAC covers SOM to the end of DATA";
  EXPECT_EQ(covered[2], sealed.size()) << "LEN counts the MAC and the CRC";
  EXPECT_EQ((std::vector<std::uint8_t>(sealed.end() - 6, sealed.end() - 2)), (std::vector<std::uint8_t>{0xDE, 0xAD, 0xBE, 0xEF}));
  Packet too_long = packet(0x05, false, 0, true, 0x76, {});
  too_long.security = SecurityBlock{Security::Challenge, std::vector<std::uint8_t>(254, 0)};
  EXPECT_FALSE(encode(too_long));
}

TEST(Parser, RoundTripsSecurePacketsAndRejectsASecurityBlockThatDoesNotFit) {
  Parser pd(0x05, false);
  Packet command = packet(0x05, false, 1, true, 0x68, {0x11, 0x22});
  command.security = SecurityBlock{Security::CommandSealed, {}};
  command.mac = {1, 2, 3, 4};
  Packet challenge = packet(0x05, false, 0, false, 0x76, std::vector<std::uint8_t>(8, 0xB0));
  challenge.security = SecurityBlock{Security::Challenge, {0x00}};
  for (const Packet& sent : {command, challenge}) {
    const auto b = bytes_of(sent);
    pd.feed(b.data(), b.size());
    const auto got = pd.next();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, sent);
    EXPECT_EQ(got->mac, sent.mac);
  }
  EXPECT_EQ(pd.counters().secure_channel, 2u);

  // A security block longer than the packet, one shorter than its own header, and an unknown
  // type: counted, skipped, no packet.
  const auto with_crc = [](std::vector<std::uint8_t> frame) {
    frame[2] = static_cast<std::uint8_t>(frame.size() + 2);
    const std::uint16_t crc = crc16(frame.data(), frame.size());
    frame.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    frame.push_back(static_cast<std::uint8_t>(crc >> 8));
    return frame;
  };
  for (const auto& frame : {with_crc({0x53, 0x05, 0, 0, 0x04 | 0x08, 0x20, 0x15, 0x60}),
                            with_crc({0x53, 0x05, 0, 0, 0x04 | 0x08, 0x01, 0x15, 0x60}),
                            with_crc({0x53, 0x05, 0, 0, 0x04 | 0x08, 0x02, 0x42, 0x60})}) {
    pd.feed(frame.data(), frame.size());
    EXPECT_FALSE(pd.next());
  }
  EXPECT_EQ(pd.counters().bad_security, 3u);
  EXPECT_EQ(pd.counters().packets, 2u);
}

}  // namespace
}  // namespace lockerctl::devices::osdp
