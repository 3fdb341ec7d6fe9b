#!/usr/bin/env bash
# A training run killed with SIGKILL at an arbitrary moment leaves a readable checkpoint, and
# --resume finishes the run.
#   kill_resume.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
printf 'paths:\n  data_dir: data\nowner:\n  image_size: 32\nface:\n  detector: whole_frame\n' > config.yaml
"$lockerctl" -c config.yaml -q dataset synth --task owner --per-class 30 --size 32 >/dev/null
"$lockerctl" -c config.yaml -q dataset prepare -d data/synthetic-owner --task owner >/dev/null

"$lockerctl" -c config.yaml -q train owner -d synthetic-owner --epochs 400 --run-dir run --out owner.h5 &
pid=$!
for _ in $(seq 1 600); do   # wait (up to 60 s) for the first checkpoint
  [ -f run/checkpoint.pt ] && break
  sleep 0.1
done
[ -f run/checkpoint.pt ] || { kill -9 $pid; fail "no checkpoint appeared"; }
sleep 0.$((RANDOM % 10))
kill -9 $pid
wait $pid 2>/dev/null || true
epochs_done=$(($(wc -l < run/metrics.csv) - 1))
echo "killed after $epochs_done epoch(s)"
ls run | grep -q '\.tmp-' && echo "note: an unfinished temp file was left (ignored by readers)"

"$lockerctl" -c config.yaml -q model summary run/best.h5 >/dev/null
target=$((epochs_done + 2))
"$lockerctl" -c config.yaml -q train owner -d synthetic-owner --epochs "$target" --run-dir run --out owner.h5 --resume >/dev/null
lines=$(($(wc -l < run/metrics.csv) - 1))
[ "$lines" -eq "$target" ] || fail "metrics.csv has $lines epochs, expected $target"
"$lockerctl" -c config.yaml -q model summary owner.h5 >/dev/null
echo "ok: resumed to epoch $target"
