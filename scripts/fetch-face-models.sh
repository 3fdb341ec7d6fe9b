#!/usr/bin/env bash
# Fetches the face models lockerctl runs into models/face/ and checks each against the SHA-256
# pinned in scripts/face-models.sha256 (a file that does not match is removed, never used):
#   yunet_120x160.onnx    YuNet face detector, the 2022mar export that OpenCV 4.6 loads (MIT)
#                         github ShiqiYu/libfacedetection.train @ 1688402, tasks/task1/onnx/
#   MiniFASNetV2.onnx     Silent-Face-Anti-Spoofing liveness models, ONNX exports (Apache-2.0)
#   MiniFASNetV1SE.onnx   github yakhyo/face-anti-spoofing @ c175efe (tag weights), weights/
#   face_recognition_model.bin + face_recognition_model-weights_manifest.json
#                         the 128-d face embedding ResNet of npm @vladmandic/face-api@1.7.15 (MIT),
#                         taken from the package tarball (its SHA-256 is pinned too) on the npm
#                         registry; only these two files of it are kept
#
#   scripts/fetch-face-models.sh               download from the public origins above
#   scripts/fetch-face-models.sh --from DIR    copy from a folder that already holds them
#                                              (an offline mirror, e.g. ../shared/data/face_models);
#                                              what it lacks comes from the public origins
# Files already in models/face/ with the right hash are kept. Every model is tried; exit 1 after
# naming each one that failed.
set -uo pipefail
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
face_api_tgz=face-api-1.7.15.tgz
face_api_url=https://registry.npmjs.org/@vladmandic/face-api/-/$face_api_tgz
face_api_files=(face_recognition_model.bin face_recognition_model-weights_manifest.json)
pins=scripts/face-models.sha256
dest=models/face
mkdir -p "$dest"
failed=()

matches() {  # matches FILE NAME: the file's SHA-256 is the pinned one
  local want
  want=$(awk -v n="$2" '$2 == n { print $1 }' "$pins")
  [ -n "$want" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$want" ]
}

# get NAME URL PART: copies NAME from --from DIR when it is there, else downloads URL, into PART;
# then checks the pin. Returns 1 after saying why.
get() {
  local name=$1 url=$2 part=$3
  if [ -n "$from" ] && [ -f "$from/$name" ]; then
    cp "$from/$name" "$part" && chmod 0644 "$part" || { echo "fetch-face-models: $from/$name: cannot copy it" >&2; rm -f "$part"; return 1; }
  else
    command -v curl >/dev/null || { echo "fetch-face-models: curl is not installed (apt-get install curl)" >&2; return 1; }
    if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$part" "$url"; then
      rm -f "$part"
      echo "fetch-face-models: download failed: $url (no internet access? try --from DIR)" >&2
      return 1
    fi
  fi
  if ! matches "$part" "$name"; then
    echo "fetch-face-models: $name has SHA-256 $(sha256sum "$part" | cut -d' ' -f1), not the one pinned in $pins; removed" >&2
    rm -f "$part"
    return 1
  fi
}

for name in "${!origin[@]}"; do
  target="$dest/$name"
  if [ -f "$target" ] && matches "$target" "$name"; then
    echo "fetch-face-models: $target is present and matches its pin"
  elif get "$name" "${origin[$name]}" "$target.part"; then
    mv "$target.part" "$target"
    echo "fetch-face-models: $target (SHA-256 checked)"
  else
    failed+=("$name")
  fi
done

present=1
for name in "${face_api_files[@]}"; do
  [ -f "$dest/$name" ] && matches "$dest/$name" "$name" || present=0
done
if [ $present = 1 ]; then
  echo "fetch-face-models: $dest/${face_api_files[0]} and its manifest are present and match their pins"
else
  unpack=$(mktemp -d)
  if get "$face_api_tgz" "$face_api_url" "$unpack/$face_api_tgz" &&
     tar -xzf "$unpack/$face_api_tgz" -C "$unpack" "${face_api_files[@]/#/package/model/}"; then
    for name in "${face_api_files[@]}"; do
      if matches "$unpack/package/model/$name" "$name"; then
        mv "$unpack/package/model/$name" "$dest/$name"
        echo "fetch-face-models: $dest/$name (from $face_api_tgz, SHA-256 checked)"
      else
        echo "fetch-face-models: $name in $face_api_tgz does not match its pin" >&2
        failed+=("$name")
      fi
    done
  else
    failed+=("${face_api_files[@]}")
  fi
  rm -rf "$unpack"
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "fetch-face-models: not fetched: ${failed[*]}" >&2
  exit 1
fi
