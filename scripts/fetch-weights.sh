#!/usr/bin/env bash
# Downloads Keras' MobileNetV2 ImageNet weights (no top) from the Keras applications weight store,
# checks them, and imports them into a lockerctl model file. The only download lockerctl makes.
#
#   scripts/fetch-weights.sh [ALPHA] [SIZE]      defaults: 1.0 224
#
# Checks, in order: the HTTP download succeeded; the size is the one the store serves (known for
# 1.0/224: 9,406,464 bytes); the SHA-256 matches the pin in scripts/weights.sha256 when that file
# lists this name (otherwise the hash is printed and pinned there, so later downloads must match);
# `lockerctl weights import` accepts every one of the 260 tensors by name and shape.
set -euo pipefail
cd "$(dirname "$0")/.."

alpha=${1:-1.0}
size=${2:-224}
name="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${alpha}_${size}_no_top.h5"
url="https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/${name}"
dest_dir=models/keras
dest="${dest_dir}/${name}"
pins=scripts/weights.sha256
out=models/mobilenet_v2_imagenet.h5
lockerctl=${LOCKERCTL_BUILD_DIR:-build}/cli/lockerctl

mkdir -p "$dest_dir"
if [ ! -f "$dest" ]; then
  command -v curl >/dev/null || { echo "fetch-weights: curl is not installed (apt-get install curl)" >&2; exit 1; }
  tmp="${dest}.part"
  echo "fetch-weights: downloading $url" >&2
  if ! curl -fL --retry 3 --connect-timeout 20 -o "$tmp" "$url"; then
    rm -f "$tmp"
    echo "fetch-weights: download failed: $url (no internet access?)" >&2
    exit 1
  fi
  mv "$tmp" "$dest"
fi

bytes=$(stat -c %s "$dest")
if [ "$alpha" = "1.0" ] && [ "$size" = "224" ] && [ "$bytes" -ne 9406464 ]; then
  echo "fetch-weights: $dest has $bytes bytes, expected 9406464; removing it" >&2
  rm -f "$dest"
  exit 1
fi

sum=$(sha256sum "$dest" | cut -d' ' -f1)
pinned=$(awk -v n="$name" '$2 == n { print $1 }' "$pins" 2>/dev/null || true)
if [ -n "$pinned" ]; then
  if [ "$pinned" != "$sum" ]; then
    echo "fetch-weights: $dest has SHA-256 $sum, pinned $pinned in $pins; removing it" >&2
    rm -f "$dest"
    exit 1
  fi
else
  echo "$sum  $name" >> "$pins"
  echo "fetch-weights: pinned SHA-256 $sum for $name in $pins (commit it)" >&2
fi

"$lockerctl" weights import --from keras "$dest" --out "$out"
