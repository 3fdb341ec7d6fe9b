#pragma once

// Weekly hours, such as a branch's opening hours: "mon-fri 08:00-18:00, sat 09:00-12:30".
// Each entry is an optional day or day range (mon..sun) and a time range in local time; a range
// that ends before it starts runs past midnight ("22:00-06:00"), and "24:00" is the end of a day.
// Entries without days hold every day. The empty text holds no time at all.

#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lockerctl {

class Schedule {
 public:
  Schedule() = default;
  /// Throws std::invalid_argument with the reason for text that is not a schedule.
  static Schedule parse(const std::string& text);

  /// Whether the local time `t` lies in the schedule.
  bool contains(const std::tm& t) const;
  /// The same for this moment, in the machine's time zone.
  bool contains_now() const;
  bool empty() const { return spans_.empty(); }
  /// The first moment two entries both hold ("tue 10:00"), or nullopt: for hours that must not
  /// overlap, such as a branch's opening hours.
  std::optional<std::string> overlap() const;

 private:
  struct Span {
    int first_day = 0, last_day = 6;  ///< 0 = Monday; a range may wrap (sat-mon)
    int from_min = 0, to_min = 0;     ///< minutes after midnight
  };
  static bool day_in(const Span& s, int day);
  std::vector<Span> spans_;
};

/// Days a branch is closed all day, as local dates "YYYY-MM-DD": from `spec`, either dates
/// separated by commas or the path of an iCalendar file (.ics) whose all-day events (DTSTART,
/// DTEND exclusive) are the days. "" is none. Throws std::invalid_argument naming the date or file
/// and the reason.
std::set<std::string> load_holidays(const std::string& spec);
/// The local date of `t` as "YYYY-MM-DD".
std::string local_date(const std::tm& t);

}  // namespace lockerctl
