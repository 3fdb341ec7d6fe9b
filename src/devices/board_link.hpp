#pragma once

// The configured lock board, opened: a serial port with the control panel on it, or for the port
// name "sim" a simulated board served on a pseudo-terminal inside this process, so the whole OSDP
// path, termios included, runs as it does with hardware (the Secure Channel too: the simulated
// board holds the panel's first key, in install mode when that is the default key).

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "devices/osdp_cp.hpp"
#include "devices/osdp_pd.hpp"
#include "devices/serial_port.hpp"

namespace lockerctl::devices {

inline constexpr const char* kSimulatedPort = "sim";

struct BoardLinkOptions {
  std::string port = kSimulatedPort;
  int baud = 9600;
  osdp::ControlPanelOptions panel;  ///< the simulated board gets its secure mode and first key
  std::filesystem::path key_file;   ///< where panel.keys came from, when from a file
};

/// A simulated board answering on a new pseudo-terminal for as long as this object lives.
class SimulatedBoard {
 public:
  explicit SimulatedBoard(const osdp::SimulatorOptions& options);  ///< throws DeviceError
  ~SimulatedBoard();
  SimulatedBoard(const SimulatedBoard&) = delete;
  SimulatedBoard& operator=(const SimulatedBoard&) = delete;

  osdp::BoardSimulator& board() { return board_; }
  /// The terminal a control panel opens as its serial port.
  const std::string& device() const { return pty_.slave_path(); }

 private:
  PseudoTerminal pty_;
  osdp::BoardSimulator board_;
  std::atomic<bool> stop_{false};
  std::thread server_;
};

class BoardLink {
 public:
  /// Throws DeviceError naming the port and the reason when it cannot be opened.
  explicit BoardLink(const BoardLinkOptions& options);
  ~BoardLink();
  BoardLink(const BoardLink&) = delete;
  BoardLink& operator=(const BoardLink&) = delete;

  osdp::ControlPanel& panel() { return *panel_; }
  /// The simulated board, or nullptr with a real port.
  osdp::BoardSimulator* simulator() { return simulated_ ? &simulated_->board() : nullptr; }
  /// The serial device in use (the pseudo-terminal's for "sim").
  const std::string& device() const { return port_->device(); }

 private:
  std::unique_ptr<SimulatedBoard> simulated_;  ///< declared first: it outlives the panel
  std::unique_ptr<SerialPort> port_;
  std::unique_ptr<osdp::ControlPanel> panel_;
};

}  // namespace lockerctl::devices
