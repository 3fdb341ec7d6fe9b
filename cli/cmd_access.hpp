#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct AccessOptions {
  std::string locker;   // the locker number
  std::string officer;  // --officer: the operator (role officer) who opens the window
  double minutes = 30;  // --minutes
  std::string reason;   // --reason
};

/// Adds `lockerctl access open-window|close-window|windows`.
void setup_access(CLI::App& app, const GlobalOptions& global, Action& action);

int run_access_open_window(const GlobalOptions& global, const AccessOptions& options);
int run_access_close_window(const GlobalOptions& global, const AccessOptions& options);
int run_access_windows(const GlobalOptions& global);

}  // namespace lockerctl::cli
