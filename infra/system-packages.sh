#!/usr/bin/env bash
# Installs the system packages the project needs where they are missing (Debian/Ubuntu, as root):
#   fonts-dejavu-core — a font file for report figures (SkiaSharp's self-contained Linux build cannot look fonts up,
#                       so the report writer loads a .ttf file directly).
#   ffmpeg            — the out-of-process decoder for the recordings no managed decoder reads (AMR-NB/WB and AAC in
#                       3GP/MP4/M4A, FLAC, Vorbis in WebM, …); WAV, CAF, MP3, Ogg and WebM Opus decode without it.
#   chromium          — with --test only: the headless browser the web-page test drives over the DevTools
#                       protocol (PuppeteerSharp, which downloads no browser of its own here).
#   espeak-ng         — with --test only: speech for the test that the cry detector tells cries from speech.
# Elsewhere it only says what is missing. TorchSharp's compatibility libraries are handled by torchsharp-compat.sh.
#   infra/system-packages.sh [--test]
set -euo pipefail
missing=()
font_found=false
for font in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/TTF/DejaVuSans.ttf /usr/share/fonts/dejavu/DejaVuSans.ttf; do
  [[ -f "$font" ]] && font_found=true
done
$font_found || missing+=(fonts-dejavu-core)
if [[ -z "${CRY_FFMPEG:-}" ]] && ! command -v ffmpeg >/dev/null 2>&1; then
  missing+=(ffmpeg)
fi
if [[ "${1:-}" == "--test" ]] && ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
if [[ "${1:-}" == "--test" ]] && ! command -v espeak-ng >/dev/null 2>&1; then
  missing+=(espeak-ng)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  echo "system-packages: installing ${missing[*]}" >&2
  (apt-get install -y -qq "${missing[@]}" || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }) >&2
else
  echo "system-packages: please install ${missing[*]} (report figures need a TrueType font; phone recordings such as" \
       "3GP/AMR and M4A/AAC need ffmpeg on PATH or named in CRY_FFMPEG — e.g. 'brew install ffmpeg', 'winget install ffmpeg';" \
       "the web-page test needs chromium, the cry detector's speech test espeak-ng)" >&2
fi
