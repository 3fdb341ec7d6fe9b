#!/usr/bin/env bash
# The test command: installs what is missing, builds in Release, runs the whole suite with CTest.
# Extra arguments go to ctest (e.g. -L unit, -R config).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${LOCKERCTL_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
