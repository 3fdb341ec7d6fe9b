// libFuzzer target: arbitrary bytes, fed in arbitrary chunks, through both parser roles. Any
// packet it returns must re-encode to a frame that parses back to itself, and its payload goes
// through every payload decoder (what a hostile board or panel could send us).
#include <cstdint>
#include <cstdlib>

#include "devices/osdp_messages.hpp"
#include "devices/osdp_phy.hpp"

using namespace lockerctl::devices::osdp;

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
        if (!d.empty()) (void)nak_text(d[0]), (void)code_name(d[0]);
      }
    }
  }
  return 0;
}
