#include "core/errors.hpp"

#include <fmt/format.h>

namespace lockerctl {

std::string ConfigProblem::to_string() const {
  std::string out;
  if (!file.empty()) {  // empty: a value that did not come from a file (a command-line option)
    out = file;
    if (line > 0) {
      out += fmt::format(":{}", line);
      if (column > 0) out += fmt::format(":{}", column);
    }
    out += ": ";
  }
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

namespace {
std::string summarize(const std::vector<ConfigProblem>& problems) {
  if (problems.size() == 1) return problems.front().to_string();
  std::string out = fmt::format("{} configuration problems", problems.size());
  return out;
}
}  // namespace

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : Error(summarize(problems), ExitCode::Config), problems_(std::move(problems)) {}

}  // namespace lockerctl
