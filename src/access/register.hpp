#pragma once

// The register of locker operations (the RBI's "register of locker operations"): every opening,
// who opened it, the officer who approved it, when the lock was released and when the door was
// closed again, read back from the audit log, with the chain's check and its last hash so that a
// printout can be verified later (`lockerctl audit verify --at ROW:HASH`).

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"

namespace lockerctl::access {

/// Who took part in an opening, as the flow writes it in the "access granted" audit row:
/// "locker 14; by alice, bob; officer carol; unlocking for 5.0 s".
struct OperationParties {
  std::string locker;            ///< "" at a station of one owner
  std::vector<std::string> by;   ///< the holder, or every joint holder
  std::string officer;           ///< "" without dual control
  std::string note;
};
std::string operation_detail(const OperationParties& p);
OperationParties parse_operation_detail(const std::string& detail);

struct Operation {
  std::string attempt;  ///< also the id of any evidence kept for it
  OperationParties parties;
  std::string in;       ///< UTC time the lock was released
  std::string out;      ///< UTC time the door was closed again (or the release ran out unopened); "" while open
  std::optional<double> duration_s;
  std::string evidence;  ///< a photo kept during the attempt, if any
};

/// Who opened it, for people and the CSV: "alice + bob".
std::string opened_by(const Operation& op);

/// Which operations: every field that is set must match. `since` and `until` are UTC ISO 8601
/// prefixes of the opening time, both ends included.
struct RegisterFilter {
  std::string locker, holder, since, until;
};

struct Register {
  std::vector<Operation> operations;  ///< oldest first
  audit::VerifyResult chain;
  RegisterFilter filter;
};

/// Reads the register from `audit` and checks its chain.
Register read_register(const audit::AuditLog& audit, const RegisterFilter& filter);
std::string register_csv(const Register& r);
std::string register_json(const Register& r);
/// The footer every form of the register ends with: the chain check and its last hash.
std::string register_footer(const Register& r);

}  // namespace lockerctl::access
