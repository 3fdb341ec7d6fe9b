#include "cmd_evidence.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "core/clock.hpp"
#include "evidence/retention.hpp"

namespace lockerctl::cli {
namespace {

std::filesystem::path incidents_dir(const config::Config& cfg) { return std::filesystem::path(cfg.paths.var_dir) / "incidents"; }

}  // namespace

void setup_evidence(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* ev = app.add_subcommand(
      "evidence", "Incident photos and clips (<var_dir>/incidents): kept evidence.retention_days (180 by default), then "
                  "purged by `lockerctl run` once a day and by `evidence purge`; an incident on hold is kept until released. "
                  "Every purge, hold and release is audited; the audit rows stay.");
  ev->require_subcommand(1);
  auto o = std::make_shared<EvidenceOptions>();
  CLI::App* list = ev->add_subcommand("list", "Incident folders, oldest first: id, time (UTC), size, hold.");
  list->callback([&global, &action] { action = [&global] { return run_evidence_list(global); }; });
  CLI::App* purge = ev->add_subcommand("purge", "Remove the incident folders older than evidence.retention_days, except those on hold.");
  purge->add_flag("--dry-run", o->dry_run, "Only say what would be removed");
  purge->callback([&global, &action, o] { action = [&global, o] { return run_evidence_purge(global, *o); }; });
  CLI::App* hold = ev->add_subcommand("hold", "Put an incident under investigation on legal hold: never purged until released.");
  hold->add_option("incident", o->incident, "Attempt or incident id (A20261123T101500Z-1)")->required();
  hold->add_option("--reason", o->reason, "Why, e.g. a police case number (kept in the audit log)")->required();
  hold->add_option("--by", o->by, "Who asks for the hold (default: the user running this)");
  hold->callback([&global, &action, o] { action = [&global, o] { return run_evidence_hold(global, *o); }; });
  CLI::App* release = ev->add_subcommand("release", "End a hold; the incident is purged at the next purge once past retention.");
  release->add_option("incident", o->incident, "Attempt or incident id")->required();
  release->callback([&global, &action, o] { action = [&global, o] { return run_evidence_release(global, *o); }; });
}

int run_evidence_list(const GlobalOptions& global) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  for (const auto& i : evidence::list_incidents(incidents_dir(cfg), evidence::Holds(station.db))) {
    std::cout << fmt::format("{:<24} {} {:>9} bytes{}\n", i.id, utc_iso8601(static_cast<std::time_t>(i.time)), i.bytes,
                             i.held ? "  ON HOLD" : "");
  }
  return 0;
}

int run_evidence_purge(const GlobalOptions& global, const EvidenceOptions& o) {
  const config::Config cfg = load_config(global);
  Station station(cfg);
  const int days = cfg.evidence.retention_days;
  const auto p = evidence::purge(incidents_dir(cfg), days, evidence::Holds(station.db), unix_now(), o.dry_run);
  if (!o.dry_run) evidence::audit_purge(station.audit, p, days);
  for (const auto& i : p.removed) std::cout << fmt::format("{} {}\n", o.dry_run ? "would remove" : "removed", i.id);
  for (const auto& i : p.on_hold) std::cout << fmt::format("kept (on hold) {}\n", i.id);
  std::cout << fmt::format("{} incident(s) older than {} days {}, {} kept on hold\n", p.removed.size(), days,
                           o.dry_run ? "would be removed" : "removed", p.on_hold.size());
  return 0;
}

int run_evidence_hold(const GlobalOptions& global, const EvidenceOptions& o) {
  Station station(load_config(global));
  const char* user = std::getenv("USER");
  const std::string by = !o.by.empty() ? o.by : user ? user : "unknown";
  evidence::Holds(station.db).hold(o.incident, o.reason, by);
  station.audit.append({0, {}, o.incident, "evidence", "held", std::nullopt, std::nullopt, "", fmt::format("by {}: {}", by, o.reason)});
  std::cout << fmt::format("{}: on hold ({})\n", o.incident, o.reason);
  return 0;
}

int run_evidence_release(const GlobalOptions& global, const EvidenceOptions& o) {
  Station station(load_config(global));
  evidence::Holds(station.db).release(o.incident);
  station.audit.append({0, {}, o.incident, "evidence", "released", std::nullopt, std::nullopt, "", ""});
  std::cout << fmt::format("{}: released\n", o.incident);
  return 0;
}

}  // namespace lockerctl::cli
