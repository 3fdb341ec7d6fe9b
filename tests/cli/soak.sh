#!/usr/bin/env bash
# scripts/soak-run.sh, the memory soak of `lockerctl run` (docs/performance.md), on a few
# attempts: every tenth is a denial, every attempt is counted, the resident memory is printed at
# each mark, and bad arguments are refused.
#   soak.sh LOCKERCTL WORKDIR SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
soak=$3/scripts/soak-run.sh

LOCKERCTL=$lockerctl "$soak" 12 "$work/station" 5 > soak.out 2> soak.err || fail "soak-run: $(cat soak.err)"
grep -q "^soak: 12 attempts through lockerctl run in $work/station$" soak.out || fail "no first line: $(cat soak.out)"
# A mark is printed once the count reaches it (the count then, looked at twice a second).
marks=$(grep -c "^soak: *[0-9]* attempts  resident [0-9.]* MB  (heap [0-9.]* MB, peak [0-9.]* MB)  [0-9]* s$" soak.out || true)
[ "$marks" = 2 ] || fail "expected marks at 5 and 10 attempts: $(cat soak.out)"
grep -q '^soak: done in [0-9]* s: attempts 12, granted 11, denied 1, alerts 12;' soak.out || fail "no summary: $(cat soak.out)"
[ "$(grep -c 'access: done: door closed, locker locked' station/run.err)" = 11 ] || fail "not every granted attempt opened the door"
refuses 2 "^soak-run: ATTEMPTS and EVERY must be positive whole numbers, got 'many'$" env LOCKERCTL="$lockerctl" "$soak" many
refuses 2 "^soak-run: /no/such/lockerctl: no such program (build first, or set LOCKERCTL)$" env LOCKERCTL=/no/such/lockerctl "$soak" 3
refuses 2 "^soak-run: $work: not empty; give a new folder$" env LOCKERCTL="$lockerctl" "$soak" 3 "$work"
echo "ok: soak"
