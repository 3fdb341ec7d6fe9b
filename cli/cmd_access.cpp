#include "cmd_access.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "access/lockers.hpp"
#include "access/windows.hpp"
#include "core/clock.hpp"
#include "web/approvals.hpp"

namespace lockerctl::cli {

void setup_access(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* access = app.add_subcommand(
      "access", "The bank's rules around attempts: outside access.hours and on access.holidays no attempt starts, unless "
                "a bank officer opens a window for one locker. Every window is audited and shown on the console's desk.");
  access->require_subcommand(1);
  auto o = std::make_shared<AccessOptions>();
  CLI::App* open = access->add_subcommand(
      "open-window", "Let attempts start at one locker outside opening hours for some minutes. The officer's password is "
                     "read from stdin (prompted on a terminal); a running station sees the window at once.");
  open->add_option("locker", o->locker, "Locker number")->required();
  open->add_option("--officer", o->officer, "The operator (role officer) who opens it")->required();
  open->add_option("--minutes", o->minutes, "How long, 1 to 720")->capture_default_str();
  open->add_option("--reason", o->reason, "Why (kept in the audit log)")->required();
  open->callback([&global, &action, o] { action = [&global, o] { return run_access_open_window(global, *o); }; });
  CLI::App* close = access->add_subcommand("close-window", "End the open windows of a locker now.");
  close->add_option("locker", o->locker, "Locker number")->required();
  close->callback([&global, &action, o] { action = [&global, o] { return run_access_close_window(global, *o); }; });
  CLI::App* list = access->add_subcommand("windows", "The windows open now: locker, officer, until, reason.");
  list->callback([&global, &action] { action = [&global] { return run_access_windows(global); }; });
}

int run_access_open_window(const GlobalOptions& global, const AccessOptions& o) {
  Station station(load_config(global));
  access::LockerStore(station.db).get(o.locker);
  web::OperatorStore operators(station.db);
  const std::string why = web::officer_refusal(operators, o.officer, read_secret(fmt::format("password of officer {}: ", o.officer)));
  if (!why.empty()) {
    station.audit.append({0, {}, "-", "hours", "window refused", std::nullopt, std::nullopt, "", fmt::format("locker {}: {}", o.locker, why)});
    throw DataError(fmt::format("open-window {}: {}", o.locker, why));
  }
  const auto w = access::AccessWindows(station.db).open(o.locker, o.minutes, o.officer, o.reason, unix_now());
  station.audit.append({0, {}, "-", "hours", "window opened", std::nullopt, std::nullopt, "",
                        fmt::format("locker {}: by officer {} until {}: {}", o.locker, o.officer,
                                    utc_iso8601(static_cast<std::time_t>(w.until)), o.reason)});
  std::cout << fmt::format("locker {}: attempts may start until {} (UTC), window of officer {}\n", o.locker,
                           utc_iso8601(static_cast<std::time_t>(w.until)), o.officer);
  return 0;
}

int run_access_close_window(const GlobalOptions& global, const AccessOptions& o) {
  Station station(load_config(global));
  const int n = access::AccessWindows(station.db).close(o.locker, unix_now());
  if (n == 0) throw DataError(fmt::format("close-window {}: no window is open for this locker", o.locker));
  station.audit.append({0, {}, "-", "hours", "window closed", std::nullopt, std::nullopt, "", fmt::format("locker {}", o.locker)});
  std::cout << fmt::format("locker {}: window closed\n", o.locker);
  return 0;
}

int run_access_windows(const GlobalOptions& global) {
  Station station(load_config(global));
  for (const auto& w : access::AccessWindows(station.db).open_windows(unix_now())) {
    std::cout << fmt::format("{:<8} officer {:<12} until {}  {}\n", w.locker, w.officer, utc_iso8601(static_cast<std::time_t>(w.until)), w.reason);
  }
  return 0;
}

}  // namespace lockerctl::cli
