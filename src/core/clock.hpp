#pragma once

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lockerctl {

/// The current UTC time as ISO 8601 with seconds, e.g. "2026-11-22T19:50:00Z".
std::string utc_now_iso8601();

/// `t` (Unix seconds) as UTC ISO 8601 with seconds.
std::string utc_iso8601(std::time_t t);

/// `unix_seconds` as the machine's local time of day, "HH:MM".
std::string local_hhmm(double unix_seconds);

/// Unix seconds of UTC ISO 8601 text ("2026-11-22T19:50:00Z"); nullopt when it is not.
std::optional<double> parse_utc_iso8601(const std::string& iso);

/// Unix time now, in seconds with a fraction.
double unix_now();

/// Wall-clock latency of repeated calls, for benchmarks that print figures.
struct Latency {
  double median_ms = 0;
  double p95_ms = 0;
};

/// The median and p95 of durations in milliseconds (zero for none).
Latency latency_of(std::vector<double> ms);

/// Calls `fn` `warmup` times untimed, then `calls` times timed one by one.
Latency time_calls(int calls, const std::function<void()>& fn, int warmup = 10);

}  // namespace lockerctl
