#pragma once

// Serial ports (termios, 8N1, raw, no flow control) and pseudo-terminals as Channels.

#include <chrono>
#include <memory>
#include <string>

#include "devices/channel.hpp"

namespace lockerctl::devices {

/// Baud rates a lock board may use.
inline constexpr int kBaudRates[] = {9600, 19200, 38400, 57600, 115200};

/// A serial device such as /dev/ttyUSB0 or /dev/ttyS0: 8 data bits, no parity, 1 stop bit.
/// The constructor throws DeviceError naming the device and the reason when it cannot be opened.
/// When the device goes away later (a USB adapter pulled out), reads and writes report nothing
/// and the port tries to open it again at most once per `reopen_every`.
class SerialPort final : public Channel {
 public:
  SerialPort(std::string device, int baud,
             std::chrono::milliseconds reopen_every = std::chrono::milliseconds(1000));
  ~SerialPort() override;
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  std::size_t read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) override;
  void write(const std::uint8_t* bytes, std::size_t size) override;
  void flush() override;

  const std::string& device() const { return device_; }
  /// How many times the port was lost and opened again.
  int reopens() const { return reopens_; }

 private:
  /// Opens and configures the device; returns an error text, empty on success.
  std::string open_device();
  void lost(const char* what);
  bool ready();

  std::string device_;
  int baud_;
  std::chrono::milliseconds reopen_every_;
  std::chrono::steady_clock::time_point next_try_{};
  int fd_ = -1;
  int reopens_ = 0;
};

/// The master side of a new pseudo-terminal, in raw mode. A program that opens `slave_path()`
/// as a serial port talks to whoever reads and writes this channel (the board simulator).
class PseudoTerminal final : public Channel {
 public:
  PseudoTerminal();  ///< throws DeviceError
  ~PseudoTerminal() override;
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  const std::string& slave_path() const { return slave_path_; }

  std::size_t read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) override;
  void write(const std::uint8_t* bytes, std::size_t size) override;
  void flush() override;

 private:
  int master_ = -1;
  int slave_ = -1;  ///< kept open so the master never sees a hang-up between clients
  std::string slave_path_;
};

}  // namespace lockerctl::devices
