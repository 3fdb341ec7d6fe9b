#!/usr/bin/env bash
# `lockerctl run` end to end as an operator runs it: owner set-up, a scripted successful attempt
# through the simulated board on a pseudo-terminal, three wrong passwords and the lockout across
# a restart, a kill -9 in the middle of an attempt, then `audit verify`, `list` and `export`.
# The two models are small owner CNNs trained here in seconds; the thresholds are set so that both
# layers pass, because this test is about the flow around the models (tests/access covers every
# branch with chosen scores; the demo runs the real demo models).
#   run.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sim_flow_config 600 > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
small_model config.yaml models/owner.h5

lc owner add alice --phone +15550001 >/dev/null
echo 2468 | lc owner set-password alice >/dev/null
lc owner list | grep -q '^alice .*password yes' || fail "owner list: $(lc owner list)"
echo abcd | lc owner set-password alice 2>/dev/null && fail "a keypad cannot type letters"

# What stops a run from starting: one line naming the input, and the exit code of its kind.
starts_not() {  # starts_not CODE PATTERN SED-EXPRESSION: run with the config changed by SED-EXPRESSION
  sed "$3" config.yaml > broken.yaml
  refuses "$1" "$2" "$lockerctl" -c broken.yaml run --script /dev/null
}
starts_not 4 '^error: models/missing.h5: no such file$' 's|  human_model: models/owner.h5|  human_model: models/missing.h5|'
starts_not 5 "^error: camera '/no/such/camera.mp4': cannot open it$" 's|  source: sim|  source: /no/such/camera.mp4|'
starts_not 2 '^error: board.key_file: var/board.key: no key for the lock board' 's|  poll_ms: 20|  poll_ms: 20\n  port: /dev/no-such-adapter|'
starts_not 5 '^error: serial port /dev/no-such-adapter: No such file or directory$' \
  's|  poll_ms: 20|  poll_ms: 20\n  port: /dev/no-such-adapter\n  secure: off|'

cat > success.script <<'S'
show scenes/owner
press
wait password
type 2468
wait otp
otp
wait open
door open
sleep 300
door close
wait idle
S
lc run --script success.script > success.out 2> success.err || fail "run: $(cat success.err)"
grep -q '^attempts 1, granted 1, denied 0' success.out || fail "success run: $(cat success.out) $(cat success.err)"
grep -q 'lockerctl: your one-time code is [0-9]\{6\}' var/phone/+15550001.txt || fail "no code on the phone"
grep -q '2468' success.err && fail "the password appeared in the log"
# board.secure: required (the default): the simulated board answered inside a secure channel.
lc audit list | grep -q 'board *secure channel *established (key 1 of 1)' || fail "no secure channel: $(lc audit list | head)"

starts_not 2 "^error: broken.yaml:[0-9]*:[0-9]*: motion.zones\[0\].corners: a zone needs at least 3 corners, got 2" \
  's|^camera:|motion:\n  zones:\n    - name: vault\n      corners: 0,0 1,1\ncamera:|'

# Smoke on the board: the default rules sound the siren and light and alert the owner; the lock stays.
printf 'sleep 300\ninput smoke on\nsleep 600\n' > smoke.script
lc run --script smoke.script > smoke.out 2> smoke.err || fail "run: $(cat smoke.err)"
lc audit list > smoke-audit.txt
grep -q 'sensor *alarm *smoke (input 2); then siren light alert' smoke-audit.txt || fail "no smoke alarm: $(tail -8 smoke-audit.txt)"
grep -q 'actuator *on *siren (output 1) for 300 s' smoke-audit.txt || fail "no siren: $(tail -8 smoke-audit.txt)"
grep -q 'actuator *on *light (output 2) for 300 s' smoke-audit.txt || fail "no light: $(tail -8 smoke-audit.txt)"
grep -q 'the smoke sensor at your locker went off' var/phone/+15550001.txt || fail "no smoke alert on the phone"
starts_not 2 "^error: broken.yaml:[0-9]*:[0-9]*: rules\[0\].then: 'horn' is neither an action nor an actuator" \
  's|^camera:|rules:\n  - when: smoke\n    then: horn\ncamera:|'

# A board that refuses the secure channel may be an attacker's: run starts anyway with the locker
# locked, raises a link-attack alarm (audit entry, alert, photo), starts no attempt (nobody goes
# through the layers or gets a code for a locker that cannot open) and sends the board no OUT.
"$lockerctl" board simulate --pty --plain --link plain.tty --script /dev/null > plain-board.out 2>&1 &
plain=$!
trap 'kill $plain 2> /dev/null || true' EXIT
for _ in $(seq 1 100); do [ -L plain.tty ] && break; sleep 0.05; done
(umask 077 && echo 000102030405060708090a0b0c0d0e0f > var/board.key)
sed 's|  poll_ms: 20|  poll_ms: 20\n  port: plain.tty|' config.yaml > plain.yaml
printf 'show scenes/owner\npress\nsleep 300\n' > plain.script
codes_before=$(grep -c 'one-time code' var/phone/+15550001.txt)
"$lockerctl" -c plain.yaml run --script plain.script > plain.out 2> plain.err || fail "run: $(cat plain.err)"
kill $plain
grep -q '^error: board at address 0 does not speak the secure channel .*; the locker stays locked' plain.err ||
  fail "no error line: $(cat plain.err)"
lc audit list > plain-audit.txt
grep -q 'board *link attack *board at address 0 does not speak the secure channel' plain-audit.txt ||
  fail "no link-attack alarm: $(tail -12 plain-audit.txt)"
grep -q 'board *out of service' plain-audit.txt || fail "the attempt was not refused: $(tail -12 plain-audit.txt)"
grep -q 'tampering with the wires of your locker' var/phone/+15550001.txt || fail "no link-attack alert on the phone"
[ "$(grep -c 'one-time code' var/phone/+15550001.txt)" = "$codes_before" ] || fail "a code was sent for a locker that cannot open"
grep -q 'lock released' plain-board.out && fail "the plain board was opened: $(cat plain-board.out)"
rm var/board.key

# Three wrong passwords, with incident clips: the photo and an H.264 MP4 beside it.
{ printf 'clips:\n  enabled: true\n  before_s: 1\n  after_s: 0.5\n'; cat config.yaml; } > clips.yaml && mv clips.yaml config.yaml
wrong_passwords_script > wrong.script
lc run --script wrong.script > wrong.out 2> wrong.err || fail "run: $(cat wrong.err)"
grep -q 'report it to the police' var/phone/+15550001.txt || fail "no police advice: $(cat var/phone/+15550001.txt)"
ls var/incidents/*/frame.jpg > /dev/null || fail "no incident photo"
clip=$(ls var/incidents/*/clip.mp4) || fail "no incident clip: $(ls -R var/incidents)"
[ "$(head -c 8 "$clip" | tail -c 4)" = ftyp ] || fail "$clip is not an MP4"
lc audit list > clip-audit.txt
grep -q "evidence *clip .*frames" clip-audit.txt || fail "the clip is not in the audit log: $(tail -5 clip-audit.txt)"
printf 'press\nsleep 500\n' > again.script
lc run --script again.script > again.out 2> again.err || fail "run: $(cat again.err)"
grep -q 'lockout: deny' again.err || fail "the lockout did not survive the restart: $(cat again.err)"
lc owner list | grep -q 'LOCKED OUT' || fail "owner list shows no lockout"

# kill -9 in the middle of an attempt: nothing committed is lost, the database is intact.
sqlite3 var/lockerctl.db "UPDATE owners SET locked_until = 0"
printf 'show scenes/owner\npress\nwait password\nsleep 100000\n' > long.script
"$lockerctl" -c config.yaml run --script long.script > long.out 2> long.err &  # not through lc: $! must be lockerctl
pid=$!
for _ in $(seq 1 200); do grep -q 'password: enter it now' long.err 2>/dev/null && break; sleep 0.05; done
grep -q 'password: enter it now' long.err || { kill -9 $pid; fail "the attempt did not reach the password: $(cat long.err)"; }
kill -9 $pid
wait $pid 2>/dev/null || true
lc audit verify > verify.out || fail "audit verify after kill -9: $(cat verify.out)"
lc audit list > after-kill.txt
grep -q 'owner *pass' after-kill.txt || fail "the committed layer-2 pass was lost"
grep -q 'password *timeout' after-kill.txt && fail "the run went on after kill -9"

# The console: Enter asks for access, lines are the password and the code; SIGTERM stops the run
# cleanly (exit 0, "stopped" in the audit log).
sed 's|^  source: sim|  source: scenes/owner|' config.yaml > console.yaml
printf '  input: console\n' >> console.yaml
mkfifo keys
"$lockerctl" -c console.yaml run < keys > console.out 2> console.err &
pid=$!
exec 4> keys
await() { for _ in $(seq 1 200); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.05; done; kill -9 $pid; fail "no '$1' in $2: $(cat "$2")"; }
codes_before=$(grep -c 'one-time code' var/phone/+15550001.txt)
echo >&4
await 'password: enter it now' console.err
echo 2468 >&4
for _ in $(seq 1 200); do [ "$(grep -c 'one-time code' var/phone/+15550001.txt)" -gt "$codes_before" ] && break; sleep 0.05; done
grep 'one-time code' var/phone/+15550001.txt | tail -1 | grep -o '[0-9]\{6\}' >&4
await 'access: granted' console.err
kill -TERM $pid
wait $pid || fail "run stopped by SIGTERM exited $?"
exec 4>&-
grep -q 'system: stopped' console.err || fail "no clean stop: $(cat console.err)"

lc owner enroll-totp alice > totp.out
grep -q '^otpauth://totp/lockerctl:alice?secret=[A-Z2-7]*&issuer=lockerctl' totp.out || fail "$(cat totp.out)"
grep -q '█' totp.out || fail "no QR code"
"$lockerctl" -c console.yaml owner enroll-face alice --count 3 --out faces > faces.out
[ "$(ls faces | wc -l)" = 3 ] || fail "enroll-face: $(cat faces.out)"

lc audit export --json --out audit.json
grep -q '"decision": "granted"' audit.json \
  || fail "export has no granted event"
lc audit export --since 2000-01-01 > audit.csv
head -1 audit.csv | grep -q '^id,time,attempt,layer,decision,score,threshold,image,detail$' || fail "CSV header"

# Editing a row is found.
sqlite3 var/lockerctl.db "UPDATE audit SET decision = 'pass' WHERE layer = 'password' AND decision = 'deny'"
set +e
lc audit verify > broken.out
code=$?
set -e
[ "$code" = 1 ] || fail "audit verify of an edited log exited $code"
grep -q 'BROKEN at row' broken.out || fail "$(cat broken.out)"
echo "ok: run, lockout across restart, kill -9, console and SIGTERM, owners, audit verify/list/export"
