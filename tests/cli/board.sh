#!/usr/bin/env bash
# `lockerctl board` against `lockerctl board simulate --pty` in another process: the whole OSDP
# path over a real pseudo-terminal, as an operator without hardware runs it.
#   board.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkfifo script
"$lockerctl" -q board simulate --pty --link board.tty --script script > sim.out 2>&1 &
sim=$!
exec 3> script   # keeps the script open: lines are sent as the test goes
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -L board.tty ] && break; sleep 0.05; done
[ -L board.tty ] || fail "the simulator made no link"

"$lockerctl" -q board status --port board.tty > status.out
grep -q '^lock: locked$' status.out || fail "status: $(cat status.out)"
grep -q '^door: closed$' status.out || fail "status: $(cat status.out)"

"$lockerctl" -q board probe --port board.tty > probe.out
grep -q '^vendor 0A0B0C, model 1' probe.out || fail "probe: $(cat probe.out)"

printf 'paths:\n  var_dir: var\n' > config.yaml
"$lockerctl" -q -c config.yaml board unlock --port board.tty --seconds 30 > unlock.out
"$lockerctl" -q -c config.yaml audit list | grep -q 'lock *manual release' || fail "the manual unlock is not in the audit log"
grep -q 'lock released for 30.0 s' unlock.out || fail "unlock: $(cat unlock.out)"
"$lockerctl" -q board status --port board.tty | grep -q '^lock: released$' || fail "lock not released"

# An actuator by its name in board.actuators: the simulated board's siren is output 1.
"$lockerctl" -q -c config.yaml board output siren --port board.tty --seconds 30 > output.out
grep -q '^siren (output 1) on for 30.0 s' output.out || fail "output: $(cat output.out)"
"$lockerctl" -q -c config.yaml audit list | grep -q 'actuator *manual on' || fail "the manual output is not in the audit log"
"$lockerctl" -q board status --port board.tty > status.out
grep -q '^siren: ON$' status.out || fail "siren not on: $(cat status.out)"
grep -q '^smoke: quiet$' status.out || fail "status: $(cat status.out)"
refuses 2 "board.actuators: no actuator is named 'horn' (there are: siren, light)" "$lockerctl" board output horn --port board.tty

"$lockerctl" -q board monitor --port board.tty --for 4 > monitor.out &
mon=$!
for _ in $(seq 1 100); do grep -q ' online$' monitor.out 2>/dev/null && break; sleep 0.05; done
echo "door open" >&3
echo "key 12#" >&3
echo "noise 40" >&3
echo "tamper on" >&3
wait $mon
grep -q ' door open$' monitor.out || fail "monitor saw no door: $(cat monitor.out)"
grep -q ' keypad: 3 key(s)$' monitor.out || fail "monitor saw no keys: $(cat monitor.out)"
grep -q ' tamper switch open$' monitor.out || fail "monitor saw no tamper: $(cat monitor.out)"
grep -q 'noise bytes 40' monitor.out || fail "noise not counted: $(cat monitor.out)"

# A board without power: status gives up with one line and exit 5 (device).
echo "power off" >&3
set +e
"$lockerctl" -c /dev/null board status --port board.tty 2> off.err
code=$?
set -e
[ "$code" = 5 ] || fail "status of a silent board exited $code"
[ "$(wc -l < off.err)" = 1 ] || fail "more than one error line: $(cat off.err)"
grep -q 'no answer within' off.err || fail "$(cat off.err)"
echo "ok: status, probe, unlock, output, monitor and a silent board over a pseudo-terminal"
