#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: restores, builds (warnings are errors) and tests.
# Tests that need ../shared (corpus, golden vectors) skip with a message when it is absent.
# Repeats each failing test's name and message, then ends with one line 'N passed, N failed, N skipped' and exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

source infra/dotnet-env.sh
infra/system-packages.sh --test

configuration="${CONFIGURATION:-Release}"
results="$(mktemp -d)"
azurite="$(mktemp -d)"
trap 'infra/azurite.sh stop "$azurite"; rm -rf "$results" "$azurite"' EXIT

# The storage emulator for the pipeline tests (npm azurite, in memory, free ports), stopped on exit.
infra/azurite.sh start "$azurite"
export CRY_AZURITE_CONNECTION="$(cat "$azurite/connection-string")"

"$DOTNET" build CryFunctions.sln -c "$configuration" -nologo -v quiet
set +e
# Microsoft.Testing.Platform runner (global.json); every test project of the solution, each writing its results as
# CTRF JSON (xunit v3's reporter) into one folder.
"$DOTNET" test --solution CryFunctions.sln -c "$configuration" --no-build --no-progress \
  --results-directory "$results" --report-xunit-ctrf
status=$?
set -e

# Each failing test again with the first lines of its message, and one closing line, from the runner's result files
# (a project that crashed without writing its file counts as a failure).
projects="$(grep -c 'Tests\.csproj"' CryFunctions.sln)"
node infra/test-summary.mjs "$results" "$projects" || status=$((status == 0 ? 1 : status))
exit "$status"
