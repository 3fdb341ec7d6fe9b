#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "core/schedule.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl {
namespace {

/// 2026-11-23 is a Monday.
std::tm at(int day_of_month, int hour, int minute) {
  std::tm t{};
  t.tm_year = 126;
  t.tm_mon = 10;
  t.tm_mday = day_of_month;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_isdst = -1;
  std::mktime(&t);  // fills tm_wday
  return t;
}

TEST(Schedule, OpeningHoursOnWeekdaysAndSaturdayMorning) {
  const Schedule s = Schedule::parse("mon-fri 08:00-18:00, sat 09:00-12:30");
  EXPECT_TRUE(s.contains(at(23, 8, 0)));     // Monday 08:00
  EXPECT_TRUE(s.contains(at(27, 17, 59)));   // Friday
  EXPECT_FALSE(s.contains(at(27, 18, 0)));   // Friday 18:00: closed
  EXPECT_FALSE(s.contains(at(23, 7, 59)));
  EXPECT_TRUE(s.contains(at(28, 12, 29)));   // Saturday
  EXPECT_FALSE(s.contains(at(28, 12, 30)));
  EXPECT_FALSE(s.contains(at(29, 10, 0)));   // Sunday
}

TEST(Schedule, NightsRunPastMidnightAndDayRangesWrap) {
  const Schedule nights = Schedule::parse("22:00-06:00");
  EXPECT_TRUE(nights.contains(at(23, 23, 0)));
  EXPECT_TRUE(nights.contains(at(24, 5, 59)));
  EXPECT_FALSE(nights.contains(at(24, 6, 0)));
  EXPECT_FALSE(nights.contains(at(24, 12, 0)));
  const Schedule weekend_nights = Schedule::parse("sat-sun 20:00-08:00");
  EXPECT_TRUE(weekend_nights.contains(at(29, 21, 0)));   // Sunday evening
  EXPECT_TRUE(weekend_nights.contains(at(30, 7, 0)));    // Monday morning, after Sunday night
  EXPECT_FALSE(weekend_nights.contains(at(30, 21, 0)));  // Monday evening
  EXPECT_FALSE(weekend_nights.contains(at(28, 7, 0)));   // Saturday morning, after Friday night
  const Schedule wrap = Schedule::parse("fri-mon 00:00-24:00");
  EXPECT_TRUE(wrap.contains(at(29, 12, 0)));
  EXPECT_TRUE(wrap.contains(at(23, 12, 0)));
  EXPECT_FALSE(wrap.contains(at(24, 12, 0)));
  EXPECT_TRUE(Schedule::parse("").empty());
  EXPECT_FALSE(Schedule::parse("").contains(at(23, 12, 0)));
}

TEST(Schedule, SaysWhatIsWrong) {
  const auto reason = [](const std::string& text) {
    try {
      Schedule::parse(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(reason("monday 08:00-18:00"), "'monday' is not a day (mon, tue, wed, thu, fri, sat, sun)");
  EXPECT_EQ(reason("08:00-25:00"), "'25:00' is not a time of day (HH:MM, 00:00 to 24:00)");
  EXPECT_EQ(reason("mon 8-18"), "'8' is not a time of day (HH:MM, 00:00 to 24:00)");
  EXPECT_EQ(reason("mon 08:00"), "'mon 08:00' has no time range (HH:MM-HH:MM)");
  EXPECT_EQ(reason("08:00-08:00"), "'08:00-08:00' is an empty time range");
  EXPECT_EQ(reason("08:00-12:00,,13:00-17:00"), "an empty entry between commas");
}

TEST(Schedule, FindsOverlappingEntriesIncludingPastMidnight) {
  EXPECT_EQ(Schedule::parse("mon-fri 09:00-17:00, sat 09:00-12:00").overlap(), std::nullopt);
  EXPECT_EQ(Schedule::parse("mon-fri 09:00-17:00, wed 16:00-18:00").overlap(), "wed 16:00");
  EXPECT_EQ(Schedule::parse("sun 22:00-06:00, mon 05:00-07:00").overlap(), "mon 05:00");  // sunday's night runs into monday
  EXPECT_EQ(Schedule::parse("00:00-24:00").overlap(), std::nullopt);
}

TEST(Holidays, DatesAndAnICalendarFileAndWhatIsWrong) {
  EXPECT_EQ(load_holidays(""), std::set<std::string>{});
  EXPECT_EQ(load_holidays("2026-12-25, 2027-01-01"), (std::set<std::string>{"2026-12-25", "2027-01-01"}));
  const auto reason = [](const std::string& spec) {
    try {
      load_holidays(spec);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(reason("2026-02-30"), "holiday: '2026-02-30' is not a day of the calendar");
  EXPECT_EQ(reason("25/12/2026"), "holiday: '25/12/2026' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(reason("2026-12-25,"), "an empty entry between commas");
  EXPECT_EQ(reason("/nonexistent/holidays.ics"), "/nonexistent/holidays.ics: cannot read the holiday calendar");

  test::TempDir dir;
  const auto ics = (dir / "bank.ics").string();
  std::ofstream(ics) << "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\n"
                        "DTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\n"
                        "END:VEVENT\r\nEND:VCALENDAR\r\n";
  EXPECT_EQ(load_holidays(ics), (std::set<std::string>{"2026-12-25", "2026-12-26", "2027-01-01"}));
  std::ofstream(ics) << "BEGIN:VCALENDAR\nEND:VCALENDAR\n";
  EXPECT_EQ(reason(ics), ics + ": no all-day event (VEVENT with DTSTART) in the calendar");
}

}  // namespace
}  // namespace lockerctl
