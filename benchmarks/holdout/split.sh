#!/usr/bin/env bash
# Splits data folders into train/ and test/ by group, as symbolic links, so that a bundle can be measured on
# recordings of groups it never saw (`cry evaluate --model`):
#   benchmarks/holdout/split.sh OUT SHARE_PERCENT FOLDER...
# e.g. benchmarks/holdout/split.sh /tmp/split 20 ../shared/corpus/donateacry ../shared/corpus/donateacry-raw data/negatives
# A recording's group is the app-instance UUID that starts its file name (case-insensitive), else the sub-folder below
# its top folder (one source of non-cries, e.g. not_cry/speech-de), else its own name. A group goes to test/ when the
# first 8 hex digits of the SHA-256 of its name, modulo 100, fall below SHARE_PERCENT: the same split every time, for
# any copy of the data, and one app instance's cries and non-cries always fall on the same side.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 OUT SHARE_PERCENT FOLDER..." >&2
  exit 2
fi
out=$1 share=$2
shift 2
if ! [[ "$share" =~ ^[0-9]+$ ]] || (( share < 1 || share > 99 )); then
  echo "split.sh: SHARE_PERCENT must be a whole number from 1 to 99, not '$share'" >&2
  exit 2
fi
uuid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
declare -A counts=()
for folder in "$@"; do
  [[ -d "$folder" ]] || { echo "split.sh: no folder '$folder'" >&2; exit 2; }
  root=$(cd "$folder" && pwd)
  name=$(basename "$root")
  while IFS= read -r -d '' file; do
    relative=${file#"$root"/}
    base=$(basename "$file")
    if [[ "$base" =~ $uuid ]]; then
      group=$(echo "${BASH_REMATCH[0]}" | tr 'A-F' 'a-f')
    else
      top=${relative%%/*}
      rest=${relative#*/}
      if [[ "$rest" == */* ]]; then group="$name/$top/${rest%%/*}"; else group="$name/$relative"; fi
    fi
    hash=$(printf '%s' "$group" | sha256sum | cut -c1-8)
    side=train
    (( 16#$hash % 100 < share )) && side=test
    mkdir -p "$out/$side/$name/$(dirname "$relative")"
    ln -sf "$file" "$out/$side/$name/$relative"
    counts[$side/$name]=$(( ${counts[$side/$name]:-0} + 1 ))
  done < <(find "$root" -mindepth 2 -type f \( -iname '*.wav' -o -iname '*.3gp' -o -iname '*.caf' -o -iname '*.m4a' -o -iname '*.mp3' -o -iname '*.ogg' -o -iname '*.flac' -o -iname '*.webm' \) -print0 | sort -z)
done
for key in $(printf '%s\n' "${!counts[@]}" | sort); do
  echo "split.sh: $key: ${counts[$key]} recordings"
done
