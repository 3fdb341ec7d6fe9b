#include "core/log.hpp"

#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>

namespace lockerctl::log {
namespace {

struct State {
  std::mutex mutex;
  Level min_level = Level::Info;
  Format format = Format::Text;
  std::ostream* sink = &std::cerr;
};

State& state() {
  static State s;
  return s;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warning";
    case Level::Error: return "error";
  }
  return "?";
}

std::string utc_timestamp() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", buf, static_cast<int>(millis));
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::Text;
  if (name == "json") return Format::Json;
  return std::nullopt;
}

void configure(Level min_level, Format format, std::ostream* sink) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.min_level = min_level;
  s.format = format;
  s.sink = sink ? sink : &std::cerr;
}

Format format() {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.format;
}

bool enabled(Level level) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return level >= s.min_level;
}

void write(Level level, std::string_view message) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (level < s.min_level) return;
  if (s.format == Format::Json) {
    *s.sink << fmt::format(R"({{"time":"{}","level":"{}","msg":"{}"}})", utc_timestamp(),
                           level_name(level), json_escape(message))
            << '\n';
  } else if (level == Level::Info) {
    *s.sink << message << '\n';
  } else {
    *s.sink << level_name(level) << ": " << message << '\n';
  }
  s.sink->flush();
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace lockerctl::log
