#!/usr/bin/env bash
# The soak of docs/performance.md: ATTEMPTS simulated attempts through one `lockerctl run`, with
# the resident memory of that process printed each time the count of attempts passes a multiple of
# EVERY (the count is looked at twice a second).
#
#   scripts/soak-run.sh [ATTEMPTS [WORKDIR [EVERY]]]
#   (ATTEMPTS: 10000; WORKDIR: a new temporary folder; EVERY: 1000)
#
# The station is the simulated one of the tests: the simulated camera and lock board (secure
# channel), the SQLite audit log, the outbox and the simulated phone, the local incident folder.
# Both layers are a small owner CNN trained here in seconds on synthetic scenes, with thresholds
# that let them pass: the soak is about the flow around the models (lockerctl bench run --soak
# times and soaks the models themselves). Nine attempts in ten are granted (password, one-time
# code, door opened and closed, an opening alert); every tenth is three wrong passwords (a denial:
# photo stored, alert sent). LOCKERCTL names the binary (default: build/cli/lockerctl).
set -euo pipefail

attempts=${1:-10000}
work=${2:-$(mktemp -d)}
every=${3:-1000}
lockerctl=$(realpath -m "${LOCKERCTL:-build/cli/lockerctl}")
for n in "$attempts" "$every"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "soak-run: ATTEMPTS and EVERY must be positive whole numbers, got '$n'" >&2; exit 2; }
done
[ -x "$lockerctl" ] || { echo "soak-run: $lockerctl: no such program (build first, or set LOCKERCTL)" >&2; exit 2; }
mkdir -p "$work"
cd "$work"

cat > config.yaml <<'YAML'
paths:
  data_dir: data
  models_dir: models
  var_dir: var
owner:
  image_size: 32
  method: cnn
train:
  epochs: 1
camera:
  source: sim
  frames: 2
face:
  detector: whole_frame
liveness:
  enabled: false
board:
  poll_ms: 20
access:
  owner: alice
  human_model: models/owner.h5
  owner_model: models/owner.h5
  human_threshold: 0.000001
  owner_threshold: 0.000001
  unlock_s: 0.25
  lockout_s: 0
  input_timeout_s: 10
YAML
lc() { "$lockerctl" -c config.yaml -q "$@" > /dev/null; }
lc dataset synth --task owner --per-class 8 --size 32 --out scenes
lc dataset prepare -d scenes --task owner
lc train owner -d scenes --run-dir run --out models/owner.h5
lc owner add alice --phone +15550001
echo 2468 | lc owner set-password alice

for ((i = 1; i <= attempts; i++)); do
  if ((i % 10 == 0)); then
    printf 'show scenes/owner\npress\nwait password\ntype 1111\ntype 1111\ntype 1111\nwait idle\n'
  else
    printf 'show scenes/owner\npress\nwait password\ntype 2468\nwait otp\notp\nwait open\ndoor open\nsleep 50\ndoor close\nwait idle\n'
  fi
done > soak.script

start=$(date +%s)
"$lockerctl" -c config.yaml run --script soak.script > run.out 2> run.err &
run=$!
trap 'kill $run 2> /dev/null || true' EXIT
rss() { awk -v k="$1:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$run/status" 2> /dev/null; }
echo "soak: $attempts attempts through lockerctl run in $work"
next=$every
while kill -0 "$run" 2> /dev/null; do
  done_now=$(grep -c ' trigger: start' run.err || true)
  if ((done_now >= next)); then
    echo "soak: $(printf '%6d' "$done_now") attempts  resident $(rss VmRSS) MB  (peak $(rss VmHWM) MB)  $(($(date +%s) - start)) s"
    next=$((next + every))
  fi
  sleep 0.5
done
wait "$run" || { echo "soak-run: lockerctl run failed: $(tail -3 run.err)" >&2; exit 1; }
trap - EXIT
seconds=$(($(date +%s) - start))
echo "soak: done in $seconds s: $(tail -1 run.out)"
