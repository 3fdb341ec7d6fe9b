#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>

namespace lockerctl {

/// Progress and ETA for long work (dataset preparation, training epochs, benchmarks).
///
/// On a terminal it redraws one live bar on stderr; elsewhere (CI, pipes, --log-format json) it
/// writes a plain log line every `interval`, so logs stay readable. Nothing is shown below the
/// info log level (--quiet). `advance` may be called from several threads.
class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    bool live = false;                                 ///< redraw a bar in place (a TTY)
    std::chrono::milliseconds interval{10'000};        ///< plain mode: time between lines
    std::ostream* terminal = nullptr;                  ///< live mode: where the bar goes (stderr)
    bool closing_line = true;                          ///< finish() writes count, time and rate
    std::function<Clock::time_point()> now = Clock::now;  ///< injectable for tests
  };

  /// Options for the current process: live when stderr is a terminal and logs are text.
  static Options default_options();

  /// `total` is the number of units of work (images, batches); `label` names the work.
  Progress(std::string label, std::size_t total, Options options = default_options());
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Records `n` more units done.
  void advance(std::size_t n = 1);

  /// Writes the closing line (count, elapsed time, rate). Called by the destructor if needed.
  void finish();

  /// The line shown for `done` of `total` after `elapsed`: count, percent, rate and ETA.
  static std::string status_line(const std::string& label, std::size_t done, std::size_t total,
                                 std::chrono::duration<double> elapsed);

 private:
  void render_locked(Clock::time_point now);

  std::string label_;
  std::size_t total_;
  Options options_;
  std::mutex mutex_;
  std::size_t done_ = 0;
  bool finished_ = false;
  Clock::time_point start_;
  Clock::time_point last_render_;
};

/// "1h02m", "3m05s", "42s": a duration for people.
std::string format_duration(std::chrono::duration<double> d);

}  // namespace lockerctl
