#pragma once

#include <string>

namespace lockerctl {

/// The current UTC time as ISO 8601 with seconds, e.g. "2026-11-22T19:50:00Z".
std::string utc_now_iso8601();

}  // namespace lockerctl
