#!/usr/bin/env bash
# Layer 3 at the kiosk in headless Chromium (tests/cli/kiosk_browser.py): `lockerctl run` with
# web.enabled and access.input: web against the simulated camera and lock board; a device paired
# with `web pair-kiosk` asks for access, takes the password and the code from the simulated
# phone, and the lock opens. The screenshot stays in the work folder.
#   kiosk_browser.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
needs_browser

{
  # The camera shows the owner; the lock stays released 3 s, long enough to see the step; entries
  # wait a minute, as a loaded CI machine may be slow to show the browser a step.
  sim_flow_config 0 | sed 's|^  source: sim$|  source: scenes/owner|; s|^  owner: alice$|  owner: alice\n  input: web|; s|unlock_s: 0.5|unlock_s: 3|; s|input_timeout_s: 10|input_timeout_s: 60|'
  printf 'web:\n  enabled: true\n  listen: 127.0.0.1:0\n'
} > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
small_model config.yaml models/owner.h5
lc -q owner add alice --phone +15550001 > /dev/null
refuses 3 "only digits can be typed on the kiosk's keypad (access.input: web)" sh -c "echo 'pass word' | $lockerctl -c config.yaml -q owner set-password alice"
echo 2468 | lc -q owner set-password alice > /dev/null
lc -q web cert --self-signed > /dev/null
code=$(lc web pair-kiosk room-1 --valid-min 5 | sed -n "s/^pairing code for kiosk 'room-1': \([0-9-]*\) (valid 5 min, once).*/\1/p")
[ -n "$code" ] || fail "no pairing code printed"
lc web kiosks | grep -q "^room-1 .*not paired .*code valid until" || fail "web kiosks: $(lc web kiosks)"

start_run_console

/usr/bin/python3 "$(dirname "$0")/kiosk_browser.py" "$url" "$code" var/phone/+15550001.txt
kill -TERM $pid
wait $pid || fail "run stopped by SIGTERM exited $?: $(tail -5 run.err)"
grep -q "^attempts 1, granted 1, denied 0" run.out || fail "run: $(cat run.out)"
lc audit export --csv --out audit.csv
for row in ",trigger,start," ",password,pass," ",otp,pass," ",access,granted," ",lock,released," ",kiosk,paired,"; do
  grep -q -- "$row" audit.csv || fail "no '$row' in the audit log"
done
lc web kiosks | grep -q "^room-1 .*paired 20" || fail "web kiosks: $(lc web kiosks)"
if grep -q 2468 run.err audit.csv; then fail "the password reached the log"; fi
lc web unpair-kiosk room-1 > /dev/null
refuses 3 "kiosk 'room-1': no such kiosk" "$lockerctl" -c config.yaml web unpair-kiosk room-1
echo "ok: kiosk_browser"
