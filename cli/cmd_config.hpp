#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct ConfigValidateOptions {
  std::string file;  // the YAML file to check; empty = the global --config
};

struct ConfigShowOptions {};

/// Adds `lockerctl config validate [FILE]` and `lockerctl config show`.
void setup_config(CLI::App& app, const GlobalOptions& global, Action& action);

int run_config_validate(const GlobalOptions& global, const ConfigValidateOptions& options);
int run_config_show(const GlobalOptions& global, const ConfigShowOptions& options);

}  // namespace lockerctl::cli
