// A benchmark, not a test: what the Secure Channel costs on the lock-board link. The control panel
// talks to the simulated board over a pseudo-terminal, as `lockerctl run` does with board.port:
// sim, first in plain text, then inside a secure channel. For each: the time from a new panel to
// a board that answers (the handshake, with the Secure Channel), the round trip of an unlock (OUT
// and its reply; median and p95), and the bytes an unlock puts on the wire, with the time those
// bytes take on a serial line at BAUD, 10 bits a byte (a pseudo-terminal has no line speed, so the
// round trips hold none of it). Usage: board-bench [UNLOCKS] [BAUD]   (default 500 9600)

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "devices/board_link.hpp"

namespace {

using namespace lockerctl;
using namespace std::chrono_literals;

/// Counts the bytes that pass through a channel, both ways.
class CountingChannel final : public devices::Channel {
 public:
  explicit CountingChannel(devices::Channel& inner) : inner_(inner) {}
  std::size_t read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) override {
    const std::size_t got = inner_.read(buffer, size, timeout);
    bytes += got;
    return got;
  }
  void write(const std::uint8_t* data, std::size_t size) override {
    inner_.write(data, size);
    bytes += size;
  }
  void flush() override { inner_.flush(); }

  std::atomic<std::size_t> bytes{0};

 private:
  devices::Channel& inner_;
};

struct Row {
  Latency start, unlock;
  double bytes_per_start = 0, bytes_per_unlock = 0;
};

Row measure(bool secure, int unlocks) {
  const devices::osdp::Block key = devices::osdp::random_key();
  devices::osdp::SimulatorOptions sim;
  sim.secure = secure;
  sim.key = key;
  devices::SimulatedBoard board(sim);
  devices::SerialPort port(board.device(), 115200);
  CountingChannel channel(port);
  devices::osdp::ControlPanelOptions o;
  o.poll_interval = 10s;  // no POLL between the timed commands
  o.secure = secure ? devices::osdp::SecureMode::Required : devices::osdp::SecureMode::Off;
  o.keys = {key};
  const auto online = [](devices::osdp::ControlPanel& panel) {
    if (!panel.wait_online(2s)) throw std::runtime_error(panel.security_problem().value_or("the board does not answer"));
  };

  Row row;
  int calls = 0;
  row.start = time_calls(50, [&] {
    devices::osdp::ControlPanel panel(channel, o);
    online(panel);
    ++calls;
  }, 3);
  row.bytes_per_start = static_cast<double>(channel.bytes) / calls;
  devices::osdp::ControlPanel panel(channel, o);
  online(panel);
  const std::size_t before = channel.bytes;
  calls = 0;
  row.unlock = time_calls(unlocks, [&] {
    panel.unlock(100ms);
    ++calls;
  });
  row.bytes_per_unlock = static_cast<double>(channel.bytes - before) / calls;
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  const int unlocks = argc > 1 ? std::atoi(argv[1]) : 500;
  const int baud = argc > 2 ? std::atoi(argv[2]) : 9600;
  if (unlocks < 1 || baud < 1) {
    std::fprintf(stderr, "usage: board-bench [UNLOCKS] [BAUD]\n");
    return 64;
  }
  log::configure(log::Level::Warn, log::Format::Text);  // the simulated board logs every release
  try {
    fmt::print("simulated lock board on a pseudo-terminal; {} unlocks; wire time at {} baud, 10 bits a byte\n", unlocks,
               baud);
    const auto wire_ms = [baud](double bytes) { return bytes * 10 * 1000 / baud; };
    fmt::print("{:<15} {:<38} {}\n", "", "new panel to an answering board", "unlock (OUT and its reply)");
    fmt::print("{:<15} {:<22} {:>6} {:>8} {:<22} {:>6} {:>8}\n", "", "round trip", "bytes", "wire", "round trip", "bytes",
               "wire");
    for (const bool secure : {false, true}) {
      const Row r = measure(secure, unlocks);
      fmt::print("{:<15} {:6.3f} ms (p95 {:6.3f}) {:6.1f} {:5.1f} ms {:6.3f} ms (p95 {:6.3f}) {:6.1f} {:5.1f} ms\n",
                 secure ? "secure channel" : "plain text", r.start.median_ms, r.start.p95_ms, r.bytes_per_start,
                 wire_ms(r.bytes_per_start), r.unlock.median_ms, r.unlock.p95_ms, r.bytes_per_unlock,
                 wire_ms(r.bytes_per_unlock));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "board-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
