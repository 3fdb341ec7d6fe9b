#!/usr/bin/env bash
# CLI smoke-test runner for CTest.
#   expect.sh [--one-line] EXIT_CODE PATTERN -- COMMAND [ARGS...]
# Runs COMMAND and passes when it exits with EXIT_CODE and its output (stdout + stderr) matches the
# extended regex PATTERN. With --one-line, stderr must also be exactly one line.
set -u
one_line=0
if [ "$1" = "--one-line" ]; then one_line=1; shift; fi
want_code=$1; pattern=$2; shift 2
[ "$1" = "--" ] && shift

out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err" </dev/null
code=$?

fail() {
  echo "FAIL: $*"
  echo "command: $*"; echo "--- stdout"; cat "$out"; echo "--- stderr"; cat "$err"
  exit 1
}
[ "$code" -eq "$want_code" ] || fail "exit code $code, expected $want_code"
cat "$out" "$err" | grep -Eq -- "$pattern" || fail "output does not match /$pattern/"
if [ "$one_line" -eq 1 ]; then
  lines=$(wc -l <"$err")
  [ "$lines" -eq 1 ] || fail "stderr has $lines lines, expected 1"
fi
echo "ok: exit $code, output matches /$pattern/"
