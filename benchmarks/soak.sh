#!/usr/bin/env bash
# Soak test of `cry serve` on loopback, as a hostile and a heavy client at once:
#   benchmarks/soak.sh [SECONDS] [WORKERS] [ROUNDS]       defaults: 180 s, 12 workers, 3 rounds
# First ROUNDS of 8 concurrent maximum-size clips (600 s, 9.6 MB each), then for SECONDS a mix from WORKERS at once:
# 60 % valid 7 s clips, 25 % malformed bodies (not audio, cut files, bad multipart framing, 5,000-character
# boundaries), 10 % bodies that stop just before their end, 5 % maximum-size clips. Prints per kind the requests,
# status codes and slowest answer, and the server's peak resident memory (VmRSS) in each phase.
# Holds when: no answer is a 5xx other than 503, every stalled body is closed within 30 s, and 8 concurrent
# maximum-size clips stay under 1 GB of RSS. Extra environment for the server (allocator and GC settings to compare,
# e.g. MALLOC_ARENA_MAX=2 or DOTNET_GCConserveMemory=5) is passed through: CRY_SOAK_ENV="NAME=VALUE ...".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-180}"
workers="${2:-12}"
rounds="${3:-3}"
port="${CRY_SOAK_PORT:-5182}"
source infra/dotnet-env.sh

work="$(mktemp -d)"
server_pid=""
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

source benchmarks/serve-bench.sh
start_server "${CRY_SOAK_ENV:-}"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "server: cry serve, $bench_bundle on tsi-rgb64, CPU, 1 ONNX thread per request, default limits; extra environment: ${CRY_SOAK_ENV:-none}"
echo "VmRSS at start: $(( $(rss) / 1024 )) MB"
( while kill -0 "$server_pid" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 0.25; done ) >"$work/rss.txt" &
sampler=$!

set +e
"$DOTNET" out/benchmarks/Cry.Benchmarks.dll soak "http://127.0.0.1:$port/" "$seconds" "$workers" "$rounds" | while IFS= read -r line; do
  if [[ "$line" == phase-1-done ]]; then
    echo "peak VmRSS in the maximum-size phase: $(( $(awk '{print $2}' "$work/rss.txt" | sort -n | tail -1) / 1024 )) MB"
    date +%s >"$work/phase2"
  else
    echo "$line"
  fi
done
status=${PIPESTATUS[0]}
set -e
phase2=$(cat "$work/phase2" 2>/dev/null || echo 0)
echo "peak VmRSS in the mix: $(( $(awk -v t="$phase2" '$1 >= t {print $2}' "$work/rss.txt" | sort -n | tail -1) / 1024 )) MB; at the end: $(( $(rss) / 1024 )) MB"
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died:" >&2
  tail -20 "$work/serve.log" >&2
  exit 1
fi
echo "server log lines: $(wc -l <"$work/serve.log"), longest $(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$work/serve.log") characters"
exit "$status"
