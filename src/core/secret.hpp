#pragma once

#include <fmt/format.h>

#include <string>

namespace lockerctl {

/// A credential (API token, key). Formatting it, in a log line or in `config show`, prints a mask;
/// only `reveal()` gives the value, and only the code that sends it somewhere should call it.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  /// What is shown instead of the value: "********" when set, "" when empty.
  std::string masked() const { return value_.empty() ? std::string() : std::string("********"); }

  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  std::string value_;
};

}  // namespace lockerctl

template <>
struct fmt::formatter<lockerctl::Secret> : fmt::formatter<std::string> {
  template <class Ctx>
  auto format(const lockerctl::Secret& s, Ctx& ctx) const {
    return fmt::formatter<std::string>::format(s.masked(), ctx);
  }
};
