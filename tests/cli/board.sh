#!/usr/bin/env bash
# `lockerctl board` against `lockerctl board simulate --pty` in another process: the whole OSDP
# path over a real pseudo-terminal, as an operator without hardware runs it.
#   board.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

printf 'paths:\n  var_dir: var\n' > config.yaml
printf 'paths:\n  var_dir: var\nboard:\n  install_mode: true\n' > install.yaml
mkfifo script
# A new board: in install mode, it takes the default key until it is given its own.
"$lockerctl" -q board simulate --pty --install-mode --link board.tty --script script > sim.out 2>&1 &
sim=$!
exec 3> script   # keeps the script open: lines are sent as the test goes
trap 'kill $sim ${plain:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -L board.tty ] && break; sleep 0.05; done
[ -L board.tty ] || fail "the simulator made no link"

# Keys: a real port needs one; keyset installs a random one inside a session under the default key.
refuses 2 "board.key_file: var/board.key: no key for the lock board" "$lockerctl" -c config.yaml board status --port board.tty
"$lockerctl" -c install.yaml board keyset --port board.tty > keyset.out 2> keyset.err
grep -q '^board 0x00: new secure channel key installed and proven; written to var/board.key$' keyset.out ||
  fail "keyset: $(cat keyset.out keyset.err)"
grep -q 'install_mode: the lock board is addressed under the default key SCBK-D' keyset.err ||
  fail "install mode was not announced: $(cat keyset.err)"
grep -Eq '^[0-9a-f]{32}$' var/board.key || fail "the key file holds no key"
[ "$(stat -c %a var/board.key)" = 600 ] || fail "the key file is not owner-only"
[ ! -e var/board.key.new ] || fail "the pending key was left behind"
first=$(cat var/board.key)
"$lockerctl" -q -c config.yaml audit list > audit.out
grep -q 'board *key change *lockerctl board keyset on .* (install mode: the default key SCBK-D): started' audit.out ||
  fail "the key change in install mode is not audited as such: $(cat audit.out)"
grep -qi "$first" audit.out keyset.out keyset.err && fail "the key was written out"
set +e
"$lockerctl" -c install.yaml board status --port board.tty > /dev/null 2> default.err
code=$?
set -e
[ "$code" = 5 ] || fail "the default key after keyset: exit $code"
grep -q 'board at address 0 refused the default key: it is not in install mode' default.err || fail "$(cat default.err)"

# Rotation: a new key, and the old one opens nothing afterwards.
"$lockerctl" -q -c config.yaml board keyset --port board.tty > /dev/null
[ "$(cat var/board.key)" != "$first" ] || fail "keyset kept the key"
cp var/board.key current.key
(umask 077 && echo "$first" > var/board.key)
refuses 5 "board at address 0 rejected the secure channel: wrong key?" "$lockerctl" -c config.yaml board status --port board.tty
cp current.key var/board.key
# An interrupted keyset: the board took the key waiting in board.key.new, or it did not.
(umask 077 && echo "$first" > var/board.key && cp current.key var/board.key.new)
"$lockerctl" -c config.yaml board status --port board.tty > /dev/null 2> pending.err || fail "$(cat pending.err)"
grep -q 'it holds the key of an interrupted `board keyset`' pending.err || fail "$(cat pending.err)"
cmp -s var/board.key current.key || fail "the key the board took was not kept"
[ ! -e var/board.key.new ] || fail "the pending key was left behind"
(umask 077 && echo "$first" > var/board.key.new)
"$lockerctl" -q -c config.yaml board status --port board.tty > /dev/null
cmp -s var/board.key current.key && [ ! -e var/board.key.new ] || fail "a key the board never took was kept"
# doctor finds the key as the panel does, and says where from, never what it is.
doctor_key() { "$lockerctl" "$@" doctor 2> /dev/null | grep '^board.secure ' || true; }
doctor_key -c config.yaml | grep -q 'required, key from var/board.key$' || fail "doctor: $(doctor_key -c config.yaml)"
LOCKERCTL_BOARD_KEY=$first doctor_key -c config.yaml | grep -q 'key from LOCKERCTL_BOARD_KEY$' || fail "doctor with the environment's key"
doctor_key -c install.yaml | grep -q 'PROBLEM: install mode' || fail "doctor in install mode: $(doctor_key -c install.yaml)"
doctor_key -c config.yaml | grep -qi "$(cat var/board.key)" && fail "doctor printed the key"
chmod 644 var/board.key
refuses 6 "var/board.key: holds a secret but its group or others may read it" "$lockerctl" -c config.yaml board status --port board.tty
doctor_key -c config.yaml | grep -q 'PROBLEM: var/board.key: holds a secret but its group or others may read it' ||
  fail "doctor with an open key file: $(doctor_key -c config.yaml)"
chmod 600 var/board.key

# Under board.secure: required (the default) a plain board gets nothing but a challenge.
"$lockerctl" -q board simulate --pty --plain --link plain.tty --script /dev/null > /dev/null 2>&1 &
plain=$!
for _ in $(seq 1 100); do [ -L plain.tty ] && break; sleep 0.05; done
refuses 5 "board at address 0 does not speak the secure channel (NAK to CHLNG: security block not supported)" \
  "$lockerctl" -c config.yaml board unlock --port plain.tty
kill $plain

"$lockerctl" -q -c config.yaml board status --port board.tty > status.out
grep -q '^lock: locked$' status.out || fail "status: $(cat status.out)"
grep -q '^door: closed$' status.out || fail "status: $(cat status.out)"

"$lockerctl" -q -c config.yaml board probe --port board.tty > probe.out
grep -q '^vendor 0A-0B-0C, model 1' probe.out || fail "probe: $(cat probe.out)"

"$lockerctl" -q -c config.yaml board unlock --port board.tty --seconds 30 > unlock.out
"$lockerctl" -q -c config.yaml audit list | grep -q 'lock *manual release' || fail "the manual unlock is not in the audit log"
grep -q 'lock released for 30.0 s' unlock.out || fail "unlock: $(cat unlock.out)"
"$lockerctl" -q -c config.yaml board status --port board.tty | grep -q '^lock: released$' || fail "lock not released"
"$lockerctl" -q -c config.yaml audit list | grep -q 'lock *confirmed *manual release for 30.0 s' || fail "the board's confirmation is not in the audit log"
# A manual command that fails leaves its outcome: a changed (MAC-failing) reply is a link attack
# and the release is not confirmed; a board that refuses the command is recorded as refusing it.
echo badmac >&3
sleep 0.3
# (refuses() wants one stderr line; an unlock also warns that it bypasses the flow)
fails_with() {
  local want=$1 pattern=$2 code=0
  shift 2
  "$@" > /dev/null 2> failed.err || code=$?
  [ "$code" = "$want" ] || fail "$*: expected exit $want, got $code: $(cat failed.err)"
  grep -q "^error: .*$pattern" failed.err || fail "$*: expected '$pattern': $(cat failed.err)"
}
fails_with 5 "MAC does not verify" "$lockerctl" -q -c config.yaml board unlock --port board.tty --seconds 5
"$lockerctl" -q -c config.yaml audit list > outcome.out
grep -q 'board *link attack *secure channel: .*MAC does not verify' outcome.out || fail "no link-attack row: $(tail -5 outcome.out)"
grep -q 'lock *not confirmed *manual release for 5.0 s: ' outcome.out || fail "no outcome row: $(tail -5 outcome.out)"
printf 'paths:\n  var_dir: var\nboard:\n  lock_output: 9\n' > output9.yaml  # the board has no output 9
fails_with 5 "refused OUT" "$lockerctl" -q -c output9.yaml board unlock --port board.tty --seconds 5
"$lockerctl" -q -c config.yaml audit list | grep -q 'lock *refused *manual release for 5.0 s: .*refused OUT' ||
  fail "the refusal is not in the audit log: $("$lockerctl" -q -c config.yaml audit list | tail -3)"

# An actuator by its name in board.actuators: the simulated board's siren is output 1.
"$lockerctl" -q -c config.yaml board output siren --port board.tty --seconds 30 > output.out
grep -q '^siren (output 1) on for 30.0 s' output.out || fail "output: $(cat output.out)"
"$lockerctl" -q -c config.yaml audit list | grep -q 'actuator *manual on' || fail "the manual output is not in the audit log"
"$lockerctl" -q -c config.yaml board status --port board.tty > status.out
grep -q '^siren: ON$' status.out || fail "siren not on: $(cat status.out)"
grep -q '^smoke: quiet$' status.out || fail "status: $(cat status.out)"
refuses 2 "board.actuators: no actuator is named 'horn' (there are: siren, light)" "$lockerctl" -c config.yaml board output horn --port board.tty

"$lockerctl" -q -c config.yaml board monitor --port board.tty --for 4 > monitor.out &
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
grep -q '^secure channel: yes, handshakes 1, sessions 1, faults 0$' monitor.out || fail "no secure channel: $(cat monitor.out)"

# A board without power: status gives up with one line and exit 5 (device).
echo "power off" >&3
set +e
"$lockerctl" -c config.yaml board status --port board.tty 2> off.err
code=$?
set -e
[ "$code" = 5 ] || fail "status of a silent board exited $code"
[ "$(wc -l < off.err)" = 1 ] || fail "more than one error line: $(cat off.err)"
grep -q 'no answer within' off.err || fail "$(cat off.err)"
echo "ok: status, probe, unlock, output, monitor, keyset and a silent board over a pseudo-terminal, in a secure channel"
