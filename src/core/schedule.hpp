#pragma once

// Weekly hours, such as a branch's opening hours: "mon-fri 08:00-18:00, sat 09:00-12:30".
// Each entry is an optional day or day range (mon..sun) and a time range in local time; a range
// that ends before it starts runs past midnight ("22:00-06:00"), and "24:00" is the end of a day.
// Entries without days hold every day. The empty text holds no time at all.

#include <ctime>
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

 private:
  struct Span {
    int first_day = 0, last_day = 6;  ///< 0 = Monday; a range may wrap (sat-mon)
    int from_min = 0, to_min = 0;     ///< minutes after midnight
  };
  static bool day_in(const Span& s, int day);
  std::vector<Span> spans_;
};

}  // namespace lockerctl
