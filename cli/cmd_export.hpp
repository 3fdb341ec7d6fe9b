#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct ExportOptions {
  std::string model;            // lockerctl model file (.h5)
  std::string format = "onnx";  // only ONNX
  std::string out;              // default: the model path with .onnx
};

struct PredictOptions {
  std::vector<std::string> inputs;  // images or folders
  std::string model;                // .h5 or .onnx
  std::string backend = "torch";    // torch | opencv
  bool json = false;                // one JSON object per image
};

/// Adds `lockerctl export` and `lockerctl predict`.
void setup_export(CLI::App& app, const GlobalOptions& global, Action& action);

int run_export(const GlobalOptions& global, const ExportOptions& options);
int run_predict(const GlobalOptions& global, const PredictOptions& options);

}  // namespace lockerctl::cli
