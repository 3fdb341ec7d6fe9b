#!/usr/bin/env bash
# Fetches the face models lockerctl runs into models/face/ and checks each against the SHA-256
# pinned in scripts/face-models.sha256 (a file that does not match is removed, never used):
#   yunet_120x160.onnx    YuNet face detector, the 2022mar export that OpenCV 4.6 loads (MIT)
#                         github ShiqiYu/libfacedetection.train @ 1688402, tasks/task1/onnx/
#   MiniFASNetV2.onnx     Silent-Face-Anti-Spoofing liveness models, ONNX exports (Apache-2.0)
#   MiniFASNetV1SE.onnx   github yakhyo/face-anti-spoofing @ c175efe (tag weights), weights/
#
#   scripts/fetch-face-models.sh               download from the public origins above
#   scripts/fetch-face-models.sh --from DIR    copy from a folder that already holds them
#                                              (an offline mirror, e.g. ../shared/data/face_models)
# Files already in models/face/ with the right hash are kept. Exit 1 naming what failed.
set -euo pipefail
cd "$(dirname "$0")/.."

from=
if [ "${1:-}" = "--from" ]; then
  from=${2:?--from needs a folder}
elif [ $# -gt 0 ]; then
  echo "usage: scripts/fetch-face-models.sh [--from DIR]" >&2
  exit 64
fi

declare -A origin=(
  [yunet_120x160.onnx]=https://github.com/ShiqiYu/libfacedetection.train/raw/1688402dbd9b9fc4a3a6793810f558b7407ff384/tasks/task1/onnx/yunet_120x160.onnx
  [MiniFASNetV2.onnx]=https://github.com/yakhyo/face-anti-spoofing/raw/c175efef505bc275f7835cc9aa2aecab305ac184/weights/MiniFASNetV2.onnx
  [MiniFASNetV1SE.onnx]=https://github.com/yakhyo/face-anti-spoofing/raw/c175efef505bc275f7835cc9aa2aecab305ac184/weights/MiniFASNetV1SE.onnx
)
pins=scripts/face-models.sha256
dest=models/face
mkdir -p "$dest"

matches() {  # matches FILE NAME: the file's SHA-256 is the pinned one
  local want
  want=$(awk -v n="$2" '$2 == n { print $1 }' "$pins")
  [ -n "$want" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$want" ]
}

for name in "${!origin[@]}"; do
  target="$dest/$name"
  if [ -f "$target" ] && matches "$target" "$name"; then
    echo "fetch-face-models: $target is present and matches its pin"
    continue
  fi
  part="$target.part"
  if [ -n "$from" ]; then
    cp "$from/$name" "$part" && chmod 0644 "$part" || { echo "fetch-face-models: $from/$name: cannot copy it" >&2; rm -f "$part"; exit 1; }
  else
    command -v curl >/dev/null || { echo "fetch-face-models: curl is not installed (apt-get install curl)" >&2; exit 1; }
    if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$part" "${origin[$name]}"; then
      rm -f "$part"
      echo "fetch-face-models: download failed: ${origin[$name]} (no internet access? try --from DIR)" >&2
      exit 1
    fi
  fi
  if ! matches "$part" "$name"; then
    echo "fetch-face-models: $name has SHA-256 $(sha256sum "$part" | cut -d' ' -f1), not the one pinned in $pins; removed" >&2
    rm -f "$part"
    exit 1
  fi
  mv "$part" "$target"
  echo "fetch-face-models: $target (SHA-256 checked)"
done
