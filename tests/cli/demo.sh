#!/usr/bin/env bash
# scripts/demo.sh (the main job) in a copy of the scripts, configs and recipes, on the lockerctl
# built here:
#   demo.sh LOCKERCTL WORKDIR SOURCE_DIR real SHARED_DATA   the real demo on the team's copy of
#       the data (skipped when it or the face models are absent): layer 1 trained from ImageNet
#       weights on human_people, its per-source table, and the four outcomes of the locker run
#   demo.sh LOCKERCTL WORKDIR SOURCE_DIR synthetic          no data and no network: one line says
#       what is missing and how to get it, and the synthetic demo runs to the end
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$3 mode=$4
mkdir -p clone/models
cp -r "$src/scripts" "$src/configs" "$src/datasets" clone/
export LOCKERCTL_BUILD_DIR=$(dirname "$lockerctl")/..
if [ "$mode" = real ]; then
  shared=$5
  needs "$shared/mobilenet_v2" "$shared/people" "$shared/lfw_subset" "$shared/spoof_samples" \
        "$src/models/face/face_recognition_model.bin" "$src/models/face/yunet_120x160.onnx"
  mkdir -p shared && ln -s "$(realpath "$shared")" shared/data   # clone/../shared/data
  ln -s "$src/models/face" clone/models/face
else
  # No network, whatever this machine has.
  export https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY=
  export LOCKERCTL_SHARED_DATA=$work/nowhere
fi
cd clone
scripts/demo.sh --no-build > demo.out 2>&1 || fail "demo.sh exited $?: $(tail -20 demo.out)"

if [ "$mode" = real ]; then
  grep -q "^== done: the REAL demo" demo.out || fail "not the real demo: $(grep '^== ' demo.out)"
  grep -q "trained human on human_people: 30 epoch(s)" demo.out || fail "layer 1 was not trained on human_people"
  grep -q "^models/human.h5 on human_people (test): precision" demo.out || fail "no evaluation: $(grep -A3 'evaluate' demo.out)"
  for s in people/inria rooms/locker_room faces/lfw objects/cifar; do
    grep -q "^  $s: [0-9]* image(s), accuracy" demo.out || fail "no per-source row for $s"
  done
  for outcome in "-1 access: granted" "-2 owner: deny" "-3 human: deny" "-4 liveness: deny"; do
    grep -q -- "$outcome" demo.out || fail "the run did not end with '$outcome': $(grep ' A2' demo.out)"
  done
  [ "$(ls var/real/incidents | wc -l)" = 2 ] || fail "expected the stranger's and the spoof's incident photos"
else
  grep -q "^== real data not here (missing: the ImageNet weights; the photos (human_people lfw_subset/identities spoof_samples) under data/sources; the face models): scripts/demo.sh --fetch fetches it; running the SYNTHETIC demo instead$" demo.out ||
    fail "the fallback does not say what is missing: $(grep '^== ' demo.out)"
  grep -q "^== done: the SYNTHETIC demo" demo.out || fail "the synthetic demo did not finish: $(tail demo.out)"
  grep -q "attempts 3, granted 1, denied 2" demo.out || fail "the synthetic run: $(grep attempts demo.out)"
fi
echo "ok: demo $mode"
