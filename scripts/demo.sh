#!/usr/bin/env bash
# The main command: installs what is missing, builds in Release, and runs lockerctl end to end on
# its embedded defaults. Each later stage of the project adds its step here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
lockerctl=${LOCKERCTL_BUILD_DIR:-build}/cli/lockerctl

step() { printf '\n== %s\n' "$*"; }

step "lockerctl doctor: this installation"
"$lockerctl" doctor

step "lockerctl config validate configs/default.yaml"
"$lockerctl" config validate configs/default.yaml

step "lockerctl config show: the effective configuration"
"$lockerctl" --config configs/default.yaml config show
