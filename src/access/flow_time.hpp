#pragma once
// The clock of the flow and the one conversion its units (flow*.cpp) share. Internal to access.
#include <chrono>

namespace lockerctl::access::flow_time {

using Clock = std::chrono::steady_clock;

/// `s` seconds as a duration of the flow's clock.
inline Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace lockerctl::access::flow_time
