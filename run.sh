#!/usr/bin/env bash
# The main job: the feature pipeline on a clip, end to end, with the `cry` command.
#   ./run.sh [CLIP.wav | FOLDER]   default: the Donate-a-cry corpus at ../shared/corpus/donateacry when present,
#                                  otherwise a synthetic cry-like clip made by `cry synth`.
# Writes out/ : the tsi-rgb64 image tensor (.npy) and a PNG preview of it, and the dB mel spectrogram preview.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source infra/dotnet-env.sh

"$DOTNET" build src/Cry.Cli -c Release -nologo -v quiet -o out/cli
cry() { "$DOTNET" out/cli/cry.dll "$@"; }

mkdir -p out
input="${1:-}"
if [[ -z "$input" ]]; then
  if [[ -d ../shared/corpus/donateacry ]]; then
    input=../shared/corpus/donateacry
  else
    input=out/synthetic-cry.wav
    cry synth --seconds 7 --seed 1 "$input"
  fi
fi

if [[ -d "$input" ]]; then
  clip="$(find "$input" -iname '*.wav' | sort | head -n 1)"
  echo "== features of every clip in $input (tsi-rgb64) =="
  cry features --preset tsi-rgb64 "$input" out/features || echo "(some files were skipped, see above)"
else
  clip="$input"
fi

echo "== one clip: $clip =="
cry features --preset tsi-rgb64 --png out/clip-image.png "$clip" out/clip-image.npy
cry features --preset tsi-rgb64 --stage db --png out/clip-mel-db.png "$clip" out/clip-mel-db.npy
echo "wrote out/clip-image.npy (3 x 64 x 64: GASF, GADF, MTF), out/clip-image.png, out/clip-mel-db.png"
