#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace lockerctl::cli {

struct WebOptions {
  std::string listen;               // overrides web.listen
  std::vector<std::string> hosts;   // web cert: names in the certificate
  int days = 825;
  bool self_signed = false;        // web cert: required, the only kind it makes
};

/// Adds `lockerctl web` (serve the console) and `lockerctl web cert --self-signed`.
void setup_web(CLI::App& app, const GlobalOptions& global, Action& action);

int run_web(const GlobalOptions& global, const WebOptions& options);
int run_web_cert(const GlobalOptions& global, const WebOptions& options);

}  // namespace lockerctl::cli
