#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct RunOptions {
  std::string script;  // --script: overrides access.script
};

/// Adds `lockerctl run`: the four-layer access flow at a locker.
void setup_run(CLI::App& app, const GlobalOptions& global, Action& action);

int run_access(const GlobalOptions& global, const RunOptions& options);

}  // namespace lockerctl::cli
