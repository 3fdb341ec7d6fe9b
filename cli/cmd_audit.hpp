#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct AuditOptions {
  std::string since;  // --since: ISO 8601 time or date prefix
  bool csv = false;   // --csv
  bool json = false;  // --json
  std::string out;    // export --out FILE
  std::string at;     // verify --at ROW:HASH, from a printout
};

/// Adds `lockerctl audit verify|list|export`.
void setup_audit(CLI::App& app, const GlobalOptions& global, Action& action);

int run_audit_verify(const GlobalOptions& global, const AuditOptions& options);
int run_audit_list(const GlobalOptions& global, const AuditOptions& options);
int run_audit_export(const GlobalOptions& global, const AuditOptions& options);

}  // namespace lockerctl::cli
