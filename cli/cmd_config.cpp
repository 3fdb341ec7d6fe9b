#include "cmd_config.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace lockerctl::cli {

void setup_config(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* config = app.add_subcommand("config", "Check or print the configuration.");
  config->require_subcommand(1);

  auto validate_opts = std::make_shared<ConfigValidateOptions>();
  CLI::App* validate = config->add_subcommand(
      "validate",
      "Check a configuration file strictly: every unknown key, wrong type, out-of-range value and "
      "YAML syntax error is reported as file:line:col: key: message. Exit 0 when valid, 2 when not.");
  validate->add_option("file", validate_opts->file,
                       "YAML file to check (default: the file given with --config)");
  validate->callback([&global, &action, validate_opts] {
    action = [&global, validate_opts] { return run_config_validate(global, *validate_opts); };
  });

  auto show_opts = std::make_shared<ConfigShowOptions>();
  CLI::App* show = config->add_subcommand(
      "show",
      "Print the effective configuration as YAML: the built-in defaults merged with --config and "
      "the LOCKERCTL_<SECTION>_<KEY> environment overrides, with secrets masked.");
  show->callback([&global, &action, show_opts] {
    action = [&global, show_opts] { return run_config_show(global, *show_opts); };
  });
}

int run_config_validate(const GlobalOptions& global, const ConfigValidateOptions& options) {
  GlobalOptions target = global;
  if (!options.file.empty()) target.config_file = options.file;
  if (target.config_file.empty()) {
    throw Error("config validate: name a file, or give one with --config", ExitCode::Usage);
  }
  load_config(target);
  std::cout << target.config_file << ": valid\n";
  return 0;
}

int run_config_show(const GlobalOptions& global, const ConfigShowOptions&) {
  std::cout << config::to_yaml(load_config(global));
  return 0;
}

}  // namespace lockerctl::cli
