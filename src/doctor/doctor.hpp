#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

/// `lockerctl doctor`: what this installation has and whether it can do its work.
namespace lockerctl::doctor {

/// One line of the report. `ok == false` makes the doctor exit with CheckFailed.
struct Item {
  std::string name;    ///< e.g. "LibTorch", "paths.var_dir"
  std::string value;   ///< what was found
  bool ok = true;      ///< false when this item stops lockerctl from working as configured
};

struct Report {
  std::vector<Item> items;

  /// True when no item failed.
  bool ok() const;
  /// The names of the failed items, comma-separated.
  std::string failures() const;
};

/// Inspects libraries, compute devices, threads, the configured folders and what `run` needs
/// (models, face cascade, lock-board port; `lockerctl doctor` adds the board's key, found as
/// `run` finds it). Never throws.
Report examine(const config::Config& config);

/// The report as aligned "name  value" lines, failed items marked.
std::string render(const Report& report);

}  // namespace lockerctl::doctor
