#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "core/log.hpp"

namespace lockerctl::config {

/// Where lockerctl keeps its files. Relative paths are relative to the working directory.
struct PathsConfig {
  std::string data_dir = "data";      // prepared dataset caches and split manifests
  std::string models_dir = "models";  // model files: imported weights and trained models
  std::string var_dir = "var";        // runtime state: audit database, incidents, alert outbox

  template <class V>
  void visit(V& v) {
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

/// The whole configuration. configs/default.yaml documents every key with its default.
struct Config {
  PathsConfig paths;
  RuntimeConfig runtime;
  LogConfig log;

  template <class V>
  void visit(V& v) {
    v.section("paths", paths);
    v.section("runtime", runtime);
    v.section("log", log);
  }
};

/// Loads `file` over the built-in defaults, then applies environment overrides to secrets.
/// Without a file, returns the defaults with the overrides. Throws ConfigError listing every
/// problem (missing file, YAML syntax, unknown key, wrong type, out of range) as file:line:col.
Config load(const std::optional<std::filesystem::path>& file);

/// Parses YAML text (named `file` in messages) into a Config, collecting every problem.
Config parse(const std::string& text, const std::string& file);

/// The effective configuration as YAML, with every secret masked.
std::string to_yaml(const Config& config);

/// The yaml-cpp release this build uses.
std::string yaml_cpp_version();

/// Every key path of the schema, e.g. "runtime.threads".
std::vector<std::string> key_paths();

}  // namespace lockerctl::config
