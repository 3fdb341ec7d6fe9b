#include "web/approvals.hpp"

#include <fmt/format.h>

#include "core/clock.hpp"

namespace lockerctl::web {

std::string officer_refusal(OperatorStore& operators, const std::string& officer, const std::string& password) {
  const Login login = operators.authenticate(officer, password, unix_now());
  if (login == Login::Locked) return fmt::format("operator '{}' is locked out after wrong passwords", officer);
  if (login != Login::Ok) return fmt::format("wrong password for operator '{}'", officer);
  const auto op = operators.find(officer);
  if (!op || op->role != Role::Officer) {
    return fmt::format("operator '{}' is a {}, not an officer (lockerctl operator add NAME --role officer)", officer,
                       op ? role_name(op->role) : "stranger");
  }
  return {};
}

std::string officer_decides(OperatorStore& operators, audit::AuditLog& audit, access::Flow& flow, const std::string& officer,
                            const std::string& password, const std::string& attempt, bool approve) {
  std::string why = officer_refusal(operators, officer, password);
  if (why.empty()) why = flow.decide(attempt, officer, approve);
  if (!why.empty()) {
    audit.append({0, {}, attempt.empty() ? "-" : attempt, "approval", "not taken", std::nullopt, std::nullopt, "",
                  fmt::format("{} by '{}' not taken: {}", approve ? "an approval" : "a refusal", officer, why)});
  }
  return why;
}

}  // namespace lockerctl::web
