#include "access/register.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/csv.hpp"

namespace lockerctl::access {
namespace {

constexpr const char* kLocker = "locker ";
constexpr const char* kBy = "by ";
constexpr const char* kOfficer = "officer ";

bool starts(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

std::optional<double> seconds_between(const std::string& from, const std::string& to) {
  const auto a = parse_utc_iso8601(from), b = parse_utc_iso8601(to);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

}  // namespace

std::string operation_detail(const OperationParties& p) {
  std::vector<std::string> parts;
  if (!p.locker.empty()) parts.push_back(kLocker + p.locker);
  parts.push_back(kBy + fmt::format("{}", fmt::join(p.by, ", ")));
  if (!p.officer.empty()) parts.push_back(kOfficer + p.officer);
  if (!p.note.empty()) parts.push_back(p.note);
  return fmt::format("{}", fmt::join(parts, "; "));
}

OperationParties parse_operation_detail(const std::string& detail) {
  OperationParties p;
  std::size_t at = 0;
  while (at <= detail.size()) {
    const std::size_t end = std::min(detail.find("; ", at), detail.size());
    const std::string part = detail.substr(at, end - at);
    if (starts(part, kLocker)) {
      p.locker = part.substr(std::string(kLocker).size());
    } else if (starts(part, kBy)) {
      p.by = split_list(part.substr(std::string(kBy).size()));
    } else if (starts(part, kOfficer)) {
      p.officer = part.substr(std::string(kOfficer).size());
    } else if (!part.empty()) {
      p.note += (p.note.empty() ? "" : "; ") + part;
    }
    at = end + 2;
  }
  return p;
}

std::string opened_by(const Operation& op) { return fmt::format("{}", fmt::join(op.parties.by, " + ")); }

Register read_register(const audit::AuditLog& audit, const RegisterFilter& filter) {
  Register r;
  r.filter = filter;
  r.chain = audit.verify();
  audit::Filter rows;
  rows.layer = "access";
  rows.since = filter.since;
  std::map<std::string, std::size_t> by_attempt;
  auto events = audit.find(rows, -1);
  std::reverse(events.begin(), events.end());  // oldest first
  for (const audit::Event& e : events) {
    if (e.decision == "granted") {
      Operation op{e.attempt, parse_operation_detail(e.detail), e.time, {}, std::nullopt, {}};
      const auto& by = op.parties.by;
      if (!filter.locker.empty() && op.parties.locker != filter.locker) continue;
      if (!filter.holder.empty() && std::find(by.begin(), by.end(), filter.holder) == by.end()) continue;
      if (!filter.until.empty() && e.time.compare(0, filter.until.size(), filter.until) > 0) continue;
      by_attempt[e.attempt] = r.operations.size();
      r.operations.push_back(std::move(op));
    } else if (e.decision == "done") {
      const auto at = by_attempt.find(e.attempt);
      if (at == by_attempt.end()) continue;
      Operation& op = r.operations[at->second];
      op.out = e.time;
      op.duration_s = seconds_between(op.in, op.out);
    }
  }
  for (Operation& op : r.operations) {
    audit::Filter of;
    of.attempt = op.attempt;
    for (const audit::Event& e : audit.find(of, -1)) {
      if (!e.image.empty()) op.evidence = e.image;
    }
  }
  return r;
}

std::string register_footer(const Register& r) {
  if (!r.chain.ok) return fmt::format("audit chain BROKEN: {}; this register cannot be trusted", r.chain.problem);
  if (r.chain.rows == 0) return "audit chain: empty";
  return fmt::format("audit chain intact: {} rows; last row {} hash {} (check later: lockerctl audit verify --at {}:{})",
                     r.chain.rows, r.chain.rows, r.chain.last_hash, r.chain.rows, r.chain.last_hash);
}

std::string register_csv(const Register& r) {
  std::string out = "locker,by,officer,in,out,duration_s,attempt,evidence\n";
  for (const Operation& op : r.operations) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(op.parties.locker), csv_field(opened_by(op)),
                       csv_field(op.parties.officer), op.in, op.out, op.duration_s ? fmt::format("{:.0f}", *op.duration_s) : "",
                       csv_field(op.attempt), csv_field(op.evidence));
  }
  return out + "# " + register_footer(r) + "\n";
}

std::string register_json(const Register& r) {
  nlohmann::json ops = nlohmann::json::array();
  for (const Operation& op : r.operations) {
    ops.push_back({{"locker", op.parties.locker},
                   {"by", op.parties.by},
                   {"officer", op.parties.officer},
                   {"in", op.in},
                   {"out", op.out},
                   {"duration_s", op.duration_s ? nlohmann::json(*op.duration_s) : nlohmann::json(nullptr)},
                   {"attempt", op.attempt},
                   {"evidence", op.evidence}});
  }
  return nlohmann::json{{"operations", ops},
                        {"chain", {{"intact", r.chain.ok}, {"rows", r.chain.rows}, {"last_hash", r.chain.last_hash}, {"problem", r.chain.problem}}}}
             .dump(2) +
         "\n";
}

}  // namespace lockerctl::access
