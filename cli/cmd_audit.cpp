#include "cmd_audit.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "core/fs.hpp"

namespace lockerctl::cli {
namespace {

void add_filters(CLI::App* cmd, AuditOptions& o) {
  cmd->add_option("--since", o.since, "Only events at or after this UTC time (ISO 8601, e.g. 2026-11-22 or "
                                      "2026-11-22T10:00)");
  auto* csv = cmd->add_flag("--csv", o.csv, "CSV, a header line then a row per event");
  cmd->add_flag("--json", o.json, "A JSON array of events")->excludes(csv);
}

std::string render(const std::vector<audit::Event>& events, const AuditOptions& o) {
  if (o.json) return audit::to_json(events);
  if (o.csv) return audit::to_csv(events);
  std::string out;
  for (const auto& e : events) {
    std::string score;
    if (e.score) score = fmt::format(" score {:.3f}/{:.3f}", *e.score, e.threshold.value_or(0));
    out += fmt::format("{:>6} {} {:<22} {:<8} {:<10}{}{}{}\n", e.id, e.time, e.attempt, e.layer, e.decision, score,
                       e.detail.empty() ? "" : "  ", e.detail);
  }
  return out;
}

}  // namespace

void setup_audit(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* audit = app.add_subcommand(
      "audit", "The tamper-evident audit log (<var_dir>/lockerctl.db): check its hash chain, read it, export it.");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();

  CLI::App* verify = audit->add_subcommand(
      "verify", "Check every row's keyed hash and the head record: exit 0 when intact, 1 naming the first row "
                "that was edited, removed or cut off. Prints the last row's hash.");
  verify->add_option("--at", o->at, "Also check that row ROW still has HASH, as a printout names it (lockerctl register's "
                                    "footer): the log has not been rewritten since");
  verify->callback([&global, &action, o] { action = [&global, o] { return run_audit_verify(global, *o); }; });

  CLI::App* list = audit->add_subcommand("list", "Print events, oldest first (a line each, or --csv / --json).");
  add_filters(list, *o);
  list->callback([&global, &action, o] { action = [&global, o] { return run_audit_list(global, *o); }; });

  CLI::App* exp = audit->add_subcommand("export", "Write events as CSV (default) or JSON, to --out or stdout.");
  add_filters(exp, *o);
  exp->add_option("--out", o->out, "File to write (written atomically); default stdout");
  exp->callback([&global, &action, o] { action = [&global, o] { return run_audit_export(global, *o); }; });
}

int run_audit_verify(const GlobalOptions& global, const AuditOptions& o) {
  Station station(load_config(global));
  const auto r = station.audit.verify();
  if (!r.ok) {
    std::cout << fmt::format("audit log {}: BROKEN at {}\n", station.db.file().string(), r.problem);
    return static_cast<int>(ExitCode::CheckFailed);
  }
  std::cout << fmt::format("audit log {}: intact, {} events{}\n", station.db.file().string(), r.rows,
                           r.rows > 0 ? fmt::format("; last row {} hash {}", r.rows, r.last_hash) : "");
  if (o.at.empty()) return 0;
  const auto colon = o.at.find(':');
  const std::string row_text = o.at.substr(0, colon);
  const bool digits = !row_text.empty() && row_text.size() < 18 && row_text.find_first_not_of("0123456789") == std::string::npos;
  const std::int64_t row = digits ? std::stoll(row_text) : 0;
  if (colon == std::string::npos || row <= 0) throw DataError(fmt::format("--at '{}': not ROW:HASH (from a register's footer)", o.at));
  const std::string hash = station.audit.hash_of(row);
  if (hash.empty() || hash != o.at.substr(colon + 1)) {
    std::cout << fmt::format("row {}: {} - the log was rewritten since the printout, or the printout is not of this log\n", row,
                             hash.empty() ? "no such row" : "hash differs");
    return static_cast<int>(ExitCode::CheckFailed);
  }
  std::cout << fmt::format("row {}: hash matches the printout\n", row);
  return 0;
}

int run_audit_list(const GlobalOptions& global, const AuditOptions& options) {
  Station station(load_config(global));
  std::cout << render(station.audit.list(options.since), options);
  return 0;
}

int run_audit_export(const GlobalOptions& global, const AuditOptions& options) {
  Station station(load_config(global));
  AuditOptions o = options;
  if (!o.json) o.csv = true;
  const std::string text = render(station.audit.list(o.since), o);
  if (o.out.empty()) {
    std::cout << text;
  } else {
    write_file_atomically(o.out, text);
  }
  return 0;
}

}  // namespace lockerctl::cli
