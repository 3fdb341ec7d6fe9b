#!/usr/bin/env bash
# face-api's own pipeline (SSD MobileNet v1 detector, 68 landmarks, its box crop, the same 128-d
# network) on every photo of a folder, in Node, for comparing with lockerctl's pipeline (YuNet, 5
# landmarks, the dlib-template alignment) on the same photos and protocol:
#
#   scripts/face-api-pipeline.sh ../shared/data/lfw_subset/identities > face-api.jsonl
#   build/cli/lockerctl owner benchmark ../shared/data/lfw_subset/identities --descriptors face-api.jsonl
#
# Needs Node 18+ and npm (its registry: face-api 1.7.15, tfjs 4.22.0 with the WebAssembly backend,
# jpeg-js 0.4.4 go into a temporary folder). About 0.7 s a photo on 2 cores.
set -euo pipefail
folder=$(realpath "${1:?usage: scripts/face-api-pipeline.sh FOLDER > descriptors.jsonl}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
  @vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 jpeg-js@0.4.4) >&2
cp "$here/face-api-pipeline.cjs" "$work/"
(cd "$work" && node face-api-pipeline.cjs "$folder") | grep '^{'
