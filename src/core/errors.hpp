#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace lockerctl {

/// Process exit codes, documented in README.md ("Exit codes"). The CLI boundary is the only place
/// that turns an exception into one of these.
enum class ExitCode : int {
  Ok = 0,
  CheckFailed = 1,   ///< a check ran and found a problem (doctor, verify, regression gate)
  Config = 2,        ///< the configuration file or a configuration value is invalid
  Data = 3,          ///< a dataset, image or manifest is unusable
  Model = 4,         ///< a model or weights file is unusable
  Device = 5,        ///< a camera, lock board or compute device is missing or failed
  Io = 6,            ///< the file system refused: disk full, permission, missing file
  Usage = 64,        ///< the command line itself is wrong (unknown flag, missing argument)
  Internal = 70,     ///< a bug: an exception nobody expected
};

/// Root of every error lockerctl throws on purpose. The message names the input and the reason
/// and fits on one line; `detail` is extra context shown only with --verbose.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, ExitCode code, std::string detail = {})
      : std::runtime_error(message), code_(code), detail_(std::move(detail)) {}

  ExitCode code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ExitCode code_;
  std::string detail_;
};

/// One problem found in a configuration file: where it is and what is wrong.
struct ConfigProblem {
  std::string file;     ///< the file as given by the user, "<defaults>" / "<env>", or "" for a command-line value
  int line = 0;         ///< 1-based; 0 when the problem has no position (e.g. a missing file)
  int column = 0;       ///< 1-based; 0 when unknown
  std::string key;      ///< dotted key path, e.g. "runtime.threads"; empty for file-level problems
  std::string message;  ///< the reason, e.g. "unknown key"

  /// "file:line:col: key: message", leaving out the parts that are not known.
  std::string to_string() const;
};

/// The configuration is invalid. Carries every problem found, not just the first.
class ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<ConfigProblem> problems);
  const std::vector<ConfigProblem>& problems() const noexcept { return problems_; }

 private:
  std::vector<ConfigProblem> problems_;
};

/// A dataset, image or manifest cannot be used.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message, std::string detail = {})
      : Error(message, ExitCode::Data, std::move(detail)) {}
};

/// A model or weights file cannot be used (corrupt, wrong architecture, shape mismatch).
class ModelError : public Error {
 public:
  explicit ModelError(const std::string& message, std::string detail = {})
      : Error(message, ExitCode::Model, std::move(detail)) {}
};

/// A camera, lock board or compute device is missing or failed.
class DeviceError : public Error {
 public:
  explicit DeviceError(const std::string& message, std::string detail = {})
      : Error(message, ExitCode::Device, std::move(detail)) {}
};

/// The file system refused an operation (disk full, permission denied, path missing).
class IoError : public Error {
 public:
  explicit IoError(const std::string& message, std::string detail = {})
      : Error(message, ExitCode::Io, std::move(detail)) {}
};

/// Runs `fn` and reports any other lockerctl::Error it throws (a truncated file, a missing HDF5
/// attribute) as an `E` with the same message, so the caller's error kind and exit code hold.
template <class E, class Fn>
auto errors_as(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const E&) {
    throw;
  } catch (const Error& e) {
    throw E(e.what());
  }
}

}  // namespace lockerctl
