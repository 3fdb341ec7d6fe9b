#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct EvaluateCommandOptions {
  std::string model;          // model file
  std::string dataset;        // prepared dataset name
  std::string split = "test"; // train | val | test
  double target_far = 0.01;   // false accept rate the suggested threshold must meet
  std::string report_dir;     // default reports/<model stem>
  std::string misclassified;  // copy wrong images here
  bool by_source = false;     // a row per source
  std::string baseline;       // metrics.json to gate against
  double tolerance = 0.01;    // allowed drop below the baseline
  std::string device;         // cpu | cuda
};

/// Adds `lockerctl evaluate`.
void setup_evaluate(CLI::App& app, const GlobalOptions& global, Action& action);

int run_evaluate(const GlobalOptions& global, const EvaluateCommandOptions& options);

}  // namespace lockerctl::cli
