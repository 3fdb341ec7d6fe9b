#!/usr/bin/env bash
# The soak of docs/performance.md: ATTEMPTS simulated attempts through one `lockerctl run`, with
# the resident memory of that process printed each time the count of attempts passes a multiple of
# EVERY (the count is looked at twice a second): in all (VmRSS), its anonymous part (RssAnon: the
# heap, where a leak would show; the rest is libraries and model files) and the peak (VmHWM).
#
#   scripts/soak-run.sh [ATTEMPTS [WORKDIR [EVERY]]]
#   (ATTEMPTS: 10000; WORKDIR: a new temporary folder; EVERY: 1000)
#
# The station is the simulated one of the tests: the simulated camera and lock board (secure
# channel), the SQLite audit log, the outbox and the simulated phone, the local incident folder.
# Both layers are a small owner CNN trained here in seconds on synthetic scenes, with thresholds
# that let them pass (tests/cli/lib.sh's sim_flow_config and small_model): the soak is about the
# flow around the models (`lockerctl bench run --soak` times and soaks the models themselves).
# Nine attempts in ten are granted (password, one-time code, door opened and closed, an opening
# alert); every tenth is three wrong passwords (a denial: photo stored, alert sent). LOCKERCTL
# names the binary (default: build/cli/lockerctl).
set -euo pipefail

attempts=${1:-10000}
work=${2:-$(mktemp -d)}
every=${3:-1000}
lockerctl=$(realpath -m "${LOCKERCTL:-build/cli/lockerctl}")
for n in "$attempts" "$every"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "soak-run: ATTEMPTS and EVERY must be positive whole numbers, got '$n'" >&2; exit 2; }
done
[ -x "$lockerctl" ] || { echo "soak-run: $lockerctl: no such program (build first, or set LOCKERCTL)" >&2; exit 2; }
[ ! -e "$work" ] || [ -z "$(ls -A "$work")" ] || { echo "soak-run: $work: not empty; give a new folder" >&2; exit 2; }

# The simulated station of the CLI tests (tests/cli/lib.sh), entered in $work, with a shorter
# release so that the soak spends its time in the flow rather than waiting for the lock.
. "$(dirname "$(realpath "$0")")/../tests/cli/lib.sh" "$lockerctl" "$work"
sim_flow_config 0 | sed 's/^  unlock_s: 0.5$/  unlock_s: 0.25/' > config.yaml
small_model config.yaml models/owner.h5
lc() { "$lockerctl" -c config.yaml -q "$@" > /dev/null; }
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
    echo "soak: $(printf '%6d' "$done_now") attempts  resident $(rss VmRSS) MB  (heap $(rss RssAnon) MB, peak $(rss VmHWM) MB)  $(($(date +%s) - start)) s"
    next=$((next + every))
  fi
  sleep 0.5
done
wait "$run" || { echo "soak-run: lockerctl run failed: $(tail -3 run.err)" >&2; exit 1; }
trap - EXIT
seconds=$(($(date +%s) - start))
echo "soak: done in $seconds s: $(tail -1 run.out)"
