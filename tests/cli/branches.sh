#!/usr/bin/env bash
# Branch monitoring end to end with Debian's mosquitto: two simulated sites (lockerctl run with
# mqtt.enabled) and a monitor (lockerctl monitor) against one broker on a free loopback port.
# The broker is SIGKILLed in the middle of a site's run and started again; another run starts
# while it is down. The monitor must end with every event each site published, none twice; a
# station killed with SIGKILL shows offline (its will); a malformed message is counted and
# skipped; alarms are acknowledged once, with an audit entry.
#   branches.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
needs_broker
pids=()
trap 'kill -9 "${pids[@]}" $broker 2> /dev/null || true' EXIT

make_site north 7
make_site south 12
mkdir -p hq
printf 'paths:\n  var_dir: var\nmqtt:\n  broker: %s\n  retry_s: 0.1\n  max_retry_s: 0.5\n' "$broker_url" > hq/config.yaml
hq() { (cd hq && "$lockerctl" -c config.yaml "$@"); }

# Three wrong passwords (an alarm: the lockout), a forced door, smoke, and a quiet spell, N times.
busy_script() {
  for _ in $(seq "$1"); do
    wrong_passwords_script
    printf 'door open\nsleep 100\ndoor close\ninput smoke on\nsleep 100\ninput smoke off\nsleep 300\n'
  done
}
{ busy_script 3; printf 'sleep 8000\n'; busy_script 3; } > long.script  # the broker dies and comes back in the pause
busy_script 2 > short.script

start_broker
(cd hq && exec "$lockerctl" -c config.yaml monitor --client-id hq > monitor.out 2> monitor.err) &
pids+=($!)
monitor=$!
sleep 0.5

site north run --script ../long.script > north.log 2>&1 &
north=$!
pids+=($north)
site south run --script ../short.script > south.log 2>&1 || fail "south's run failed: $(tail -5 south.log)"
sleep 1
kill -9 $broker  # in the middle of north's run
wait $broker 2> /dev/null || true
site south run --script ../short.script > south2.log 2>&1 || fail "south's run with the broker down failed: $(tail -5 south2.log)"
grep -q "cannot connect" south2.log || fail "south did not say that the broker is down: $(grep mqtt south2.log)"
sleep 0.5
start_broker
# south's second run ended with its events unsent: its next run sends them, in order.
printf 'sleep 1500\n' > pause.script
site south run --script ../pause.script > south3.log 2>&1 || fail "south's third run failed: $(tail -5 south3.log)"
wait $north || fail "north's run failed: $(tail -5 north.log)"
grep -q "reachable again" north.log || fail "north did not reconnect: $(grep mqtt north.log)"

# Every event the stations published, from their own audit logs (the contract of docs/branches.md).
published() {
  sqlite3 "$1/var/lockerctl.db" "SELECT COUNT(*) FROM audit WHERE layer IN ('lock','door','board','camera') OR
    (layer = 'sensor' AND decision = 'alarm') OR
    (attempt != '-' AND layer IN ('trigger','locker','human','liveness','owner','password','otp','access','lockout','evidence','system'))"
}
stored() {
  sqlite3 hq/var/lockerctl.db "SELECT COUNT(*) || ' ' || COUNT(DISTINCT id) FROM monitor_events WHERE site = '$1' AND locker = '$2'"
}
want_north=$(published north)
want_south=$(published south)
[ "$want_north" -gt 60 ] && [ "$want_south" -gt 30 ] || fail "too few events to prove anything: $want_north, $want_south"
for _ in $(seq 150); do
  [ "$(stored north 7)" = "$want_north $want_north" ] && [ "$(stored south 12)" = "$want_south $want_south" ] && break
  sleep 0.2
done
[ "$(stored north 7)" = "$want_north $want_north" ] || fail "north/7: monitor has '$(stored north 7)' (rows, distinct), want $want_north"
[ "$(stored south 12)" = "$want_south $want_south" ] || fail "south/12: monitor has '$(stored south 12)' (rows, distinct), want $want_south"
echo "monitor holds all $want_north + $want_south events, each once, across a broker SIGKILL"

# A malformed message: counted and skipped, the monitor goes on.
mosquitto_pub -p "$port" -q 1 -t lockerctl/north/7/door -m 'not json'
sleep 0.5
kill -0 $monitor || fail "the monitor died on a malformed message"

# A station killed with SIGKILL: the broker sends its will, and the monitor shows it offline.
printf 'sleep 60000\n' > idle.script
(cd north && exec "$lockerctl" -c config.yaml run --script ../idle.script > ../north3.log 2>&1) &
idle=$!
pids+=($idle)
for _ in $(seq 100); do hq monitor --once --json --wait 0.3 2> /dev/null > once.json
  /usr/bin/python3 -c 'import json,sys; l=[x for x in json.load(open("once.json"))["lockers"] if x["site"]=="north"][0]; sys.exit(0 if l["online"] else 1)' && break
done
kill -9 $idle
hq monitor --once --json --wait 1 > once.json 2> once.err
/usr/bin/python3 - "$want_north" << 'PY' || fail "monitor --once --json: $(cat once.json)"
import json, sys
state = json.load(open("once.json"))
lockers = {(l["site"], l["locker"]): l for l in state["lockers"]}
assert set(lockers) == {("north", "7"), ("south", "12")}, lockers
north = lockers[("north", "7")]
assert north["online"] is False, "the will marks north offline"
assert north["lock"] == "locked" and north["door"] == "closed", north
assert north["through"] == north["newest"], north
assert state["malformed"] == 1, state["malformed"]
alarms = [a for a in state["open_alarms"] if a["site"] == "north"]
for what in ("door forced", "lockout start", "sensor alarm"):
    assert any(a["what"] == what for a in alarms), (what, alarms)
PY
alarm=$(/usr/bin/python3 -c 'import json; print([a for a in json.load(open("once.json"))["open_alarms"]][0]["id"])')
hq -q monitor ack "$alarm" --by ops | grep -q "alarm $alarm acknowledged" || fail "monitor ack $alarm"
refuses 3 "alarm $alarm: already acknowledged by ops" hq monitor ack "$alarm"
refuses 3 "alarm 99999: no such alarm" hq monitor ack 99999
hq audit list | grep -q "alarm acknowledged.*by 'ops'" || fail "the acknowledgement is not in the monitor's audit log"

# Retained Home Assistant discovery: four binary sensors per station, no command topic.
timeout 3 mosquitto_sub -p "$port" -t 'homeassistant/#' -v -W 2 > discovery.txt 2> /dev/null || true
[ "$(grep -c '^homeassistant/binary_sensor/lockerctl_north_7/' discovery.txt)" = 4 ] || fail "discovery: $(cat discovery.txt)"
! grep -q command_topic discovery.txt || fail "a discovery message offers a command topic"

kill -TERM $monitor
wait $monitor || fail "the monitor exited $? on SIGTERM: $(cat hq/monitor.err)"
grep -q "malformed message" hq/monitor.err || fail "the malformed message was not reported: $(cat hq/monitor.err)"
grep -q "^monitor: .* 1 malformed" hq/monitor.out || fail "monitor summary: $(tail -2 hq/monitor.out)"
echo "ok: branches"
