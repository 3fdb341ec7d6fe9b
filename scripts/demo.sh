#!/usr/bin/env bash
# The main command: installs what is missing, builds in Release, and runs lockerctl end to end on
# its embedded defaults. Each later stage of the project adds its step here.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
lockerctl=${LOCKERCTL_BUILD_DIR:-build}/cli/lockerctl

step() { printf '\n== %s\n' "$*"; }

step "lockerctl doctor: this installation"
"$lockerctl" doctor

step "lockerctl config validate configs/default.yaml"
"$lockerctl" config validate configs/default.yaml

step "lockerctl config show: the effective configuration"
"$lockerctl" --config configs/default.yaml config show

step "lockerctl model summary: layer 1 (MobileNetV2 + head) and layer 2 (owner CNN)"
"$lockerctl" model summary

keras=models/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5
if [ -f "$keras" ]; then
  step "lockerctl weights import: ImageNet weights into models/mobilenet_v2_imagenet.h5"
  "$lockerctl" weights import --from keras "$keras" --out models/mobilenet_v2_imagenet.h5
else
  step "ImageNet weights: not downloaded yet (scripts/fetch-weights.sh fetches and imports them)"
fi

demo=(--config configs/demo.yaml)
for task in human owner; do
  step "lockerctl dataset synth + prepare + inspect: a small SYNTHETIC $task dataset"
  "$lockerctl" "${demo[@]}" dataset synth --task $task --per-class 60 --size 64
  "$lockerctl" "${demo[@]}" dataset prepare --dataset data/demo/synthetic-$task --task $task
  "$lockerctl" "${demo[@]}" dataset inspect synthetic-$task

  step "lockerctl train $task, then evaluate on the test split (synthetic data, configs/demo.yaml)"
  rm -rf runs/demo-$task
  "$lockerctl" "${demo[@]}" train $task -d synthetic-$task --run-dir runs/demo-$task
  "$lockerctl" "${demo[@]}" evaluate models/demo/$task.h5 -d synthetic-$task --report-dir reports/demo-$task
done

step "lockerctl finetune human: the top MobileNetV2 blocks learn again"
rm -rf runs/demo-human-finetune
"$lockerctl" "${demo[@]}" finetune human -d synthetic-human --from models/demo/human.h5 \
  --epochs 2 --run-dir runs/demo-human-finetune
