#include "devices/board_link.hpp"

namespace lockerctl::devices {

SimulatedBoard::SimulatedBoard(const osdp::SimulatorOptions& options)
    : board_(options), server_([this] { board_.serve(pty_, stop_); }) {}

SimulatedBoard::~SimulatedBoard() {
  stop_ = true;
  server_.join();
}

BoardLink::BoardLink(const BoardLinkOptions& options) {
  std::string device = options.port;
  if (options.port == kSimulatedPort) {
    osdp::SimulatorOptions sim;
    sim.address = options.panel.address;
    sim.secure = options.panel.secure != osdp::SecureMode::Off;
    if (!options.panel.keys.empty()) sim.key = options.panel.keys.front();
    sim.install_mode = sim.key == osdp::kDefaultKey;
    simulated_ = std::make_unique<SimulatedBoard>(sim);
    device = simulated_->device();
  }
  port_ = std::make_unique<SerialPort>(device, options.baud);
  panel_ = std::make_unique<osdp::ControlPanel>(*port_, options.panel);
}

// Members go in reverse order: the panel stops polling, then the port closes, then the simulator.
BoardLink::~BoardLink() = default;

}  // namespace lockerctl::devices
