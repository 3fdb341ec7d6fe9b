#!/usr/bin/env bash
# The CI regression gate: a small, deterministic owner-CNN run on synthetic data, evaluated
# against the committed baseline (reports/ci-synthetic-owner/baseline.json). Exits 1, naming each
# metric, when one falls by more than 0.01.
#   ci_gate.sh LOCKERCTL WORKDIR BASELINE
set -euo pipefail
baseline=$3
. "$(dirname "$0")/lib.sh"
# One thread: the same floating-point sums, so the same model, on every run.
printf 'paths:\n  data_dir: data\n  models_dir: models\nruntime:\n  threads: 1\ndata:\n  workers: 1\nowner:\n  image_size: 32\ntrain:\n  epochs: 25\n  batch_size: 16\nface:\n  detector: whole_frame\n' > config.yaml
"$lockerctl" -c config.yaml -q dataset synth --task owner --per-class 60 --size 32 --seed 7 >/dev/null
"$lockerctl" -c config.yaml -q dataset prepare -d data/synthetic-owner --task owner >/dev/null
"$lockerctl" -c config.yaml -q train owner -d synthetic-owner >/dev/null
"$lockerctl" -c config.yaml evaluate models/owner.h5 -d synthetic-owner --report-dir report \
  --baseline "$baseline" --tolerance 0.01
