#!/usr/bin/env bash
# Regenerates tests/inference/face_descriptors_golden.json: the descriptors face-api itself
# computes (in Node, TensorFlow.js CPU backend, offline once installed) for the aligned face chips
# lockerctl makes, which test_face_embedder compares with lockerctl's LibTorch port (within 1e-4).
#
#   scripts/face-golden.sh [SHARED_DATA]     default ../shared/data
#
# Needs: a build (scripts/build.sh), the face models (scripts/fetch-face-models.sh), Node 18+ and
# npm (its registry: face-api 1.7.15, tfjs 4.22.0 and pngjs 7.0.0 go into a temporary folder).
# The chips: 8 LFW photos (two of each of the first four identities of lfw_subset) aligned from
# their YuNet landmarks, which the golden file keeps so that the test rebuilds the same chips
# without the detector, plus one synthetic pattern that needs no data at all.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(realpath "${1:-../shared/data}")
lockerctl=${LOCKERCTL_BIN:-build/cli/lockerctl}
out=tests/inference/face_descriptors_golden.json
[ -x "$lockerctl" ] || { echo "face-golden: $lockerctl not built (scripts/build.sh)" >&2; exit 1; }
[ -d "$shared/lfw_subset/identities" ] || { echo "face-golden: $shared/lfw_subset/identities: not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
images=()
for person in $(ls "$shared/lfw_subset/identities" | head -4); do
  for photo in $(ls "$shared/lfw_subset/identities/$person" | head -2); do
    images+=("$shared/lfw_subset/identities/$person/$photo")
  done
done
"$lockerctl" --config configs/default.yaml face check --json --chips "$work/chips" "${images[@]}" > "$work/faces.jsonl"

(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
  @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 pngjs@7.0.0)
cp scripts/face-golden.cjs "$work/"
(cd "$work" && node face-golden.cjs faces.jsonl "$shared") > "$out.part"
mv "$out.part" "$out"
echo "face-golden: wrote $out"
