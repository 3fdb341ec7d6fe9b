#include "cmd_operator.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "core/clock.hpp"
#include "web/operators.hpp"

namespace lockerctl::cli {

void setup_operator(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* op = app.add_subcommand(
      "operator", "The people who may log in to the console (lockerctl web): viewers read; officers (bank officers) read, "
                  "approve openings under dual control and hold evidence; admins may change things. "
                  "Passwords are stored only as Argon2id hashes; 5 wrong passwords in a row lock an operator for 15 minutes.");
  op->require_subcommand(1);
  auto o = std::make_shared<OperatorOptions>();
  const auto named = [&](const char* name, const char* help) {
    CLI::App* cmd = op->add_subcommand(name, help);
    cmd->add_option("name", o->name, "Operator name (letters, digits, '-', '_', '.')")->required();
    return cmd;
  };
  CLI::App* add = named("add", "Add an operator; the password (at least 10 characters) is read from stdin, twice on a terminal.");
  add->add_option("--role", o->role, "viewer, officer or admin")->check(CLI::IsMember({"viewer", "officer", "admin"}))->capture_default_str();
  add->callback([&global, &action, o] { action = [&global, o] { return run_operator_add(global, *o); }; });
  CLI::App* pw = named("set-password", "Set a new password (from stdin) and clear a lockout.");
  pw->callback([&global, &action, o] { action = [&global, o] { return run_operator_set_password(global, *o); }; });
  CLI::App* remove = named("remove", "Remove an operator; their sessions end at their next request.");
  remove->callback([&global, &action, o] { action = [&global, o] { return run_operator_remove(global, *o); }; });
  CLI::App* list = op->add_subcommand("list", "Operators with role, creation time and any lockout.");
  list->callback([&global, &action] { action = [&global] { return run_operator_list(global); }; });
}

int run_operator_add(const GlobalOptions& global, const OperatorOptions& o) {
  Station station(load_config(global));
  web::OperatorStore operators(station.db);
  const web::Role role = web::parse_role(o.role).value_or(web::Role::Viewer);
  operators.add(o.name, role, read_new_password());
  station.audit.append({0, {}, "-", "operator", "added", std::nullopt, std::nullopt, "",
                        fmt::format("operator '{}' ({})", o.name, web::role_name(role))});
  std::cout << fmt::format("operator '{}' added ({}; password stored as an Argon2id hash)\n", o.name, web::role_name(role));
  return 0;
}

int run_operator_set_password(const GlobalOptions& global, const OperatorOptions& o) {
  Station station(load_config(global));
  web::OperatorStore operators(station.db);
  operators.set_password(o.name, read_new_password());
  station.audit.append({0, {}, "-", "operator", "password set", std::nullopt, std::nullopt, "", fmt::format("operator '{}'", o.name)});
  std::cout << fmt::format("password of operator '{}' set\n", o.name);
  return 0;
}

int run_operator_remove(const GlobalOptions& global, const OperatorOptions& o) {
  Station station(load_config(global));
  web::OperatorStore operators(station.db);
  operators.remove(o.name);
  station.audit.append({0, {}, "-", "operator", "removed", std::nullopt, std::nullopt, "", fmt::format("operator '{}'", o.name)});
  std::cout << fmt::format("operator '{}' removed\n", o.name);
  return 0;
}

int run_operator_list(const GlobalOptions& global) {
  Station station(load_config(global));
  web::OperatorStore operators(station.db);
  const double now = unix_now();
  for (const auto& op : operators.list()) {
    std::cout << fmt::format("{:<16} {:<6} created {}{}\n", op.name, web::role_name(op.role), op.created,
                             op.locked_until > now ? fmt::format("  LOCKED for {:.0f} s", op.locked_until - now) : "");
  }
  return 0;
}

}  // namespace lockerctl::cli
