#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores, builds (warnings are errors) and tests.
# Tests that need ../shared (corpus, golden vectors) skip with a message when it is absent.
# Repeats each failing test's name and message, then ends with one line 'N passed, N failed, N skipped' and exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

source infra/dotnet-env.sh
infra/system-packages.sh --test

configuration="${CONFIGURATION:-Release}"
log="$(mktemp)"
azurite="$(mktemp -d)"
trap 'infra/azurite.sh stop "$azurite"; rm -rf "$log" "$azurite"' EXIT

# The storage emulator for the pipeline tests (npm azurite, in memory, free ports), stopped on exit.
infra/azurite.sh start "$azurite"
export CRY_AZURITE_CONNECTION="$(cat "$azurite/connection-string")"

"$DOTNET" build CryFunctions.sln -c "$configuration" -nologo -v quiet
set +e
# Microsoft.Testing.Platform runner (global.json); every test project of the solution.
"$DOTNET" test --solution CryFunctions.sln -c "$configuration" --no-build --no-progress 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Each failing test again, with its first lines of message, where a tail of the output still shows it.
awk '/^failed / { n = 12; print "---" } n > 0 { print; n-- }' "$log"

# One closing line, from the run summary.
awk '/^Test run summary/ { seen = 1 }
     seen && $1 == "failed:" { f = $2 } seen && $1 == "succeeded:" { p = $2 } seen && $1 == "skipped:" { s = $2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
