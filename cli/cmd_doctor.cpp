#include "cmd_doctor.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "doctor/doctor.hpp"

namespace lockerctl::cli {

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
  const doctor::Report report = doctor::examine(cfg);
  std::cout << doctor::render(report);
  if (!report.ok()) {
    log::error("doctor found problems with: {}", report.failures());
    return static_cast<int>(ExitCode::CheckFailed);
  }
  return 0;
}

}  // namespace lockerctl::cli
