# Sourced by load.sh and soak.sh: builds cry and the benchmark tool, writes the speed-test bundle into $work/bundle,
# starts `cry serve` on 127.0.0.1:$port (with any NAME=VALUE words in $1 as its environment), waits for its health
# check and defines rss (the server's VmRSS in KB). Needs $DOTNET, $work and $port; sets $server_pid.
# CRY_BENCH_MEMBERS=N (N > 0) serves a format-2 bundle instead: the cry detector, N fold models of CRY_BENCH_MODEL
# (crynet-s by default) and the sets, every window let through the detector; unset or 0: one CryNet-S (format 1).
"$DOTNET" build src/Cry.Cli -c Release -nologo -v quiet -o out/cli >/dev/null
"$DOTNET" build benchmarks/Cry.Benchmarks -c Release -nologo -v quiet -o out/benchmarks >/dev/null
"$DOTNET" out/benchmarks/Cry.Benchmarks.dll bundle "$work/bundle" "${CRY_BENCH_MEMBERS:-0}" "${CRY_BENCH_MODEL:-crynet-s}" >/dev/null
bench_bundle="$( [[ "${CRY_BENCH_MEMBERS:-0}" -gt 0 ]] && echo "cry detector + ${CRY_BENCH_MEMBERS} × ${CRY_BENCH_MODEL:-crynet-s} + sets (format 2)" || echo "CryNet-S (format 1)")"

start_server() {
  # shellcheck disable=SC2086 # $1 is a list of NAME=VALUE words
  env ${1:-} "$DOTNET" out/cli/cry.dll serve --model "$work/bundle" --device cpu --threads 1 --urls "http://127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$port/api/health" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }
}

rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
