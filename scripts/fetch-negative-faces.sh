#!/usr/bin/env bash
# Fetches the faces of other people that `lockerctl owner train` (owner.method: cnn) learns the
# not-owner class from, into datasets/negative_faces/ (owner.negatives), and checks each photo
# against the SHA-256 pinned in scripts/negative-faces.sha256 (a photo that does not match is
# removed, never used).
#   The photos: the 1,527 people of Labeled Faces in the Wild (Huang et al. 2007) with exactly one
#   photo each among those LFW lists (the original 250x250 JPEGs, one face in the centre). Research
#   use; the photos are news photos owned by others. Origin: the LFW site's repository,
#   github umass-vis-lfw/umass-vis-lfw.github.io @ 2a620cd, images/<Name>/<Name>_0001.jpg.
#
#   scripts/fetch-negative-faces.sh              download from the origin above (1,527 files)
#   scripts/fetch-negative-faces.sh --from DIR   copy from a folder that already holds them (an
#                                                offline mirror, e.g. ../shared/data/lfw_subset/singles);
#                                                what it lacks comes from the origin
# Photos already in place with the right hash are kept. Exit 1 after naming how many failed.
set -uo pipefail
cd "$(dirname "$0")/.."

from=
if [ "${1:-}" = "--from" ]; then
  from=${2:?--from needs a folder}
elif [ $# -gt 0 ]; then
  echo "usage: scripts/fetch-negative-faces.sh [--from DIR]" >&2
  exit 64
fi

origin=https://github.com/umass-vis-lfw/umass-vis-lfw.github.io/raw/2a620cd8cceb10430f8c7012fe9fa5f0837759e9/images
pins=scripts/negative-faces.sha256
dest=datasets/negative_faces
mkdir -p "$dest"

# fetch_one SHA NAME: prints nothing on success, one line naming the photo otherwise.
fetch_one() {
  local want=$1 name=$2 part
  part=$(mktemp "$dest/.$name.XXXXXX")
  if [ -n "$from" ] && [ -f "$from/$name" ]; then
    cp "$from/$name" "$part" || { echo "$name: cannot copy $from/$name"; rm -f "$part"; return 0; }
  elif ! curl -fsSL --retry 3 --connect-timeout 20 -o "$part" "$origin/${name%_0001.jpg}/$name"; then
    echo "$name: download failed: $origin/${name%_0001.jpg}/$name"
    rm -f "$part"
    return 0
  fi
  if [ "$(sha256sum "$part" | cut -d' ' -f1)" != "$want" ]; then
    echo "$name: wrong SHA-256, removed"
    rm -f "$part"
    return 0
  fi
  chmod 0644 "$part" && mv -f "$part" "$dest/$name"
}
export -f fetch_one
export dest from origin

[ -n "$from" ] || command -v curl >/dev/null || { echo "fetch-negative-faces: curl is not installed (apt-get install curl)" >&2; exit 1; }
# One pass checks what is in place; only the photos missing or wrong are fetched.
needed=$(cd "$dest" && sha256sum -c "$OLDPWD/$pins" 2>/dev/null | sed -n 's/: FAILED.*$//p')
failures=$(grep -F -f <(printf '  %s\n' $needed) "$pins" | xargs -r -P 8 -n 2 bash -c 'fetch_one "$0" "$1"')
if [ -n "$failures" ]; then
  echo "$failures" | head -5 | sed 's/^/fetch-negative-faces: /' >&2
  echo "fetch-negative-faces: $(echo "$failures" | wc -l) of $(wc -l < "$pins") photos failed (no internet access? try --from DIR)" >&2
  exit 1
fi
echo "negative faces: $(wc -l < "$pins") photos in $dest (SHA-256 checked)"
