#include "core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "core/log.hpp"

namespace lockerctl {

std::string format_duration(std::chrono::duration<double> d) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, d.count())));
  const long long h = total / 3600, m = (total % 3600) / 60, s = total % 60;
  if (h > 0) return fmt::format("{}h{:02d}m", h, m);
  if (m > 0) return fmt::format("{}m{:02d}s", m, s);
  return fmt::format("{}s", s);
}

Progress::Options Progress::default_options() {
  Options options;
  options.live = ::isatty(STDERR_FILENO) == 1 && log::format() == log::Format::Text;
  options.terminal = &std::cerr;
  return options;
}

Progress::Progress(std::string label, std::size_t total, Options options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  start_ = options_.now();
  last_render_ = start_;
}

Progress::~Progress() { finish(); }

std::string Progress::status_line(const std::string& label, std::size_t done, std::size_t total,
                                  std::chrono::duration<double> elapsed) {
  const double secs = elapsed.count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  std::string line = fmt::format("{}: {}/{}", label, done, total);
  if (total > 0) line += fmt::format(" ({:.0f}%)", 100.0 * static_cast<double>(done) / total);
  if (rate > 0) {
    line += fmt::format(", {:.1f}/s", rate);
    if (done < total) {
      line += ", ETA " + format_duration(std::chrono::duration<double>((total - done) / rate));
    }
  }
  return line;
}

void Progress::advance(std::size_t n) {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  done_ = std::min(total_, done_ + n);
  const auto now = options_.now();
  const auto since = now - last_render_;
  const auto due = options_.live ? std::chrono::milliseconds(100) : options_.interval;
  if (since >= due) render_locked(now);
}

void Progress::render_locked(Clock::time_point now) {
  last_render_ = now;
  if (!log::enabled(log::Level::Info)) return;
  const std::string status = status_line(label_, done_, total_, now - start_);
  if (options_.live && options_.terminal) {
    constexpr int kWidth = 30;
    const int filled = total_ ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    *options_.terminal << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.')
                       << "] " << status << "\x1b[K" << std::flush;
  } else {
    log::info("{}", status);
  }
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (!log::enabled(log::Level::Info)) return;
  if (!options_.closing_line) {
    if (options_.live && options_.terminal) *options_.terminal << "\r\x1b[K" << std::flush;
    return;
  }
  const std::chrono::duration<double> elapsed = options_.now() - start_;
  const double rate = elapsed.count() > 0 ? done_ / elapsed.count() : 0.0;
  const std::string line = fmt::format("{}: {}/{} in {} ({:.1f}/s)", label_, done_, total_,
                                       format_duration(elapsed), rate);
  if (options_.live && options_.terminal) {
    *options_.terminal << "\r" << line << "\x1b[K\n" << std::flush;
  } else {
    log::info("{}", line);
  }
}

}  // namespace lockerctl
