// libFuzzer target: arbitrary bytes, fed in arbitrary chunks, through both parser roles. Any
// packet it returns must re-encode to a frame that parses back to itself, and its payload goes
// through every payload decoder (what a hostile board or panel could send us). Packets with a
// security block also go to both sides of an established Secure Channel session and to a board's
// handshake, which must refuse them with a DeviceError and nothing worse; and every packet, sealed
// by one side and sent through the framing, must open on the other side as it was.
#include <cstdint>
#include <cstdlib>

#include "core/errors.hpp"
#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"
#include "devices/osdp_sc.hpp"

using namespace lockerctl::devices::osdp;
using lockerctl::DeviceError;

namespace {

constexpr Block kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

std::optional<Packet> wire(const Packet& p) {
  const auto bytes = encode(p);
  if (!bytes) return std::nullopt;
  Parser parser(std::nullopt, p.reply);
  parser.feed(bytes->data(), bytes->size());
  return parser.next();
}

/// A panel and a board with a session between them.
struct Pair {
  PanelSession panel{kKey};
  BoardSession board{kKey, false, {}};
  Pair() {
    panel.confirm(board.handshake(panel.answer(board.handshake(panel.challenge(0, 0)), 1)));
  }
};

template <class F>
void refused_or_fine(F f) {
  try {
    f();
  } catch (const DeviceError&) {
  }
}

void secure_channel(const Packet& p) {
  static Pair pair;
  if (p.security) {
    Pair fresh = pair;  // a copy: what fails must not change the shared session
    refused_or_fine([&] { (void)fresh.board.open(p); });
    refused_or_fine([&] { (void)fresh.panel.open(p); });
    BoardSession board(kKey, true, {});
    refused_or_fine([&] { (void)board.handshake(p); });
  }
  Packet command = p;
  command.reply = false;
  command.security.reset();
  std::optional<Packet> sealed;
  try {
    sealed = wire(pair.panel.seal(command));
  } catch (const DeviceError&) {
    return;  // too long to send once padded and with its MAC; the chain has not moved
  }
  if (!sealed) std::abort();
  const Packet opened = pair.board.open(*sealed);
  if (opened.code != command.code || opened.data != command.data) std::abort();
  Packet reply = command;
  reply.reply = true;
  const auto sealed_reply = wire(pair.board.seal(reply));
  if (!sealed_reply) std::abort();  // no longer than the command that just went through
  const Packet back = pair.panel.open(*sealed_reply);
  if (back.code != reply.code || back.data != reply.data) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const bool replies : {false, true}) {
    Parser parser(size > 0 ? std::optional<std::uint8_t>(data[0] & 0x7F) : std::nullopt, replies);
    std::size_t at = 0;
    while (at < size) {
      const std::size_t chunk = 1 + data[at] % 17;
      const std::size_t n = std::min(chunk, size - at);
      parser.feed(data + at, n);
      at += n;
      while (auto p = parser.next()) {
        const auto bytes = encode(*p);
        if (!bytes) std::abort();
        Parser again(std::nullopt, p->reply);
        again.feed(bytes->data(), bytes->size());
        const auto back = again.next();
        if (!back || !(*back == *p)) std::abort();
        const auto& d = p->data;
        (void)decode_output(d), (void)decode_buzzer(d), (void)decode_led(d), (void)decode_device_id(d);
        (void)decode_capabilities(d), (void)decode_local_status(d), (void)decode_states(d), (void)decode_keypad(d);
        (void)decode_keyset(d);
        if (!d.empty()) (void)nak_text(d[0]), (void)code_name(d[0]);
        secure_channel(*p);
      }
    }
  }
  return 0;
}
