#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct OwnerOptions {
  std::string name;
  std::string phone;
  bool password_stdin = false;  // set-password --stdin
  int count = 20;               // enroll-face --count
  std::string out;              // enroll-face --out
};

/// Adds `lockerctl owner add|set-password|set-phone|enroll-totp|enroll-face|list`.
void setup_owner(CLI::App& app, const GlobalOptions& global, Action& action);

int run_owner_add(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_set_password(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_set_phone(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_enroll_totp(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_enroll_face(const GlobalOptions& global, const OwnerOptions& options);
int run_owner_list(const GlobalOptions& global);

}  // namespace lockerctl::cli
