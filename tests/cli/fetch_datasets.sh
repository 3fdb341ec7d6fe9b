#!/usr/bin/env bash
# scripts/fetch-datasets.sh on a small fixture: files copied from --from and checked against their
# pins, a file there that does not match (corrupted, or cut off by an interrupted run) named and
# replaced, a file that cannot be had named with why, one line per collection when the network is
# down, bad arguments refused; and every source of every shipped recipe pinned with an origin.
#   fetch_datasets.sh LOCKERCTL WORKDIR SOURCE_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fetch=$3/scripts/fetch-datasets.sh
# No network in this test, whatever the machine has: downloads go to a closed port.
export https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 no_proxy= NO_PROXY=

mkdir -p mirror/faces_orl_att/s1 mirror/spoof_samples
head -c 3000 /dev/urandom > mirror/faces_orl_att/s1/1.pgm
head -c 2000 /dev/urandom > mirror/faces_orl_att/s1/2.pgm
head -c 1000 /dev/urandom > mirror/spoof_samples/image_F1.jpg
(cd mirror && sha256sum faces_orl_att/s1/1.pgm faces_orl_att/s1/2.pgm spoof_samples/image_F1.jpg) > pins
echo "$(head -c 10 /dev/urandom | sha256sum | cut -d' ' -f1)  fixture/gone.png" >> pins

# Everything the mirror has arrives checked; what it lacks is named: one line per collection.
code=0
"$fetch" --pins pins --from mirror --dest sources > out 2> err || code=$?
[ "$code" = 1 ] || fail "a file that cannot be had: expected exit 1, got $code: $(cat err)"
for f in faces_orl_att/s1/1.pgm faces_orl_att/s1/2.pgm spoof_samples/image_F1.jpg; do
  cmp -s "mirror/$f" "sources/$f" || fail "$f was not copied: $(cat out err)"
done
[ "$(wc -l < err)" = 1 ] || fail "expected one line for the one collection that failed: $(cat err)"
grep -q "^fetch-datasets: fixture: 1 file(s) not fetched (first: fixture/gone.png: no public origin is known for it, and .*/mirror lacks it)$" err ||
  fail "the missing file is not named with why: $(cat err)"
[ ! -e sources/fixture/gone.png ] || fail "a file that was not fetched is in place"
grep -q "^- \`faces_orl_att\`: .*Samaria & A. Harter" sources/LICENSES.md || fail "terms not recorded: $(cat sources/LICENSES.md)"
grep -q "terms of faces_orl_att" out || fail "terms not printed the first time: $(cat out)"

# A corrupted file and one an interrupted run left half written are named and replaced; files
# in place are not fetched again, and the terms are not printed twice.
grep -v fixture/ pins > pins.ok
echo corrupted > sources/faces_orl_att/s1/1.pgm
head -c 500 mirror/faces_orl_att/s1/2.pgm > sources/faces_orl_att/s1/2.pgm
"$fetch" --pins pins.ok --from mirror --dest sources > out 2> err || fail "repair: $(cat out err)"
grep -q "sources/faces_orl_att/s1/1.pgm does not match its pin; fetching it again" out || fail "the corrupted file is not named: $(cat out)"
grep -q "sources/faces_orl_att/s1/2.pgm does not match its pin; fetching it again" out || fail "the cut-off file is not named: $(cat out)"
grep -q "1 of 3 file(s) in .*/sources already match their pins; fetching 2" out || fail "$(cat out)"
cmp -s mirror/faces_orl_att/s1/1.pgm sources/faces_orl_att/s1/1.pgm || fail "the corrupted file was not replaced"
cmp -s mirror/faces_orl_att/s1/2.pgm sources/faces_orl_att/s1/2.pgm || fail "the cut-off file was not replaced"
! grep -q "terms of" out || fail "terms printed a second time: $(cat out)"
[ "$(grep -c "faces_orl_att" sources/LICENSES.md)" = 1 ] || fail "terms recorded twice: $(cat sources/LICENSES.md)"

# --check fetches nothing and says whether everything is in place.
"$fetch" --pins pins.ok --dest sources --check > out || fail "--check on a complete folder: $(cat out)"
echo corrupted > sources/faces_orl_att/s1/1.pgm
refuses 1 "^fetch-datasets: 1 of 3 file(s) are missing from .*/sources or do not match their pins" "$fetch" --pins pins.ok --dest sources --check
[ "$(cat sources/faces_orl_att/s1/1.pgm)" = corrupted ] || fail "--check changed a file"
"$fetch" --pins pins.ok --from mirror --dest sources > /dev/null || fail "repair after --check"

# A mirror whose copy is wrong: the file is named, and not left in place.
echo tampered > mirror/spoof_samples/image_F1.jpg
rm sources/spoof_samples/image_F1.jpg
refuses 1 "^fetch-datasets: spoof_samples: 1 file(s) not fetched (first: spoof_samples/image_F1.jpg: the copy in .*/mirror does not match its pin)$" \
  "$fetch" --pins pins.ok --from mirror --dest sources
[ ! -e sources/spoof_samples/image_F1.jpg ] || fail "a copy that does not match its pin was left in place"

# No network and no mirror: one line naming the collection and the URL that failed.
refuses 1 "^fetch-datasets: spoof_samples: 1 file(s) not fetched (first: spoof_samples/image_F1.jpg: download failed (no network? --from DIR copies from a local copy): https://github.com/minivision-ai/Silent-Face-Anti-Spoofing/raw/b6d5f04ad78778917853b25c778acef6d5626d15/images/sample/image_F1.jpg)$" \
  "$fetch" --pins pins.ok --dest sources

# Bad arguments.
refuses 64 "^fetch-datasets: no_such_recipe: nothing pinned under that path" "$fetch" no_such_recipe --dest sources
refuses 64 "^fetch-datasets: --from .*/nowhere: no such folder" "$fetch" --from nowhere --dest sources
refuses 64 "^fetch-datasets: --dest needs a value" "$fetch" --dest
refuses 64 "^fetch-datasets: unknown option --frm" "$fetch" --frm x

# Every shipped recipe: each source is pinned (no exit 64) and each collection has a public origin
# (the only failures, with the network down, are downloads).
for recipe in "$3"/datasets/*.yaml; do
  name=$(basename "$recipe" .yaml)
  code=0
  "$fetch" "$name" --dest "all-$name" > out 2> err || code=$?
  [ "$code" = 1 ] || fail "$name: expected every download to fail here (exit 1), got $code: $(cat err)"
  [ -s err ] && ! grep -v ": download failed (no network? " err | grep -q . || fail "$name: a source without an origin: $(cat err)"
done
echo "fetch-datasets: ok"
