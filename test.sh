#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores, builds (warnings are errors) and tests.
# Tests that need ../shared (corpus, golden vectors) skip with a message when it is absent.
# Ends with one line 'N passed, N failed, N skipped' and exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

source infra/dotnet-env.sh

configuration="${CONFIGURATION:-Release}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

"$DOTNET" build CryFunctions.sln -c "$configuration" -nologo -v quiet
set +e
"$DOTNET" test CryFunctions.sln -c "$configuration" --no-build -nologo \
  --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$results/test.log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, summed from the per-project result lines.
grep -E '^(Passed|Failed)!' "$results/test.log" | awk '
  { for (i = 1; i <= NF; i++) { v = $(i+1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
