#include "cmd_doctor.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "devices/board_link.hpp"
#include "doctor/doctor.hpp"

namespace lockerctl::cli {

namespace {

/// Whether the panel has the board's Secure Channel key, found as `run` finds it (never the key).
doctor::Item board_key_item(const config::Config& cfg) {
  const std::string name = "board.secure";
  if (cfg.board.secure == config::BoardSecurity::Off) return {name, "off: commands to the board go in PLAIN TEXT", true};
  try {
    const BoardKeys keys = board_keys(cfg, cfg.board.port == devices::kSimulatedPort);
    const std::string policy = cfg.board.secure == config::BoardSecurity::Required ? "required" : "preferred";
    switch (keys.source) {
      case BoardKeys::Source::InstallMode:
        return {name, "install mode: the board's default key SCBK-D, which every installer knows (run lockerctl board keyset)",
                false};
      case BoardKeys::Source::Environment: return {name, policy + ", key from LOCKERCTL_BOARD_KEY", true};
      case BoardKeys::Source::File: return {name, fmt::format("{}, key from {}", policy, keys.file.string()), true};
      case BoardKeys::Source::Random: return {name, policy + ", the simulated board and a random key per run", true};
    }
    return {name, policy, true};
  } catch (const Error& e) {
    return {name, e.what(), false};
  }
}

}  // namespace

void setup_doctor(CLI::App& app, const GlobalOptions& global, Action& action) {
  auto options = std::make_shared<DoctorOptions>();
  CLI::App* sub = app.add_subcommand(
      "doctor",
      "Check this installation: library versions (LibTorch, OpenCV, HDF5, yaml-cpp), whether CUDA "
      "is usable and on which device, CPU threads in use, and whether the configured data, model "
      "and var folders are writable. Exit 1 naming what is wrong.");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_doctor(global, *options); };
  });
}

int run_doctor(const GlobalOptions& global, const DoctorOptions&) {
  const config::Config cfg = load_config(global);
  doctor::Report report = doctor::examine(cfg);
  report.items.push_back(board_key_item(cfg));
  std::cout << doctor::render(report);
  if (!report.ok()) {
    log::error("doctor found problems with: {}", report.failures());
    return static_cast<int>(ExitCode::CheckFailed);
  }
  return 0;
}

}  // namespace lockerctl::cli
