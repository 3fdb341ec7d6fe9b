#!/usr/bin/env bash
# Scores the presentation-attack models of npm @vladmandic/human@3.3.6 (MIT) on a face benchmark
# folder, beside the MiniFASNet pair that lockerctl ships, with the figures docs/faces.md quotes:
# ROC AUC, APCER / BPCER at 0.5, and the threshold for APCER <= 1% chosen on the tuning sources
# with what it gives on the others. They are candidates only: lockerctl does not run them.
#
#   scripts/pad-candidates.sh [DIR [TUNING_SOURCES]]
#   (DIR: ../shared/data/spoof_dev, with real/ and attack/; TUNING_SOURCES: csp,pis,apf, the
#   sources docs/faces.md chose the threshold on; a source is a file name's part before its '_')
#
# The candidates: `antispoof` (128x128 face, one sigmoid: a Kaggle fake-face-detection model) and
# `liveness` (32x32 face, two-way softmax: LivenessNet). Each gets the largest YuNet face of
# `lockerctl face check`, as a square 1.5 times the box's longer side (human's own face crop is
# about that size), resized bilinearly, RGB in 0..1, as human feeds them. A score's direction is
# taken from the tuning sources (1 - score where that ranks real faces higher).
#
# Needs: a build (scripts/build.sh), the face models (scripts/fetch-face-models.sh), Node 18+ and
# npm (its registry: the human tarball, whose SHA-256 is checked, tfjs 4.22.0, jpeg-js, pngjs).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath "${1:-../shared/data/spoof_dev}")
tuning=${2:-csp,pis,apf}
lockerctl=${LOCKERCTL_BIN:-build/cli/lockerctl}
human_tgz=vladmandic-human-3.3.6.tgz
human_sha256=425e9c51dbbca0c8934362b170cb0d54c2529c11c654b3c03092b16e9d6ad3f7
[ -x "$lockerctl" ] || { echo "pad-candidates: $lockerctl not built (scripts/build.sh)" >&2; exit 1; }
[ -d "$dir/real" ] && [ -d "$dir/attack" ] || { echo "pad-candidates: $dir: needs real/ and attack/" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$lockerctl" --config configs/default.yaml face check --json "$dir/real" "$dir/attack" > "$work/faces.jsonl"
(cd "$work" && npm pack --silent @vladmandic/human@3.3.6 > /dev/null)
echo "$human_sha256  $work/$human_tgz" | sha256sum --check --quiet ||
  { echo "pad-candidates: $human_tgz does not match its pinned SHA-256" >&2; exit 1; }
tar -xzf "$work/$human_tgz" -C "$work" package/models/antispoof.json package/models/antispoof.bin \
  package/models/liveness.json package/models/liveness.bin
(cd "$work" && npm init -y > /dev/null && npm install --no-audit --no-fund --silent \
  @tensorflow/tfjs@4.22.0 jpeg-js@0.4.4 pngjs@7.0.0)
cp scripts/pad-candidates.cjs "$work/"
(cd "$work" && node pad-candidates.cjs faces.jsonl package/models "$tuning")
