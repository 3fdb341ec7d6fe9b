#include "core/schedule.hpp"

#include <fmt/format.h>

#include <array>
#include <sstream>
#include <stdexcept>

namespace lockerctl {
namespace {

constexpr std::array<const char*, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

int day(const std::string& name) {
  for (std::size_t i = 0; i < kDays.size(); ++i) {
    if (name == kDays[i]) return static_cast<int>(i);
  }
  throw std::invalid_argument(fmt::format("'{}' is not a day (mon, tue, wed, thu, fri, sat, sun)", name));
}

int minutes(const std::string& hhmm) {
  unsigned h = 0, m = 0;
  char colon = 0;
  std::istringstream in(hhmm);
  if (hhmm.size() != 5 || !(in >> h >> colon >> m) || colon != ':' || m > 59 || h > 24 || (h == 24 && m != 0)) {
    throw std::invalid_argument(fmt::format("'{}' is not a time of day (HH:MM, 00:00 to 24:00)", hhmm));
  }
  return static_cast<int>(h * 60 + m);
}

}  // namespace

Schedule Schedule::parse(const std::string& text) {
  Schedule s;
  std::istringstream entries(text);
  for (std::string entry; std::getline(entries, entry, ',');) {
    entry = trim(entry);
    if (entry.empty()) throw std::invalid_argument("an empty entry between commas");
    Span span;
    std::string times = entry;
    if (const auto space = entry.find(' '); space != std::string::npos) {
      const std::string days = entry.substr(0, space);
      times = trim(entry.substr(space));
      const auto dash = days.find('-');
      span.first_day = day(days.substr(0, dash));
      span.last_day = dash == std::string::npos ? span.first_day : day(days.substr(dash + 1));
    }
    const auto dash = times.find('-');
    if (dash == std::string::npos) throw std::invalid_argument(fmt::format("'{}' has no time range (HH:MM-HH:MM)", entry));
    span.from_min = minutes(times.substr(0, dash));
    span.to_min = minutes(times.substr(dash + 1));
    if (span.from_min == span.to_min) throw std::invalid_argument(fmt::format("'{}' is an empty time range", entry));
    s.spans_.push_back(span);
  }
  return s;
}

bool Schedule::day_in(const Span& s, int d) {
  return s.first_day <= s.last_day ? d >= s.first_day && d <= s.last_day : d >= s.first_day || d <= s.last_day;
}

bool Schedule::contains(const std::tm& t) const {
  const int today = (t.tm_wday + 6) % 7;  // tm: 0 = Sunday
  const int yesterday = (today + 6) % 7;
  const int now = t.tm_hour * 60 + t.tm_min;
  for (const Span& s : spans_) {
    if (s.from_min < s.to_min) {
      if (day_in(s, today) && now >= s.from_min && now < s.to_min) return true;
    } else if ((day_in(s, today) && now >= s.from_min) || (day_in(s, yesterday) && now < s.to_min)) {
      return true;  // past midnight: the evening of its day and the morning after
    }
  }
  return false;
}

bool Schedule::contains_now() const {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return contains(local);
}

}  // namespace lockerctl
