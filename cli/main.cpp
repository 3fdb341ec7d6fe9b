// lockerctl: the one command-line tool of the bank-locker access-control system.
// main only wires the subcommands together and is the single place where errors become exit codes.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cmd_access.hpp"
#include "cmd_bench.hpp"
#include "cmd_alerts.hpp"
#include "cmd_audit.hpp"
#include "cmd_board.hpp"
#include "cmd_config.hpp"
#include "cmd_dataset.hpp"
#include "cmd_doctor.hpp"
#include "cmd_evaluate.hpp"
#include "cmd_evidence.hpp"
#include "cmd_export.hpp"
#include "cmd_model.hpp"
#include "cmd_monitor.hpp"
#include "cmd_operator.hpp"
#include "cmd_register.hpp"
#include "cmd_face.hpp"
#include "cmd_locker.hpp"
#include "cmd_owner.hpp"
#include "cmd_run.hpp"
#include "cmd_train.hpp"
#include "cmd_weights.hpp"
#include "cmd_web.hpp"
#include "common.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "core/version.hpp"

namespace {

using lockerctl::ExitCode;

int report(const lockerctl::Error& e, bool verbose) {
  if (const auto* config_error = dynamic_cast<const lockerctl::ConfigError*>(&e)) {
    for (const auto& problem : config_error->problems()) {
      lockerctl::log::error("{}", problem.to_string());
    }
  } else {
    lockerctl::log::error("{}", e.what());
  }
  if (verbose && !e.detail().empty()) lockerctl::log::error("detail: {}", e.detail());
  return static_cast<int>(e.code());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lockerctl::cli;
  lockerctl::keep_freed_memory();

  CLI::App app{"lockerctl: neural-network bank-locker access control (datasets, training, "
               "evaluation, export, and the four-layer access flow)",
               "lockerctl"};
  app.set_version_flag("--version", std::string("lockerctl ") + lockerctl::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 a check failed, 2 invalid configuration, 3 data error, 4 model error, "
      "5 device error, 6 file-system error, 64 command-line usage error, 70 internal error.");

  GlobalOptions global;
  app.add_option("-c,--config", global.config_file,
                 "YAML configuration file (default: built-in defaults; see configs/default.yaml)");
  auto* verbose = app.add_flag("-v,--verbose", global.verbose, "Debug log lines and error details");
  app.add_flag("-q,--quiet", global.quiet, "Only warnings and errors")->excludes(verbose);
  app.add_option("--log-format", global.log_format, "Log line format (default: log.format)")
      ->check(CLI::IsMember({"text", "json"}));

  Action action;
  setup_doctor(app, global, action);
  setup_config(app, global, action);
  setup_dataset(app, global, action);
  setup_train(app, global, action);
  setup_evaluate(app, global, action);
  setup_export(app, global, action);
  setup_weights(app, global, action);
  setup_bench(app, global, action);
  setup_model(app, global, action);
  setup_board(app, global, action);
  setup_run(app, global, action);
  setup_owner(app, global, action);
  setup_locker(app, global, action);
  setup_access(app, global, action);
  setup_face(app, global, action);
  setup_audit(app, global, action);
  setup_register(app, global, action);
  setup_evidence(app, global, action);
  setup_alerts(app, global, action);
  setup_operator(app, global, action);
  setup_monitor(app, global, action);
  setup_web(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    configure_logging(global);
    lockerctl::log::error("{} (see lockerctl --help)", e.what());
    return static_cast<int>(ExitCode::Usage);
  }

  configure_logging(global);
  try {
    return action();
  } catch (const lockerctl::Error& e) {
    return report(e, global.verbose);
  } catch (const std::exception& e) {
    lockerctl::log::error("internal error: {}", e.what());
    return static_cast<int>(ExitCode::Internal);
  }
}
