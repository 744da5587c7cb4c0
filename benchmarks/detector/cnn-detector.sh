#!/usr/bin/env bash
# Would a CNN on the log-mel image detect cries better than the bundle's detector (acoustic functionals + a linear
# model)? Trains the product's network as a two-class model, cry against the phone non-cries, with the product's
# grouped 5-fold cross-validation, and reports from its out-of-fold predictions (predictions.csv) the AUC and the share
# of phone non-cries recognised at the cry recalls the detector is run at.
#   benchmarks/detector/cnn-detector.sh CORPUS RAW OUT [cry evaluate options]
#   e.g. benchmarks/detector/cnn-detector.sh ../shared/corpus/donateacry ../shared/corpus/donateacry-raw /tmp/cnn-detector
# Cries: every clip of CORPUS and RAW/cry, RAW/other_reason (phone files, so both classes pass the same decoders);
# non-cries: RAW/not_cry. App instances stay whole across folds (the group is the file name's UUID).
set -euo pipefail
usage="usage: benchmarks/detector/cnn-detector.sh CORPUS RAW OUT [cry evaluate options]"
corpus="$(realpath "${1:?$usage}")"
raw="$(realpath "${2:?$usage}")"
out="$(realpath -m "${3:?$usage}")"
shift 3
for d in "$corpus" "$raw/cry" "$raw/other_reason" "$raw/not_cry"; do
  [[ -d "$d" ]] || { echo "cnn-detector: $d is not a folder" >&2; exit 2; }
done
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source infra/dotnet-env.sh
"$DOTNET" build src/Cry.Cli -c Release -nologo -v quiet -o out/cli >/dev/null

rm -rf "$out/data"
mkdir -p "$out/data/yes" "$out/data/no"
# ln fails on a name that is there already (two files of one name would drop a recording), and find then fails too.
find "$corpus" -mindepth 2 -maxdepth 2 -type f -exec ln -s -t "$out/data/yes" {} +
find "$raw/cry" "$raw/other_reason" -maxdepth 1 -type f -exec ln -s -t "$out/data/yes" {} +
find "$raw/not_cry" -maxdepth 1 -type f -exec ln -s -t "$out/data/no" {} +
"$DOTNET" out/cli/cry.dll evaluate --data "$out/data" --spec docs/specs/mel40.json --model crynet-xs --no-augment --epochs 30 \
  --cache "$out/cache" --out "$out/report" "$@" | grep '^evaluate: grouped'

# predictions.csv: clip,group,label,predicted,p_no,p_yes (cry evaluate quotes fields with commas; these names have none).
awk -F, 'NR > 1 { print ($3 == "yes" ? "pos" : "neg"), $6 }' "$out/report/predictions.csv" >"$out/scores.txt"
awk '$1 == "pos" { print $2 }' "$out/scores.txt" | sort -g -r >"$out/cries.txt"
awk '$1 == "neg" { print $2 }' "$out/scores.txt" >"$out/non-cries.txt"
cries=$(wc -l <"$out/cries.txt")
if [[ "$cries" -eq 0 || ! -s "$out/non-cries.txt" ]]; then
  echo "cnn-detector: the out-of-fold predictions hold no cries or no non-cries" >&2
  exit 1
fi
awk 'NR == FNR { pos[++np] = $1; next } { neg[++nn] = $1 }
  END {
    for (i = 1; i <= np; i++) for (j = 1; j <= nn; j++) auc += (pos[i] > neg[j]) + 0.5 * (pos[i] == neg[j])
    printf "cnn-detector: %d cries, %d phone non-cries, out-of-fold AUC %.3f\n", np, nn, auc / (np * nn)
  }' "$out/cries.txt" "$out/non-cries.txt"
for target in 0.90 0.95 0.97; do
  k=$(awk -v t="$target" -v n="$cries" 'BEGIN { k = int(t * n); if (k < t * n) k++; print k }')  # the k-th highest cry score keeps recall >= target
  threshold=$(sed -n "${k}p" "$out/cries.txt")
  awk -v th="$threshold" -v t="$target" '$1 < th { r++ } END { printf "cnn-detector: at cry recall %s (threshold %.3f): phone non-cries recognised %d / %d = %.3f\n", t, th, r, NR, r / NR }' "$out/non-cries.txt"
done
