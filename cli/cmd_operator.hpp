#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct OperatorOptions {
  std::string name;
  std::string role = "viewer";
};

/// Adds `lockerctl operator add|set-password|remove|list`.
void setup_operator(CLI::App& app, const GlobalOptions& global, Action& action);

int run_operator_add(const GlobalOptions& global, const OperatorOptions& options);
int run_operator_set_password(const GlobalOptions& global, const OperatorOptions& options);
int run_operator_remove(const GlobalOptions& global, const OperatorOptions& options);
int run_operator_list(const GlobalOptions& global);

}  // namespace lockerctl::cli
