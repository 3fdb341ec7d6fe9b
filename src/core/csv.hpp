#pragma once
// Comma-separated text: CSV as every export of lockerctl writes it (RFC 4180), and the lists of
// names and numbers in config values, forms and audit details.
#include <string>
#include <vector>

namespace lockerctl {

/// One CSV field, quoted when it contains a comma, quote or line break.
std::string csv_field(const std::string& text);

/// The items of a comma-separated list, trimmed, empty ones left out ("12, 14" -> {"12", "14"}).
std::vector<std::string> split_list(const std::string& text);

}  // namespace lockerctl
