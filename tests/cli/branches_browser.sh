#!/usr/bin/env bash
# Every branch in one view: two simulated stations publish to Debian's mosquitto, the head office's
# `lockerctl monitor` stores what they send, and its console (`lockerctl web` on the same
# database) shows them in headless Chromium (tests/cli/branches_browser.py). A viewer watches a
# new alarm arrive while the page is open and can acknowledge nothing; an admin acknowledges a
# forced door, and the head office's audit log says who did.
#   branches_browser.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
needs_browser
needs_broker
pids=()
trap 'kill -9 "${pids[@]}" $broker 2> /dev/null || true' EXIT

make_site north 7
make_site south 12
mkdir -p hq
printf 'paths:\n  var_dir: var\nmqtt:\n  broker: %s\n  retry_s: 0.1\n  max_retry_s: 0.5\nweb:\n  listen: 127.0.0.1:0\n' \
  "$broker_url" > hq/config.yaml
hq() { (cd hq && "$lockerctl" -q -c config.yaml "$@"); }
echo "ops long password" | hq operator add ops --role admin > /dev/null
echo "vic long password" | hq operator add vic --role viewer > /dev/null
hq web cert --self-signed > /dev/null

start_broker
(cd hq && exec "$lockerctl" -c config.yaml monitor --client-id hq > monitor.out 2> monitor.err) &
pids+=($!)
sleep 0.5
printf 'sleep 300\ndoor open\nsleep 200\ndoor close\nsleep 1000\n' > forced.script
site north run --script ../forced.script > north.log 2>&1 || fail "north's run failed: $(tail -5 north.log)"
printf 'sleep 300\ninput smoke on\nsleep 1000\n' > smoke.script

cd hq
start_console config.yaml
pids+=($pid)
trap 'kill -9 "${pids[@]}" $broker 2> /dev/null || true' EXIT
cd ..
/usr/bin/python3 "$(dirname "$0")/branches_browser.py" "$url" ops "ops long password" vic "vic long password" \
  bash -c "cd '$PWD/south' && exec '$lockerctl' -c config.yaml run --script ../smoke.script"
hq audit list | grep -q "alarm acknowledged.*north/7: door forced.*by 'ops'" ||
  fail "the acknowledgement is not in the head office's audit log: $(hq audit list | tail -3)"
echo "ok: branches_browser"
