#!/usr/bin/env bash
# The main job: `cry demo` — the corpus → grouped 5-fold cross-validation of the default preset, whose fold models
# (calibrated and certified out of fold, with the cry detector) are the bundle → a report → predictions on clips from
# groups no answering model saw, with a summary table.
#   ./run.sh [cry demo options]     e.g. ./run.sh --epochs 10
# The corpus: CRY_CORPUS, else ../shared/corpus/donateacry when present, else data/donateacry (downloaded if missing).
# Writes demo-output/: report/ (report.md, metrics.json, figures), model/ (manifest.json, metrics.json, members/*.onnx).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source infra/dotnet-env.sh
infra/system-packages.sh

"$DOTNET" build src/Cry.Cli -c Release -nologo -v quiet -o out/cli
corpus="${CRY_CORPUS:-}"
if [[ -z "$corpus" && -d ../shared/corpus/donateacry ]]; then
  corpus=../shared/corpus/donateacry
fi

# The cry detector trains on the raw phone recordings beside the corpus (<corpus>-raw, which `cry demo` finds itself and
# `cry download` fetches with the clips) and on non-cries the project makes from Debian packages.
detector=()
if infra/make-negatives.sh data/negatives; then
  detector+=(--detector-data data/negatives)
fi

if [[ -n "$corpus" ]]; then
  exec "$DOTNET" out/cli/cry.dll demo --corpus "$corpus" "${detector[@]}" "$@"
fi
exec "$DOTNET" out/cli/cry.dll demo "${detector[@]}" "$@"
