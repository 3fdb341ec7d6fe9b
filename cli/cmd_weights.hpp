#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct WeightsImportOptions {
  std::string from = "keras";  // source format; only Keras HDF5 for now
  std::string file;            // the Keras weights file
  std::string out;             // the lockerctl model file to write
  double alpha = 0;            // width multiplier; 0 = read it from the file
  int input_size = 224;        // input size recorded in the model file
};

/// Adds `lockerctl weights import`.
void setup_weights(CLI::App& app, const GlobalOptions& global, Action& action);

int run_weights_import(const GlobalOptions& global, const WeightsImportOptions& options);

}  // namespace lockerctl::cli
