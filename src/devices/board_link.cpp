#include "devices/board_link.hpp"

namespace lockerctl::devices {

BoardLink::BoardLink(const BoardLinkOptions& options) {
  std::string device = options.port;
  if (options.port == kSimulatedPort) {
    pty_ = std::make_unique<PseudoTerminal>();
    osdp::SimulatorOptions sim;
    sim.address = options.panel.address;
    simulator_ = std::make_unique<osdp::BoardSimulator>(sim);
    server_ = std::thread([this] { simulator_->serve(*pty_, stop_); });
    device = pty_->slave_path();
  }
  try {
    port_ = std::make_unique<SerialPort>(device, options.baud);
    panel_ = std::make_unique<osdp::ControlPanel>(*port_, options.panel);
  } catch (...) {
    stop_ = true;
    if (server_.joinable()) server_.join();
    throw;
  }
}

BoardLink::~BoardLink() {
  panel_.reset();  // stop polling before the simulator goes away
  stop_ = true;
  if (server_.joinable()) server_.join();
}

}  // namespace lockerctl::devices
