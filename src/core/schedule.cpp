#include "core/schedule.hpp"

#include <fmt/format.h>

#include <array>
#include <bitset>
#include <fstream>
#include <iomanip>
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

std::optional<std::string> Schedule::overlap() const {
  constexpr int kDay = 24 * 60;
  std::bitset<7 * kDay> held;
  for (const Span& s : spans_) {
    for (int d = 0; d < 7; ++d) {
      if (!day_in(s, d)) continue;
      const int end = s.from_min < s.to_min ? s.to_min : s.to_min + kDay;  // past midnight: into the next day
      for (int m = s.from_min; m < end; ++m) {
        const int at = (d * kDay + m) % (7 * kDay);
        if (held[at]) return fmt::format("{} {:02}:{:02}", kDays[at / kDay], at % kDay / 60, at % 60);
        held[at] = true;
      }
    }
  }
  return std::nullopt;
}

bool Schedule::contains_now() const {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return contains(local);
}

namespace {

/// `text` ("2026-12-25" or iCalendar's "20261225") as a checked date.
std::tm parse_date(const std::string& text, const std::string& where) {
  std::tm t{};
  const std::string digits = text.size() == 8 ? text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) : text;
  std::istringstream in(digits);
  in >> std::get_time(&t, "%Y-%m-%d");
  if (in.fail() || digits.size() != 10 || in.peek() != EOF) {
    throw std::invalid_argument(fmt::format("{}: '{}' is not a date (YYYY-MM-DD)", where, text));
  }
  std::tm check = t;
  check.tm_isdst = -1;
  std::mktime(&check);  // normalises 2026-02-30 to March: not a date
  if (check.tm_mday != t.tm_mday || check.tm_mon != t.tm_mon) {
    throw std::invalid_argument(fmt::format("{}: '{}' is not a day of the calendar", where, text));
  }
  t.tm_hour = 12;  // midday: adding days never lands on the wrong one across a clock change
  t.tm_isdst = -1;
  return t;
}

/// The value of an iCalendar property line's date ("DTSTART;VALUE=DATE:20261225" -> "20261225").
std::string ics_date(const std::string& line) {
  std::string value = line.substr(line.find(':') + 1);
  if (!value.empty() && value.back() == '\r') value.pop_back();
  return value.substr(0, 8);
}

}  // namespace

std::string local_date(const std::tm& t) { return fmt::format("{:04}-{:02}-{:02}", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday); }

std::set<std::string> load_holidays(const std::string& spec) {
  std::set<std::string> days;
  if (spec.size() > 4 && spec.compare(spec.size() - 4, 4, ".ics") == 0) {
    std::ifstream in(spec);
    if (!in) throw std::invalid_argument(fmt::format("{}: cannot read the holiday calendar", spec));
    std::string line, start;
    bool event = false;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      const std::string where = fmt::format("{}:{}", spec, line_no);
      if (line.rfind("BEGIN:VEVENT", 0) == 0) {
        event = true;
        start.clear();
      } else if (event && line.rfind("DTSTART", 0) == 0) {
        start = ics_date(line);
        days.insert(local_date(parse_date(start, where)));
      } else if (event && line.rfind("DTEND", 0) == 0 && !start.empty()) {
        std::tm day = parse_date(start, where);
        const std::tm end = parse_date(ics_date(line), where);
        for (int i = 0; i < 366; ++i) {  // DTEND is the day after the last
          ++day.tm_mday;
          std::mktime(&day);
          if (local_date(day) >= local_date(end)) break;
          days.insert(local_date(day));
        }
      } else if (line.rfind("END:VEVENT", 0) == 0) {
        event = false;
      }
    }
    if (days.empty()) throw std::invalid_argument(fmt::format("{}: no all-day event (VEVENT with DTSTART) in the calendar", spec));
    return days;
  }
  if (!trim(spec).empty() && trim(spec).back() == ',') throw std::invalid_argument("an empty entry between commas");
  std::istringstream entries(spec);
  for (std::string entry; std::getline(entries, entry, ',');) {
    entry = trim(entry);
    if (entry.empty()) throw std::invalid_argument("an empty entry between commas");
    days.insert(local_date(parse_date(entry, "holiday")));
  }
  return days;
}

}  // namespace lockerctl
