#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct ModelSummaryOptions {
  std::string file;      // a model file; empty = the two architectures with their defaults
  double alpha = 1.0;    // MobileNetV2 width multiplier when no file is given
  int human_size = 224;  // layer-1 input size when no file is given
  int owner_size = 256;  // layer-2 input size when no file is given
};

/// Adds `lockerctl model summary`.
void setup_model(CLI::App& app, const GlobalOptions& global, Action& action);

int run_model_summary(const GlobalOptions& global, const ModelSummaryOptions& options);

}  // namespace lockerctl::cli
