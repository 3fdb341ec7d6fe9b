#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct RegisterOptions {
  std::string locker, holder, since, until;  // filters
  std::string format = "text";               // --format: text | csv | json | html
};

/// Adds `lockerctl register`.
void setup_register(CLI::App& app, const GlobalOptions& global, Action& action);

int run_register(const GlobalOptions& global, const RegisterOptions& options);

}  // namespace lockerctl::cli
