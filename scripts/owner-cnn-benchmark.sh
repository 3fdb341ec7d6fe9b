#!/usr/bin/env bash
# The owner CNN (owner.method: cnn) measured as `lockerctl owner benchmark` measures face
# embeddings: each of the first N people of DATASET (one folder of photos each) is enrolled from
# their first 5 photos and gets their own model from `lockerctl owner train` (the not-owner class:
# owner.negatives, people who are not in DATASET); then `owner verify --json` scores every other
# photo of theirs as genuine and every photo of the other people in DATASET as impostor. A genuine
# photo without a face counts as a false reject; an impostor photo without one is left out.
# Writes REPORT_DIR/scores.csv and REPORT_DIR/summary.md (FAR and FRR at each model's threshold,
# ROC AUC over all tries, training figures per person).
#   scripts/owner-cnn-benchmark.sh LOCKERCTL CONFIG DATASET N REPORT_DIR
# CONFIG names face.model, owner.embedding_model (enrollment) and owner.negatives; the script
# sets owner.method: cnn and its own paths.
set -euo pipefail
[ $# = 5 ] || { echo "usage: scripts/owner-cnn-benchmark.sh LOCKERCTL CONFIG DATASET N REPORT_DIR" >&2; exit 64; }
lockerctl=$(realpath "$1"); config=$(realpath "$2"); dataset=$(realpath "$3"); n=$4; report=$(realpath -m "$5")
mkdir -p "$report"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t people < <(find "$dataset" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | head -n "$n")
echo "person,image,genuine,score,decision" > "$report/scores.csv"
echo "| person | epochs | training s | test FAR | test FRR | active |" > "$work/train.md"
for person in "${people[@]}"; do
  dir=$work/$person
  mkdir -p "$dir"
  { cat "$config"; printf 'paths:\n  data_dir: %s/data\n  models_dir: %s/models\n  var_dir: %s/var\n' "$dir" "$dir" "$dir"
    printf 'access:\n  owner: %s\n  owner_model: %s/runs/owner-%s/best.h5\n' "$person" "$dir" "$person"; } > "$dir/config.yaml"
  sed -i 's/^owner:$/owner:\n  method: cnn/' "$dir/config.yaml"
  lc() { (cd "$dir" && "$lockerctl" -q -c config.yaml "$@"); }
  lc owner add "$person" --phone +15550000 > /dev/null
  mapfile -t photos < <(find "$dataset/$person" -type f | sort)
  lc owner enroll "$person" --photos "${photos[@]:0:5}" > /dev/null
  active=yes
  lc owner train "$person" > "$dir/train.out" 2> "$dir/train.err" || active=no
  line=$(grep '^owner CNN of' "$dir/train.out")
  far=$(sed -n 's/.*: FAR \([0-9.]*\) .*/\1/p' <<< "$line"); frr=$(sed -n 's/.*, FRR \([0-9.]*\) .*/\1/p' <<< "$line")
  epochs=$(sed -n 's/.*, \([0-9]*\) epoch(s) in \([0-9.]*\) s.*/\1/p' <<< "$line"); secs=$(sed -n 's/.* epoch(s) in \([0-9.]*\) s.*/\1/p' <<< "$line")
  echo "| $person | $epochs | $secs | $far | $frr | $active |" >> "$work/train.md"
  for other in "${people[@]}"; do
    mapfile -t tries < <(find "$dataset/$other" -type f | sort)
    [ "$other" = "$person" ] && tries=("${tries[@]:5}")
    genuine=$([ "$other" = "$person" ] && echo 1 || echo 0)
    lc owner verify "$person" --json "${tries[@]}" | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    score = "" if j["score"] is None else "%.6f" % j["score"]
    print("%s,%s,%s,%s,%s" % (sys.argv[1], j["image"], sys.argv[2], score, j["decision"]))
' "$person" "$genuine" >> "$report/scores.csv" || true
  done
  echo "$person done" >&2
done
/usr/bin/python3 - "$report/scores.csv" "$work/train.md" "$dataset" "$n" > "$report/summary.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
gen = [r for r in rows if r["genuine"] == "1"]
imp = [r for r in rows if r["genuine"] == "0" and r["score"] != ""]
fr = sum(r["decision"] != "pass" for r in gen)
fa = sum(r["decision"] == "pass" for r in imp)
pos = [float(r["score"] or 0) for r in gen]
neg = [float(r["score"]) for r in imp]
# ROC AUC: the chance that a genuine try outscores an impostor try, ties counting half.
allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
rank_sum, i = 0.0, 0
while i < len(allv):
    j = i
    while j < len(allv) and allv[j][0] == allv[i][0]: j += 1
    mid = (i + j + 1) / 2
    rank_sum += mid * sum(1 for k in range(i, j) if allv[k][1] == 1)
    i = j
auc = (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)) if pos and neg else float("nan")
print("# Owner CNN (owner.method: cnn) on %s, first %s people\n" % (sys.argv[3], sys.argv[4]))
print("Each person enrolled from 5 photos and trained with `lockerctl owner train` (scripts/owner-cnn-benchmark.sh).\n")
print("- genuine tries %d, false rejects %d: FRR %.4f" % (len(gen), fr, fr / max(1, len(gen))))
print("- impostor tries %d, false accepts %d: FAR %.4f" % (len(imp), fa, fa / max(1, len(imp))))
print("- ROC AUC %.5f (scores of different people's models pooled)\n" % auc)
print(open(sys.argv[2]).read())
PY
cat "$report/summary.md"
