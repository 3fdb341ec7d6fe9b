#include <gtest/gtest.h>

#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"

namespace lockerctl::devices::osdp {
namespace {

TEST(OsdpMessages, TimedLockPulseEncodesAsTemporaryOnWithA100msTimer) {
  // Open output 0 for 3 s, then fall back to the permanent (locked) state by itself.
  const auto bytes = encode_output({{0, kOutputTemporaryOn, 30}});
  EXPECT_EQ(bytes, (std::vector<std::uint8_t>{0x00, 0x05, 30, 0x00}));
  const auto long_pulse = encode_output({{1, kOutputTemporaryOn, 600}});
  EXPECT_EQ(long_pulse, (std::vector<std::uint8_t>{0x01, 0x05, 0x58, 0x02}));
  EXPECT_EQ(decode_output(long_pulse)->front(), (OutputControl{1, kOutputTemporaryOn, 600}));
}

TEST(OsdpMessages, EveryPayloadRoundTrips) {
  const BuzzerControl buz{0, 2, 3, 2, 4};
  EXPECT_EQ(decode_buzzer(encode_buzzer(buz)), buz);
  LedControl led;
  led.reader = 1;
  led.temp_control = 2;
  led.temp_on = 5;
  led.temp_on_color = 2;
  led.temp_timer = 300;
  led.perm_control = 1;
  led.perm_on_color = 1;
  ASSERT_EQ(encode_led(led).size(), 14u);
  EXPECT_EQ(decode_led(encode_led(led)), led);
  const DeviceId id{0x5C2600, 3, 1, 0xDEADBEEF, 2, 4, 17};
  ASSERT_EQ(encode_device_id(id).size(), 12u);
  EXPECT_EQ(decode_device_id(encode_device_id(id)), id);
  // osdp_PDID: the vendor code is the OUI's octets in the order vendors publish them (0A-0B-0C),
  // then the serial number least significant byte first.
  const std::vector<std::uint8_t> pdid{0x0A, 0x0B, 0x0C, 7, 2, 0x78, 0x56, 0x34, 0x12, 1, 2, 3};
  const auto read = decode_device_id(pdid);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->vendor, 0x0A0B0Cu);
  EXPECT_EQ(read->serial, 0x12345678u);
  EXPECT_EQ(encode_device_id(*read), pdid);
  const std::vector<Capability> caps{{1, 1, 2}, {2, 1, 1}, {5, 1, 0}};
  EXPECT_EQ(decode_capabilities(encode_capabilities(caps)), caps);
  const auto status = decode_local_status(encode_local_status({true, false}));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->tamper);
  EXPECT_FALSE(status->power_failure);
  const std::vector<bool> inputs{true, false, false, true};
  EXPECT_EQ(decode_states(encode_states(inputs)), inputs);
  const auto keys = decode_keypad(encode_keypad({0, "1234#"}));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->digits, "1234#");
}

TEST(OsdpMessages, WrongLengthsAndValuesAreRejectedNotTrusted) {
  EXPECT_FALSE(decode_output({0x00, 0x05, 0x1E}));
  EXPECT_FALSE(decode_output({}));
  EXPECT_FALSE(decode_buzzer({0, 2, 3}));
  EXPECT_FALSE(decode_led(std::vector<std::uint8_t>(13)));
  EXPECT_FALSE(decode_device_id(std::vector<std::uint8_t>(11)));
  EXPECT_FALSE(decode_capabilities({1, 1}));
  EXPECT_FALSE(decode_local_status({0, 2}));
  EXPECT_FALSE(decode_states({0, 1, 7}));
  EXPECT_FALSE(decode_keypad({0, 3, '1', '2'})) << "count says 3, two digits follow";
  EXPECT_FALSE(decode_keypad({0, 1, 'A'})) << "not a keypad character";
}

TEST(OsdpMessages, NakReasonsHaveNames) {
  EXPECT_EQ(nak_text(3), "unknown command");
  EXPECT_EQ(nak_text(4), "unexpected sequence number");
  EXPECT_EQ(nak_text(42), "unknown NAK reason 42");
}

TEST(OsdpMessages, AnOutCommandTravelsThroughTheFramingLayer) {
  Packet out;
  out.address = 0x01;
  out.sequence = 1;
  out.code = static_cast<std::uint8_t>(Command::Output);
  out.data = encode_output({{0, kOutputTemporaryOn, 50}});
  const auto frame = encode(out);
  ASSERT_TRUE(frame);
  Parser pd(0x01, false);
  pd.feed(frame->data(), frame->size());
  const auto got = pd.next();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->code, static_cast<std::uint8_t>(Command::Output));
  EXPECT_EQ(decode_output(got->data)->front().timer, 50);
}

}  // namespace
}  // namespace lockerctl::devices::osdp
