#!/usr/bin/env bash
# `dataset inspect` and `evaluate --by-source` on a recipe with named sources: images per source
# and split, and the figures per source in the output, metrics.json and metrics.md; misclassified
# images named with their source.
#   by_source.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
printf 'paths:\n  data_dir: data\n  models_dir: models\n  datasets_dir: .\ndata:\n  source_root: .\nowner:\n  image_size: 32\ntrain:\n  epochs: 3\n  batch_size: 16\nface:\n  detector: whole_frame\n' > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
lc -q dataset synth --task owner --per-class 40 --size 32 --seed 3 --out drawn > /dev/null
cat > mixed.yaml <<'R'
task: owner
sources:
  - {name: owner/bright, path: drawn/owner, class: owner, limit: 20}
  - {name: owner/rest, path: drawn/owner, class: owner, offset: 20}
  - {name: others/bright, path: drawn/not_owner, class: not_owner, limit: 20}
  - {path: drawn/not_owner, class: not_owner, offset: 20}
R
lc -q dataset prepare -d mixed > /dev/null
lc dataset inspect mixed > inspect.out
for s in owner/bright owner/rest others/bright drawn/not_owner; do
  grep -Eq "^  $s +(owner|not_owner) +[0-9]+ +[0-9]+ +[0-9]+$" inspect.out || fail "inspect has no row for $s: $(cat inspect.out)"
done
lc dataset inspect mixed --json > inspect.json
/usr/bin/python3 - <<'P' || fail "inspect --json: $(cat inspect.json)"
import json
j = json.load(open("inspect.json"))
assert sum(sum(v.values()) for s in j["sources"].values() for v in s.values()) == 80, j["sources"]
assert sum(j["sources"]["owner/rest"]["test"].values()) + sum(j["sources"]["owner/bright"]["test"].values()) == j["splits"]["test"]["owner"]
P

lc -q train owner -d mixed --out models/mixed.h5 > /dev/null
lc evaluate models/mixed.h5 -d mixed --by-source --misclassified wrong --report-dir report > eval.out
/usr/bin/python3 - <<'P' || fail "metrics.json by_source: $(cat report/metrics.json)"
import json
j = json.load(open("report/metrics.json"))
rows = {r["source"]: r for r in j["by_source"]}
assert set(rows) == {"owner/bright", "owner/rest", "others/bright", "drawn/not_owner"}, rows
assert sum(r["images"] for r in rows.values()) == j["images"]
assert sum(r["false_accepts"] for r in rows.values()) == j["confusion"]["fp"]
assert sum(r["false_rejects"] for r in rows.values()) == j["confusion"]["fn"]
assert all(r["false_rejects"] == 0 for s, r in rows.items() if not s.startswith("owner/"))
P
grep -q '^By source, at threshold' report/metrics.md || fail "metrics.md: $(cat report/metrics.md)"
grep -q '^| owner/rest | ' report/metrics.md || fail "metrics.md: $(cat report/metrics.md)"
grep -Eq '^  others/bright: [0-9]+ image\(s\), accuracy [01]\.[0-9]{4}, [0-9]+ false accept\(s\), 0 false reject\(s\)$' eval.out ||
  fail "evaluate output: $(cat eval.out)"
for f in wrong/*.png; do
  [ -e "$f" ] || break
  case "$(basename "$f")" in
    false_accept_others-bright_*|false_accept_drawn-not_owner_*|false_reject_owner-bright_*|false_reject_owner-rest_*) ;;
    *) fail "a misclassified image does not name its source: $f" ;;
  esac
done
echo "ok: by_source"
