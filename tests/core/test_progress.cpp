#include <gtest/gtest.h>

#include <sstream>

#include "core/log.hpp"
#include "core/progress.hpp"

namespace lockerctl {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
  Progress::Clock::time_point t{};
  Progress::Clock::time_point operator()() const { return t; }
};

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Level::Info, log::Format::Text, &sink_); }
  void TearDown() override { log::configure(log::Level::Info, log::Format::Text); }

  Progress::Options plain(FakeClock& clock) {
    Progress::Options o;
    o.live = false;
    o.interval = 10s;
    o.now = [&clock] { return clock(); };
    return o;
  }

  std::ostringstream sink_;
};

TEST(ProgressLine, ShowsCountPercentRateAndEta) {
  EXPECT_EQ(Progress::status_line("prepare", 250, 1000, 5s),
            "prepare: 250/1000 (25%), 50.0/s, ETA 15s");
  EXPECT_EQ(Progress::status_line("train", 0, 10, 0s), "train: 0/10 (0%)");
  EXPECT_EQ(Progress::status_line("train", 10, 10, 2s), "train: 10/10 (100%), 5.0/s");
}

TEST(FormatDuration, UsesTheLargestUsefulUnits) {
  EXPECT_EQ(format_duration(42s), "42s");
  EXPECT_EQ(format_duration(185s), "3m05s");
  EXPECT_EQ(format_duration(3720s), "1h02m");
}

TEST_F(ProgressTest, PlainModeWritesALineEachIntervalAndAClosingLine) {
  FakeClock clock;
  {
    Progress progress("prepare", 100, plain(clock));
    clock.t += 4s;
    progress.advance(10);  // before the interval: silent
    EXPECT_EQ(sink_.str(), "");
    clock.t += 6s;
    progress.advance(10);  // 10 s in: one line
    EXPECT_EQ(sink_.str(), "prepare: 20/100 (20%), 2.0/s, ETA 40s\n");
    clock.t += 10s;
    progress.advance(80);
  }  // destructor finishes
  EXPECT_NE(sink_.str().find("prepare: 100/100 in 20s (5.0/s)\n"), std::string::npos)
      << sink_.str();
}

TEST_F(ProgressTest, QuietShowsNothing) {
  log::configure(log::Level::Warn, log::Format::Text, &sink_);
  FakeClock clock;
  Progress progress("x", 2, plain(clock));
  clock.t += 60s;
  progress.advance(2);
  progress.finish();
  EXPECT_EQ(sink_.str(), "");
}

TEST_F(ProgressTest, LiveModeRedrawsOneLineOnTheTerminal) {
  FakeClock clock;
  std::ostringstream terminal;
  Progress::Options o = plain(clock);
  o.live = true;
  o.terminal = &terminal;
  Progress progress("train", 4, o);
  clock.t += 1s;
  progress.advance(2);
  progress.finish();
  const std::string out = terminal.str();
  EXPECT_EQ(out.rfind("\r[###############...............] train: 2/4 (50%)", 0), 0u) << out;
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(sink_.str(), "") << "a live bar does not go through the log";
}

TEST_F(ProgressTest, AdvanceNeverCountsPastTheTotal) {
  FakeClock clock;
  Progress progress("x", 3, plain(clock));
  progress.advance(5);
  clock.t += 1s;
  progress.finish();
  EXPECT_NE(sink_.str().find("x: 3/3"), std::string::npos) << sink_.str();
}

}  // namespace
}  // namespace lockerctl
