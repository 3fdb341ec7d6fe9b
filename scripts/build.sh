#!/usr/bin/env bash
# Configures and builds lockerctl in Release into build/ (or $LOCKERCTL_BUILD_DIR), with tests.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${LOCKERCTL_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release ${LOCKERCTL_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
