#pragma once
// Configuration: where lockerctl keeps its files, how much of the machine it uses, logging, and how
// datasets are assembled. Each section's struct carries its keys, defaults and checks (visit);
// config/config.hpp puts the sections together.
#include <string>

#include "config/schema.hpp"
#include "core/log.hpp"

namespace lockerctl::config {

/// Where lockerctl keeps its files. Relative paths are relative to the working directory.
struct PathsConfig {
  std::string datasets_dir = "datasets";  // dataset recipes: `--dataset NAME` reads NAME.yaml here
  std::string data_dir = "data";      // prepared dataset caches and split manifests
  std::string models_dir = "models";  // model files: imported weights and trained models
  std::string var_dir = "var";        // runtime state: audit database, incidents, alert outbox

  template <class V>
  void visit(V& v) {
    v.field("datasets_dir", datasets_dir);
    v.field("data_dir", data_dir);
    v.field("models_dir", models_dir);
    v.field("var_dir", var_dir);
  }
};

/// The compute device for LibTorch work.
enum class ComputeDevice { Cpu, Cuda };

/// How much of the machine lockerctl uses.
struct RuntimeConfig {
  int threads = 0;                            // CPU threads for LibTorch and OpenCV; 0 = all cores
  ComputeDevice device = ComputeDevice::Cpu;  // cpu, or cuda when LibTorch was built with CUDA

  template <class V>
  void visit(V& v) {
    v.field("threads", threads, Range<int>{0, 1024});
    v.field("device", device,
            Choices<ComputeDevice>{{{"cpu", ComputeDevice::Cpu}, {"cuda", ComputeDevice::Cuda}}});
  }
};

/// Logging defaults; --verbose, --quiet and --log-format override them.
struct LogConfig {
  log::Level level = log::Level::Info;    // debug | info | warning | error
  log::Format format = log::Format::Text;  // text for people, json for log collectors

  template <class V>
  void visit(V& v) {
    v.field("level", level,
            Choices<log::Level>{{{"debug", log::Level::Debug},
                                 {"info", log::Level::Info},
                                 {"warning", log::Level::Warn},
                                 {"error", log::Level::Error}}});
    v.field("format", format,
            Choices<log::Format>{{{"text", log::Format::Text}, {"json", log::Format::Json}}});
  }
};

/// Where recipes' relative source paths start when the configuration does not say (or says ""):
/// ../shared/data (the team's copy of the public collections) when that folder exists, else
/// data/sources (what scripts/fetch-datasets.sh fills).
std::string default_source_root();

/// How datasets are assembled and split (`lockerctl dataset prepare`).
struct DataConfig {
  std::string source_root = default_source_root();  // where recipes' relative source paths start
  int workers = 0;               // decoding threads for prepare and the loader; 0 = runtime.threads
  int seed = 1337;               // seed of the split, of per-source picks and of batch order
  double train_fraction = 0.7;   // share of each class's distinct images for training
  double val_fraction = 0.2;     // ... for validation
  double test_fraction = 0.1;    // ... for the final test; the three must add up to 1

  template <class V>
  void visit(V& v) {
    v.field("source_root", source_root);
    v.field("workers", workers, Range<int>{0, 256});
    v.field("seed", seed, Range<int>{0, 2147483647});
    v.field("train_fraction", train_fraction, Range<double>{0.0, 1.0});
    v.field("val_fraction", val_fraction, Range<double>{0.0, 1.0});
    v.field("test_fraction", test_fraction, Range<double>{0.0, 1.0});
  }
};

}  // namespace lockerctl::config
