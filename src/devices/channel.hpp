#pragma once

// The byte link between the control panel and a lock board. Protocol code talks only to this
// interface and never opens a port itself, so tests run both ends in one process (loopback.hpp)
// and the simulator serves a pseudo-terminal (serial_port.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace lockerctl::devices {

class Channel {
 public:
  virtual ~Channel() = default;
  /// Reads up to `size` bytes, waiting at most `timeout` for the first one. Returns the number
  /// read; 0 when nothing came in time or the link is down for now.
  virtual std::size_t read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) = 0;
  /// Sends every byte, or none when the link is down for now (a lost link looks like a
  /// board that does not answer; the protocol above counts the silence).
  virtual void write(const std::uint8_t* bytes, std::size_t size) = 0;
  /// Throws away input that has not been read yet.
  virtual void flush() = 0;
};

}  // namespace lockerctl::devices
