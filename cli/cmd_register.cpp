#include "cmd_register.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "access/register.hpp"
#include "web/pages.hpp"

namespace lockerctl::cli {

void setup_register(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto o = std::make_shared<RegisterOptions>();
  CLI::App* reg = app.add_subcommand(
      "register", "The register of locker operations, read from the audit log: every opening with the locker, who opened "
                  "it (every holder of a joint opening), the officer who approved it, in (lock released) and out (door "
                  "closed again) in UTC, the duration, the attempt id (also the id of any evidence). It ends with the "
                  "audit chain's check and its last hash, so a printout can be verified later with `lockerctl audit "
                  "verify --at ROW:HASH`. Exit 1 when the chain is broken.");
  reg->add_option("--locker", o->locker, "Only this locker");
  reg->add_option("--holder", o->holder, "Only openings this holder took part in");
  reg->add_option("--since", o->since, "Only openings at or after this UTC time (ISO 8601 prefix: 2026-03 or 2026-03-01T09)");
  reg->add_option("--until", o->until, "Only openings up to this UTC time, included (ISO 8601 prefix: 2026-03-31)");
  reg->add_option("--format", o->format, "text | csv | json | html (a page to print)")
      ->check(CLI::IsMember({"text", "csv", "json", "html"}))
      ->capture_default_str();
  reg->callback([&global, &action, o] { action = [&global, o] { return run_register(global, *o); }; });
}

int run_register(const GlobalOptions& global, const RegisterOptions& o) {
  Station station(load_config(global));
  const auto r = access::read_register(station.audit, {o.locker, o.holder, o.since, o.until});
  if (o.format == "csv") {
    std::cout << access::register_csv(r);
  } else if (o.format == "json") {
    std::cout << access::register_json(r);
  } else if (o.format == "html") {
    std::cout << web::render_printout(web::register_page(r));
  } else {
    std::cout << fmt::format("{:<8} {:<20} {:<10} {:<20} {:<20} {:>8}  {}\n", "locker", "by", "officer", "in", "out", "duration", "attempt");
    for (const auto& op : r.operations) {
      std::cout << fmt::format("{:<8} {:<20} {:<10} {:<20} {:<20} {:>8}  {}\n", op.parties.locker.empty() ? "-" : op.parties.locker,
                               access::opened_by(op), op.parties.officer.empty() ? "-" : op.parties.officer, op.in,
                               op.out.empty() ? "still open" : op.out,
                               op.duration_s ? fmt::format("{:.0f} s", *op.duration_s) : "-", op.attempt);
    }
    std::cout << fmt::format("{} operation(s). {}\n", r.operations.size(), access::register_footer(r));
  }
  return r.chain.ok ? 0 : static_cast<int>(ExitCode::CheckFailed);
}

}  // namespace lockerctl::cli
