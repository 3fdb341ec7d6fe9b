#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct EvidenceOptions {
  std::string incident;  // an attempt or incident id
  std::string reason;    // hold --reason
  std::string by;        // hold --by: who asks for the hold
  bool dry_run = false;  // purge --dry-run
};

/// Adds `lockerctl evidence list|purge|hold|release`.
void setup_evidence(CLI::App& app, const GlobalOptions& global, Action& action);

int run_evidence_list(const GlobalOptions& global);
int run_evidence_purge(const GlobalOptions& global, const EvidenceOptions& options);
int run_evidence_hold(const GlobalOptions& global, const EvidenceOptions& options);
int run_evidence_release(const GlobalOptions& global, const EvidenceOptions& options);

}  // namespace lockerctl::cli
