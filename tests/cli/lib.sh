# Sourced by the CLI shell tests after `set -euo pipefail`: the lockerctl binary from $1, a fresh
# work folder from $2 (emptied and entered), and fail MESSAGE.
lockerctl=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
