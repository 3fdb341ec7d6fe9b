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
                "that was edited, removed or cut off.");
  verify->callback([&global, &action] { action = [&global] { return run_audit_verify(global); }; });

  CLI::App* list = audit->add_subcommand("list", "Print events, oldest first (a line each, or --csv / --json).");
  add_filters(list, *o);
  list->callback([&global, &action, o] { action = [&global, o] { return run_audit_list(global, *o); }; });

  CLI::App* exp = audit->add_subcommand("export", "Write events as CSV (default) or JSON, to --out or stdout.");
  add_filters(exp, *o);
  exp->add_option("--out", o->out, "File to write (written atomically); default stdout");
  exp->callback([&global, &action, o] { action = [&global, o] { return run_audit_export(global, *o); }; });
}

int run_audit_verify(const GlobalOptions& global) {
  Station station(load_config(global));
  const auto r = station.audit.verify();
  if (!r.ok) {
    std::cout << fmt::format("audit log {}: BROKEN at {}\n", station.db.file().string(), r.problem);
    return static_cast<int>(ExitCode::CheckFailed);
  }
  std::cout << fmt::format("audit log {}: intact, {} events\n", station.db.file().string(), r.rows);
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
