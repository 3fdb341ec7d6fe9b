#include "cmd_locker.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "access/face_templates.hpp"
#include "access/lockers.hpp"

namespace lockerctl::cli {

void setup_locker(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* locker = app.add_subcommand(
      "locker", "Lockers and their holders: one or more owners (joint holders) who may open each. A station serves "
                "the lockers in access.locker; layer 2 accepts only the holders of the locker asked for.");
  locker->require_subcommand(1);
  auto o = std::make_shared<LockerOptions>();
  const auto numbered = [&](const char* name, const char* help) {
    CLI::App* cmd = locker->add_subcommand(name, help);
    cmd->add_option("number", o->number, "Locker number (1-8 digits, as typed on the keypad)")->required();
    return cmd;
  };
  const auto operation = [&](CLI::App* cmd) {
    cmd->add_option("--mode", o->mode,
                    "How joint holders operate it: any (either or survivor: one holder opens) | all (jointly: every holder "
                    "passes layers 1-3 at the station within access.joint_window_s before it opens; needs two or more holders)")
        ->check(CLI::IsMember({"any", "all"}))
        ->capture_default_str();
    cmd->add_flag("--dual-control", o->dual_control,
                  "A bank officer approves each opening on the console (as access.dual_control does for every locker)");
  };
  CLI::App* add = numbered("add", "Add a locker with its holders, each an owner (lockerctl owner add).");
  add->add_option("--holder", o->holders, "A holder's owner name; repeat for joint holders")->required();
  operation(add);
  add->callback([&global, &action, o] { action = [&global, o] { return run_locker_add(global, *o); }; });

  CLI::App* set = numbered("set-holders", "Replace a locker's holders.");
  set->add_option("--holder", o->holders, "A holder's owner name; repeat for joint holders")->required();
  set->callback([&global, &action, o] { action = [&global, o] { return run_locker_set_holders(global, *o); }; });

  CLI::App* set_op = numbered("set", "Set how a locker is operated: its joint mode and dual control (both as given, "
                                      "defaults included).");
  operation(set_op);
  set_op->callback([&global, &action, o] { action = [&global, o] { return run_locker_set(global, *o); }; });

  CLI::App* remove = numbered("remove", "Remove a locker (its holders stay owners).");
  remove->callback([&global, &action, o] { action = [&global, o] { return run_locker_remove(global, *o); }; });

  CLI::App* list = locker->add_subcommand("list", "Lockers with their holders, and whether each holder has a password and enrolled face.");
  list->callback([&global, &action] { action = [&global] { return run_locker_list(global); }; });
}

namespace {

void audit_change(Station& station, const char* what, const LockerOptions& o) {
  station.audit.append({0, {}, "-", "locker", what, std::nullopt, std::nullopt, "",
                        o.holders.empty() ? fmt::format("locker {}", o.number)
                                          : fmt::format("locker {}: holders {}", o.number, fmt::join(o.holders, ", "))});
}

}  // namespace

int run_locker_add(const GlobalOptions& global, const LockerOptions& o) {
  Station station(load_config(global));
  access::LockerStore lockers(station.db);
  lockers.add(o.number, o.holders, *access::parse_joint(o.mode), o.dual_control);
  const std::string how = access::describe_operation(lockers.get(o.number));
  station.audit.append({0, {}, "-", "locker", "added", std::nullopt, std::nullopt, "",
                        fmt::format("locker {}: holders {}; {}", o.number, fmt::join(o.holders, ", "), how)});
  std::cout << fmt::format("locker {} added, holders {}; {}\n", o.number, fmt::join(o.holders, ", "), how);
  return 0;
}

int run_locker_set(const GlobalOptions& global, const LockerOptions& o) {
  Station station(load_config(global));
  access::LockerStore lockers(station.db);
  lockers.set_operation(o.number, *access::parse_joint(o.mode), o.dual_control);
  const std::string how = access::describe_operation(lockers.get(o.number));
  station.audit.append({0, {}, "-", "locker", "operation set", std::nullopt, std::nullopt, "", fmt::format("locker {}: {}", o.number, how)});
  std::cout << fmt::format("locker {}: {}\n", o.number, how);
  return 0;
}

int run_locker_set_holders(const GlobalOptions& global, const LockerOptions& o) {
  Station station(load_config(global));
  access::LockerStore(station.db).set_holders(o.number, o.holders);
  audit_change(station, "holders set", o);
  std::cout << fmt::format("locker {}: holders {}\n", o.number, fmt::join(o.holders, ", "));
  return 0;
}

int run_locker_remove(const GlobalOptions& global, const LockerOptions& o) {
  Station station(load_config(global));
  access::LockerStore(station.db).remove(o.number);
  audit_change(station, "removed", o);
  std::cout << fmt::format("locker {} removed\n", o.number);
  return 0;
}

int run_locker_list(const GlobalOptions& global) {
  Station station(load_config(global));
  access::FaceTemplates templates(station.db, station.key);
  for (const auto& locker : access::LockerStore(station.db).list()) {
    std::vector<std::string> holders;
    for (const auto& name : locker.holders) {
      const auto owner = station.owners.get(name);
      std::vector<std::string> missing;
      if (owner.password_hash.empty()) missing.push_back("no password");
      if (templates.count(name) == 0) missing.push_back("no face enrolled");
      holders.push_back(missing.empty() ? name : fmt::format("{} ({})", name, fmt::join(missing, ", ")));
    }
    std::cout << fmt::format("{:<8} {}  [{}]\n", locker.number, fmt::join(holders, ", "), access::describe_operation(locker));
  }
  return 0;
}

}  // namespace lockerctl::cli
