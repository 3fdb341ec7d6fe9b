# Sourced by the CLI shell tests after `set -euo pipefail`: the lockerctl binary from $1, a fresh
# work folder from $2 (emptied and entered), fail MESSAGE, and refuses CODE PATTERN COMMAND...
lockerctl=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
# refuses CODE PATTERN COMMAND...: COMMAND fails with exit CODE and one stderr line matching PATTERN.
refuses() {
  local want=$1 pattern=$2 code=0
  shift 2
  "$@" > refused.out 2> refused.err || code=$?
  [ "$code" = "$want" ] || fail "$*: expected exit $want, got $code: $(cat refused.err)"
  [ "$(wc -l < refused.err)" = 1 ] || fail "$*: more than one error line: $(cat refused.err)"
  grep -q "$pattern" refused.err || fail "$*: expected '$pattern': $(cat refused.err)"
}
