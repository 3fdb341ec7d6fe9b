#include "devices/serial_port.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <iterator>

#include "core/errors.hpp"
#include "core/log.hpp"

namespace lockerctl::devices {
namespace {

using Clock = std::chrono::steady_clock;

speed_t speed_of(int baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    default: return B0;
  }
}

/// Raw 8N1, no flow control, reads that return at once (poll() does the waiting).
bool make_raw(int fd, speed_t speed) {
  termios tty{};
  if (tcgetattr(fd, &tty) != 0) return false;
  cfmakeraw(&tty);
  tty.c_cflag &= ~static_cast<tcflag_t>(PARENB | CSTOPB | CSIZE | CRTSCTS);
  tty.c_cflag |= CS8 | CLOCAL | CREAD;
  tty.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tty.c_cc[VMIN] = 0;
  tty.c_cc[VTIME] = 0;
  if (speed != B0 && (cfsetispeed(&tty, speed) != 0 || cfsetospeed(&tty, speed) != 0)) return false;
  return tcsetattr(fd, TCSANOW, &tty) == 0;
}

/// Waits up to `timeout` for input and reads it. Returns bytes read, 0 on timeout, -1 on error.
long read_fd(int fd, std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return errno == EINTR ? 0 : -1;
  if (ready == 0) return 0;
  if ((p.revents & POLLIN) == 0) return (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ? -1 : 0;
  const ssize_t n = ::read(fd, buffer, size);
  if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
  return static_cast<long>(n);
}

/// Writes every byte, waiting for room for at most a second in all. False on error.
bool write_fd(int fd, const std::uint8_t* bytes, std::size_t size) {
  const auto deadline = Clock::now() + std::chrono::seconds(1);
  while (size > 0) {
    const ssize_t n = ::write(fd, bytes, size);
    if (n > 0) {
      bytes += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (Clock::now() > deadline) return false;
    pollfd p{fd, POLLOUT, 0};
    ::poll(&p, 1, 10);
  }
  return true;
}

}  // namespace

SerialPort::SerialPort(std::string device, int baud, std::chrono::milliseconds reopen_every)
    : device_(std::move(device)), baud_(baud), reopen_every_(reopen_every) {
  if (speed_of(baud) == B0) {
    throw DeviceError(fmt::format("serial port {}: unsupported baud rate {} (use 9600, 19200, 38400, "
                                  "57600 or 115200)", device_, baud));
  }
  const std::string problem = open_device();
  if (!problem.empty()) throw DeviceError(fmt::format("serial port {}: {}", device_, problem));
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SerialPort::open_device() {
  const int fd = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  if (!isatty(fd)) {
    ::close(fd);
    return "not a serial device (a terminal was expected)";
  }
  if (!make_raw(fd, speed_of(baud_))) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return "cannot configure it: " + reason;
  }
  tcflush(fd, TCIOFLUSH);
  fd_ = fd;
  return {};
}

void SerialPort::lost(const char* what) {
  log::warn("serial port {}: {} failed ({}); opening it again", device_, what, std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  next_try_ = Clock::now() + reopen_every_;
}

bool SerialPort::ready() {
  if (fd_ >= 0) return true;
  if (Clock::now() < next_try_) return false;
  next_try_ = Clock::now() + reopen_every_;
  if (!open_device().empty()) return false;
  ++reopens_;
  log::info("serial port {}: open again", device_);
  return true;
}

std::size_t SerialPort::read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) {
  if (!ready()) {
    ::usleep(static_cast<useconds_t>(std::min<long>(timeout.count(), 50) * 1000));
    return 0;
  }
  const long n = read_fd(fd_, buffer, size, timeout);
  if (n < 0) {
    lost("read");
    return 0;
  }
  return static_cast<std::size_t>(n);
}

void SerialPort::write(const std::uint8_t* bytes, std::size_t size) {
  if (!ready()) return;
  if (!write_fd(fd_, bytes, size)) lost("write");
}

void SerialPort::flush() {
  if (fd_ >= 0) tcflush(fd_, TCIFLUSH);
}

PseudoTerminal::PseudoTerminal() {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) {
    const std::string reason = std::strerror(errno);
    if (master_ >= 0) ::close(master_);
    throw DeviceError("pseudo-terminal: cannot create one: " + reason);
  }
  char name[128] = {};
  if (::ptsname_r(master_, name, sizeof name) != 0) {
    ::close(master_);
    throw DeviceError("pseudo-terminal: no slave name");
  }
  slave_path_ = name;
  slave_ = ::open(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (slave_ < 0 || !make_raw(slave_, B0)) {
    const std::string reason = std::strerror(errno);
    ::close(master_);
    if (slave_ >= 0) ::close(slave_);
    throw DeviceError(fmt::format("pseudo-terminal {}: {}", slave_path_, reason));
  }
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
}

PseudoTerminal::~PseudoTerminal() {
  ::close(slave_);
  ::close(master_);
}

std::size_t PseudoTerminal::read(std::uint8_t* buffer, std::size_t size, std::chrono::milliseconds timeout) {
  const long n = read_fd(master_, buffer, size, timeout);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void PseudoTerminal::write(const std::uint8_t* bytes, std::size_t size) {
  write_fd(master_, bytes, size);
}

void PseudoTerminal::flush() { tcflush(master_, TCIFLUSH); }

}  // namespace lockerctl::devices
