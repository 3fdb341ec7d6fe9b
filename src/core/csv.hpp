#pragma once
// CSV as every export of lockerctl writes it (RFC 4180).
#include <string>

namespace lockerctl {

/// One CSV field, quoted when it contains a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace lockerctl
