#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "branch/publisher.hpp"
#include "common.hpp"

namespace lockerctl::cli {

struct MonitorCliOptions {
  std::string broker;     ///< "" = mqtt.broker
  std::string client_id = "lockerctl-monitor";
  bool once = false;
  bool json = false;
  double wait_s = 2;      ///< --once: how long to listen
  std::int64_t alarm = 0; ///< monitor ack
  std::string by;         ///< who acknowledges; "" = the login name
};

/// Adds `lockerctl monitor [--broker URL] [--once] [--json]` and `monitor ack ALARM`.
void setup_monitor(CLI::App& app, const GlobalOptions& global, Action& action);

int run_monitor(const GlobalOptions& global, const MonitorCliOptions& options);
int run_monitor_ack(const GlobalOptions& global, const MonitorCliOptions& options);

/// The station's publisher settings from mqtt.* (its locker name from access.* when
/// mqtt.locker is ""). Throws ConfigError for a bad broker address or name.
branch::PublisherOptions publisher_options(const config::Config& cfg, const std::vector<std::string>& served);

}  // namespace lockerctl::cli
