#!/usr/bin/env bash
# Face enrollment from the console in headless Chromium (tests/cli/enroll_browser.py), on real
# photos (LFW) and the real face models: an admin picks an owner and uploads photos; the good ones
# are enrolled and the others named; the owner's held-out photos then pass `owner verify`, a
# stranger's do not; the audit log names the operator.
#   enroll_browser.sh LOCKERCTL WORKDIR SHARED_DATA REPO   (exit 77 = skipped: shared data or model absent)
set -euo pipefail
shared=${LOCKERCTL_SHARED_DATA:-$3}
repo=$4
. "$(dirname "$0")/lib.sh"
needs_browser
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
  embedding_model: $manifest
face:
  model: $models/yunet_120x160.onnx
liveness:
  enabled: false
web:
  listen: 127.0.0.1:0
YAML
lc() { "$lockerctl" -c config.yaml "$@"; }
lc -q owner add alice --phone +15550001 > /dev/null
echo "ops long password" | lc -q operator add ops --role admin > /dev/null
lc -q web cert --self-signed > /dev/null

alice=("$lfw"/Abdullah_Gul/*.jpg)
stranger=("$lfw"/Amelie_Mauresmo/*.jpg)
mkdir -p photos
cp "${alice[@]:0:5}" photos/
cp "$lfw/Charles_Moose/Charles_Moose_0007.jpg" photos/two-faces.jpg
cp "$shared/caltech101_subset/laptop/image_0001.jpg" photos/laptop.jpg
head -c 3000 "${alice[5]}" > photos/cut.jpg  # a truncated download

start_console config.yaml
/usr/bin/python3 "$(dirname "$0")/enroll_browser.py" "$url" ops "ops long password" alice "$PWD"/photos/*.jpg
kill -TERM $pid
wait $pid || fail "web stopped by SIGTERM exited $?"

lc owner verify alice "${alice[@]:10:3}" > verify.out || fail "verify owner: $(cat verify.out)"
[ "$(grep -c 'PASS$' verify.out)" = 3 ] || fail "verify owner: $(cat verify.out)"
code=0
lc owner verify alice "${stranger[@]:0:3}" > stranger.out || code=$?
[ "$code" = 1 ] || fail "a stranger gave exit $code: $(cat stranger.out)"
lc audit list > audit.txt
grep -q "operator *face enrolled.*operator 'ops': owner 'alice', 5 templates, 3 photo(s) refused" audit.txt ||
  fail "audit: $(cat audit.txt)"
echo "ok: enroll_browser"
