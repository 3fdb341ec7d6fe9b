#pragma once

#include "common.hpp"

namespace lockerctl::cli {

struct DoctorOptions {};

/// Adds `lockerctl doctor`: versions, CUDA, threads and folder checks; exit 1 on a problem.
void setup_doctor(CLI::App& app, const GlobalOptions& global, Action& action);

int run_doctor(const GlobalOptions& global, const DoctorOptions& options);

}  // namespace lockerctl::cli
