#!/usr/bin/env bash
# Dual control in headless Chromium (tests/cli/dual_control_browser.py): `lockerctl run` with the
# console, locker 15 under dual control, and a script that takes alice through layers 1-3 twice.
# The officer approves the first opening on the Officer's desk; the second times out. The audit
# log then names the officer in the granted row, the refused approvals and the timeout.
#   dual_control_browser.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
needs_browser

{
  sim_flow_config 0 | sed 's|^  owner: alice$|  owner: alice\n  locker: "15"\n  dual_control: true\n  approval_timeout_s: 25|'
  printf 'web:\n  enabled: true\n  listen: 127.0.0.1:0\n'
} > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
small_model config.yaml models/owner.h5
mkdir -p models/owners && cp models/owner.h5 models/owners/alice.h5
lc -q owner add alice --phone +15550001 > /dev/null
echo 2468 | lc -q owner set-password alice > /dev/null
lc -q locker add 15 --holder alice > /dev/null
echo victor-password | lc -q operator add victor --role viewer > /dev/null
echo carol-password-1 | lc -q operator add carol --role officer > /dev/null
lc -q web cert --self-signed > /dev/null

attempt='show scenes/owner\npress\nwait password\ntype 2468\nwait otp\notp\nwait approval 60\n'
printf "$attempt"'wait open 90\ndoor open\nsleep 300\ndoor close\nwait idle\n'"$attempt"'wait idle 90\nsleep 5000\n' > desk.script
start_run_console --script desk.script

/usr/bin/python3 "$(dirname "$0")/dual_control_browser.py" "$url" victor victor-password carol carol-password-1
wait $pid || fail "run exited $?: $(tail -5 run.err)"
grep -q '^attempts 2, granted 1, denied 1' run.out || fail "run: $(cat run.out)"
lc audit list > audit.txt
for row in "approval *not taken *an approval by 'victor' not taken: operator 'victor' is a viewer, not an officer" \
           "approval *not taken *an approval by 'carol' not taken: wrong password for operator 'carol'" \
           'approval *approved *officer carol' 'access *granted *locker 15; by alice; officer carol;' \
           'approval *timeout *no officer approved within 25 s' \
           "approval *not taken *an approval by 'carol' not taken: attempt .* is not waiting for an officer"; do
  grep -q "$row" audit.txt || fail "no '$row' in the audit log"
done
if grep -q 'carol-password-1\|victor-password' run.err audit.txt; then fail "a password reached the log"; fi
echo "ok: dual_control_browser"
