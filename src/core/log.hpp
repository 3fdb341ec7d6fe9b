#pragma once

#include <fmt/format.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

/// Process-wide logging to stderr: one line per message, as plain text for people or as JSON
/// objects for log collectors. Command output (reports, tables) goes to stdout, not here.
namespace lockerctl::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Text, Json };

/// Parses "text" / "json"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);

/// Sets the minimum level, the line format and the sink (stderr by default). Thread-safe.
void configure(Level min_level, Format format, std::ostream* sink = nullptr);

/// The format currently in force.
Format format();

/// True when a message of this level would be written.
bool enabled(Level level);

/// Writes one message (newlines inside are escaped in JSON, kept in text). Thread-safe.
void write(Level level, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Debug)) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Info)) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Warn)) write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::Error)) write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}

/// Escapes a string for inclusion between JSON double quotes.
std::string json_escape(std::string_view text);

}  // namespace lockerctl::log
