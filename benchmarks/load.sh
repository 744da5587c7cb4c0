#!/usr/bin/env bash
# HTTP load test of `cry serve` on loopback with `hey` (a Debian package; installed here when missing and root):
#   benchmarks/load.sh [REQUESTS] [CONCURRENCY]      defaults: 10000 requests, 8 concurrent, twice
# Serves a CryNet-S bundle (tsi-rgb64, random weights: the same inference cost as a trained one; CRY_BENCH_MEMBERS=5
# CRY_BENCH_MODEL=crynet-xs serves the format-2 ensemble instead, see serve-bench.sh), posts a 7 s 8 kHz WAV,
# and reports requests per second, status codes, latency percentiles, and the server's resident memory (VmRSS)
# before, during and after each round of REQUESTS, so a leak shows as growth from round to round.
# Goal on the 2-core build machines: ≥ 400 requests/s, 0 errors, memory flat across 10,000 requests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
requests="${1:-10000}"
concurrency="${2:-8}"
port="${CRY_LOAD_PORT:-5181}"
source infra/dotnet-env.sh

if ! command -v hey >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    (apt-get install -y -qq hey || { apt-get update -qq && apt-get install -y -qq hey; }) >&2
  else
    echo "load.sh: please install hey (Debian/Ubuntu: apt-get install hey)" >&2
    exit 4
  fi
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source benchmarks/serve-bench.sh
"$DOTNET" out/cli/cry.dll synth --seconds 7 --seed 1 "$work/clip.wav" >/dev/null
start_server

url="http://127.0.0.1:$port/api/predict"
hey -n 2000 -c "$concurrency" -m POST -T audio/wav -D "$work/clip.wav" "$url" >/dev/null # warm-up

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "server: cry serve, $bench_bundle on tsi-rgb64, CPU, 1 ONNX thread per request; client: hey -n $requests -c $concurrency (same machine)"
for round in 1 2; do
  before=$(rss)
  peak=$before
  ( while kill -0 "$server_pid" 2>/dev/null; do rss; sleep 0.5; done ) >"$work/rss-$round.txt" &
  sampler=$!
  timeout 600 hey -n "$requests" -c "$concurrency" -m POST -T audio/wav -D "$work/clip.wav" "$url" >"$work/hey-$round.txt"
  kill "$sampler" 2>/dev/null || true
  after=$(rss)
  peak=$(sort -n "$work/rss-$round.txt" | tail -1)
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/hey-$round.txt")
  codes=$(awk '/Status code distribution/ {on=1; next} on && /\[/ {printf "%s%s", sep, $0; sep=","} on && !/\[/ {on=0}' "$work/hey-$round.txt" | tr -s ' ')
  errors=$(awk '/Error distribution/ {on=1; next} on && /\[/ {n+=$1} END {print n+0}' "$work/hey-$round.txt" | tr -d '[]')
  p50=$(awk '/ 50% in/ {print $3}' "$work/hey-$round.txt")
  p99=$(awk '/ 99% in/ {print $3}' "$work/hey-$round.txt")
  echo "round $round: $rps requests/s; status codes:$codes; transport errors: $errors; latency p50 ${p50}s p99 ${p99}s; VmRSS before $((before / 1024)) MB, peak $((peak / 1024)) MB, after $((after / 1024)) MB"
done
