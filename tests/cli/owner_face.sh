#!/usr/bin/env bash
# Layer 2 by face embeddings, as an operator meets it on real photos (LFW): `owner enroll` from a
# folder (a photo without a face, one with two faces and an unreadable file are named and the
# others go on; re-enrolling replaces the templates and the audit log says so), `owner verify`
# (text and JSON; a stranger is denied, exit 1), bad inputs, and `lockerctl run` with
# owner.method: embedding: the enrolled owner is admitted, a stranger is denied at layer 2 with
# evidence and an alert; then lockers with joint holders (a holder without a password or without
# an enrolled face stops the start, a joint holder is recognised and gets his own password and
# code). Layer 1 is a small CNN trained here with a threshold that passes.
#   owner_face.sh LOCKERCTL WORKDIR SHARED_DATA REPO   (exit 77 = skipped: shared data or model absent)
set -euo pipefail
shared=${LOCKERCTL_SHARED_DATA:-$3}
repo=$4
. "$(dirname "$0")/lib.sh"
models=$shared/face_models
lfw=$shared/lfw_subset/identities
manifest=$repo/models/face/face_recognition_model-weights_manifest.json
needs "$models/yunet_120x160.onnx" "$lfw/Abdullah_Gul" "$manifest"

cat > config.yaml <<YAML
paths:
  data_dir: data
  models_dir: models
  var_dir: var
owner:
  image_size: 32
  embedding_model: $manifest
train:
  epochs: 1
camera:
  source: sim
  frames: 2
face:
  model: $models/yunet_120x160.onnx
liveness:
  enabled: false
board:
  poll_ms: 20
access:
  owner: alice
  human_model: models/layer1.h5
  human_threshold: 0.000001
  unlock_s: 0.5
  input_timeout_s: 10
YAML
lc() { "$lockerctl" -c config.yaml "$@"; }
lc owner add alice --phone +15550001 > /dev/null
echo 2468 | lc owner set-password alice > /dev/null

# Enrollment from a folder: 5 photos of one person, plus three that must be refused.
alice=("$lfw"/Abdullah_Gul/*.jpg)
stranger=("$lfw"/Amelie_Mauresmo/*.jpg)
mkdir -p photos
cp "${alice[@]:0:5}" photos/
cp "$lfw/Charles_Moose/Charles_Moose_0007.jpg" photos/two-faces.jpg
cp "$shared/caltech101_subset/laptop/image_0001.jpg" photos/laptop.jpg
cp config.yaml photos/notes.jpg
code=0
lc owner enroll alice --photos photos > enroll.out 2> enroll.err || code=$?
[ "$code" = 0 ] || fail "enroll: exit $code: $(cat enroll.err)"
grep -q "^'alice' enrolled from 5 photo(s), 3 refused" enroll.out || fail "enroll: $(cat enroll.out)"
grep -q 'two-faces.jpg: refused: 2 faces; an enrollment photo shows exactly one' enroll.err || fail "two faces: $(cat enroll.err)"
grep -q 'laptop.jpg: refused: no face found' enroll.err || fail "no face: $(cat enroll.err)"
grep -q 'notes.jpg: refused: ' enroll.err || fail "unreadable: $(cat enroll.err)"
lc owner enroll alice --photos "${alice[@]:0:4}" > reenroll.out || fail "re-enroll"
grep -q 'replaced 5 old template(s)' reenroll.out || fail "re-enroll: $(cat reenroll.out)"
lc audit list > audit.txt
grep -q 'face re-enrolled.*alice: 4 templates replace 5' audit.txt || fail "audit: $(cat audit.txt)"
# From the camera (here a folder of frames): frames that fail the checks are skipped.
mkdir -p camera
cp "${alice[@]:5:2}" camera/
cp "$shared/caltech101_subset/laptop/image_0001.jpg" camera/0-laptop.jpg
sed "s|^  source: sim|  source: camera|" config.yaml > camera.yaml
"$lockerctl" -c camera.yaml owner enroll alice --camera --count 2 > camera.out || fail "camera enroll"
grep -q "^'alice' enrolled from 2 photo(s), 1 refused" camera.out || fail "camera enroll: $(cat camera.out)"
lc owner enroll alice --photos "${alice[@]:0:5}" > /dev/null

# Verification: the owner's other photos pass, a stranger's do not (exit 1).
lc owner verify alice "${alice[@]:10:3}" > verify.out || fail "verify owner: $(cat verify.out)"
[ "$(grep -c 'PASS$' verify.out)" = 3 ] || fail "verify owner: $(cat verify.out)"
code=0
lc owner verify alice --json "${stranger[@]:0:3}" > stranger.json || code=$?
[ "$code" = 1 ] || fail "a stranger gave exit $code"
[ "$(grep -c '"decision":"deny"' stranger.json)" = 3 ] || fail "stranger: $(cat stranger.json)"
grep -q '"face":\[[0-9.]*,[0-9.]*,[0-9.]*,[0-9.]*\],"faces":1,"image":"[^"]*","score":[0-9.]*,"threshold":0.51' stranger.json \
  || fail "JSON fields: $(head -1 stranger.json)"

# Bad input: one line naming it, the exit code of its kind.
refuses 3 "^error: owner 'bob': no such owner" "$lockerctl" -c config.yaml owner enroll bob --photos photos
code=0
lc owner enroll alice --photos photos/laptop.jpg 2> none.err || code=$?
[ "$code" = 3 ] && grep -q 'laptop.jpg: refused: no face found' none.err &&
  tail -1 none.err | grep -q "^error: owner enroll alice: no usable photo (1 refused); the old templates are kept" ||
  fail "no usable photo: exit $code: $(cat none.err)"
lc owner add carol --phone +15550003 > /dev/null
refuses 3 "^error: owner 'carol': no intact face template (lockerctl owner enroll carol" \
  "$lockerctl" -c config.yaml owner verify carol "${alice[0]}"
refuses 64 "give --photos FILE|DIR... or --camera" "$lockerctl" -c config.yaml owner enroll alice
sed "s|  embedding_model: .*|  embedding_model: $repo/README.md|" config.yaml > badmodel.yaml
refuses 4 "README.md: wrong SHA-256 (corrupt or another model); expected a file with SHA-256 cbaffa50" \
  "$lockerctl" -c badmodel.yaml owner verify alice "${alice[0]}"
mkdir -p cut
head -c 5000 "$manifest" > cut/face_recognition_model-weights_manifest.json
cp "$(dirname "$manifest")/face_recognition_model.bin" cut/
sed "s|  embedding_model: .*|  embedding_model: cut/face_recognition_model-weights_manifest.json|" config.yaml > cut.yaml
refuses 4 "cut/face_recognition_model-weights_manifest.json: wrong SHA-256 (corrupt or another model)" \
  "$lockerctl" -c cut.yaml owner verify alice "${alice[0]}"
sed "s|^face:|face:\n  detector: haar|" config.yaml > haar.yaml
refuses 2 "face.detector: face chips are aligned by their landmarks, which only yunet gives" \
  "$lockerctl" -c haar.yaml owner verify alice "${alice[0]}"

# run with owner.method: embedding. Layer 1: a small CNN trained here, threshold set to pass.
sed 's|^face:|face:\n  detector: whole_frame|' config.yaml > synth.yaml
small_model synth.yaml models/layer1.h5

# bench run: the frame path of run, step by step, then a short memory soak.
lc bench run "${alice[@]:10:3}" --frames 6 --owner alice --soak 4 > bench-run.out || fail "bench run"
for row in '^3 frames of 640x480; layer 1 models/layer1.h5 and the face embedding on OpenCV DNN; yunet detector; liveness off; layer 2 embedding matched against alice' \
           '^resident memory with every model loaded: [0-9]* MB$' '^layer 1  *median  *[0-9.]* ms  p95' '^face detection  *median' \
           '^layer 2  *median' '^total  *median' '^soak:  *4 frames  resident [0-9.]* MB$'; do
  grep -q "$row" bench-run.out || fail "bench run: no '$row': $(cat bench-run.out)"
done
grep -q '^liveness' bench-run.out && fail "bench run timed a liveness step that is off"
refuses 3 "^error: owner 'bob' has no face enrolled (lockerctl owner enroll bob --photos DIR)" \
  "$lockerctl" -c config.yaml bench run "${alice[10]}" --owner bob
cat > run.script <<S
show ${stranger[5]}
press
wait owner
wait idle
sleep 300
show ${alice[12]}
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
lc run --script run.script > run.out 2> run.err || fail "run: $(cat run.err)"
grep -q '^attempts 2, granted 1, denied 1' run.out || fail "run: $(cat run.out) $(cat run.err)"
grep -q 'layer 2 (face embeddings) threshold 0.510' run.err || fail "start line: $(head -3 run.err)"
lc audit list > audit.txt
grep -q 'owner *deny.*not the owner; closest: alice' audit.txt || fail "no layer-2 deny: $(cat audit.txt)"
grep -q 'owner *pass' audit.txt || fail "no layer-2 pass: $(cat audit.txt)"
grep -q 'access *granted' audit.txt || fail "not granted: $(cat audit.txt)"
grep -q 'someone who is not you tried to open your locker' var/phone/+15550001.txt || fail "no alert"
ls var/incidents/*/frame.jpg > /dev/null || fail "no evidence photo of the stranger"

# owner benchmark on four people: a report, FAR and FRR, the threshold for the target FAR.
mkdir -p four
for p in Abdullah_Gul Amelie_Mauresmo Ann_Veneman Ari_Fleischer; do ln -s "$lfw/$p" four/$p; done
lc owner benchmark four --report-dir bench > bench.out 2> bench.err || fail "benchmark: $(cat bench.out bench.err)"
grep -q '^owner benchmark: photos: [0-9]*/[0-9]* in .*/s)$' bench.err || fail "no progress line: $(cat bench.err)"
grep -q '^face embeddings on four: 4 people enrolled from 5 photos each (0 with too few usable photos), [0-9]* genuine' bench.out ||
  fail "benchmark: $(cat bench.out)"
grep -q 'at owner.match_threshold 0.510: strangers accepted [0-9.]* (95% interval [0-9.]*-[0-9.]*) (FAR), owners rejected [0-9.]* (FRR)' bench.out ||
  fail "benchmark: $(cat bench.out)"
for f in metrics.json metrics.md roc.png confusion.png; do [ -s bench/$f ] || fail "no bench/$f"; done
grep -q '"people_enrolled": 4' bench/metrics.json || fail "metrics.json: $(head -c 600 bench/metrics.json)"
grep -q '"far_95": \[' bench/metrics.json || fail "metrics.json has no interval on FAR: $(head -c 600 bench/metrics.json)"

# Joint holders: locker 14 is alice's and bob's; bob is recognised among its holders and gets
# his own password and code.
lc owner add bob --phone +15550002 > /dev/null
echo 1357 | lc owner set-password bob > /dev/null
refuses 3 "^error: locker 14: holder 'zed' is not an owner" "$lockerctl" -c config.yaml locker add 14 --holder alice --holder zed
lc locker add 14 --holder alice --holder bob > /dev/null
lc locker list | grep -q '^14 *alice, bob (no face enrolled)  \[either or survivor (any)\]$' || fail "locker list: $(lc locker list)"
sed 's|^  owner: alice|  owner: alice\n  locker: "14"|' config.yaml > joint.yaml
refuses 3 "^error: owner 'bob' has no face enrolled for owner.method: embedding (lockerctl owner enroll bob" \
  "$lockerctl" -c joint.yaml run --script /dev/null
lc locker add 16 --holder carol > /dev/null
sed 's|  locker: "14"|  locker: "16"|' joint.yaml > nopassword.yaml
refuses 3 "^error: owner 'carol' has no password yet (lockerctl owner set-password carol)" \
  "$lockerctl" -c nopassword.yaml run --script /dev/null
lc locker remove 16 > /dev/null
lc owner enroll bob --photos "${stranger[@]:0:5}" > /dev/null
lc locker list | grep -q '^14 *alice, bob  \[either or survivor (any)\]$' || fail "locker list: $(lc locker list)"
cat > joint.script <<S
show ${stranger[6]}
press
wait password
type 1357
wait otp
otp +15550002
wait open
wait idle
S
"$lockerctl" -c joint.yaml run --script joint.script > joint.out 2> joint.err || fail "joint run: $(cat joint.err)"
grep -q '^attempts 1, granted 1, denied 0' joint.out || fail "joint run: $(cat joint.out) $(cat joint.err)"
lc audit list > audit.txt
grep -q 'owner *pass.*locker 14: holder bob' audit.txt || fail "holder not named: $(cat audit.txt)"
sed 's|  locker: "14"|  locker: "14, 15"|' joint.yaml > unknown.yaml
refuses 3 "^error: locker 15: no such locker (lockerctl locker add 15 --holder NAME)" "$lockerctl" -c unknown.yaml run --script /dev/null
sed 's|^owner:|owner:\n  method: cnn|' joint.yaml > cnn.yaml
refuses 3 "^error: owner 'alice' has no owner model for owner.method: cnn (lockerctl owner train alice)" \
  "$lockerctl" -c cnn.yaml run --script /dev/null
lc locker set-holders 14 --holder bob > /dev/null
lc locker remove 14 > /dev/null
[ -z "$(lc locker list)" ] || fail "locker remove: $(lc locker list)"
lc audit list | grep -q 'locker *holders set.*locker 14: holders bob' || fail "locker changes are not audited"
lc audit verify > /dev/null || fail "audit verify"
echo "ok: owner faces"
