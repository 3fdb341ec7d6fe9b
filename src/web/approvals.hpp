#pragma once

// Dual control: a bank officer's answer to the opening that waits for one (access.dual_control,
// `lockerctl locker add --dual-control`). The console's approvals page and a script's `approve`
// line both come here, so both check the same things the same way.

#include <string>

#include "access/flow.hpp"
#include "audit/audit_log.hpp"
#include "web/operators.hpp"

namespace lockerctl::web {

/// Why `officer` may not act as a bank officer with `password` now ("" when they may): an
/// operator with role officer whose password is right (counted like a login: wrong ones lead to
/// the lockout).
std::string officer_refusal(OperatorStore& operators, const std::string& officer, const std::string& password);

/// `officer` approves (or refuses) attempt `attempt`, re-entering `password`: taken only from an
/// officer (officer_refusal) who holds no share of the locker. Returns "" when the flow took it (the flow
/// audits the decision), else the reason, which is audited here as a refused approval.
std::string officer_decides(OperatorStore& operators, audit::AuditLog& audit, access::Flow& flow, const std::string& officer,
                            const std::string& password, const std::string& attempt, bool approve);

}  // namespace lockerctl::web
