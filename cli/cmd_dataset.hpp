#pragma once

#include <string>

#include "common.hpp"

namespace lockerctl::cli {

struct DatasetPrepareOptions {
  std::string dataset;         // recipe name, recipe file or image folder
  std::string task = "human";  // for a plain folder: which layer's classes (human | owner)
  bool force = false;          // rebuild even when unchanged
};

struct DatasetInspectOptions {
  std::string name;   // prepared dataset name
  bool json = false;  // machine-readable output
};

struct DatasetSynthOptions {
  std::string task = "human";  // human | owner
  std::string out;             // folder; default <data_dir>/synthetic-<task>
  int per_class = 40;          // images per class
  int size = 64;               // image side in pixels
  int seed = 1;
};

struct DatasetBenchOptions {
  std::string name;      // prepared dataset name
  int batch_size = 32;
  int batches = 20;      // batches timed per mode
};

/// Adds `lockerctl dataset prepare|inspect|synth|bench`.
void setup_dataset(CLI::App& app, const GlobalOptions& global, Action& action);

int run_dataset_prepare(const GlobalOptions& global, const DatasetPrepareOptions& options);
int run_dataset_inspect(const GlobalOptions& global, const DatasetInspectOptions& options);
int run_dataset_synth(const GlobalOptions& global, const DatasetSynthOptions& options);
int run_dataset_bench(const GlobalOptions& global, const DatasetBenchOptions& options);

}  // namespace lockerctl::cli
