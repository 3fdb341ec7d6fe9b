#pragma once

// A program a test runs beside it (a broker, a stream server): started with its output appended
// to a log file, waited for until it is ready, and killed with SIGKILL, which a test may do in the
// middle of its work and then start it again.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lockerctl::test {

class ChildProcess {
 public:
  /// `name` names the program in errors; its standard output and error go to `log_file`.
  ChildProcess(std::string name, std::filesystem::path log_file) : name_(std::move(name)), log_file_(std::move(log_file)) {}
  ~ChildProcess() { kill(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Runs `argv` (argv[0] a full path) unless it runs already, and waits until `ready()` holds.
  /// Throws std::runtime_error with the log when the program exits first (saying `hint`) or
  /// after 10 s.
  void start(const std::vector<std::string>& argv, const std::function<bool()>& ready, const std::string& hint = {});
  /// SIGKILL, and waits for it to be gone.
  void kill();
  bool running() const { return pid_ > 0; }
  /// The log so far, for a failing test's message.
  std::string log() const;

 private:
  std::string name_;
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
};

}  // namespace lockerctl::test
