#!/usr/bin/env bash
# The main command: installs what is missing, builds in Release, and runs lockerctl end to end.
#
#   scripts/demo.sh            the REAL demo when the ImageNet weights, the human_people photos and
#                              the face models are here (../shared/data, or fetched before);
#                              otherwise one line says what is missing and the SYNTHETIC demo runs
#   scripts/demo.sh --fetch    fetches them first from their public origins (about 135 MB, hashes
#                              checked), then runs the real demo
#   ... --no-build             skips installing and building: runs the lockerctl already built in
#                              $LOCKERCTL_BUILD_DIR (default build/), e.g. from a copy of the
#                              scripts and configs (tests/cli/demo.sh)
#
# Real: layer 1 (MobileNetV2 from ImageNet weights) trained on human_people and evaluated per
# source; an owner enrolled from five LFW photos; the simulated locker (configs/run.real.yaml) on
# real photos: the owner granted after password and code, a stranger denied at layer 2, an empty
# room denied at layer 1, a photo held up to the camera denied at liveness.
# Synthetic: both layers trained on drawings (configs/demo.yaml), the same locker on drawings
# (configs/run.sim.yaml). Either way: exit non-zero when a step fails or an outcome differs.
set -euo pipefail
cd "$(dirname "$0")/.."
fetch= build=1
for arg in "$@"; do
  case $arg in
    --fetch) fetch=1 ;;
    --no-build) build= ;;
    *) echo "usage: scripts/demo.sh [--fetch] [--no-build]" >&2; exit 64 ;;
  esac
done
if [ -n "$build" ]; then
  scripts/install-deps.sh
  scripts/build.sh
fi
lockerctl=${LOCKERCTL_BUILD_DIR:-build}/cli/lockerctl
shared=${LOCKERCTL_SHARED_DATA:-../shared/data}

step() { printf '\n== %s\n' "$*"; }

step "lockerctl doctor: this installation"
"$lockerctl" doctor

step "lockerctl config validate configs/default.yaml"
"$lockerctl" config validate configs/default.yaml

step "lockerctl config show: the effective configuration"
"$lockerctl" --config configs/default.yaml config show

step "lockerctl model summary: layer 1 (MobileNetV2 + head) and layer 2 (owner CNN)"
"$lockerctl" model summary

step "lockerctl board simulate + keyset + probe/status: a new lock board over OSDP on a pseudo-terminal, given its Secure Channel key"
rm -f var/demo-board.tty
mkdir -p var
"$lockerctl" -q board simulate --pty --install-mode --link var/demo-board.tty --script /dev/null > /dev/null &
sim=$!
for _ in $(seq 1 100); do [ -L var/demo-board.tty ] && break; sleep 0.05; done
printf 'board:\n  install_mode: true\n' > var/demo-install.yaml
"$lockerctl" -c var/demo-install.yaml board keyset --port var/demo-board.tty
"$lockerctl" board probe --port var/demo-board.tty
"$lockerctl" board status --port var/demo-board.tty
kill $sim
wait $sim 2>/dev/null || true

# What the real demo needs: the ImageNet weights, the photos, the face models.
photos=(human_people lfw_subset/identities spoof_samples)
weights=models/mobilenet_v2_imagenet.h5
keras=models/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5
root=$("$lockerctl" config show | sed -n 's/^  source_root: //p')  # data.source_root
if [ -n "$fetch" ]; then
  step "fetching the real demo's data from the public origins"
  [ -f "$keras" ] || scripts/fetch-weights.sh
  scripts/fetch-datasets.sh "${photos[@]}" --dest "$root"
fi
missing=()
if [ -f "$keras" ]; then
  step "lockerctl weights import: Keras' ImageNet weights into $weights"
  "$lockerctl" weights import --from keras "$keras" --out "$weights"
elif [ -f "$shared/mobilenet_v2/mobilenet_v2_1.0_224_no_top.keras-layout.h5" ]; then
  step "lockerctl weights import: the team's copy of the ImageNet weights (Keras layout) into $weights"
  "$lockerctl" weights import --from keras "$shared/mobilenet_v2/mobilenet_v2_1.0_224_no_top.keras-layout.h5" --out "$weights"
fi
[ -f "$weights" ] || missing+=("the ImageNet weights")
scripts/fetch-datasets.sh "${photos[@]}" --dest "$root" --check > /dev/null 2>&1 || missing+=("the photos (${photos[*]}) under $root")
step "scripts/fetch-face-models.sh: YuNet, the liveness pair and the face embedding network (hashes checked)"
if [ -d "$shared/face_models" ]; then
  scripts/fetch-face-models.sh --from "$shared/face_models" || missing+=("the face models")
else
  scripts/fetch-face-models.sh || missing+=("the face models")
fi

# console VAR_DIR CONFIG_ARGS...: the console that run serves: a self-signed certificate, and an
# operator "admin" whose random password stays in an owner-only file.
console() {
  local var=$1
  shift
  "$lockerctl" "$@" web cert --self-signed
  (umask 077 && openssl rand -hex 12 > "$var/web/admin-password")
  "$lockerctl" "$@" operator add admin --role admin < "$var/web/admin-password"
  echo "console login: admin, password in $var/web/admin-password"
}

# expect_outcomes LOG: the run's log has the four attempts ending as the script means them to.
expect_outcomes() {
  local want
  for want in "-1 access: granted" "-2 owner: deny" "-3 human: deny" "-4 liveness: deny" \
              "attempts 4, granted 1, denied 3"; do
    grep -q -- "$want" "$1" || { echo "demo: the run did not log '$want' (see $1)" >&2; exit 1; }
  done
}

real_demo() {
  local run=(--config configs/run.real.yaml) lfw=$root/lfw_subset/identities
  step "lockerctl dataset prepare + inspect: human_people, 2,000 real photos from 13 sources ($root)"
  "$lockerctl" dataset prepare -d human_people
  "$lockerctl" dataset inspect human_people

  step "lockerctl train human: layer 1, MobileNetV2 frozen on ImageNet weights, a dense sigmoid head (Adam, 30 epochs)"
  rm -rf runs/demo-real-human
  "$lockerctl" train human -d human_people --run-dir runs/demo-real-human

  step "lockerctl evaluate --by-source: layer 1 on the test split it never saw, per source"
  "$lockerctl" evaluate models/human.h5 -d human_people --by-source --report-dir reports/demo-real-human

  step "the scenes: photos training and enrollment never used (data/real/scenes/)"
  rm -rf data/real/scenes var/real   # a fresh station: owners, audit log, outbox, incidents
  mkdir -p data/real/scenes/{owner,stranger,room,printed}
  cp "$lfw/Abdullah_Gul/Abdullah_Gul_0011.jpg" data/real/scenes/owner/
  cp "$lfw/Amelie_Mauresmo/Amelie_Mauresmo_0001.jpg" data/real/scenes/stranger/
  # A room photo the recipe's seeded pick left out of all three splits.
  local room
  room=$(comm -23 <(ls "$root/people/not_person/houses" | LC_ALL=C sort) \
                  <(sed -n 's|^people/not_person/houses/\([^,]*\),.*|\1|p' data/human_people/split.csv | LC_ALL=C sort) | head -1)
  cp "$root/people/not_person/houses/$room" data/real/scenes/room/
  cp "$root/spoof_samples/image_F1.jpg" data/real/scenes/printed/
  ls data/real/scenes/*

  step "lockerctl face check: the faces, and the liveness score of each scene"
  local code=0
  "$lockerctl" face check data/real/scenes --annotate reports/demo-real-faces || code=$?
  [ "$code" -le 1 ] || exit "$code"  # 1: a scene without a face (the room), as it should be

  step "lockerctl owner add + set-password + enroll: alice, from five LFW photos of one person"
  "$lockerctl" "${run[@]}" owner add alice --phone +15550001
  echo 2468 | "$lockerctl" "${run[@]}" owner set-password alice
  "$lockerctl" "${run[@]}" owner enroll alice --photos "$lfw"/Abdullah_Gul/Abdullah_Gul_000[1-5].jpg
  step "lockerctl run: the four layers on a simulated locker, on real photos (configs/run.real.yaml)"
  console var/real "${run[@]}"
  "$lockerctl" "${run[@]}" run 2>&1 | tee var/real/demo-run.log
  expect_outcomes var/real/demo-run.log

  step "lockerctl audit verify + list: the tamper-evident log of that run"
  "$lockerctl" "${run[@]}" audit verify
  "$lockerctl" "${run[@]}" audit list
  echo "simulated phone (var/real/phone/):"
  cat var/real/phone/*.txt
  echo "incident photos: $(ls var/real/incidents | wc -l) in var/real/incidents/"
}

synthetic_demo() {
  local demo=(--config configs/demo.yaml) sim=(--config configs/run.sim.yaml)
  # MobileNetV2 learns from scratch here (no ImageNet weights assumed): it needs more images and
  # epochs than the small owner CNN.
  local -A per_class=([human]=300 [owner]=60) epochs=([human]=30 [owner]=10)
  local task
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

  step "lockerctl run: the four-layer flow on a simulated locker (configs/run.sim.yaml)"
  # Scenes the models never saw: SYNTHETIC images with other seeds.
  "$lockerctl" "${demo[@]}" -q dataset synth --task owner --per-class 4 --size 64 --seed 777 --out data/demo/scenes
  "$lockerctl" "${demo[@]}" -q dataset synth --task human --per-class 4 --size 64 --seed 778 --out data/demo/scenes
  rm -rf var/sim   # a fresh station: owners, audit log, outbox, incidents
  "$lockerctl" "${sim[@]}" owner add alice --phone +15550001
  echo 2468 | "$lockerctl" "${sim[@]}" owner set-password alice
  console var/sim "${sim[@]}"
  "$lockerctl" "${sim[@]}" run

  step "lockerctl audit verify + list: the tamper-evident log of that run"
  "$lockerctl" "${sim[@]}" audit verify
  "$lockerctl" "${sim[@]}" audit list
  echo "simulated phone (var/sim/phone/):"
  cat var/sim/phone/*.txt
}

if [ ${#missing[@]} -eq 0 ]; then
  real_demo
  step "done: the REAL demo (layer 1 trained on real photos, the locker run on real photos)"
else
  step "real data not here (missing: $(printf '%s; ' "${missing[@]}" | sed 's/; $//')): scripts/demo.sh --fetch fetches it; running the SYNTHETIC demo instead"
  synthetic_demo
  step "done: the SYNTHETIC demo (drawings prove the pipeline, not accuracy); scripts/demo.sh --fetch runs the real one"
fi
