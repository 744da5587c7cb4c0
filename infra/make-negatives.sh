#!/usr/bin/env bash
# Makes recordings that are not infant cries, for training and testing the cry detector, from Debian packages only:
#   speech-<language>/  espeak-ng speech (several voices, pitches and speeds per language)
#   noise-<colour>/     sox white, pink and brown noise at several levels, steady and in bursts
#   music-<kind>/       sox melodies (plucked strings, organ-like chords) and tone sweeps
#   effects/            the freedesktop sound theme (bells, alarms, phone rings), padded to at least 1.5 s
# Each sub-folder is one group for grouped evaluation. Deterministic: the same files on every run.
#   infra/make-negatives.sh OUT_DIR        (writes OUT_DIR/not_cry/...; installs espeak-ng, sox and the theme if missing)
set -euo pipefail
out="${1:?usage: infra/make-negatives.sh OUT_DIR}/not_cry"
need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[[ -d /usr/share/sounds/freedesktop/stereo ]] || need+=(sound-theme-freedesktop)
if [[ ${#need[@]} -gt 0 ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    echo "make-negatives: installing ${need[*]}" >&2
    (apt-get install -y -qq "${need[@]}" || { apt-get update -qq && apt-get install -y -qq "${need[@]}"; }) >/dev/null 2>&1
  else
    echo "make-negatives: please install ${need[*]}" >&2
    exit 4
  fi
fi
if [[ -f "$out/.complete" ]]; then
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
RANDOM=20261203

sentences=(
  "The weather is nice today, let us go for a walk in the park before lunch."
  "Could you please pass me the salt and the pepper, thank you very much."
  "One two three four five six seven eight nine ten, and again from the start."
  "I think the meeting is at half past three, but let me check my calendar first."
  "Once upon a time there was a little house at the edge of a dark forest."
  "Good morning everybody, the train to the city centre leaves from platform two."
)
for language in en de fr es it pt nl pl ru sv tr hi; do
  dir="$out/speech-$language"
  mkdir -p "$dir"
  for i in 0 1 2 3 4 5; do
    pitch=$((20 + RANDOM % 75)); speed=$((120 + RANDOM % 100))
    variant=$([[ $((i % 2)) == 0 ]] && echo "+f$((1 + RANDOM % 4))" || echo "+m$((1 + RANDOM % 7))")
    espeak-ng -v "$language$variant" -p "$pitch" -s "$speed" -w "$dir/$i.wav" "${sentences[$i]}" 2>/dev/null \
      || espeak-ng -v "$language" -p "$pitch" -s "$speed" -w "$dir/$i.wav" "${sentences[$i]}"
  done
done

for colour in white pink brown; do
  dir="$out/noise-$colour"
  mkdir -p "$dir"
  for i in 0 1 2 3 4 5 6 7; do
    gain=$((-35 + RANDOM % 30)); seconds=$((3 + RANDOM % 6))
    if [[ $((i % 2)) == 0 ]]; then
      sox -V1 -q -n -r 16000 -c 1 -b 16 "$dir/$i.wav" synth "$seconds" "${colour}noise" gain "$gain"
    else
      # Bursts: the noise gated on and off, as a fan, a tap or a hair dryer switched about.
      sox -V1 -q -n -r 16000 -c 1 -b 16 "$dir/$i.wav" synth "$seconds" "${colour}noise" tremolo 0.$((3 + RANDOM % 6)) 100 gain "$gain"
    fi
  done
done

notes=(C3 D3 E3 F3 G3 A3 B3 C4 D4 E4 F4 G4 A4 B4 C5 D5 E5)
for kind in pluck organ sweep; do
  dir="$out/music-$kind"
  mkdir -p "$dir"
  for i in 0 1 2 3 4 5 6 7; do
    case "$kind" in
      pluck)
        parts=()
        for n in 1 2 3 4 5 6 7 8 9 10 11 12; do parts+=("|sox -V1 -q -n -r 16000 -c 1 -p synth 0.$((3 + RANDOM % 5)) pluck ${notes[$((RANDOM % ${#notes[@]}))]}"); done
        sox -V1 -q "${parts[@]}" -b 16 "$dir/$i.wav" gain -n -$((3 + RANDOM % 20));;
      organ)
        parts=()
        for n in 1 2 3 4 5 6; do
          a=${notes[$((RANDOM % 10))]}
          parts+=("|sox -V1 -q -n -r 16000 -c 1 -p synth 0.8 sine $a sine ${notes[$((RANDOM % 7 + 7))]} square $a remix 1-3 fade 0.05 0.8 0.1")
        done
        sox -V1 -q "${parts[@]}" -b 16 "$dir/$i.wav" gain -n -$((3 + RANDOM % 20));;
      sweep)
        sox -V1 -q -n -r 16000 -c 1 -b 16 "$dir/$i.wav" synth $((3 + RANDOM % 5)) sine $((200 + RANDOM % 400))-$((500 + RANDOM % 2500)) gain -n -$((3 + RANDOM % 20));;
    esac
  done
done

mkdir -p "$out/effects"
for f in /usr/share/sounds/freedesktop/stereo/*.oga; do
  ffmpeg -nostdin -v error -y -i "$f" -ac 1 -af "apad=whole_dur=1.5" "$out/effects/$(basename "${f%.oga}").wav"
done
touch "$out/.complete"
echo "make-negatives: $(find "$out" -name '*.wav' | wc -l) recordings in $out" >&2
