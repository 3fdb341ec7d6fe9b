#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace lockerctl::cli {

struct BenchTrainOptions {
  int batch_size = 32;   // images per step
  int batches = 5;       // timed steps per case
  int human_size = 224;  // MobileNetV2 input side
  int owner_size = 256;  // owner CNN input side
  std::string device = "auto";  // cpu | cuda | auto (cpu, and cuda when usable)
};

struct BenchInferOptions {
  std::vector<std::string> models;  // model files; default: the paper's two architectures, random weights
  int frames = 200;                 // timed frames per row
};

/// Adds `lockerctl bench train` and `lockerctl bench infer`.
void setup_bench(CLI::App& app, const GlobalOptions& global, Action& action);

int run_bench_train(const GlobalOptions& global, const BenchTrainOptions& options);
int run_bench_infer(const GlobalOptions& global, const BenchInferOptions& options);

}  // namespace lockerctl::cli
