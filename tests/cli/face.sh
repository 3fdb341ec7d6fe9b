#!/usr/bin/env bash
# Faces as an operator meets them, on real photos: `face check` (boxes, landmarks, liveness,
# annotated PNGs, an unreadable file), `face calibrate`, bad model files, owner training data
# cropped by the face detector, and `lockerctl run` with YuNet and the liveness check: a photo
# shown to the camera is denied at the liveness step with evidence and an alert, a real face is
# admitted. Layers 1 and 2 are a small owner CNN trained here with thresholds that pass (the
# models are tested elsewhere; this is about the face steps around them).
#   face.sh LOCKERCTL WORKDIR SHARED_DATA      (exit 77 = skipped: the shared data is absent)
set -euo pipefail
shared=${LOCKERCTL_SHARED_DATA:-$3}
. "$(dirname "$0")/lib.sh"
models=$shared/face_models
samples=$shared/spoof_samples
lfw=$shared/lfw_subset
needs "$models/yunet_120x160.onnx" "$models/MiniFASNetV2.onnx" "$samples/image_T1.jpg" "$lfw/singles"

cat > config.yaml <<YAML
paths:
  data_dir: data
  models_dir: models
  var_dir: var
owner:
  image_size: 32
  method: cnn
train:
  epochs: 1
camera:
  source: sim
  frames: 2
face:
  model: $models/yunet_120x160.onnx
liveness:
  model_v2: $models/MiniFASNetV2.onnx
  model_v1se: $models/MiniFASNetV1SE.onnx
board:
  poll_ms: 20
access:
  owner: alice
  human_model: models/owner.h5
  owner_model: models/owner.h5
  human_threshold: 0.000001
  owner_threshold: 0.000001
  unlock_s: 0.5
  input_timeout_s: 10
YAML
lc() { "$lockerctl" -c config.yaml "$@"; }

# face check: every face with its box, landmarks and liveness; annotated PNGs; a file that is no
# image is named on one line and counted (exit 3) while the others are still checked.
lc face check --json "$samples" --annotate annotated > check.json
[ "$(wc -l < check.json)" = 4 ] || fail "face check: $(cat check.json)"
grep 'image_T1' check.json | grep -q '"live":true' || fail "T1 is not live: $(grep image_T1 check.json)"
grep 'image_F1' check.json | grep -q '"live":false' || fail "F1 is live: $(grep image_F1 check.json)"
grep 'image_F2' check.json | grep -q '"landmarks":\[\[' || fail "no landmarks: $(grep image_F2 check.json)"
[ "$(ls annotated/*.png | wc -l)" = 4 ] || fail "annotated: $(ls annotated)"
code=0
lc face check config.yaml "$samples/image_T1.jpg" > mixed.out 2> mixed.err || code=$?
[ "$code" = 3 ] || fail "an unreadable image gave exit $code"
[ "$(wc -l < mixed.err)" = 1 ] && grep -q 'config.yaml: ' mixed.err || fail "error line: $(cat mixed.err)"
grep -q 'image_T1.jpg: 480x640, 1 face(s) (yunet)' mixed.out || fail "the good image was not checked: $(cat mixed.out)"

# Images of any size give a result and never end the folder (YuNet once stopped `face check`
# with an OpenCV error on images under about 80 px): 1x1, 16x16, 57x75 and 4000x3000 images, then
# a sample photo after them. (A tight face crop that is found: tests/vision, YuNet.AnyImageSize...)
mkdir -p sizes
/usr/bin/python3 - sizes <<'PY'
import struct, sys, zlib
def png(path, w, h):
    row = b"\0" + bytes([90, 120, 150]) * w
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(row * h)) + chunk(b"IEND", b""))
for name, w, h in [("a", 1, 1), ("b", 16, 16), ("c", 57, 75), ("d", 4000, 3000)]:
    png(f"{sys.argv[1]}/{name}_{w}x{h}.png", w, h)
PY
cp "$samples/image_T1.jpg" sizes/e_photo.jpg
lc face check --json sizes > sizes.json || fail "face check on images of every size: $(cat sizes.json)"
[ "$(wc -l < sizes.json)" = 5 ] || fail "face check did not report every image: $(cat sizes.json)"
grep 'e_photo' sizes.json | grep -q '"live":true' || fail "the photo after the small ones: $(grep e_photo sizes.json)"

# face benchmark: ISO/IEC 30107-3 rates on a small fixed set: the two real samples, a print and a
# replay attack, an attack image without a face, and a file that is no image.
mkdir -p pad/real pad/attack/print pad/attack/replay
cp "$samples"/image_T*.jpg pad/real/
cp "$samples/image_F1.jpg" pad/attack/print/
cp "$samples/image_F2.jpg" pad/attack/replay/
cp sizes/b_16x16.png pad/attack/replay/blank_16.png
echo "not an image" > pad/real/broken.jpg
code=0
lc face benchmark pad --report-dir pad-report > pad.out 2> pad.err || code=$?
[ "$code" = 3 ] || fail "face benchmark with an unreadable image: exit $code: $(cat pad.err)"
grep -q 'pad/real/broken.jpg' pad.err || fail "the unreadable image is not named: $(cat pad.err)"
grep -q '^liveness on pad: 2 real and 2 attack images scored; without a face: 0 real, 1 attack; 1 unreadable$' pad.out ||
  fail "face benchmark: $(cat pad.out)"
# T2 scores 0.28 at the shipped 0.5 (issue: liveness you can trust): one real face refused.
grep -q 'at liveness.threshold 0.500: APCER 0.00% (0 of 2 attacks accepted), BPCER 50.00% (1 of 2 real faces refused)' pad.out ||
  fail "face benchmark rates: $(cat pad.out)"
grep -q '^  attack type print: APCER 0.00% (0 of 1)$' pad.out && grep -q '^  attack type replay: APCER 0.00% (0 of 1)$' pad.out ||
  fail "per type: $(cat pad.out)"
grep -q 'for APCER <= 1%: threshold 0.2[0-9]*, APCER 0.00% (0 of 2 attacks accepted), BPCER 0.00%' pad.out ||
  fail "threshold for the target: $(cat pad.out)"
for f in pad.json pad.md roc.png; do [ -s pad-report/$f ] || fail "no pad-report/$f"; done
rm pad/real/broken.jpg
lc face benchmark pad --json --frames 3 --report-dir pad-report > pad.json
/usr/bin/python3 - pad.json <<'PY' || fail "face benchmark --json: $(head -c 800 pad.json)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["overall"]["attacks"] == 2 and j["overall"]["reals"] == 2, j["overall"]
assert j["no_face"]["attack"] == ["pad/attack/replay/blank_16.png"], j["no_face"]
assert len(j["images"]) == 5 and all(len(i["frame_scores"]) == 3 for i in j["images"] if i["face"]), j["images"]
assert set(j["by_type"]) == {"print", "replay"} and "one_frame" in j, list(j)
PY
refuses 3 "face benchmark sizes: no real/ folder" lc face benchmark sizes
mkdir -p empty/real empty/attack
cp "$samples/image_T1.jpg" empty/real/
refuses 3 "need real and attack presentations with a face; have 1 real and 0 attack" lc face benchmark empty
printf 'liveness:\n  threshold: 1.5\n' > bad_threshold.yaml
refuses 2 "bad_threshold.yaml:2:.*liveness.threshold" "$lockerctl" -c bad_threshold.yaml face benchmark pad

# face calibrate: a report as evaluate writes it, and a suggested threshold.
mkdir -p real spoof
cp "$samples"/image_T*.jpg real/
cp "$samples"/image_F*.jpg spoof/
lc face calibrate --real real --spoof spoof --report-dir calibration > calibrate.out
grep -q 'suggested liveness.threshold: [0-9.]*' calibrate.out || fail "calibrate: $(cat calibrate.out)"
grep -q 'liveness on 2 live and 2 spoofed captures' calibrate.out || fail "calibrate: $(cat calibrate.out)"
for f in metrics.json metrics.md roc.png confusion.png; do [ -s calibration/$f ] || fail "no calibration/$f"; done

# A missing or corrupt model file: one line naming it and the expected SHA-256, exit 4.
sed "s|  model: $models/yunet_120x160.onnx|  model: models/none.onnx|" config.yaml > missing.yaml
refuses 4 '^error: models/none.onnx: no such file; expected a file with SHA-256 50ef07f702a31741ca46a4c0d947773b64143b9362780237bf0d427d6c79bab7' \
  "$lockerctl" -c missing.yaml face check "$samples/image_T1.jpg"
head -c 100000 "$models/MiniFASNetV2.onnx" > truncated.onnx
sed "s|  model_v2: .*|  model_v2: truncated.onnx|" config.yaml > corrupt.yaml
refuses 4 '^error: truncated.onnx: wrong SHA-256 (corrupt or another model); expected a file with SHA-256 4eed38f0' \
  "$lockerctl" -c corrupt.yaml face check "$samples/image_T1.jpg"
refuses 1 'doctor found problems with: liveness' "$lockerctl" -c corrupt.yaml doctor

# Owner training data: each image's largest face, cropped as run crops it; an image without a
# face is skipped and listed.
mkdir -p people/owner people/not_owner
cp "$lfw"/identities/Abdullah_Gul/*_000[1-9].jpg "$lfw"/identities/Abdullah_Gul/*_0010.jpg people/owner/
singles=("$lfw"/singles/*.jpg)
cp "${singles[@]:0:10}" people/not_owner/
cp "$shared/caltech101_subset/laptop/image_0001.jpg" people/not_owner/laptop.jpg
lc dataset prepare -d people --task owner > prepare.out 2> prepare.err || fail "prepare: $(cat prepare.err)"
grep -q 'prepared 20 of 21 files' prepare.out || fail "prepare: $(cat prepare.out)"
grep -q 'laptop.jpg,no face found' data/people/skipped.csv || fail "skipped: $(cat data/people/skipped.csv)"
grep -q 'layer 2 learns from the face crop (largest yunet face' prepare.err || fail "no crop: $(cat prepare.err)"
lc -q train owner -d people --run-dir run --out models/owner.h5 > /dev/null

# run: the printed photo is denied at the liveness step, the real face is admitted.
lc owner add alice --phone +15550001 > /dev/null
echo 2468 | lc owner set-password alice > /dev/null
refuses 4 '^error: models/none.onnx: no such file' "$lockerctl" -c missing.yaml run --script /dev/null

# enroll-face keeps frames with one live face: the printed and the replayed photo are refused.
mkdir -p camera
cp "$samples/image_F1.jpg" "$samples/image_F2.jpg" "$samples/image_T1.jpg" camera/
sed 's|^  source: sim|  source: camera|' config.yaml > enroll.yaml
"$lockerctl" -c enroll.yaml owner enroll-face alice --count 2 --out enrolled > enroll.out || fail "enroll: $(cat enroll.out)"
grep -q '^2 face images .* 4 refused by the liveness check' enroll.out || fail "enroll: $(cat enroll.out)"
[ "$(lc face check --json enrolled | grep -c '"live":true')" = 2 ] || fail "an enrolled frame is not live"
cat > faces.script <<S
show $samples/image_F1.jpg
press
wait liveness
wait idle
sleep 300
show $samples/image_T1.jpg
press
wait password
type 2468
wait otp
otp
wait open
door open
sleep 200
door close
wait idle
S
lc run --script faces.script > run.out 2> run.err || fail "run: $(cat run.err)"
grep -q '^attempts 2, granted 1, denied 1' run.out || fail "run: $(cat run.out) $(cat run.err)"
lc audit list > audit.txt
grep -q 'liveness *deny' audit.txt || fail "no liveness deny: $(cat audit.txt)"
grep -q 'liveness *pass' audit.txt || fail "no liveness pass: $(cat audit.txt)"
grep -q 'access *granted' audit.txt || fail "not granted: $(cat audit.txt)"
grep -q 'a photo or screen was shown to the camera at your locker' var/phone/+15550001.txt || fail "no spoof alert"
ls var/incidents/*/frame.jpg > /dev/null || fail "no evidence photo of the spoof"
grep -q 'faces yunet, liveness threshold 0.500' run.err || fail "start line: $(head -3 run.err)"
lc audit verify > /dev/null || fail "audit verify"
echo "ok: faces"
