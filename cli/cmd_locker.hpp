#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace lockerctl::cli {

struct LockerOptions {
  std::string number;
  std::vector<std::string> holders;  // --holder, in order
  std::string mode = "any";          // --mode: any | all
  bool dual_control = false;         // --dual-control
};

/// Adds `lockerctl locker add|set-holders|set|remove|list`.
void setup_locker(CLI::App& app, const GlobalOptions& global, Action& action);

int run_locker_add(const GlobalOptions& global, const LockerOptions& options);
int run_locker_set_holders(const GlobalOptions& global, const LockerOptions& options);
int run_locker_set(const GlobalOptions& global, const LockerOptions& options);
int run_locker_remove(const GlobalOptions& global, const LockerOptions& options);
int run_locker_list(const GlobalOptions& global);

}  // namespace lockerctl::cli
