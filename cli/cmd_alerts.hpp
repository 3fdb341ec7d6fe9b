#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct AlertsOptions {
  std::string state;       // list --state
  bool json = false;       // list --json
  long long id = 0;        // retry ID
  bool dead = false;       // retry --dead
  bool sent = false;       // purge --sent
  std::string older_than;  // purge --older-than
  std::string owner;       // test --owner
  std::string channel;     // test --channel
  std::string photo;       // test --photo
};

/// Adds `lockerctl alerts list|retry|purge|test`.
void setup_alerts(CLI::App& app, const GlobalOptions& global, Action& action);

int run_alerts_list(const GlobalOptions& global, const AlertsOptions& options);
int run_alerts_retry(const GlobalOptions& global, const AlertsOptions& options);
int run_alerts_purge(const GlobalOptions& global, const AlertsOptions& options);
int run_alerts_test(const GlobalOptions& global, const AlertsOptions& options);

/// "30d", "12h", "90m", "45s" or plain seconds, as seconds. Throws Error (usage) otherwise.
double parse_age(const std::string& text);

}  // namespace lockerctl::cli
